"""The `--stats PATH` record: every frame's timing and every governor decision, as JSON.

This module owns the file format of issue 6 and writing it safely:
    {"video_fps": .., "budget_ms": .., "frames": [{"t", "tier", "gpu_ms", "late",
     "dropped", "late_ms", "passes": {LABEL: ms}}], "decisions": [{"t", "from", "to",
     "reason"}], "passes": {LABEL: {"frames", "avg_ms", "peak_ms"}}}
A frame's ``passes`` are its GPU times by name: libmpv's own ("mpv: upload frame", "mpv:
user shader: ...", named by libmpv's vo-passes), the chain's passes, "subtitles",
"controller", "overlay"; the top-level ``passes`` sums them over the run, for the frames
each one was drawn in. Per-frame passes are kept compactly (a label index and a float32
each: a two-hour film at 60 fps with ten passes is about 25 MB while playing).
The file is written to a temporary file beside the target and renamed over it, so a
reader (or a crash at exit) never sees half a file. Values JSON cannot hold (NaN, inf)
are written as null rather than producing invalid JSON.
"""
from __future__ import annotations

import math
from array import array
from typing import Any, Iterable

from player.base.files import write_json


class StatsRecorder:
    """Collects per-frame records and decisions while playing; write() at exit."""

    def __init__(self, video_fps: float, budget_ms: float):
        self.video_fps = video_fps
        self.budget_ms = budget_ms
        # tuples, not dicts: a two-hour film at 60 fps is 430 000 frames
        self._frames: list[tuple[float, str, float | None, bool, bool, float | None]] = []
        self._decisions: list[tuple[float, str, str, str]] = []
        self._passes: dict[str, list] = {}        # label -> [frames, total ms, peak ms]
        self._labels: dict[str, int] = {}         # label -> its index in _names
        self._names: list[str] = []
        self._frame_start = array("I")            # per frame: its first entry below
        self._pass_label = array("H")             # per frame's pass: label index
        self._pass_ms = array("f")                # and its GPU ms

    def add_frame(self, t: float, tier: str, gpu_ms: float | None, late: bool,
                  dropped: bool, passes: Iterable[tuple[str, float]] = (),
                  late_ms: float | None = None) -> None:
        """``late_ms``: from libmpv's target time for the frame to the end of its swap;
        ``passes``: the GPU timer's (label, ms) of the frame, summed per label."""
        self._frames.append((t, tier, gpu_ms, bool(late), bool(dropped), late_ms))
        self._frame_start.append(len(self._pass_ms))
        sums: dict[str, float] = {}
        for label, ms in passes:
            if label is None or ms is None or not math.isfinite(ms):
                continue
            sums[label] = sums.get(label, 0.0) + ms
        for label, ms in sums.items():
            acc = self._passes.get(label)
            if acc is None:
                acc = self._passes[label] = [0, 0.0, 0.0]
                self._labels[label] = len(self._names)
                self._names.append(label)
            acc[0] += 1
            acc[1] += ms
            acc[2] = max(acc[2], ms)
            self._pass_label.append(self._labels[label])
            self._pass_ms.append(ms)

    def add_decision(self, decision: Any) -> None:
        """Anything with t, from_, to and reason (governor.Decision)."""
        self._decisions.append((decision.t, decision.from_, decision.to, decision.reason))

    def add_decisions(self, decisions: Iterable[Any]) -> None:
        for d in decisions:
            self.add_decision(d)

    def __len__(self) -> int:
        return len(self._frames)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "video_fps": _number(self.video_fps),
            "budget_ms": _number(self.budget_ms),
            "frames": [{"t": _number(t), "tier": tier, "gpu_ms": _number(ms),
                        "late": late, "dropped": dropped, "late_ms": _number(late_ms),
                        "passes": self._frame_passes(i)}
                       for i, (t, tier, ms, late, dropped, late_ms)
                       in enumerate(self._frames)],
            "decisions": [{"t": _number(t), "from": from_, "to": to, "reason": reason}
                          for t, from_, to, reason in self._decisions],
        }
        if self._passes:     # only when the GPU timer gave per-pass figures
            out["passes"] = {str(label): {"frames": n, "avg_ms": _number(total / n),
                                          "peak_ms": _number(peak)}
                             for label, (n, total, peak) in self._passes.items()}
        return out

    def _frame_passes(self, i: int) -> dict[str, float]:
        end = self._frame_start[i + 1] if i + 1 < len(self._frame_start) else len(self._pass_ms)
        return {self._names[self._pass_label[k]]: round(float(self._pass_ms[k]), 4)
                for k in range(self._frame_start[i], end)}

    def write(self, path: str) -> None:
        """Write atomically; A4kError naming the path if the file cannot be written."""
        write_json(path, self.to_dict(), "stats")


def _number(value: float | None) -> float | None:
    if value is None or isinstance(value, bool):
        return value
    value = float(value)
    return value if math.isfinite(value) else None

"""The `--stats PATH` record: every frame's timing and every governor decision, as JSON.

This module owns the file format of issue 6 and writing it safely:
    {"video_fps": .., "budget_ms": .., "frames": [{"t", "tier", "gpu_ms", "late",
     "dropped"}], "decisions": [{"t", "from", "to", "reason"}]}
The file is written to a temporary file beside the target and renamed over it, so a
reader (or a crash at exit) never sees half a file. Values JSON cannot hold (NaN, inf)
are written as null rather than producing invalid JSON.
"""
from __future__ import annotations

import json
import math
import os
import tempfile
from typing import Any, Iterable

from player.errors import A4kError


class StatsRecorder:
    """Collects per-frame records and decisions while playing; write() at exit."""

    def __init__(self, video_fps: float, budget_ms: float):
        self.video_fps = video_fps
        self.budget_ms = budget_ms
        # tuples, not dicts: a two-hour film at 60 fps is 430 000 frames
        self._frames: list[tuple[float, str, float | None, bool, bool]] = []
        self._decisions: list[tuple[float, str, str, str]] = []

    def add_frame(self, t: float, tier: str, gpu_ms: float | None, late: bool,
                  dropped: bool) -> None:
        self._frames.append((t, tier, gpu_ms, bool(late), bool(dropped)))

    def add_decision(self, decision: Any) -> None:
        """Anything with t, from_, to and reason (governor.Decision)."""
        self._decisions.append((decision.t, decision.from_, decision.to, decision.reason))

    def add_decisions(self, decisions: Iterable[Any]) -> None:
        for d in decisions:
            self.add_decision(d)

    def __len__(self) -> int:
        return len(self._frames)

    def to_dict(self) -> dict[str, Any]:
        return {
            "video_fps": _number(self.video_fps),
            "budget_ms": _number(self.budget_ms),
            "frames": [{"t": _number(t), "tier": tier, "gpu_ms": _number(ms),
                        "late": late, "dropped": dropped}
                       for t, tier, ms, late, dropped in self._frames],
            "decisions": [{"t": _number(t), "from": from_, "to": to, "reason": reason}
                          for t, from_, to, reason in self._decisions],
        }

    def write(self, path: str) -> None:
        """Write atomically; A4kError naming the path if the file cannot be written."""
        path = os.path.abspath(os.path.expanduser(path))
        folder = os.path.dirname(path)
        tmp = None
        try:
            fd, tmp = tempfile.mkstemp(prefix=".stats-", suffix=".json.tmp", dir=folder)
            os.chmod(tmp, 0o644)  # mkstemp makes it private; a stats file is not secret
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(self.to_dict(), f, allow_nan=False, separators=(",", ":"))
                f.write("\n")
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
            tmp = None
        except OSError as e:
            raise A4kError(f"cannot write stats: {e.strerror or e}", path=path) from None
        finally:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass


def _number(value: float | None) -> float | None:
    if value is None or isinstance(value, bool):
        return value
    value = float(value)
    return value if math.isfinite(value) else None

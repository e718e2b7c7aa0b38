"""What the frame-time overlay says: player state -> lines of text and a graph.

Pure formatting (no GL): the overlay module draws, the play loop owns the state, this module
decides the wording and layout of the stats panel, so the panel can be tested without a
window and stays in one place.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

MESSAGE_SECONDS = 3.0   # how long a notification stays on screen
SHOW_SECONDS = 5.0      # how long `i` shows the panel
HISTORY = 120           # frames in the graph


@dataclass
class HudState:
    """What the loop knows; updated in place, read once per frame by ``panel``."""
    profile: str = ""
    tier: str = ""
    video_size: tuple[int, int] = (0, 0)
    output_size: tuple[int, int] = (0, 0)
    fps: float = 0.0
    budget_ms: float = 0.0
    cpu_ms: float = 0.0
    late: int = 0
    dropped: int = 0
    presented: int = 0
    governor: str = "auto: not on the ladder"
    decision: str = ""
    gpu: deque = field(default_factory=lambda: deque(maxlen=HISTORY))


PANEL_CHARS = 44         # the panel's width in characters; longer lines are wrapped


def _wrap(text: str, width: int) -> list[str]:
    out, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = "  " + word
        else:
            line = f"{line} {word}" if line else word
    return out + [line] if line else out


def _ms(v: float) -> str:
    return f"{v:6.1f}" if v < 1000 else f"{v:6.0f}"


def panel(state: HudState, timings) -> list[str]:
    """The stats panel: tier, sizes, budget, GPU ms (last/avg/peak), per pass, frames."""
    f = timings.frame
    lines = [
        f"profile {state.profile}   tier {state.tier}",
        f"video {state.video_size[0]}x{state.video_size[1]} @ {state.fps:.3f} fps",
        f"output {state.output_size[0]}x{state.output_size[1]}",
        f"budget {state.budget_ms:.1f} ms",
        f"GPU ms  last{_ms(f.last)}  avg{_ms(f.avg)}  peak{_ms(f.peak)}",
        f"CPU ms  {state.cpu_ms:.2f} per frame",
        f"frames {state.presented}  late {state.late}  dropped {state.dropped}",
        *_wrap(state.governor, PANEL_CHARS),
    ]
    if state.decision:
        lines += _wrap("last: " + state.decision, PANEL_CHARS)
    if timings.passes:
        lines.append(f"{'pass':<30}{'ms':>7}{'share':>7}")
        total = max(f.avg, 1e-9)
        for t in sorted(timings.passes.values(), key=lambda t: -t.avg)[:12]:
            name = t.desc if len(t.desc) <= 29 else t.desc[:28] + "~"
            lines.append(f"{name:<30}{_ms(t.avg):>7}{100 * t.avg / total:>6.0f}%")
    lines = [ln if len(ln) <= PANEL_CHARS else ln[:PANEL_CHARS - 1] + "~" for ln in lines]
    return lines

"""What both learned-tier exporters (export.py: fragment passes, export_compute.py: compute
passes) write the same way: the WHEN every pass carries, float literals, 4-channel groups.
Its own module so that neither exporter imports the other."""
from __future__ import annotations

import numpy as np

# the whole chain runs only when the frame is being upscaled by more than 1.2x
WHEN = "OUTPUT.w MAIN.w / 1.200 > OUTPUT.h MAIN.h / 1.200 > *"


def fmt(x: float) -> str:
    """Shortest text that reads back as the same float32, always a GLSL float literal."""
    return np.format_float_positional(np.float32(x), unique=True, trim="0")


def groups(n: int) -> list[slice]:
    """Channels 0..n-1 as groups of 4 (a texture texel holds 4)."""
    return [slice(g, min(g + 4, n)) for g in range(0, n, 4)]


def expanded(cfg: dict) -> str:
    """' (expanded to N inside each block)' (or '... inside blocks 1, 3', 1-based) for a
    header, or '' for plain blocks."""
    if not cfg.get("expand"):
        return ""
    if "expanded" not in cfg:
        return f" (expanded to {cfg['expand']} inside each block)"
    which = ", ".join(str(i + 1) for i in cfg["expanded"])
    return f" (expanded to {cfg['expand']} inside blocks {which})"

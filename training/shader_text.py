"""What both learned-tier exporters (export.py: fragment passes, export_compute.py: compute
passes) write the same way: the WHEN every pass carries (a first or a second 2x of a cascade),
float literals, 4-channel groups.
Its own module so that neither exporter imports the other."""
from __future__ import annotations

import numpy as np

# the whole chain runs only when the frame is being upscaled by more than 1.2x (from 1.2x to
# 2x the scaler then brings the doubled frame down to the output)
WHEN = "OUTPUT.w MAIN.w / 1.200 > OUTPUT.h MAIN.h / 1.200 > *"
# the second 2x of a cascade (a profile lists it after a first 2x): it runs when the output
# is more than twice the video, i.e. more than the first 2x's MAIN. Each of its passes also
# BINDs a texture the first 2x saved (`after`): when the first did not run (up to 1.2x,
# where MAIN is still the video and this WHEN alone could be true), that name does not
# exist and mpv and our chain skip the pass silently. mpv logs an error for an unknown name
# in a WHEN on every frame, and its NATIVE_CROPPED follows MAIN's scale (it is not the
# video's size once a hook resized MAIN), so neither can say "the first 2x ran".
SECOND_WHEN = "OUTPUT.w MAIN.w / 1.000 > OUTPUT.h MAIN.h / 1.000 > *"
STAGES = {1: WHEN, 2: SECOND_WHEN}


def first_texture(prefix: str, mode: str) -> str:
    """The first texture the first 2x of `prefix` saves (its head's output), which the
    second 2x binds: compute passes save <PREFIX>_C0, fragment passes <PREFIX>_L0_0."""
    return f"{prefix}_C0" if mode == "compute" else f"{prefix}_L0_0"


def when(stage: int) -> str:
    """The WHEN of every pass of a cascade's first (1) or second (2) 2x."""
    if stage not in STAGES:
        raise ValueError(f"a learned pass is the first or the second 2x (1 or 2), got {stage}")
    return STAGES[stage]


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

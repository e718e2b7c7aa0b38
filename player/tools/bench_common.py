"""What the bench modules share: the clip's rate and length, the named shader packs and how a
chain that is a pack (not a profile) is told apart."""
from __future__ import annotations

import statistics

CLIP_FPS, CLIP_SECONDS = 60, 20  # --vs-mpv clip: long enough for N slow frames, timed
CUSTOM = "shaders"  # the run name of a --shader chain

# the third-party-style test packs (shaders/testpacks/, our own code): chains measured by
# name in the default --vs-mpv set, played through --shader like a --shader chain
PACKS = {
    "test pack": ("shaders/testpacks/tp_restore.glsl", "shaders/testpacks/tp_upscale2x.glsl",
                  "shaders/testpacks/tp_sharpen.glsl"),
    "CuNNy-style": ("shaders/testpacks/tp_cunny2x.glsl",),
}


def is_pack(name: str) -> bool:
    """A chain of shader files (--shader or a named pack), not a profile of profiles.yaml."""
    return name == CUSTOM or name in PACKS


def median(values) -> float | None:
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 3) if values else None

"""The on-screen controller's settings: what profiles.yaml may say under `osc:`.

Configuration only (the controller is ui/osc.py): the validator (config/profiles.py) and
the controller both read this table, so the two cannot disagree.
"""
from __future__ import annotations

from dataclasses import dataclass

VISIBILITY = ("auto", "always", "never")
# name -> (minimum, maximum, meaning) of the numeric settings
NUMBERS: dict[str, tuple[float, float, str]] = {
    "timeout": (0.1, 60.0, "seconds without pointer motion before the controller hides"),
    "size": (0.5, 4.0, "scale of the controller (times the window's content scale)"),
}
FLAGS = ("show_paused", "thumbnails")
KEYS = ("visibility",) + FLAGS + tuple(NUMBERS)


@dataclass(frozen=True)
class OscSettings:
    visibility: str = "auto"      # auto: shown on pointer motion; always; never
    timeout: float = 1.0
    size: float = 1.0
    show_paused: bool = False     # always shown while paused (in auto)
    thumbnails: bool = True       # a keyframe picture over the timeline's hover label

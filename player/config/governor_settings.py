"""The quality governor's settings: what profiles.yaml may say under `governor:`.

Configuration, not policy: the validator (config/profiles.py) and the policy
(playback/governor.py) both read this one table, so the two cannot disagree, and reading
a profiles file never imports the policy.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields

# name -> (type, minimum, maximum, meaning); the one table that both GovernorSettings
# and the profiles.yaml validator use, so the two cannot disagree.
SETTING_RANGES: dict[str, tuple[type, float, float, str]] = {
    "headroom": (float, 0.05, 1.0, "fraction of the frame interval the GPU may use"),
    "window": (float, 0.05, 10.0, "seconds of frames the percentile is taken over"),
    "percentile": (float, 50.0, 100.0, "which percentile of GPU times is compared"),
    "late_frames": (int, 1, 1000, "late or dropped frames in a window that force a step down"),
    "dwell": (float, 0.0, 60.0, "seconds at a tier before a percentile step down or any step up"),
    "hold": (float, 0.0, 600.0, "seconds after a step down before stepping up"),
    "max_hold": (float, 0.0, 3600.0, "cap for the hold after failed step ups"),
    "up_margin": (float, 0.1, 1.0, "the dearer tier's estimate must fit this x budget"),
    "step_cost": (float, 1.0, 100.0, "assumed cost ratio of neighbouring tiers until measured"),
}


@dataclass(frozen=True)
class GovernorSettings:
    """The governor's knobs, as profiles.yaml gives them (see SETTING_RANGES)."""
    enabled: bool = True
    headroom: float = 0.85
    window: float = 1.0
    percentile: float = 90.0
    late_frames: int = 3
    dwell: float = 1.0
    hold: float = 5.0
    max_hold: float = 60.0
    up_margin: float = 0.8
    step_cost: float = 2.0

    def __post_init__(self) -> None:
        for f in fields(self):
            if f.name not in SETTING_RANGES:
                continue
            kind, lo, hi, _ = SETTING_RANGES[f.name]
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"{f.name}: expected a number, got {value!r}")
            if kind is int and value != int(value):
                raise ValueError(f"{f.name}: expected a whole number, got {value!r}")
            if not (math.isfinite(value) and lo <= value <= hi):
                raise ValueError(f"{f.name}: expected {lo:g} to {hi:g}, got {value!r}")
        if self.max_hold < self.hold:
            raise ValueError(f"max_hold: expected at least hold ({self.hold:g}), got {self.max_hold:g}")

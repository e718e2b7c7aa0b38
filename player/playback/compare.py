"""Live A/B compare: which mode (off, split, flip), where the divider is, which side flip
shows. Changed only through its methods (the action handlers and the pointer call them);
each returns what to say on screen, or None. Pure: the frame path reads it into its View.
"""
from __future__ import annotations

MODES = ("off", "split", "flip")


class Compare:
    def __init__(self, on: bool = False):
        self.mode = "split" if on else "off"
        self.split = 0.5              # split: the divider, 0..1 of the picture's width
        self.show_baseline = False    # flip: the baseline side is shown

    def set(self, mode: str) -> str:
        """``off``, ``split``, ``flip``, or ``toggle`` (off <-> split)."""
        if mode == "toggle":
            mode = "off" if self.mode != "off" else "split"
        if mode not in MODES:
            raise ValueError(f"compare mode {mode!r}: one of {', '.join(MODES)} or toggle")
        self.mode, self.show_baseline = mode, False
        return f"compare: {self.mode}"

    def cycle(self) -> str:
        return self.set(MODES[(MODES.index(self.mode) + 1) % len(MODES)])

    def flip(self, tier: str) -> str:
        """Flip compare: the other side."""
        if self.mode != "flip":
            return "flip works in flip compare (c twice)"
        self.show_baseline = not self.show_baseline
        return "showing " + ("baseline" if self.show_baseline else tier)

    def move(self, delta: float) -> None:
        self.split = min(1.0, max(0.0, self.split + delta))

    def place(self, fraction: float) -> bool:
        """Split compare: the divider at this fraction of the picture; False otherwise."""
        if self.mode != "split":
            return False
        self.split = min(1.0, max(0.0, fraction))
        return True

"""What is on screen over the picture, and until when: the player's messages, the statistics
panel (i shows it a while, I toggles it) and the progress line (o, a seek).

Pure state with the clock passed in (the tests give their own); no GL. screen.py draws
what this says is shown; Player and the action handlers change it through its methods.
"""
from __future__ import annotations

import time
from typing import Callable

from player.ui.hud import MESSAGE_SECONDS


class OnScreen:
    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.messages: list[tuple[float, str]] = []   # (when said, text), newest last
        self.panel_on = False                          # I toggles
        self.panel_until = 0.0                         # i shows it until then
        self.progress_until = 0.0                      # o / a seek shows the progress line

    def say(self, text: str) -> None:
        self.messages.append((self.clock(), text))

    def show_panel(self, seconds: float | None) -> None:
        """For a while (``seconds``), or on/off (``None``)."""
        if seconds is None:
            self.panel_on = not self.panel_on
        else:
            self.panel_until = self.clock() + seconds

    def panel_shown(self) -> bool:
        return self.panel_on or self.clock() < self.panel_until

    def show_progress(self) -> None:
        self.progress_until = self.clock() + MESSAGE_SECONDS

    def progress_shown(self) -> bool:
        return bool(self.progress_until) and self.clock() < self.progress_until

    def live_messages(self) -> list[str]:
        """The messages still on screen (older ones are dropped), oldest first."""
        now = self.clock()
        self.messages = [(t, m) for t, m in self.messages if now - t < MESSAGE_SECONDS]
        return [m for _, m in self.messages]

    def expired(self) -> bool:
        """Something timed out since the last call (a message, the panel, the progress
        line): the screen needs drawing once more."""
        now = self.clock()
        due = [t + MESSAGE_SECONDS for t, _ in self.messages]
        due += [d for d in (self.panel_until, self.progress_until) if d]
        if not any(now >= d for d in due):
            return False
        if self.panel_until and now >= self.panel_until:
            self.panel_until = 0.0
        if self.progress_until and now >= self.progress_until:
            self.progress_until = 0.0
        return True

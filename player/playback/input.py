"""Window input -> libmpv's input system: the one path every key, button and wheel takes.

A key press in our window becomes ``keypress NAME`` in libmpv (names: gl/keys.py), exactly
what an IPC client's ``keypress NAME`` is, so the two cannot act differently: mpv's default
bindings, our input section and the user's profiles.yaml bindings all resolve there. Our
own actions come back as ``script-message a4kplay ...`` client messages (playback/video.py).

Why route through libmpv rather than keep a key table of our own: mpv's defaults (tracks,
chapters, speed, subtitle delay, playlists, watch-later, ...) then act as in mpv without a
copy of them here, IPC keypresses work for free, and a binding may be any mpv command, as
input.conf allows.

Three things stay local, since they are about our window and not commands: the on-screen
controller (playback/osc.py) gets the first look at every pointer event and, while a menu
is open, at the keys that move in it; what it does not take goes on as below. A double
click is detected here (mpv does it from raw button events, which keypress does not
carry), and in split compare a left drag moves the divider.
"""
from __future__ import annotations

import time

from player.gl.keys import button_name, key_name, wheel_name

DOUBLE_CLICK_S = 0.3      # mpv's default --input-doubleclick-time
DOUBLE_CLICK_PX = 6


class Input:
    def __init__(self, press, divider_at=None, pointer=None):
        """``press(name)`` hands a key name to libmpv; ``divider_at(x)`` (x in window
        coordinates) returns True when it moved the split divider (then the left button
        does not also reach mpv); ``pointer`` (the controller: ``motion``, ``leave``,
        ``button``, ``scroll``, ``key``, each True when it took the event) looks first."""
        self._press = press
        self._divider_at = divider_at
        self._pointer = pointer
        self._last_click: tuple[float, float, float, int] | None = None
        self._dragging = False

    def on_event(self, ev) -> None:
        pointer = self._pointer
        if ev.kind == "key":
            name = key_name(ev.key, ev.mods)
            if name is not None and not (pointer and pointer.key(name)):
                self._press(name)
        elif ev.kind == "button":
            if pointer and pointer.button(ev):
                self._dragging = False
                return
            self._button(ev)
        elif ev.kind == "scroll":
            if pointer and pointer.scroll(ev):
                return
            name = wheel_name(ev.x, ev.y, ev.mods)
            if name is not None:
                self._press(name)
        elif ev.kind == "motion" and pointer:
            pointer.motion(ev)
        elif ev.kind == "leave" and pointer:
            pointer.leave()
        elif ev.kind == "drag" and self._dragging and self._divider_at is not None:
            self._divider_at(ev.x)

    def _button(self, ev) -> None:
        if not ev.pressed:
            self._dragging = False
            return
        if ev.key == 0 and self._divider_at is not None and self._divider_at(ev.x):
            self._dragging = True
            return
        name = button_name(ev.key, ev.mods)
        if name is None:
            return
        self._press(name)
        now = time.monotonic()
        last = self._last_click
        if (last is not None and last[3] == ev.key and now - last[0] <= DOUBLE_CLICK_S
                and abs(ev.x - last[1]) <= DOUBLE_CLICK_PX
                and abs(ev.y - last[2]) <= DOUBLE_CLICK_PX):
            self._last_click = None
            double = button_name(ev.key, ev.mods, double=True)
            if double is not None and double != name:
                self._press(double)
        else:
            self._last_click = (now, ev.x, ev.y, ev.key)

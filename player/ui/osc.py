"""The on-screen controller's state, pure: visibility timer, hover, timeline drag, menus.

Pointer events come in (framebuffer pixels, y down, and the time they happened); commands
go out as argument tuples for libmpv's ``command`` (``("seek", "5.000", "absolute+exact")``,
``("script-message", "a4kplay", "menu", "sub")``): the player runs them, so a click takes
the path a key or an IPC client takes. A method returns None when the event is not the
controller's (it then goes to libmpv's bindings as before: double click, right click, the
wheel), and a list (maybe empty) when the controller took it.

Visibility follows uosc and mpv's osc.lua: ``auto`` shows the controller on pointer motion
and hides it ``timeout`` seconds after the last motion or when the pointer leaves the
window (a timeline drag keeps it); ``always`` / ``never``; ``show_paused`` keeps it while
paused. Keys never show it: a keyboard-only viewer never sees it. A menu (tracks, chapters,
profiles) is drawn whenever open, by a click or by the ``menu`` action, and takes the
arrows, Enter and Esc while open. No GL here: ``ui/osc_layout.py`` says where things are,
``ui/osc_draw.py`` draws, ``playback/osc.py`` connects it to the player.
"""
from __future__ import annotations

import re
from typing import Callable, Sequence

from player.ui.osc_layout import (BUTTON, SEEK_WHEEL_S, Layout, MenuGeometry, MenuItem,
                                  Model, Scene, bar_scene, hover_time, layout,
                                  menu_geometry, menu_scene, time_text)

MODES = ("auto", "always", "never")
LEFT, RIGHT = 0, 1                       # GLFW's button numbers
CHOOSE = ("ENTER", "KP_ENTER")


class Menu:
    """A list to choose from: title, items (label, command, current) and the selection."""

    def __init__(self, kind: str, title: str, items: Sequence[MenuItem], anchor: str = ""):
        self.kind, self.title, self.items = kind, title, list(items)
        self.anchor = anchor or kind
        self.index = next((i for i, it in enumerate(self.items) if it.current), 0)
        self.geometry: MenuGeometry | None = None     # of the last scene (for hit tests)

    def move(self, step: int) -> None:
        if self.items:
            self.index = (self.index + step) % len(self.items)

    def chosen(self) -> tuple[str, ...]:
        return self.items[self.index].command if self.items else ()

    def row_at(self, x: float, y: float) -> int | None:
        if self.geometry is None:
            return None
        for i, box in self.geometry.rows:
            if box.contains(x, y):
                return i
        return None

    def contains(self, x: float, y: float) -> bool:
        return self.geometry is not None and self.geometry.box.contains(x, y)


class Controller:
    def __init__(self, mode: str = "auto", timeout: float = 1.0, size: float = 1.0,
                 show_paused: bool = False):
        self.mode = mode if mode in MODES else "auto"
        self.timeout = float(timeout)
        self.size = float(size)
        self.show_paused = bool(show_paused)
        self.paused = False
        self.until = 0.0                 # auto: shown until then (monotonic seconds)
        self.pointer: tuple[float, float] | None = None   # last position in the window
        self.dragging = False
        self.menu: Menu | None = None
        self.lay: Layout | None = None
        self._scale = 1.0
        self._shown_drawn = False        # what the last drawn frame showed
        self._drawn_key = None

    # ---- geometry -------------------------------------------------------------------------
    def resize(self, w: int, h: int, content_scale: float = 1.0,
               measure: Callable[[str, int], float] | None = None,
               model: Model | None = None) -> Layout:
        scale = content_scale * self.size
        text = time_text(model) if model else "00:00 / 00:00"
        # the layout changes with the size and the time text's width class only
        key = (w, h, scale, len(text))
        if self.lay is None or key != self._drawn_key:
            self.lay = layout(w, h, scale, measure, re.sub(r"[0-9]", "0", text))
            self._drawn_key = key
        return self.lay

    # ---- visibility -----------------------------------------------------------------------
    def shown(self, now: float) -> bool:
        """The bar (timeline and buttons) is visible now."""
        if self.mode == "never":
            return False
        if self.mode == "always" or self.dragging:
            return True
        if self.show_paused and self.paused:
            return True
        return now < self.until

    def visible(self, now: float) -> bool:
        """Something of the controller is drawn now (the bar, or an open menu)."""
        return self.menu is not None or self.shown(now)

    def due(self, now: float) -> bool:
        """What is drawn must change by itself (the bar timed out): draw once more."""
        return self.visible(now) != self._shown_drawn

    def drawn(self, visible: bool) -> None:
        self._shown_drawn = visible

    def set_mode(self, mode: str, now: float) -> str:
        """auto | always | never | cycle (never -> auto -> always -> never, as osc.lua's
        binding cycles); returns the mode now."""
        if mode == "cycle":
            mode = {"never": "auto", "auto": "always", "always": "never"}[self.mode]
        if mode not in MODES:
            raise ValueError(f"expected one of {', '.join(MODES)} or cycle, got {mode!r}")
        self.mode = mode
        if mode != "auto":
            self.until = 0.0
        return mode

    # ---- pointer --------------------------------------------------------------------------
    def motion(self, x: float, y: float, now: float) -> list | None:
        """The pointer moved: show the bar; while dragging the timeline, seek (keyframes)."""
        moved = self.pointer != (x, y)
        self.pointer = (x, y)
        if self.mode == "never" and self.menu is None:
            return None
        if moved and self.mode == "auto":
            self.until = now + self.timeout
        if self.dragging and self.lay is not None and moved:
            self._dragged = True
            return [self._seek(self.lay.fraction(x), "absolute-percent+keyframes")]
        return []

    def leave(self, now: float) -> None:
        self.pointer = None
        if not self.dragging:
            self.until = 0.0

    def press(self, button: int, x: float, y: float, now: float) -> list | None:
        self.pointer = (x, y)
        if self.menu is not None:
            return self._press_menu(button, x, y, now)
        if self.mode == "never" or self.lay is None or button != LEFT:
            return None
        hit = self.lay.hit(x, y)
        if hit is None:
            return None
        if self.mode == "auto":
            self.until = now + self.timeout     # a click on the band shows it, too
        kind, what = hit
        if kind == "timeline":
            self.dragging, self._dragged = True, False
            return [self._seek(what, "absolute-percent+exact")]
        if kind == "button":
            return [BUTTON[what].click]
        return []                                # the band itself: not a click on the video

    def release(self, button: int, x: float, y: float, now: float) -> list | None:
        if not self.dragging or button != LEFT:
            return None
        self.dragging = False
        if self.mode == "auto":
            self.until = now + self.timeout
        # a drag ends where it was let go, exactly (a plain click has sought already)
        if self._dragged and self.lay is not None:
            return [self._seek(self.lay.fraction(x), "absolute-percent+exact")]
        return []

    def scroll(self, dy: float, x: float, y: float, now: float) -> list | None:
        """A wheel step (dy > 0: up) at (x, y): the menu's selection, a seek over the
        timeline, the volume over its button; elsewhere not ours."""
        if self.menu is not None and self.menu.contains(x, y):
            self.menu.move(-1 if dy > 0 else 1)
            return []
        if self.lay is None or not self.shown(now):
            return None
        hit = self.lay.hit(x, y)
        if hit is None:
            return None
        if self.mode == "auto":
            self.until = now + self.timeout
        if hit[0] == "timeline":
            step = SEEK_WHEEL_S if dy > 0 else -SEEK_WHEEL_S
            return [("seek", f"{step:g}", "relative")]
        if hit[0] == "button" and BUTTON[hit[1]].wheel:
            up, down = BUTTON[hit[1]].wheel
            return [up if dy > 0 else down]
        return []

    _dragged = False

    @staticmethod
    def _seek(fraction: float, flags: str) -> tuple[str, ...]:
        return ("seek", f"{100.0 * fraction:.4f}", flags)

    # ---- menus ----------------------------------------------------------------------------
    def open_menu(self, menu: Menu) -> None:
        """Open ``menu`` (the same kind again closes it, as a second click on its button)."""
        if self.menu is not None and self.menu.kind == menu.kind:
            self.menu = None
        else:
            self.menu = menu

    def close_menu(self) -> None:
        self.menu = None

    def _press_menu(self, button: int, x: float, y: float, now: float) -> list:
        menu = self.menu
        row = menu.row_at(x, y)
        if row is not None and button == LEFT:
            menu.index = row
            self.menu = None
            return [menu.chosen()] if menu.chosen() else []
        if menu.contains(x, y):
            return []
        self.menu = None                 # a click outside closes it ...
        hit = self.lay.hit(x, y) if self.lay is not None and self.shown(now) else None
        if hit == ("button", menu.anchor):
            return []                    # ... and on its own button does not reopen it
        return self.press(button, x, y, now) if hit else []

    def key(self, name: str) -> list | None:
        """A key while a menu is open: arrows move, Enter chooses, Esc closes."""
        menu = self.menu
        if menu is None:
            return None
        if name in ("UP", "DOWN"):
            menu.move(-1 if name == "UP" else 1)
        elif name in ("PGUP", "PGDWN"):
            page = len(menu.geometry.rows) if menu.geometry else 5
            menu.index = min(len(menu.items) - 1,
                             max(0, menu.index + (page if name == "PGDWN" else -page)))
        elif name in ("HOME", "END"):
            menu.index = 0 if name == "HOME" else max(0, len(menu.items) - 1)
        elif name in CHOOSE:
            self.menu = None
            return [menu.chosen()] if menu.chosen() else []
        elif name == "ESC":
            self.menu = None
        else:
            return None
        return []

    # ---- the picture ----------------------------------------------------------------------
    def hover_time(self, model: Model, now: float) -> float | None:
        """The time under the pointer on the shown timeline (for a thumbnail), or None."""
        if self.lay is None or not self.shown(now):
            return None
        return hover_time(self.lay, model, self.pointer)

    def scene(self, model: Model, now: float, measure: Callable[[str, int], float]) -> Scene:
        """What to draw now (an empty list when nothing is shown)."""
        out: Scene = []
        if self.lay is None:
            return out
        if self.shown(now):
            bar_scene(self.lay, model, self.pointer, measure, out)
        menu = self.menu
        if menu is not None:
            menu.geometry = menu_geometry(self.lay, menu.title, menu.items, menu.anchor,
                                          menu.index, measure)
            hover = menu.row_at(*self.pointer) if self.pointer else None
            menu_scene(menu.geometry, menu.title, menu.items, menu.index, hover, out)
        return out

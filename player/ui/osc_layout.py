"""The controller's geometry and picture, pure: buttons, layout, hit tests, the scene.

Everything here is arithmetic on framebuffer pixels (y down) with no GL, no libmpv and no
window, so it is unit-tested alone (tests/unit/test_osc.py). ``ui/osc.py`` keeps the
controller's state (visibility, hover, drag, menus) and asks this module where things are;
``ui/osc_draw.py`` turns a scene (boxes, text, icons) into quads.

The shape is uosc's: a timeline across the whole width along the bottom edge (a click at x
is x / width of the duration), a band of buttons above it: previous, play/pause, next and
the time on the left; the track, chapter and profile menus, compare, volume and fullscreen
on the right. A button is one row of ``BUTTONS``: the command its click runs (an mpv
command, or one of our actions as ``script-message a4kplay ...``, so a click, a key and
an IPC client take the same path) and its icon (``ui/osc_icons.py`` draws it).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, NamedTuple, Sequence

OURS = ("script-message", "a4kplay")


class Box(NamedTuple):
    x: int
    y: int
    w: int
    h: int

    def contains(self, x: float, y: float) -> bool:
        return self.x <= x < self.x + self.w and self.y <= y < self.y + self.h


@dataclass(frozen=True)
class Button:
    id: str
    icon: str                                   # the icon's name in ui/osc_icons.py
    click: tuple[str, ...]                      # the command a left click runs
    side: str = "right"                         # "left" group or "right" group
    wheel: tuple[tuple[str, ...], tuple[str, ...]] | None = None   # (up, down) commands
    tip: str = ""


BUTTONS: tuple[Button, ...] = (
    Button("prev", "prev", ("playlist-prev",), "left", tip="previous file"),
    Button("play", "pause", ("cycle", "pause"), "left", tip="play / pause"),
    Button("next", "next", ("playlist-next",), "left", tip="next file"),
    Button("audio", "audio", OURS + ("menu", "audio"), tip="audio tracks"),
    Button("sub", "sub", OURS + ("menu", "sub"), tip="subtitle tracks"),
    Button("chapter", "chapter", OURS + ("menu", "chapter"), tip="chapters"),
    Button("profile", "profile", OURS + ("menu", "profile"), tip="profiles"),
    Button("compare", "compare", OURS + ("compare", "toggle"), tip="A/B compare on/off"),
    Button("volume", "volume", ("cycle", "mute"),
           wheel=(("add", "volume", "5"), ("add", "volume", "-5")), tip="mute; wheel: volume"),
    Button("fullscreen", "fullscreen", ("cycle", "fullscreen"), tip="fullscreen"),
)
BUTTON = {b.id: b for b in BUTTONS}

# colours (straight RGBA; drawn premultiplied)
BAND = (0.0, 0.0, 0.0, 0.55)
TRACK = (1.0, 1.0, 1.0, 0.20)
CACHED = (1.0, 1.0, 1.0, 0.38)
PLAYED = (0.92, 0.92, 0.92, 0.95)
MARK = (1.0, 0.80, 0.25, 1.0)
TEXT = (0.95, 0.95, 0.95, 1.0)
DIM = (0.70, 0.70, 0.70, 1.0)
HOVER = (1.0, 1.0, 1.0, 0.16)
ACTIVE = (0.45, 0.85, 0.55, 1.0)
MENU_BOX = (0.08, 0.08, 0.08, 0.92)
SELECTED = (1.0, 1.0, 1.0, 0.22)
LABEL_BOX = (0.0, 0.0, 0.0, 0.80)

SEEK_WHEEL_S = 5.0       # wheel over the timeline: seconds per step (uosc's default)


@dataclass
class Model:
    """What the player shows the controller this frame (read from libmpv's properties)."""
    pos: float = 0.0
    duration: float | None = None
    paused: bool = False
    chapters: Sequence[tuple[float, str]] = ()    # (start seconds, title)
    cached: Sequence[tuple[float, float]] = ()    # seekable ranges of the demuxer cache
    volume: float = 100.0
    mute: bool = False
    fullscreen: bool = False
    compare: bool = False
    playlist: tuple[int, int] = (0, 1)             # (entry, count)
    thumb: tuple[int, int] | None = None           # (w, h) of a hover thumbnail ready


@dataclass(frozen=True)
class Layout:
    """Where everything is for one framebuffer size and scale."""
    w: int
    h: int
    scale: float
    font: int                 # text pixel size
    icon: int                 # icon pixel size
    band: Box                 # the whole controller: buttons and timeline
    timeline: Box
    buttons: dict[str, Box] = field(default_factory=dict)
    time_at: tuple[int, int] | None = None        # where the time text starts, if it fits

    def hit(self, x: float, y: float) -> tuple[str, object] | None:
        """("timeline", fraction), ("button", id), ("band", None) or None."""
        if self.timeline.contains(x, y):
            return "timeline", self.fraction(x)
        for name, box in self.buttons.items():
            if box.contains(x, y):
                return "button", name
        if self.band.contains(x, y):
            return "band", None
        return None

    def fraction(self, x: float) -> float:
        return min(1.0, max(0.0, x / max(1, self.w)))


def layout(w: int, h: int, scale: float = 1.0, measure: Callable[[str, int], float] | None
           = None, time_text: str = "00:00 / 00:00") -> Layout:
    """The controller for a ``w`` x ``h`` framebuffer; ``scale`` is the window's content
    scale times the configured size. Buttons shrink to fit a narrow window; the time text
    is left out where it does not fit."""
    s = max(0.25, float(scale))
    timeline_h = max(6, round(14 * s))
    bar = max(12, round(34 * s))
    n = len(BUTTONS)
    font = max(10, round(14 * s))
    gap = max(2, round(4 * s))
    text_w = measure(time_text, font) if measure else len(time_text) * font * 0.55
    # buttons as large as the bar, smaller (down to 2/3) to leave room for the time text,
    # and without the time text in a window too narrow for both
    size = min(bar, int((w - text_w - 4 * gap) / n))
    with_time = size >= round(bar * 2 / 3)
    if not with_time:
        size = min(bar, int(w / (n + 0.5)))
    size = max(8, size)
    icon = max(6, round(size * 0.6))
    band_h = bar + timeline_h
    band = Box(0, h - band_h, w, band_h)
    timeline = Box(0, h - timeline_h, w, timeline_h)
    y = h - timeline_h - bar + (bar - size) // 2
    boxes: dict[str, Box] = {}
    x = gap
    for b in BUTTONS:
        if b.side == "left":
            boxes[b.id] = Box(x, y, size, size)
            x += size
    left_end = x + gap
    x = w - gap
    for b in reversed(BUTTONS):
        if b.side == "right":
            x -= size
            boxes[b.id] = Box(x, y, size, size)
    time_at = None
    if with_time and left_end + text_w + gap <= x:
        time_at = (left_end, h - timeline_h - bar + (bar - round(font * 1.2)) // 2)
    return Layout(w, h, s, font, icon, band, timeline, boxes, time_at)


def clock(seconds: float | None, hours: bool = False) -> str:
    """'1:05' or '1:02:03' (hours when the duration has them)."""
    if seconds is None or seconds != seconds or seconds < 0:
        seconds = 0.0
    t = int(seconds)
    h, m, s = t // 3600, t // 60 % 60, t % 60
    return f"{h}:{m:02d}:{s:02d}" if hours or h else f"{m}:{s:02d}"


def time_text(model: Model) -> str:
    hours = bool(model.duration and model.duration >= 3600)
    if not model.duration:
        return clock(model.pos, hours)
    return f"{clock(model.pos, hours)} / {clock(model.duration, hours)}"


def chapter_at(chapters: Sequence[tuple[float, str]], t: float) -> str:
    """The title of the chapter playing at ``t`` seconds ('' before the first)."""
    title = ""
    for start, name in chapters:
        if start <= t:
            title = name
        else:
            break
    return title


def icon_for(button: str, model: Model) -> str:
    """The icon a button shows now (play/pause, muted, fullscreen state)."""
    if button == "play":
        return "play" if model.paused else "pause"
    if button == "volume":
        return "mute" if model.mute else "volume"
    if button == "fullscreen":
        return "windowed" if model.fullscreen else "fullscreen"
    return BUTTON[button].icon


# A scene is a list of primitives, drawn in order:
#   ("box", Box, colour) | ("text", x, y, text, colour) | ("icon", Box, name, colour)
#   | ("thumb", Box): the hover thumbnail (drawn last, from its own texture)
Scene = list


def bar_scene(lay: Layout, model: Model, hover: tuple[float, float] | None,
              measure: Callable[[str, int], float], out: Scene) -> None:
    """The band, the buttons, the time and the timeline (with the hover label)."""
    out.append(("box", lay.band, BAND))
    hit = lay.hit(*hover) if hover else None
    for name, box in lay.buttons.items():
        if hit == ("button", name):
            out.append(("box", box, HOVER))
        colour = ACTIVE if name == "compare" and model.compare else TEXT
        if name in ("prev", "next") and model.playlist[1] <= 1:
            colour = DIM
        pad = (box.w - lay.icon) // 2
        out.append(("icon", Box(box.x + pad, box.y + pad, lay.icon, lay.icon),
                    icon_for(name, model), colour))
    if lay.time_at is not None:
        out.append(("text", lay.time_at[0], lay.time_at[1], time_text(model), TEXT))
    tl = lay.timeline
    out.append(("box", tl, TRACK))
    dur = model.duration if model.duration and model.duration > 0 else None
    if dur:
        for start, end in model.cached:
            x0, x1 = round(tl.w * start / dur), round(tl.w * min(end, dur) / dur)
            if x1 > x0:
                out.append(("box", Box(x0, tl.y, x1 - x0, tl.h), CACHED))
        played = round(tl.w * min(1.0, max(0.0, model.pos / dur)))
        if played:
            out.append(("box", Box(0, tl.y, played, tl.h), PLAYED))
        tick = max(1, round(2 * lay.scale))
        for start, _ in model.chapters:
            if 0 < start < dur:
                out.append(("box", Box(round(tl.w * start / dur) - tick // 2, tl.y, tick,
                                       tl.h), MARK))
    if hit and hit[0] == "timeline" and dur:
        x = round(hover[0])
        out.append(("box", Box(x, tl.y, max(1, round(lay.scale)), tl.h), TEXT))
        text, box, pad = _hover_label(lay, x, hit[1] * dur, model, measure)
        out.append(("box", box, LABEL_BOX))
        out.append(("text", box.x + pad, box.y + pad, text, TEXT))
        if model.thumb is not None:               # above the label, framed
            tw, th = model.thumb
            b = max(1, round(lay.scale))
            tx = min(max(b, x - tw // 2), max(b, lay.w - tw - b))
            ty = max(b, box.y - th - b - max(2, round(3 * lay.scale)))
            out.append(("box", Box(tx - b, ty - b, tw + 2 * b, th + 2 * b), LABEL_BOX))
            out.append(("thumb", Box(tx, ty, tw, th)))


def hover_time(lay: Layout, model: Model, hover: tuple[float, float] | None) -> float | None:
    """The time under the pointer on the timeline, or None."""
    if hover is None or not model.duration or model.duration <= 0:
        return None
    hit = lay.hit(*hover)
    return hit[1] * model.duration if hit and hit[0] == "timeline" else None


def _hover_label(lay: Layout, x: int, t: float, model: Model, measure) -> tuple:
    """(text, Box, padding) of the label above the timeline at ``x``: the time and the chapter."""
    title = chapter_at(model.chapters, t)
    hours = bool(model.duration and model.duration >= 3600)
    text = clock(t, hours) + (f"  {title}" if title else "")
    pad = max(2, round(lay.font * 0.35))
    w = round(measure(text, lay.font)) + 2 * pad
    h = round(lay.font * 1.25) + 2 * pad
    bx = min(max(0, x - w // 2), max(0, lay.w - w))
    return text, Box(bx, lay.timeline.y - h - max(2, round(3 * lay.scale)), w, h), pad


@dataclass
class MenuItem:
    label: str
    command: tuple[str, ...] = ()
    current: bool = False


@dataclass
class MenuGeometry:
    box: Box
    title_at: tuple[int, int]
    rows: list[tuple[int, Box]]            # (item index, row box) of the visible rows
    row_h: int
    pad: int


def menu_geometry(lay: Layout, title: str, items: Sequence[MenuItem], anchor: str,
                  index: int, measure: Callable[[str, int], float]) -> MenuGeometry:
    """A box above the band, right-aligned to the button that opened it (clamped into the
    window); as many rows as fit, scrolled so that ``index`` is visible."""
    f = lay.font
    pad = max(3, round(f * 0.5))
    row_h = round(f * 1.25) + pad
    mark = round(f * 1.2)                      # room for the current-item dot
    width = max([measure(title, f)] + [measure(i.label, f) + mark for i in items] + [f * 6])
    w = min(lay.w, round(width) + 2 * pad)
    room = max(1, (lay.band.y - pad - 2 * pad - row_h) // row_h)
    visible = min(len(items), room)
    top = min(max(0, index - visible + 1), max(0, len(items) - visible))
    top = min(top, index) if items else 0
    h = (visible + 1) * row_h + 2 * pad
    anchor_box = lay.buttons.get(anchor)
    right = anchor_box.x + anchor_box.w if anchor_box else (lay.w + w) // 2
    x = min(max(0, right - w), max(0, lay.w - w))
    y = max(0, lay.band.y - h - pad)
    box = Box(x, y, w, h)
    rows = [(top + k, Box(x, y + pad + (k + 1) * row_h, w, row_h)) for k in range(visible)]
    return MenuGeometry(box, (x + pad, y + pad), rows, row_h, pad)


def menu_scene(geo: MenuGeometry, title: str, items: Sequence[MenuItem], index: int,
               hover_index: int | None, out: Scene) -> None:
    out.append(("box", geo.box, MENU_BOX))
    out.append(("text", geo.title_at[0], geo.title_at[1], title, DIM))
    dot = max(3, geo.row_h // 4)
    for i, row in geo.rows:
        if i == index or i == hover_index:
            out.append(("box", row, SELECTED if i == index else HOVER))
        item = items[i]
        if item.current:
            out.append(("box", Box(row.x + geo.pad, row.y + (row.h - dot) // 2, dot, dot),
                        ACTIVE))
        out.append(("text", row.x + geo.pad + round(geo.row_h * 0.8),
                    row.y + geo.pad // 2, item.label, ACTIVE if item.current else TEXT))

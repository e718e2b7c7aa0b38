"""One frame of subtitles, without GL: libass (text tracks) or PGS display sets (bitmaps).

``AssRenderer`` owns the libass library, track and renderer of one text track and sets
them up in mpv's order (sub/sd_ass.c is the reference for *what* is set, the code is ours):
library with a message callback and embedded fonts, each attachment font, the track with its
header, read-order checks; per frame the frame size (the window framebuffer), the storage
size (the video's), margins (the letterbox bars, use_margins off for ASS tracks, on for
converted text), line position 100 - sub-pos, no hinting, font scale sub-scale, the pixel
aspect. It renders at round((t - sub-delay) / sub-speed * 1000) ms.

``BitmapRenderer`` picks the PGS display set showing at that time and maps its canvas onto
the video rectangle. Both return a ``Frame``: the images and ``changed`` (False when the
picture is the one of the last call, so the layer re-uploads nothing).

VSFilter colour compatibility (mpv's default "basic"): a script declaring ``YCbCr Matrix:
TV.601`` or none at all, over limited-range BT.709 video, has its colours passed through
RGB -> BT.601 YCbCr -> BT.709 RGB, as VSFilter displayed them.
"""
from __future__ import annotations

import bisect
import logging
import time
from dataclasses import dataclass, field

import numpy as np

from . import libass
from .pgs import DisplaySet

log = logging.getLogger("a4kplay.subs")


@dataclass
class Params:
    """libmpv's subtitle options, as read from its properties."""
    delay: float = 0.0          # sub-delay, seconds
    speed: float = 1.0          # sub-speed
    scale: float = 1.0          # sub-scale
    pos: float = 100.0          # sub-pos, percent of the height
    visible: bool = True        # our own flag (libmpv's sub-visibility stays off)
    override: str = "yes"       # sub-ass-override: no, yes, scale, force, strip
    matrix: str = "bt.709"      # video-params/colormatrix
    levels: str = "limited"     # video-params/colorlevels

    def track_ms(self, t: float) -> int:
        speed = self.speed if self.speed > 0 else 1.0
        return int(round((t - self.delay) / speed * 1000.0))


@dataclass(frozen=True)
class Geometry:
    """Where to draw: the target (framebuffer) size, the video rectangle in it (x, y from the
    top left, w, h) and the video's storage size (video-params/w, h)."""
    frame: tuple[int, int]
    rect: tuple[int, int, int, int]
    video: tuple[int, int]

    @property
    def margins(self) -> tuple[int, int, int, int]:
        """(top, bottom, left, right) letterbox bars."""
        fw, fh = self.frame
        x, y, w, h = self.rect
        return y, max(0, fh - y - h), x, max(0, fw - x - w)

    @property
    def par(self) -> float:
        """Pixel aspect of the picture as shown (1 for square pixels)."""
        vw, vh = self.video
        x, y, w, h = self.rect
        if min(vw, vh, w, h) <= 0:
            return 1.0
        return (w / h) / (vw / vh)


@dataclass
class Image:
    """A libass image: alpha (h x w uint8) at (x, y) in target pixels, straight RGBA colour
    (0..255, a = opacity)."""
    x: int
    y: int
    alpha: np.ndarray
    color: tuple[int, int, int, int]


@dataclass
class Canvas:
    """Bitmaps (premultiplied RGBA uint8) of a canvas of ``size`` shown over ``rect``."""
    size: tuple[int, int]
    rect: tuple[int, int, int, int]
    bitmaps: list = field(default_factory=list)    # pgs.Bitmap


@dataclass
class Frame:
    """A render result. ``changed`` False: the picture is the last changed Frame's (the
    images here are then empty; keep drawing what was uploaded)."""
    images: list[Image] = field(default_factory=list)
    canvas: Canvas | None = None
    changed: bool = True

    @property
    def empty(self) -> bool:
        return not self.images and not (self.canvas and self.canvas.bitmaps)


EMPTY = Frame([], None, False)


# -- VSFilter colour compatibility ------------------------------------------------------

def _rgb_to_yuv_matrix(kr: float, kb: float) -> np.ndarray:
    kg = 1.0 - kr - kb
    return np.array([[kr, kg, kb],
                     [-kr / (2 * (1 - kb)), -kg / (2 * (1 - kb)), 0.5],
                     [0.5, -kg / (2 * (1 - kr)), -kb / (2 * (1 - kr))]])


_SCALE = np.array([219.0, 224.0, 224.0]) / 255.0
_OFFSET = np.array([16.0, 128.0, 128.0])
_TO601 = _rgb_to_yuv_matrix(0.299, 0.114)
_FROM709 = np.linalg.inv(_rgb_to_yuv_matrix(0.2126, 0.0722))


def vsfilter_color(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """RGB as VSFilter showed it on BT.709 video: RGB -> TV BT.601 YCbCr (8 bit) -> BT.709."""
    yuv = np.rint(_TO601 @ np.asarray(rgb, np.float64) * _SCALE + _OFFSET)
    out = _FROM709 @ ((yuv - _OFFSET) / _SCALE)
    return tuple(int(v) for v in np.clip(np.rint(out), 0, 255))


def needs_vsfilter_colors(track_matrix: int, params: Params) -> bool:
    return (track_matrix in (libass.YCBCR_DEFAULT, libass.YCBCR_BT601_TV)
            and params.matrix.lower().replace("-", ".") in ("bt.709", "bt709")
            and params.levels.lower() in ("limited", "tv"))


def mpv_default_style() -> libass.Style:
    """mpv's sub-* defaults at PlayResY 288 (for sub-ass-override=force)."""
    s = libass.Style()
    s.Name, s.FontName, s.FontSize = b"Default", b"sans-serif", 22.0
    s.PrimaryColour = s.SecondaryColour = 0xFFFFFF00
    s.OutlineColour, s.BackColour = 0x00000000, 0xF0F0F07F
    s.ScaleX = s.ScaleY = 1.0
    s.BorderStyle, s.Outline, s.Shadow, s.Alignment = 1, 1.2, 0.0, 2
    s.MarginL = s.MarginR = 10
    s.MarginV = 8
    return s


class AssRenderer:
    """libass for one text track: feed the header and events, render frames."""

    SLOW_S = 0.25       # a render slower than this counts as a stall

    def __init__(self, header: bytes, fonts=(), converted: bool = False):
        self.converted = converted
        self.missing_fonts: list[str] = []
        self.library = libass.Library()
        self.library.listeners.append(self._message)
        try:
            for name, data in fonts:
                self.library.add_font(name, data)
            self.track = libass.Track(self.library)
            self.track.process_codec_private(header)
            self.track.set_check_readorder(True)
            self.renderer = libass.Renderer(self.library)
        except Exception:
            self.library.release()
            raise
        self.renderer.set_hinting(libass.HINTING_NONE)
        self.renderer.set_shaper(libass.SHAPING_COMPLEX)
        self.renderer.set_line_spacing(0.0)
        self._setup = None
        self._colors: dict[tuple, tuple] = {}
        self._last_empty = True
        self._force = True
        self.slow_renders = 0
        self.last_ms = 0.0

    def _message(self, level: int, text: str) -> None:
        if level <= 2 and "Using default font family" in text:
            name = text.split("(", 1)[1].split(",", 1)[0] if "(" in text else text
            if name not in self.missing_fonts:
                self.missing_fonts.append(name)

    def add_event(self, start_ms: int, duration_ms: int, line: bytes) -> None:
        self.track.process_chunk(line, start_ms, duration_ms)

    @property
    def n_events(self) -> int:
        return self.track.n_events

    def _configure(self, geo: Geometry, params: Params) -> None:
        key = (geo, params.scale, params.pos, params.override)
        if key == self._setup:
            return
        self._setup = key
        r = self.renderer
        fw, fh = geo.frame
        r.set_frame_size(fw, fh)
        r.set_storage_size(*geo.video)
        top, bottom, left, right = geo.margins
        r.set_margins(top, bottom, left, right)
        r.set_use_margins(self.converted)
        r.set_pixel_aspect(geo.par)
        override = params.override.lower() if not self.converted else "yes"
        scale, line_pos = 1.0, 0.0
        if override != "no":
            scale, line_pos = params.scale, 100.0 - params.pos
        if self.converted:               # sub-scale-with-window: relative to the window
            scale *= fh / max(1, fh - top - bottom)
        r.set_font_scale(scale)
        r.set_line_position(line_pos)
        if override in ("force", "strip"):
            r.set_style_override(libass.OVERRIDE_BIT_STYLE
                                 | libass.OVERRIDE_BIT_SELECTIVE_FONT_SCALE, mpv_default_style())
        elif override == "scale":
            r.set_style_override(libass.OVERRIDE_BIT_SELECTIVE_FONT_SCALE)
        else:
            r.set_style_override(0)

    def render(self, t: float, params: Params, geo: Geometry) -> Frame:
        if not params.visible or min(geo.frame) <= 0:
            changed = not self._last_empty
            self._last_empty = True
            self._force = True           # the layer was cleared: images again when shown
            return Frame([], None, changed)
        self._configure(geo, params)
        t0 = time.perf_counter()
        force, self._force = self._force, False
        images, change = self.renderer.render(self.track, params.track_ms(t), force)
        self.last_ms = (time.perf_counter() - t0) * 1000.0
        if self.last_ms > self.SLOW_S * 1000.0:
            self.slow_renders += 1
        if change == 0 and not force:
            return Frame([], None, False)
        mangle = needs_vsfilter_colors(self.track.ycbcr_matrix, params) and not self.converted
        out = []
        for im in images or ():
            color = im.color
            if mangle:
                rgb = color[:3]
                fixed = self._colors.get(rgb)
                if fixed is None:
                    fixed = self._colors[rgb] = vsfilter_color(rgb)
                color = (*fixed, color[3])
            out.append(Image(im.x, im.y, im.alpha, color))
        self._last_empty = not out
        return Frame(out, None, True)

    def release(self) -> None:
        for obj in ("renderer", "track"):
            o = getattr(self, obj, None)
            if o is not None:
                o.release()
        self.library.release()


class BitmapRenderer:
    """PGS display sets by start time; the one showing at t, placed on the video rect."""

    def __init__(self):
        self._starts: list[float] = []
        self._sets: list[DisplaySet] = []
        self._shown = None

    def add(self, ds: DisplaySet) -> None:
        i = bisect.bisect_right(self._starts, ds.start)
        if i and self._starts[i - 1] == ds.start:
            self._sets[i - 1] = ds             # the same set read again: replace
            return
        self._starts.insert(i, ds.start)
        self._sets.insert(i, ds)

    def __len__(self) -> int:
        return len(self._sets)

    def render(self, t: float, params: Params, geo: Geometry) -> Frame:
        ds = None
        if params.visible:
            i = bisect.bisect_right(self._starts, params.track_ms(t) / 1000.0 + 1e-6)
            ds = self._sets[i - 1] if i else None
            if ds is not None and not ds.bitmaps:
                ds = None
        key = (id(ds), geo.rect) if ds is not None else None
        changed = key != self._shown
        self._shown = key
        if ds is None:
            return Frame([], None, changed)
        return Frame([], Canvas(ds.canvas, geo.rect, ds.bitmaps), changed)

    def release(self) -> None:
        self._sets.clear()
        self._starts.clear()

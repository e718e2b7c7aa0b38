"""Our own ctypes binding over libass.so.9: the few functions the subtitle engine needs.

Written from libass's public header (ass.h, ass_types.h; libass 0.17 on Debian 12). This is
the one boundary where libass is touched: a missing library or a NULL from an init function
becomes a SubtitleError here, and libass's own messages go to Python ``logging`` (logger
``a4kplay.subs.libass``) through a message callback, never to stderr. Listeners may also
see every message (the facade watches for missing fonts).

Objects: ``Library`` (fonts, messages), ``Track`` (the styles and events of one subtitle
track), ``Renderer`` (frame geometry, rendering). Each has an idempotent ``release()``;
using a released object raises SubtitleError rather than crashing in C. Not thread-safe:
one thread uses a Library, its tracks and renderers at a time (ctypes releases the GIL
during calls, so that thread need not be the main one).

``Renderer.render`` copies every ASS_Image bitmap out at once (libass frees them on the
next render call) into ``AssImage`` records holding numpy alpha arrays.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import logging
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .errors import SubtitleError

log = logging.getLogger("a4kplay.subs.libass")
# the application decides where log records go; never Python's last-resort stderr handler
logging.getLogger("a4kplay.subs").addHandler(logging.NullHandler())

# ---- native types (ass_types.h) ---------------------------------------------------------


class _Image(ctypes.Structure):
    pass


_Image._fields_ = [
    ("w", ctypes.c_int), ("h", ctypes.c_int), ("stride", ctypes.c_int),
    ("bitmap", ctypes.POINTER(ctypes.c_ubyte)),
    ("color", ctypes.c_uint32),            # RRGGBBAA, AA = transparency
    ("dst_x", ctypes.c_int), ("dst_y", ctypes.c_int),
    ("next", ctypes.POINTER(_Image)),
    ("type", ctypes.c_int),
]


class Style(ctypes.Structure):
    """ASS_Style (for the selective style override)."""
    _fields_ = [
        ("Name", ctypes.c_char_p), ("FontName", ctypes.c_char_p), ("FontSize", ctypes.c_double),
        ("PrimaryColour", ctypes.c_uint32), ("SecondaryColour", ctypes.c_uint32),
        ("OutlineColour", ctypes.c_uint32), ("BackColour", ctypes.c_uint32),
        ("Bold", ctypes.c_int), ("Italic", ctypes.c_int), ("Underline", ctypes.c_int),
        ("StrikeOut", ctypes.c_int), ("ScaleX", ctypes.c_double), ("ScaleY", ctypes.c_double),
        ("Spacing", ctypes.c_double), ("Angle", ctypes.c_double), ("BorderStyle", ctypes.c_int),
        ("Outline", ctypes.c_double), ("Shadow", ctypes.c_double), ("Alignment", ctypes.c_int),
        ("MarginL", ctypes.c_int), ("MarginR", ctypes.c_int), ("MarginV", ctypes.c_int),
        ("Encoding", ctypes.c_int), ("treat_fontname_as_pattern", ctypes.c_int),
        ("Blur", ctypes.c_double), ("Justify", ctypes.c_int),
    ]


class _Track(ctypes.Structure):
    """The leading, public fields of ASS_Track (only read, never written)."""
    _fields_ = [
        ("n_styles", ctypes.c_int), ("max_styles", ctypes.c_int),
        ("n_events", ctypes.c_int), ("max_events", ctypes.c_int),
        ("styles", ctypes.c_void_p), ("events", ctypes.c_void_p),
        ("style_format", ctypes.c_char_p), ("event_format", ctypes.c_char_p),
        ("track_type", ctypes.c_int),
        ("PlayResX", ctypes.c_int), ("PlayResY", ctypes.c_int),
        ("Timer", ctypes.c_double), ("WrapStyle", ctypes.c_int),
        ("ScaledBorderAndShadow", ctypes.c_int), ("Kerning", ctypes.c_int),
        ("Language", ctypes.c_char_p),
        ("YCbCrMatrix", ctypes.c_int),
    ]


# enum ASS_YCbCrMatrix
YCBCR_DEFAULT, YCBCR_UNKNOWN, YCBCR_NONE, YCBCR_BT601_TV, YCBCR_BT601_PC, \
    YCBCR_BT709_TV, YCBCR_BT709_PC = range(7)
# enum ASS_OverrideBits
OVERRIDE_BIT_STYLE = 1 << 0
OVERRIDE_BIT_SELECTIVE_FONT_SCALE = 1 << 1
OVERRIDE_BIT_FONT_SIZE_FIELDS = 1 << 4
OVERRIDE_BIT_FONT_NAME = 1 << 5
OVERRIDE_BIT_COLORS = 1 << 6
OVERRIDE_BIT_ATTRIBUTES = 1 << 7
OVERRIDE_BIT_BORDER = 1 << 8
OVERRIDE_BIT_ALIGNMENT = 1 << 9
OVERRIDE_BIT_MARGINS = 1 << 10
OVERRIDE_BIT_JUSTIFY = 1 << 12
HINTING_NONE = 0
SHAPING_COMPLEX = 1
FONTPROVIDER_FONTCONFIG = 3

_MSG_CB = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_void_p)

_vp, _ci, _cd, _cp, _ll = ctypes.c_void_p, ctypes.c_int, ctypes.c_double, ctypes.c_char_p, \
    ctypes.c_longlong
_PROTOTYPES = {
    "ass_library_version": (_ci, []),
    "ass_library_init": (_vp, []),
    "ass_library_done": (None, [_vp]),
    "ass_set_message_cb": (None, [_vp, _MSG_CB, _vp]),
    "ass_set_extract_fonts": (None, [_vp, _ci]),
    "ass_add_font": (None, [_vp, _cp, _cp, _ci]),
    "ass_set_style_overrides": (None, [_vp, ctypes.POINTER(_cp)]),
    "ass_renderer_init": (_vp, [_vp]),
    "ass_renderer_done": (None, [_vp]),
    "ass_set_fonts": (None, [_vp, _cp, _cp, _ci, _cp, _ci]),
    "ass_set_frame_size": (None, [_vp, _ci, _ci]),
    "ass_set_storage_size": (None, [_vp, _ci, _ci]),
    "ass_set_margins": (None, [_vp, _ci, _ci, _ci, _ci]),
    "ass_set_use_margins": (None, [_vp, _ci]),
    "ass_set_pixel_aspect": (None, [_vp, _cd]),
    "ass_set_font_scale": (None, [_vp, _cd]),
    "ass_set_line_position": (None, [_vp, _cd]),
    "ass_set_line_spacing": (None, [_vp, _cd]),
    "ass_set_hinting": (None, [_vp, _ci]),
    "ass_set_shaper": (None, [_vp, _ci]),
    "ass_set_selective_style_override_enabled": (None, [_vp, _ci]),
    "ass_set_selective_style_override": (None, [_vp, ctypes.POINTER(Style)]),
    "ass_render_frame": (ctypes.POINTER(_Image), [_vp, _vp, _ll, ctypes.POINTER(_ci)]),
    "ass_new_track": (_vp, [_vp]),
    "ass_free_track": (None, [_vp]),
    "ass_process_codec_private": (None, [_vp, _cp, _ci]),
    "ass_process_chunk": (None, [_vp, _cp, _ci, _ll, _ll]),
    "ass_process_force_style": (None, [_vp]),
    "ass_set_check_readorder": (None, [_vp, _ci]),
    "ass_flush_events": (None, [_vp]),
}

_lib = None
_vsnprintf = None


def native():
    """The loaded libass (CDLL with prototypes set); SubtitleError when it is missing."""
    global _lib, _vsnprintf
    if _lib is not None:
        return _lib
    name = ctypes.util.find_library("ass") or "libass.so.9"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        try:
            lib = ctypes.CDLL("libass.so.9")
        except OSError:
            raise SubtitleError("libass is not installed or cannot be loaded",
                                hint="apt-get install libass9 (libmpv2 depends on it)") from None
    for fn, (restype, argtypes) in _PROTOTYPES.items():
        try:
            f = getattr(lib, fn)
        except AttributeError:
            raise SubtitleError(f"this libass lacks {fn}() (0.15 or newer is needed)") from None
        f.restype, f.argtypes = restype, argtypes
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    _vsnprintf = libc.vsnprintf
    _vsnprintf.restype = ctypes.c_int
    _vsnprintf.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_void_p]
    _lib = lib
    return lib


def version() -> int:
    """libass's version number (0x01701000 for 0.17.1)."""
    return int(native().ass_library_version())


def _level(ass_level: int) -> int:
    """libass message level (0 fatal .. 7 debug) -> logging level."""
    if ass_level <= 1:
        return logging.ERROR
    if ass_level <= 3:
        return logging.WARNING
    if ass_level <= 5:
        return logging.INFO
    return logging.DEBUG


class _Handle:
    """Owns one native pointer; ``ptr`` raises once released."""
    _what = "libass object"

    def __init__(self, ptr):
        self._ptr = ptr

    @property
    def ptr(self):
        if not self._ptr:
            raise SubtitleError(f"{self._what} used after release()")
        return self._ptr

    @property
    def alive(self) -> bool:
        return bool(self._ptr)


class Library(_Handle):
    """ASS_Library: message routing and fonts (embedded-font extraction on)."""
    _what = "libass library"

    def __init__(self):
        lib = native()
        super().__init__(lib.ass_library_init())
        if not self._ptr:
            raise SubtitleError("libass could not be initialised (ass_library_init failed)")
        self.listeners: list[Callable[[int, str], None]] = []
        self._cb = _MSG_CB(self._message)   # kept alive as long as the library
        lib.ass_set_message_cb(self._ptr, self._cb, None)
        lib.ass_set_extract_fonts(self._ptr, 1)
        self._fonts: list[bytes] = []       # libass copies the data; kept for clarity only
        self._overrides = None

    def _message(self, level, fmt, args, _data) -> None:
        try:
            buf = ctypes.create_string_buffer(1024)
            _vsnprintf(buf, len(buf), fmt, args)
            text = buf.value.decode("utf-8", "replace").rstrip()
            log.log(_level(level), "%s", text)
            for listener in self.listeners:
                listener(level, text)
        except Exception:  # never let an exception cross back into C
            log.exception("libass message callback failed")

    def add_font(self, name: str, data: bytes) -> None:
        """Make a font (an MKV attachment) available to renderers of this library."""
        native().ass_add_font(self.ptr, name.encode("utf-8", "replace"), data, len(data))

    def set_style_overrides(self, overrides: list[str]) -> None:
        """``Style.Field=value`` overrides applied by Track.force_style (sub-ass-force-style)."""
        arr = (ctypes.c_char_p * (len(overrides) + 1))(
            *[o.encode("utf-8", "replace") for o in overrides], None)
        self._overrides = arr
        native().ass_set_style_overrides(self.ptr, arr if overrides else None)

    def release(self) -> None:
        if self._ptr:
            native().ass_library_done(self._ptr)
            self._ptr = None


class Track(_Handle):
    """ASS_Track: a header (styles) and events fed chunk by chunk."""
    _what = "libass track"

    def __init__(self, library: Library):
        super().__init__(native().ass_new_track(library.ptr))
        if not self._ptr:
            raise SubtitleError("libass could not create a track")
        self.library = library

    def _fields(self) -> _Track:
        return ctypes.cast(self.ptr, ctypes.POINTER(_Track)).contents

    def process_codec_private(self, header: bytes) -> None:
        """The track's header ([Script Info], styles, event format): MKV CodecPrivate."""
        native().ass_process_codec_private(self.ptr, header, len(header))

    def process_chunk(self, line: bytes, start_ms: int, duration_ms: int) -> None:
        """One event in Matroska form ("ReadOrder,Layer,Style,Name,...,Text")."""
        native().ass_process_chunk(self.ptr, line, len(line), int(start_ms), int(duration_ms))

    def force_style(self) -> None:
        native().ass_process_force_style(self.ptr)

    def set_check_readorder(self, on: bool) -> None:
        native().ass_set_check_readorder(self.ptr, int(bool(on)))

    def flush_events(self) -> None:
        native().ass_flush_events(self.ptr)

    @property
    def n_events(self) -> int:
        return int(self._fields().n_events)

    @property
    def n_styles(self) -> int:
        return int(self._fields().n_styles)

    @property
    def ycbcr_matrix(self) -> int:
        return int(self._fields().YCbCrMatrix)

    @property
    def play_res(self) -> tuple[int, int]:
        f = self._fields()
        return int(f.PlayResX), int(f.PlayResY)

    def release(self) -> None:
        if self._ptr:
            native().ass_free_track(self._ptr)
            self._ptr = None


@dataclass
class AssImage:
    """One ASS_Image copied out: alpha (h x w uint8), colour (r, g, b, opacity 0..255)."""
    x: int
    y: int
    alpha: np.ndarray
    color: tuple[int, int, int, int]


class Renderer(_Handle):
    """ASS_Renderer: frame geometry and rendering, fonts through fontconfig."""
    _what = "libass renderer"

    def __init__(self, library: Library, default_family: str = "sans-serif"):
        lib = native()
        super().__init__(lib.ass_renderer_init(library.ptr))
        if not self._ptr:
            raise SubtitleError("libass could not create a renderer (ass_renderer_init failed)")
        self.library = library
        self._style = None
        lib.ass_set_fonts(self._ptr, None, default_family.encode(), FONTPROVIDER_FONTCONFIG,
                          None, 1)

    def set_frame_size(self, w: int, h: int) -> None:
        native().ass_set_frame_size(self.ptr, int(w), int(h))

    def set_storage_size(self, w: int, h: int) -> None:
        native().ass_set_storage_size(self.ptr, int(w), int(h))

    def set_margins(self, top: int, bottom: int, left: int, right: int) -> None:
        native().ass_set_margins(self.ptr, int(top), int(bottom), int(left), int(right))

    def set_use_margins(self, on: bool) -> None:
        native().ass_set_use_margins(self.ptr, int(bool(on)))

    def set_pixel_aspect(self, par: float) -> None:
        native().ass_set_pixel_aspect(self.ptr, float(par))

    def set_font_scale(self, scale: float) -> None:
        native().ass_set_font_scale(self.ptr, float(scale))

    def set_line_position(self, percent: float) -> None:
        native().ass_set_line_position(self.ptr, float(percent))

    def set_line_spacing(self, px: float) -> None:
        native().ass_set_line_spacing(self.ptr, float(px))

    def set_hinting(self, hinting: int) -> None:
        native().ass_set_hinting(self.ptr, int(hinting))

    def set_shaper(self, level: int) -> None:
        native().ass_set_shaper(self.ptr, int(level))

    def set_style_override(self, bits: int, style: Style | None = None) -> None:
        lib = native()
        if style is not None:
            self._style = style              # libass copies it; kept for its strings
            lib.ass_set_selective_style_override(self.ptr, ctypes.byref(style))
        lib.ass_set_selective_style_override_enabled(self.ptr, int(bits))

    def render(self, track: Track, now_ms: int,
               force: bool = False) -> tuple[list[AssImage] | None, int]:
        """Render ``track`` at ``now_ms``: (images or None when unchanged, change code).

        The change code is libass's: 0 identical to the last call, 1 positions changed,
        2 content changed. Images are copied out only when it is not 0, or with ``force``.
        """
        change = ctypes.c_int(0)
        img = native().ass_render_frame(self.ptr, track.ptr, int(now_ms), ctypes.byref(change))
        if change.value == 0 and not force:
            return None, 0
        out = []
        while img:
            im = img.contents
            if im.w > 0 and im.h > 0:
                raw = np.ctypeslib.as_array(im.bitmap, shape=(im.h, im.stride))
                c = int(im.color)
                out.append(AssImage(int(im.dst_x), int(im.dst_y), raw[:, :im.w].copy(),
                                    (c >> 24, (c >> 16) & 255, (c >> 8) & 255, 255 - (c & 255))))
            img = im.next
        return out, int(change.value)

    def release(self) -> None:
        if self._ptr:
            native().ass_renderer_done(self._ptr)
            self._ptr = None

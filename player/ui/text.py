"""Glyphs and text layout: a font rendered once per pixel size into one R8 atlas texture.

``GlyphSet`` (pure: Pillow + numpy, no GL) rasterises the printable ASCII glyphs, the few
Latin-1 symbols the font has, and one solid block (for boxes, bars and lines) into a single
bitmap, and keeps per-character metrics in 256-entry tables so that laying out a line is a
handful of vectorised numpy operations instead of a Python loop per character: the overlay
lays out a dozen changing lines every frame. ``Atlas`` owns the GL texture made from it.

The font is Pillow's built-in scalable default (``ImageFont.load_default(size=N)``, Pillow
>= 10.1): no system fonts are needed. Text is mapped to Latin-1 byte codes; characters the
font lacks are replaced by close ASCII stand-ins or '?'.

Layout results are instance rows ``[x0, y0, x1, y1, u0, v0, u1, v1]`` in pixels relative to
the line's top-left corner (y down), with atlas rectangles in texels (row 0 = top).
"""
from __future__ import annotations

import numpy as np

from player.gl import gpu
from player.base.errors import A4kError

# Stand-ins for common characters the built-in font lacks; the ellipsis gets an unused
# Latin-1 control code so that it fits the byte tables.
_ELLIPSIS = 0x85
_SUBSTITUTES = str.maketrans({
    "\u2026": chr(_ELLIPSIS), "\u00d7": "x", "\u2192": "->", "\u2190": "<-",
    "\u2013": "-", "\u2014": "-", "\u00b5": "u", "\u2264": "<=", "\u2265": ">=",
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\t": " ",
})
SOLID = 0x7F   # byte code of the solid block (DEL is never drawn as text)
_PAD = 1       # empty texels around every glyph so that neighbours never bleed


def encode(text: str) -> np.ndarray:
    """Text -> uint8 codes into the glyph tables (unknown characters become '?')."""
    return np.frombuffer(text.translate(_SUBSTITUTES).encode("latin-1", "replace"), np.uint8)


class GlyphSet:
    """One font size rasterised into a bitmap, with per-code metric tables.

    Tables (float32 arrays indexed by byte code): ``advance``, ``left``/``top`` (ink offset
    from the pen position at the line's top), ``width``/``height`` (ink size), ``u``/``v``
    (ink position in the bitmap). ``line_height`` = ascent + descent; ``cell`` is the fixed
    advance used for column (monospace-like) layout.
    """

    def __init__(self, size: int):
        from PIL import Image, ImageDraw, ImageFont
        self.size = int(size)
        try:
            font = ImageFont.load_default(size=self.size)
        except (TypeError, OSError) as exc:  # Pillow < 10.1 or without FreeType
            raise A4kError("the overlay font needs Pillow >= 10.1 with FreeType",
                           hint="pip install -U Pillow") from exc
        ascent, descent = font.getmetrics()
        self.line_height = ascent + descent
        codes = list(range(32, 127)) + self._latin1_symbols(font) + [_ELLIPSIS]

        glyphs = []   # (code, left, top, image or None, advance)
        for code in codes:
            ch = "\u2026" if code == _ELLIPSIS else chr(code)
            left, top, right, bottom = font.getbbox(ch)
            img = None
            if right > left and bottom > top:
                img = Image.new("L", (right - left, bottom - top), 0)
                ImageDraw.Draw(img).text((-left, -top), ch, font=font, fill=255)
            glyphs.append((code, left, top, img, font.getlength(ch)))

        width = 256 if self.size <= 24 else 512 if self.size <= 56 else 1024
        self.bitmap, places = self._pack(glyphs, width)
        n = 256
        self.advance = np.zeros(n, np.float32)
        self.left = np.zeros(n, np.float32)
        self.top = np.zeros(n, np.float32)
        self.width = np.zeros(n, np.float32)
        self.height = np.zeros(n, np.float32)
        self.u = np.zeros(n, np.float32)
        self.v = np.zeros(n, np.float32)
        for (code, left, top, img, adv), (x, y) in zip(glyphs, places):
            self.advance[code], self.left[code], self.top[code] = adv, left, top
            if img is not None:
                self.width[code], self.height[code] = img.size
                self.u[code], self.v[code] = x, y
        known = np.zeros(n, bool)
        known[[g[0] for g in glyphs]] = True
        for table in (self.advance, self.left, self.top, self.width, self.height, self.u, self.v):
            table[~known] = table[ord("?")]
        # the solid block: one opaque texel in the middle of a 3x3 opaque patch
        self.solid_uv = (1.5, 1.5)
        digits = self.advance[ord("0"):ord("9") + 1]
        self.cell = float(np.ceil(max(digits.max(), 0.58 * self.size)))

    @staticmethod
    def _latin1_symbols(font) -> list[int]:
        """Latin-1 codes 0xA1..0xFF that the font really draws (not its 'missing' box)."""
        missing = (font.getbbox("\uffff"), bytes(font.getmask("\uffff")))
        return [c for c in range(0xA1, 0x100)
                if (font.getbbox(chr(c)), bytes(font.getmask(chr(c)))) != missing]

    @staticmethod
    def _pack(glyphs, width: int):
        """Shelf-pack glyph images into a bitmap ``width`` wide; returns (bitmap, places)."""
        places, x, y, shelf = [], 3 + _PAD, 0, 3
        for _, _, _, img, _ in glyphs:
            if img is None:
                places.append((0, 0))
                continue
            w, h = img.size
            if x + w + _PAD > width:
                x, y, shelf = _PAD, y + shelf + _PAD, 0
            places.append((x, y))
            x += w + _PAD
            shelf = max(shelf, h)
        height = y + shelf + _PAD
        bitmap = np.zeros((height, width), np.uint8)
        bitmap[0:3, 0:3] = 255
        for (_, _, _, img, _), (x, y) in zip(glyphs, places):
            if img is not None:
                w, h = img.size
                bitmap[y:y + h, x:x + w] = np.asarray(img, np.uint8)
        return bitmap, places

    def measure(self, text: str, mono: bool = False) -> float:
        """Advance width of one line in pixels."""
        codes = encode(text)
        return len(codes) * self.cell if mono else float(self.advance[codes].sum())

    def layout(self, text: str, mono: bool = False) -> tuple[np.ndarray, float]:
        """One line -> (instance rows float32 (k, 8), advance width); blanks are dropped.

        ``mono`` puts every character in a column of ``cell`` pixels, centred in it, so
        numbers in a table line up.
        """
        codes = encode(text)
        if mono:
            pen = np.arange(len(codes), dtype=np.float32) * self.cell
            pen += (self.cell - self.advance[codes]) * 0.5
            width = len(codes) * self.cell
        else:
            adv = self.advance[codes]
            pen = np.cumsum(adv) - adv
            width = float(adv.sum())
        keep = self.width[codes] > 0
        codes, pen = codes[keep], pen[keep]
        out = np.empty((len(codes), 8), np.float32)
        # whole pixels, so the quads map 1:1 onto atlas texels
        out[:, 0] = np.rint(pen + self.left[codes])
        out[:, 1] = self.top[codes]
        out[:, 2] = out[:, 0] + self.width[codes]
        out[:, 3] = out[:, 1] + self.height[codes]
        out[:, 4] = self.u[codes]
        out[:, 5] = self.v[codes]
        out[:, 6] = out[:, 4] + self.width[codes]
        out[:, 7] = out[:, 5] + self.height[codes]
        return out, float(width)

    def wrap(self, text: str, max_width: float) -> list[str]:
        """Break a line at spaces (or anywhere, for a long word) to fit ``max_width``."""
        text = text.translate(_SUBSTITUTES)
        if self.measure(text) <= max_width:
            return [text]
        lines, current = [], ""
        for word in text.split(" "):
            trial = f"{current} {word}" if current else word
            if self.measure(trial) <= max_width:
                current = trial
                continue
            if current:
                lines.append(current)
            while self.measure(word) > max_width and len(word) > 1:
                fit = max(1, int(np.searchsorted(np.cumsum(self.advance[encode(word)]),
                                                 max_width, side="right")))
                lines.append(word[:fit])
                word = word[fit:]
            current = word
        if current:
            lines.append(current)
        return lines


class Atlas:
    """A GlyphSet and the R8 texture holding its bitmap; owned by the overlay."""

    def __init__(self, size: int):
        from OpenGL import GL
        self.glyphs = GlyphSet(size)
        h, w = self.glyphs.bitmap.shape
        self.texture = gpu.Texture(w, h, 1, "u8", filter=GL.GL_NEAREST,
                                   data=self.glyphs.bitmap, data_type=GL.GL_UNSIGNED_BYTE)

    def release(self) -> None:
        self.texture.release()


def font_size(target_h: int) -> int:
    """Text pixel size for an output height: legible at 720p, not tiny at 4K."""
    return max(14, round(target_h / 45))

"""The controller's icons, pure: each a few Pillow shapes, rasterised at the pixel size asked.

An icon is one function of ``ICONS`` drawing white shapes on a black 100 x 100 canvas
(``d`` is a Pillow ImageDraw scaled by 4 for antialiasing); ``sheet(size)`` draws them all
at ``size`` pixels into one 8-bit coverage strip, so icons stay crisp at any window size or
content scale without a font. A new button is a row in ``ui/osc_layout.BUTTONS`` and, if it
needs a new picture, one function here.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

_S = 4                      # supersampling factor


def _poly(d, pts):
    d.polygon([(x * _S, y * _S) for x, y in pts], fill=255)


def _rect(d, x0, y0, x1, y1):
    d.rectangle([x0 * _S, y0 * _S, x1 * _S - 1, y1 * _S - 1], fill=255)


def _line(d, pts, width):
    d.line([(x * _S, y * _S) for x, y in pts], fill=255, width=round(width * _S))


def _play(d):
    _poly(d, [(22, 12), (86, 50), (22, 88)])


def _pause(d):
    _rect(d, 22, 14, 42, 86)
    _rect(d, 58, 14, 78, 86)


def _prev(d):
    _rect(d, 14, 16, 26, 84)
    _poly(d, [(88, 16), (30, 50), (88, 84)])


def _next(d):
    _rect(d, 74, 16, 86, 84)
    _poly(d, [(12, 16), (70, 50), (12, 84)])


def _speaker(d):
    _rect(d, 8, 36, 28, 64)
    _poly(d, [(26, 36), (52, 14), (52, 86), (26, 64)])


def _volume(d):
    _speaker(d)
    for r in (18, 32):
        box = [(52 - r) * _S, (50 - r) * _S, (52 + r) * _S, (50 + r) * _S]
        d.arc(box, -50, 50, fill=255, width=7 * _S)


def _mute(d):
    _speaker(d)
    _line(d, [(62, 34), (92, 66)], 8)
    _line(d, [(62, 66), (92, 34)], 8)


def _audio(d):                  # a note: two heads joined by a beam
    d.ellipse([10 * _S, 62 * _S, 36 * _S, 84 * _S], fill=255)
    d.ellipse([58 * _S, 54 * _S, 84 * _S, 76 * _S], fill=255)
    _rect(d, 28, 16, 36, 74)
    _rect(d, 76, 8, 84, 66)
    _poly(d, [(28, 16), (84, 8), (84, 22), (28, 30)])


def _sub(d):                    # a box with two lines of text cut out
    d.rounded_rectangle([6 * _S, 18 * _S, 94 * _S, 82 * _S], radius=10 * _S, fill=255)
    d.rectangle([18 * _S, 44 * _S, 56 * _S, 52 * _S], fill=0)
    d.rectangle([62 * _S, 44 * _S, 82 * _S, 52 * _S], fill=0)
    d.rectangle([18 * _S, 60 * _S, 40 * _S, 68 * _S], fill=0)
    d.rectangle([46 * _S, 60 * _S, 82 * _S, 68 * _S], fill=0)


def _chapter(d):                # a list: bullets and lines
    for y in (18, 44, 70):
        _rect(d, 8, y, 22, y + 12)
        _rect(d, 32, y + 2, 92, y + 10)


def _profile(d):                # a sparkle: the upscaler
    _poly(d, [(50, 4), (60, 40), (96, 50), (60, 60), (50, 96), (40, 60), (4, 50), (40, 40)])


def _compare(d):                # a frame split in two, one side filled
    _line(d, [(8, 14), (92, 14), (92, 86), (8, 86), (8, 14)], 7)
    _rect(d, 50, 14, 92, 86)


def _corners(d, inward: bool):
    """Four corner brackets pointing out (fullscreen) or in (back to the window)."""
    corner = ((8, 36), (36, 36), (36, 8)) if inward else ((8, 36), (8, 8), (36, 8))
    for sx, sy in ((0, 0), (1, 0), (0, 1), (1, 1)):
        _line(d, [(100 - x if sx else x, 100 - y if sy else y) for x, y in corner], 9)


def _fullscreen(d):
    _corners(d, False)


def _windowed(d):
    _corners(d, True)


ICONS: dict[str, Callable] = {
    "play": _play, "pause": _pause, "prev": _prev, "next": _next, "volume": _volume,
    "mute": _mute, "audio": _audio, "sub": _sub, "chapter": _chapter, "profile": _profile,
    "compare": _compare, "fullscreen": _fullscreen, "windowed": _windowed,
}


def icon(name: str, size: int) -> np.ndarray:
    """One icon as size x size uint8 coverage."""
    from PIL import Image, ImageDraw
    big = Image.new("L", (100 * _S, 100 * _S), 0)
    ICONS[name](ImageDraw.Draw(big))
    return np.asarray(big.resize((size, size), Image.LANCZOS), np.uint8)


def sheet(size: int) -> tuple[np.ndarray, dict[str, int]]:
    """Every icon at ``size`` pixels side by side (1 empty texel between): (strip, x of
    each icon's left edge)."""
    names = list(ICONS)
    strip = np.zeros((size, len(names) * (size + 1)), np.uint8)
    at = {}
    for i, name in enumerate(names):
        x = i * (size + 1)
        strip[:, x:x + size] = icon(name, size)
        at[name] = x
    return strip, at

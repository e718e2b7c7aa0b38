"""Blu-ray PGS (HDMV presentation graphics) segments -> RGBA canvases, our own decoder.

PyAV demuxes PGS packets but gives no palette, so the segments are decoded here, from the
format's public description: each packet holds segments ``type (1 byte), length (2 bytes,
big-endian), payload``: PCS 0x16 (composition: canvas size, state, the objects placed),
WDS 0x17 (windows; only their count matters here), PDS 0x14 (palette: id, Y, Cr, Cb,
alpha per entry), ODS 0x15 (object: id, sequence flags, size, run-length coded pixels,
possibly split over several segments), END 0x80 (the display set is complete).

A display set shows from its PCS time until the next one (a PCS with no objects clears).
Palettes and objects persist within an epoch (PCS state 0x80 starts a new one). Colours:
limited-range YCbCr to RGB, BT.709 for canvases over 576 lines, BT.601 otherwise (as mpv);
the result is premultiplied RGBA uint8. A malformed segment raises SubtitleError.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .errors import SubtitleError

PCS, WDS, PDS, ODS, END = 0x16, 0x17, 0x14, 0x15, 0x80


@dataclass
class Bitmap:
    """One placed object: premultiplied RGBA (h x w x 4 uint8) at (x, y) on the canvas."""
    x: int
    y: int
    rgba: np.ndarray


@dataclass
class DisplaySet:
    """What shows from ``start`` (seconds) on: a canvas size and its bitmaps (empty = clear)."""
    start: float
    canvas: tuple[int, int]
    bitmaps: list[Bitmap] = field(default_factory=list)


def _matrix(height: int) -> tuple[float, float]:
    """(Kr, Kb) of the colour matrix for a canvas height."""
    return (0.2126, 0.0722) if height > 576 else (0.299, 0.114)


def palette_rgba(entries: dict[int, tuple[int, int, int, int]], height: int) -> np.ndarray:
    """256 x 4 premultiplied RGBA uint8 from {index: (Y, Cr, Cb, alpha)} (missing = clear)."""
    kr, kb = _matrix(height)
    kg = 1.0 - kr - kb
    lut = np.zeros((256, 4), np.float64)
    if entries:
        idx = np.fromiter(entries.keys(), np.int64)
        v = np.array(list(entries.values()), np.float64)
        y = (v[:, 0] - 16.0) / 219.0
        cr = (v[:, 1] - 128.0) / 224.0
        cb = (v[:, 2] - 128.0) / 224.0
        r = y + 2.0 * (1.0 - kr) * cr
        b = y + 2.0 * (1.0 - kb) * cb
        g = (y - kr * r - kb * b) / kg
        a = v[:, 3] / 255.0
        rgb = np.clip(np.stack([r, g, b], axis=1), 0.0, 1.0)
        lut[idx, :3] = rgb * a[:, None]
        lut[idx, 3] = a
    return np.rint(lut * 255.0).astype(np.uint8)


def decode_rle(data: bytes, w: int, h: int) -> np.ndarray:
    """PGS run-length data -> h x w uint8 palette indices."""
    out = np.zeros((h, w), np.uint8)
    flat = out.reshape(-1)
    n, i, x, row = len(data), 0, 0, 0
    while i < n and row < h:
        b = data[i]
        i += 1
        if b:
            if x < w:
                flat[row * w + x] = b
            x += 1
            continue
        if i >= n:
            break
        f = data[i]
        i += 1
        if f == 0:                      # end of line
            row, x = row + 1, 0
            continue
        length = f & 0x3F
        if f & 0x40:
            if i >= n:
                break
            length = (length << 8) | data[i]
            i += 1
        color = 0
        if f & 0x80:
            if i >= n:
                break
            color = data[i]
            i += 1
        end = min(x + length, w)
        if color and end > x:
            flat[row * w + x:row * w + end] = color
        x += length
    return out


class PgsDecoder:
    """Feeds packets (bytes of segments, time in seconds) and yields finished DisplaySets."""

    def __init__(self):
        self._palettes: dict[int, dict[int, tuple[int, int, int, int]]] = {}
        self._objects: dict[int, tuple[int, int, bytes]] = {}   # id -> (w, h, rle)
        self._partial: dict[int, bytearray] = {}
        self._sizes: dict[int, tuple[int, int]] = {}
        self._pcs = None
        self._start = 0.0

    def feed(self, data: bytes, t: float) -> list[DisplaySet]:
        out = []
        i, n = 0, len(data)
        while i < n:
            if n - i < 3:
                raise SubtitleError("PGS packet ends inside a segment header")
            kind, length = data[i], int.from_bytes(data[i + 1:i + 3], "big")
            body = data[i + 3:i + 3 + length]
            if len(body) < length:
                raise SubtitleError(f"PGS segment 0x{kind:02x} is truncated")
            i += 3 + length
            if kind == PCS:
                self._composition(body, t)
            elif kind == PDS:
                self._palette(body)
            elif kind == ODS:
                self._object(body)
            elif kind == END:
                if self._pcs is not None:
                    out.append(self._display())
                    self._pcs = None
            elif kind != WDS:
                raise SubtitleError(f"unknown PGS segment type 0x{kind:02x}")
        return out

    def _composition(self, b: bytes, t: float) -> None:
        if len(b) < 11:
            raise SubtitleError("PGS composition segment too short")
        w, h = int.from_bytes(b[0:2], "big"), int.from_bytes(b[2:4], "big")
        state, palette_id, count = b[7], b[9], b[10]
        if state & 0x80:                          # epoch start: forget everything
            self._palettes.clear()
            self._objects.clear()
            self._partial.clear()
        objs, j = [], 11
        for _ in range(count):
            if j + 8 > len(b):
                raise SubtitleError("PGS composition object list is truncated")
            oid = int.from_bytes(b[j:j + 2], "big")
            flags = b[j + 3]
            x, y = int.from_bytes(b[j + 4:j + 6], "big"), int.from_bytes(b[j + 6:j + 8], "big")
            j += 8
            crop = None
            if flags & 0x80:
                if j + 8 > len(b):
                    raise SubtitleError("PGS cropping rectangle is truncated")
                crop = tuple(int.from_bytes(b[j + k:j + k + 2], "big") for k in (0, 2, 4, 6))
                j += 8
            objs.append((oid, x, y, crop))
        self._pcs = (w, h, palette_id, objs)
        self._start = t

    def _palette(self, b: bytes) -> None:
        if len(b) < 2:
            raise SubtitleError("PGS palette segment too short")
        entries = self._palettes.setdefault(b[0], {})
        for j in range(2, len(b) - 4, 5):
            entries[b[j]] = (b[j + 1], b[j + 2], b[j + 3], b[j + 4])

    def _object(self, b: bytes) -> None:
        if len(b) < 4:
            raise SubtitleError("PGS object segment too short")
        oid, seq = int.from_bytes(b[0:2], "big"), b[3]
        if seq & 0x80:                            # first in sequence: length, width, height
            if len(b) < 11:
                raise SubtitleError("PGS object segment too short")
            w, h = int.from_bytes(b[7:9], "big"), int.from_bytes(b[9:11], "big")
            if w < 1 or h < 1 or w > 4096 or h > 4096:
                raise SubtitleError(f"PGS object of impossible size {w}x{h}")
            self._sizes[oid] = (w, h)
            self._partial[oid] = bytearray(b[11:])
        elif oid in self._partial:
            self._partial[oid] += b[4:]
        else:
            raise SubtitleError("PGS object continues one that never started")
        if seq & 0x40:                            # last in sequence
            w, h = self._sizes[oid]
            self._objects[oid] = (w, h, bytes(self._partial.pop(oid)))

    def _display(self) -> DisplaySet:
        w, h, palette_id, objs = self._pcs
        ds = DisplaySet(self._start, (w, h))
        if not objs:
            return ds
        lut = palette_rgba(self._palettes.get(palette_id, {}), h)
        for oid, x, y, crop in objs:
            obj = self._objects.get(oid)
            if obj is None:
                raise SubtitleError(f"PGS composition names object {oid}, which was never sent")
            ow, oh, rle = obj
            rgba = lut[decode_rle(rle, ow, oh)]
            if crop is not None:
                cx, cy, cw, ch = crop
                rgba = rgba[cy:cy + ch, cx:cx + cw]
            if rgba.size:
                ds.bitmaps.append(Bitmap(x, y, np.ascontiguousarray(rgba)))
        return ds

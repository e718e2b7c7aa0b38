"""Generated media with known content: the ground truth for tests and benchmarks.

Tests that check what libmpv shows need pictures whose content is known exactly and can be
recovered after lossy coding. This module owns that ground truth:

- ``pattern_frame(k)``: a smooth, coloured picture that carries its frame index as two
  rows of large blocks (bits and their complement), so ``read_index`` can recover ``k``
  from a decoded, scaled or re-compressed frame without a reference;
- ``make_clip``: encodes pattern frames (or any drawing function) with PyAV into a clip of a
  chosen codec, pixel format and container, with optional VFR timing, a tone as audio,
  a text subtitle track and chapters, and reports what it wrote (``ClipInfo``);
- ``make_image`` / ``not_media``: stills for the upscaler, and files that are not media;
- antialiased cel-style drawing primitives (signed distances in, coverage out), which
  ``player.demo`` reuses for its animated scene.

Everything is drawn with numpy and is deterministic: the same arguments give the same pixels.
Colour is written as BT.709 limited range and tagged so, so a player that honours the tags
shows exactly ``pattern_frame``; a swapped channel or a wrong matrix shows in the swatches.
It is over 500 lines because the pictures, their encoder and the readers that recover
their content must agree exactly; kept in one file, a change to one is seen beside the
others.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from player.base.errors import MediaError, ImageError

# --- drawing primitives ------------------------------------------------------------------


def coverage(d: np.ndarray) -> np.ndarray:
    """Fraction of a pixel inside a shape whose signed distance (in pixels) is ``d``."""
    return np.clip(0.5 - d, 0.0, 1.0)


def blend(canvas: np.ndarray, colour, alpha: np.ndarray) -> None:
    """Paint ``colour`` over ``canvas`` (float HxWx3, 0..255) with per-pixel ``alpha``."""
    a = alpha[..., None]
    canvas *= 1.0 - a
    canvas += a * np.asarray(colour, np.float32)


def sdf_circle(x, y, cx, cy, r):
    return np.hypot(x - cx, y - cy) - r


def sdf_round_rect(x, y, cx, cy, half_w, half_h, radius, angle=0.0):
    """Rounded rectangle centred on (cx, cy), rotated by ``angle`` radians."""
    c, s = np.cos(angle), np.sin(angle)
    u = np.abs((x - cx) * c + (y - cy) * s) - (half_w - radius)
    v = np.abs(-(x - cx) * s + (y - cy) * c) - (half_h - radius)
    outside = np.hypot(np.maximum(u, 0.0), np.maximum(v, 0.0))
    return outside + np.minimum(np.maximum(u, v), 0.0) - radius


def sdf_polygon(x, y, points) -> np.ndarray:
    """Exact signed distance to a closed polygon (negative inside, even-odd rule)."""
    pts = np.asarray(points, np.float64)
    shape = np.broadcast_shapes(np.shape(x), np.shape(y))
    dist2 = np.full(shape, np.inf, np.float32)
    inside = np.zeros(shape, bool)
    for (ax, ay), (bx, by) in zip(pts, np.roll(pts, -1, axis=0)):
        ex, ey = bx - ax, by - ay
        px, py = x - ax, y - ay
        t = np.clip((px * ex + py * ey) / (ex * ex + ey * ey), 0.0, 1.0)
        dist2 = np.minimum(dist2, (px - ex * t) ** 2 + (py - ey * t) ** 2)
        crosses = (ay <= y) != (by <= y)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_cross = ax + (y - ay) * ex / ey
        inside ^= crosses & (x < x_cross)
    d = np.sqrt(dist2)
    return np.where(inside, -d, d)


def star_points(cx, cy, r_outer, r_inner, n=5, angle=0.0):
    a = angle - np.pi / 2 + np.arange(2 * n) * np.pi / n
    r = np.where(np.arange(2 * n) % 2 == 0, r_outer, r_inner)
    return np.stack([cx + r * np.cos(a), cy + r * np.sin(a)], axis=1)


@dataclass(frozen=True)
class Shape:
    """A cel-shaded shape: ``sdf(x, y)`` in scene units (1 = picture height).

    ``bounds`` (x0, y0, x1, y1) limits the work to the pixels the shape can touch; the
    shadow is the part of the shape not covered by itself shifted by ``light``.
    """
    sdf: Callable[[np.ndarray, np.ndarray], np.ndarray]
    bounds: tuple[float, float, float, float]
    fill: tuple[int, int, int]
    shade: tuple[int, int, int] | None = None
    light: tuple[float, float] = (-0.025, -0.03)


def outline_px(h: int) -> float:
    """Outline width for a picture of height ``h``: 2 px at 360p, kept within 1..3 px."""
    return float(np.clip(round(2.0 * h / 360.0), 1, 3))


def scene_grid(w: int, h: int):
    """Pixel-centre coordinates in scene units (y down, 1.0 = picture height)."""
    ys = (np.arange(h, dtype=np.float32) + 0.5) / h
    xs = (np.arange(w, dtype=np.float32) + 0.5) / h
    return xs[None, :], ys[:, None]


def scene_window(canvas: np.ndarray, bounds, pad_px: float = 0.0):
    """The part of ``canvas`` under ``bounds`` (scene units), with its pixel-centre grid.

    Returns (region view, x, y) or None when the bounds miss the picture; drawing only
    there keeps a frame of small shapes cheap.
    """
    h, w = canvas.shape[:2]
    x0, y0, x1, y1 = bounds
    pad = pad_px / h
    c0, c1 = max(int((x0 - pad) * h), 0), min(int(np.ceil((x1 + pad) * h)), w)
    r0, r1 = max(int((y0 - pad) * h), 0), min(int(np.ceil((y1 + pad) * h)), h)
    if c0 >= c1 or r0 >= r1:
        return None
    x = ((np.arange(c0, c1, dtype=np.float32) + 0.5) / h)[None, :]
    y = ((np.arange(r0, r1, dtype=np.float32) + 0.5) / h)[:, None]
    return canvas[r0:r1, c0:c1], x, y


def paint_shape(canvas: np.ndarray, shape: Shape, outline_colour=(28, 24, 36)) -> None:
    """Draw ``shape`` with a dark antialiased outline centred on its edge."""
    h = canvas.shape[0]
    t = outline_px(h)
    window = scene_window(canvas, shape.bounds, t + 2)
    if window is None:
        return
    region, x, y = window
    d = shape.sdf(x, y) * h
    blend(region, outline_colour, coverage(d - t / 2))
    fill = np.broadcast_to(np.asarray(shape.fill, np.float32), region.shape).copy()
    if shape.shade is not None:
        lx, ly = shape.light
        lit = coverage(shape.sdf(x - lx, y - ly) * h)
        fill += (1.0 - lit)[..., None] * (np.asarray(shape.shade, np.float32) - fill)
    a = coverage(d + t / 2)[..., None]
    region *= 1.0 - a
    region += a * fill


def to_uint8(canvas: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(canvas), 0, 255).astype(np.uint8)


# --- the index pattern -----------------------------------------------------------------

INDEX_BITS = 16
_CODE_X = (0.04, 0.96)           # the block rows span this part of the width
_ROW_BITS = (0.03, 0.11)         # vertical extent of the bit row
_ROW_COMPLEMENT = (0.14, 0.22)   # ... and of the complemented row below it
_BAND_END = 0.28                 # neutral grey band holding the code
_SWATCH_START = 0.82             # colour swatches from here to the bottom
_DARK, _LIGHT, _GREY = 24.0, 232.0, 128.0

# Distinct hues, moderately saturated so limited-range coding does not clip them.
SWATCHES = ((200, 48, 48), (48, 180, 64), (56, 72, 210),
            (60, 190, 200), (196, 64, 190), (220, 200, 60))


def _soft_span(pos: np.ndarray, lo: float, hi: float, soft: float) -> np.ndarray:
    """1 inside [lo, hi), 0 outside, with smoothstep ramps ``soft`` pixels wide.

    Soft edges keep the chroma of 4:2:0 coding and the ringing of block transforms small,
    which is what lets the pattern come back at > 35 dB PSNR.
    """
    centre = pos + 0.5
    rise = np.clip((centre - lo) / soft + 0.5, 0.0, 1.0)
    fall = np.clip((hi - centre) / soft + 0.5, 0.0, 1.0)
    ramp = np.minimum(rise, fall)
    return ramp * ramp * (3.0 - 2.0 * ramp)


def _cells(n: int, lo: float, hi: float):
    step = (hi - lo) / n
    return [(lo + i * step + 0.1 * step, lo + (i + 1) * step - 0.1 * step) for i in range(n)]


def _swatch_cells():
    """Swatches tile the width edge to edge (the outer ones run past it)."""
    step = 1.0 / len(SWATCHES)
    return [(i * step - (i == 0), (i + 1) * step + (i == len(SWATCHES) - 1))
            for i in range(len(SWATCHES))]


def pattern_frame(index: int, w: int, h: int) -> np.ndarray:
    """The picture of frame ``index`` (uint8 HxWx3 RGB).

    Top: a grey band with the index in binary as dark/light blocks, and below it the
    complement, so each bit is read as a difference (immune to level and range errors).
    Middle: a smooth colour field whose phases move every frame, so every region changes
    from one frame to the next. Bottom: six fixed colour swatches.
    """
    if not 0 <= index < 2 ** INDEX_BITS:
        raise ValueError(f"frame index {index} does not fit in {INDEX_BITS} bits")
    u = (np.arange(w, dtype=np.float32) + 0.5) / w
    v = (np.arange(h, dtype=np.float32) + 0.5) / h
    phase = 2 * np.pi * index / 37.0  # 37: no short period, neighbours always differ
    # Each channel is a tilted sine: sin(a*u + b*v + p), built from 1-D factors.
    canvas = np.empty((h, w, 3), np.float32)
    for c, (a, b, p) in enumerate(((0.9, 0.5, -phase), (0.6, -0.8, 1.3 * phase + 2.0),
                                   (-0.7, 0.4, 0.7 * phase + 4.0))):
        su, cu = np.sin(2 * np.pi * a * u + p), np.cos(2 * np.pi * a * u + p)
        sv, cv = np.sin(2 * np.pi * b * v), np.cos(2 * np.pi * b * v)
        canvas[..., c] = 128 + 72 * (np.outer(cv, su) + np.outer(sv, cu))

    xs, ys = np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32)
    # Code band: grey, plus (level - grey) where a block is; blocks never overlap.
    soft = max(1.0, 0.01 * w)
    bits_row = np.zeros(w, np.float32)
    for bit, (c0, c1) in enumerate(_cells(INDEX_BITS, *_CODE_X)):
        on = (index >> (INDEX_BITS - 1 - bit)) & 1
        bits_row += (_LIGHT - _DARK) * (on - 0.5) * _soft_span(xs, c0 * w, c1 * w, soft)
    code = (_GREY + np.outer(_soft_span(ys, _ROW_BITS[0] * h, _ROW_BITS[1] * h, soft), bits_row)
            - np.outer(_soft_span(ys, _ROW_COMPLEMENT[0] * h, _ROW_COMPLEMENT[1] * h, soft),
                       bits_row))
    band = _soft_span(ys, -h, _BAND_END * h, 0.06 * h)[:, None, None]
    canvas += band * (code[..., None] - canvas)
    # Swatches: the ramps of neighbours sum to one, so their colours add up exactly.
    strip = sum(np.outer(_soft_span(xs, c0 * w, c1 * w, 0.04 * w), colour)
                for colour, (c0, c1) in zip(SWATCHES, _swatch_cells()))
    rows = _soft_span(ys, _SWATCH_START * h, 2.0 * h, 0.06 * h)[:, None, None]
    canvas += rows * (strip[None].astype(np.float32) - canvas)
    return to_uint8(canvas)


def _rgb(img: np.ndarray) -> np.ndarray:
    img = np.asarray(img)
    if img.ndim != 3 or img.shape[2] < 3:
        raise MediaError(f"expected an HxWx3 picture, got shape {img.shape}")
    return img[..., :3].astype(np.float32)


def _region_mean(img: np.ndarray, x0, x1, y0, y1) -> np.ndarray:
    """Mean colour of the inner half of a region given in relative coordinates."""
    h, w = img.shape[:2]
    cx, cy, hx, hy = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 4, (y1 - y0) / 4
    c0, c1 = int(round((cx - hx) * w)), max(int(round((cx + hx) * w)), int(round((cx - hx) * w)) + 1)
    r0, r1 = int(round((cy - hy) * h)), max(int(round((cy + hy) * h)), int(round((cy - hy) * h)) + 1)
    return img[r0:r1, c0:c1].reshape(-1, 3).mean(axis=0)


def read_index(img: np.ndarray) -> int:
    """Recover the frame index from a picture of ``pattern_frame`` at any size.

    The picture must show the whole frame (no borders). Raises MediaError when any bit is
    ambiguous, which is what a frame without the pattern, or a torn frame, looks like.
    """
    rgb = _rgb(img)
    value = 0
    for bit, (c0, c1) in enumerate(_cells(INDEX_BITS, *_CODE_X)):
        top = _region_mean(rgb, c0, c1, *_ROW_BITS).mean()
        bottom = _region_mean(rgb, c0, c1, *_ROW_COMPLEMENT).mean()
        # Nominal difference is 208; below 60 the picture is not our pattern.
        if abs(top - bottom) < 60:
            raise MediaError(f"no frame-index pattern found (bit {bit} unreadable:"
                             f" {top:.0f} vs {bottom:.0f})")
        value = (value << 1) | int(top > bottom)
    return value


def read_swatches(img: np.ndarray) -> np.ndarray:
    """Mean RGB of each of the six swatches (6x3 float), to compare with ``SWATCHES``."""
    rgb = _rgb(img)
    step = 1.0 / len(SWATCHES)
    return np.array([_region_mean(rgb, i * step, (i + 1) * step, _SWATCH_START + 0.04, 1.0)
                     for i in range(len(SWATCHES))])


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    """Peak signal-to-noise ratio in dB between two uint8 pictures of the same shape."""
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} vs {b.shape}")
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else float(10 * np.log10(255.0 ** 2 / mse))


# --- line-art stills and bad inputs ---------------------------------------------------


def lineart_frame(w: int, h: int) -> np.ndarray:
    """A still with flat colours, cel shadows and dark antialiased outlines.

    The shapes are laid out on a 16:9 design, scaled down to fit narrower pictures.
    """
    aspect = w / h
    k = min(1.0, aspect / (16 / 9))  # design units -> scene units
    ox, oy = aspect / 2 - k * 8 / 9, 0.5 - k / 2

    def fitted(sdf, bounds, fill, shade):
        x0, y0, x1, y1 = bounds
        return Shape(lambda x, y: k * sdf((x - ox) / k, (y - oy) / k),
                     (ox + k * x0, oy + k * y0, ox + k * x1, oy + k * y1), fill, shade)

    _, y = scene_grid(w, h)
    canvas = np.broadcast_to(
        (np.array([236, 228, 210], np.float32) + (y * 20.0)[..., None]), (h, w, 3)).copy()
    c = 8 / 9  # centre of the design
    star = star_points(c, 0.3, 0.17, 0.075, 5, 0.1)
    triangle = [(c + 0.05, 0.9), (c + 0.3, 0.62), (c + 0.45, 0.92)]
    shapes = [
        fitted(lambda x, y: sdf_round_rect(x, y, c - 0.35, 0.62, 0.22, 0.16, 0.05, 0.2),
               (c - 0.64, 0.36, c - 0.06, 0.88), (90, 140, 220), (60, 96, 170)),
        fitted(lambda x, y: sdf_circle(x, y, c + 0.28, 0.42, 0.2),
               (c + 0.08, 0.22, c + 0.48, 0.62), (236, 110, 96), (180, 70, 70)),
        fitted(lambda x, y: sdf_polygon(x, y, star),
               (c - 0.18, 0.12, c + 0.18, 0.48), (250, 214, 80), (214, 160, 50)),
        fitted(lambda x, y: sdf_polygon(x, y, triangle),
               (c + 0.05, 0.62, c + 0.45, 0.92), (120, 200, 120), (80, 150, 90)),
    ]
    for shape in shapes:
        paint_shape(canvas, shape)
    return to_uint8(canvas)


def make_image(path, w: int, h: int, kind: str = "lineart") -> np.ndarray:
    """Write a generated still (PNG or JPEG by suffix); returns the pixels drawn.

    ``kind`` is "lineart" (flat colours, outlines) or "pattern" (``pattern_frame(0)``).
    JPEG is written at quality 95; the returned array is the picture before compression.
    """
    from PIL import Image

    path = Path(path)
    drawers = {"lineart": lineart_frame, "pattern": lambda w, h: pattern_frame(0, w, h)}
    if kind not in drawers:
        raise ValueError(f"unknown image kind {kind!r}; choose from {sorted(drawers)}")
    formats = {".png": ("PNG", {}), ".jpg": ("JPEG", {"quality": 95}),
               ".jpeg": ("JPEG", {"quality": 95})}
    suffix = path.suffix.lower()
    if suffix not in formats:
        raise ImageError(f"cannot write a {suffix or 'suffix-less'} image", path=str(path),
                         hint="use .png, .jpg or .jpeg")
    pixels = drawers[kind](w, h)
    fmt, opts = formats[suffix]
    try:
        Image.fromarray(pixels, "RGB").save(path, fmt, **opts)
    except OSError as e:
        raise ImageError(f"cannot write image: {e.strerror or e}", path=str(path)) from e
    return pixels


def not_media(path, kind: str = "random") -> Path:
    """Write a file that no demuxer accepts: "random" bytes, "text", or "empty"."""
    path = Path(path)
    if kind == "random":
        # A fixed seed keeps it reproducible; the leading zeros keep probers from seeing
        # a sync word in the first bytes.
        data = bytes(64) + np.random.default_rng(4).integers(0, 256, 64 * 1024,
                                                           dtype=np.uint8).tobytes()
    elif kind == "text":
        data = ("This is not a video.\nIt is a text file written by a4kplay's tests\n"
                "to check that bad input gives a clear error.\n" * 20).encode()
    elif kind == "empty":
        data = b""
    else:
        raise ValueError(f"unknown kind {kind!r}; choose random, text or empty")
    path.write_bytes(data)
    return path


# --- clips -----------------------------------------------------------------------------

# Our codec names -> encoders to try, best first.
VIDEO_ENCODERS = {
    "h264": ("libx264",),
    "hevc": ("libx265",),
    "vp9": ("libvpx-vp9",),
    "av1": ("libsvtav1", "libaom-av1", "librav1e"),
    "mpeg4": ("mpeg4",),
}
AUDIO_ENCODERS = {
    "aac": ("aac",),
    "opus": ("libopus", "opus"),
    "mp3": ("libmp3lame",),
    "flac": ("flac",),
    "vorbis": ("libvorbis", "vorbis"),
}
CONTAINERS = {".mkv": "matroska", ".mp4": "mp4", ".webm": "webm"}
_WEBM_CODECS = {"vp9", "av1", "opus", "vorbis"}
_SUBTITLE_CODECS = {".mkv": "subrip", ".mp4": "mov_text", ".webm": "webvtt"}
# Encoders that reject odd sizes in subsampled formats (the others pad internally).
_EVEN_ONLY = {"libx264", "libx265"}

AUDIO_RATE = 48000
TONE_HZ = 440.0


@dataclass(frozen=True)
class ClipInfo:
    """What ``make_clip`` wrote. ``pts[k]`` is when frame k is shown, in seconds."""
    path: Path
    width: int
    height: int
    fps: Fraction
    frames: int
    pts: tuple[float, ...]
    duration: float
    codec: str
    encoder: str
    pix_fmt: str
    container: str
    audio: str | None
    vfr: bool
    subtitles: tuple[tuple[float, float, str], ...]
    chapters: tuple[tuple[float, str], ...]


def available_encoder(codec: str, table: dict | None = None) -> str | None:
    """The first encoder for ``codec`` in this PyAV build, or None."""
    import av

    table = VIDEO_ENCODERS if table is None else table
    return next((e for e in table.get(codec, ()) if e in av.codecs_available), None)


def _pick_encoder(codec: str, table: dict, what: str) -> str:
    if codec not in table:
        raise MediaError(f"unknown {what} codec {codec!r}",
                         hint="choose from " + ", ".join(table))
    encoder = available_encoder(codec, table)
    if encoder is None:
        raise MediaError(f"no {codec} encoder in this PyAV build",
                         hint="tried " + ", ".join(table[codec]))
    return encoder


def _video_options(encoder: str, crf: int | None) -> dict[str, str]:
    # Defaults chosen so pattern_frame comes back at > 35 dB PSNR, as fast as possible.
    if encoder == "libx264":
        return {"crf": str(18 if crf is None else crf), "preset": "veryfast"}
    if encoder == "libx265":
        return {"crf": str(20 if crf is None else crf), "preset": "ultrafast",
                "x265-params": "log-level=error"}
    if encoder == "libvpx-vp9":
        return {"crf": str(24 if crf is None else crf), "b": "0", "deadline": "realtime",
                "cpu-used": "8", "row-mt": "1"}
    if encoder == "libsvtav1":
        return {"crf": str(30 if crf is None else crf), "preset": "10"}
    if encoder in ("libaom-av1", "librav1e"):
        return {"crf": str(30 if crf is None else crf), "cpu-used": "8"}
    if encoder == "mpeg4":
        # No CRF: a quantiser ceiling plays its part (qscale 1 is near-lossless).
        return {"qmin": "1", "qmax": str(3 if crf is None else crf)}
    return {}


def frame_times(frames: int, fps: Fraction, vfr: bool) -> list[int]:
    """Frame start times in ticks of 1/fps; VFR alternates 1- and 2-tick durations."""
    ticks, t = [], 0
    for k in range(frames):
        ticks.append(t)
        t += (1 + k % 2) if vfr else 1
    return ticks


def tone(seconds: float, rate: int = AUDIO_RATE, hz: float = TONE_HZ) -> np.ndarray:
    """A 440 Hz stereo sine that swells in and out (float32, shape (2, n)).

    The fades (up to 0.25 s) avoid clicks, also where a looping player wraps around.
    """
    n = max(int(round(seconds * rate)), 1)
    t = np.arange(n) / rate
    ramp = np.clip(np.minimum(t, seconds - t) / min(0.25, seconds / 8), 0.0, 1.0)
    fade = np.sin(0.5 * np.pi * ramp) ** 2
    mono = (0.25 * fade * np.sin(2 * np.pi * hz * t)).astype(np.float32)
    return np.stack([mono, mono])


def _subtitle_cues(duration: float) -> tuple[tuple[float, float, str], ...]:
    n = max(int(np.ceil(duration)), 1)
    return tuple((float(k), min(k + 0.8, duration), f"Subtitle line {k + 1}") for k in range(n))


def _chapter_marks(duration: float) -> tuple[tuple[float, str], ...]:
    return ((0.0, "Part A"), (round(duration / 2, 3), "Part B"))


def make_clip(path, *, w: int, h: int, fps=24, frames: int = 48, codec: str = "h264",
              pix_fmt: str = "yuv420p", audio: str | None = None, vfr: bool = False,
              subtitles: bool = False, chapters: bool = False, crf: int | None = None,
              draw: Callable[[int, int, int], np.ndarray] = pattern_frame,
              gop: int | None = None) -> ClipInfo:
    """Encode ``frames`` pictures ``draw(k, w, h)`` into ``path`` (container by suffix).

    ``fps`` may be an int or a Fraction (e.g. Fraction(24000, 1001)). With ``vfr`` frame
    durations alternate 1/fps and 2/fps with exact timestamps. ``crf`` overrides the
    codec's quality default (for mpeg4 it is the quantiser ceiling); ``gop`` the most
    frames between keyframes (the encoder's default otherwise). On any failure the
    partial file is removed and MediaError raised.
    """
    import av

    path = Path(path)
    container = path.suffix.lower()
    if container not in CONTAINERS:
        raise MediaError(f"unsupported container {container or '(no suffix)'}", path=str(path),
                         hint="use .mkv, .mp4 or .webm")
    encoder = _pick_encoder(codec, VIDEO_ENCODERS, "video")
    audio_encoder = _pick_encoder(audio, AUDIO_ENCODERS, "audio") if audio else None
    if container == ".webm" and not {codec, audio or "opus"} <= _WEBM_CODECS:
        raise MediaError(f"WebM cannot hold {codec}" + (f" + {audio}" if audio else ""),
                         path=str(path), hint="WebM takes vp9/av1 video, opus/vorbis audio")
    formats = [f.name for f in (av.Codec(encoder, "w").video_formats or [])]
    if pix_fmt not in formats:
        raise MediaError(f"{encoder} cannot encode {pix_fmt}", path=str(path),
                         hint="it takes " + ", ".join(formats))
    if encoder in _EVEN_ONLY and ("420" in pix_fmt and (w % 2 or h % 2)
                                  or "422" in pix_fmt and w % 2):
        raise MediaError(f"{encoder} needs even dimensions for {pix_fmt}, got {w}x{h}",
                         path=str(path), hint="use yuv444p, or vp9/av1/mpeg4")
    if frames < 1 or w < 16 or h < 16:
        raise MediaError(f"clip too small: {frames} frames of {w}x{h}", path=str(path))

    fps = Fraction(fps)
    ticks = frame_times(frames, fps, vfr)
    tick = 1 / fps
    end_tick = ticks[-1] + ((1 + (frames - 1) % 2) if vfr else 1)
    duration = float(end_tick * tick)
    info = ClipInfo(path=path, width=w, height=h, fps=fps, frames=frames,
                    pts=tuple(float(t * tick) for t in ticks), duration=duration,
                    codec=codec, encoder=encoder, pix_fmt=pix_fmt, container=container,
                    audio=audio, vfr=vfr,
                    subtitles=_subtitle_cues(duration) if subtitles else (),
                    chapters=_chapter_marks(duration) if chapters else ())
    try:
        options = _video_options(encoder, crf)
        if gop is not None:
            options["g"] = str(gop)
        _write(info, ticks, options, audio_encoder, draw)
    except MediaError:
        path.unlink(missing_ok=True)
        raise
    except (av.FFmpegError, OSError, ValueError) as e:
        path.unlink(missing_ok=True)
        raise MediaError(f"cannot write {codec}/{pix_fmt} clip: {e}", path=str(path)) from e
    return info


def _write(info: ClipInfo, ticks: list[int], options: dict, audio_encoder: str | None,
           draw: Callable[[int, int, int], np.ndarray]) -> None:
    import av
    from av.video.reformatter import ColorPrimaries, ColorRange, ColorTrc, Colorspace

    os.environ.setdefault("SVT_LOG", "1")  # SVT-AV1 prints a banner per encoder otherwise
    tick = Fraction(info.fps.denominator, info.fps.numerator)
    with av.open(str(info.path), "w", format=CONTAINERS[info.container]) as out:
        video = out.add_stream(info.encoder, rate=info.fps, options=options)
        video.width, video.height, video.pix_fmt = info.width, info.height, info.pix_fmt
        video.time_base = tick
        video.codec_context.time_base = tick
        cc = video.codec_context
        cc.colorspace, cc.color_range = Colorspace.ITU709, ColorRange.MPEG
        cc.color_primaries, cc.color_trc = ColorPrimaries.BT709, ColorTrc.BT709
        if info.encoder == "mpeg4":
            cc.bit_rate = info.width * info.height * 24  # generous: the qmax caps quality
        sound = None
        if audio_encoder:
            sound = out.add_stream(audio_encoder, rate=AUDIO_RATE)
            sound.layout = "stereo"
            if audio_encoder == "vorbis":  # FFmpeg's own Vorbis encoder is "experimental"
                sound.codec_context.options = {"strict": "experimental"}
        subs = None
        if info.subtitles:
            subs = out.add_mux_stream(_SUBTITLE_CODECS[info.container])
            subs.time_base = Fraction(1, 1000)
        if info.chapters:
            ends = [start for start, _ in info.chapters[1:]] + [info.duration]
            out.set_chapters([
                {"id": i + 1, "start": round(start * 1000), "end": round(end * 1000),
                 "time_base": Fraction(1, 1000), "metadata": {"title": title}}
                for i, ((start, title), end) in enumerate(zip(info.chapters, ends))])

        for k, t in enumerate(ticks):
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(draw(k, info.width,
                                                                        info.height)),
                                               format="rgb24")
            frame = frame.reformat(format=info.pix_fmt, dst_colorspace=Colorspace.ITU709,
                                   dst_color_range=ColorRange.MPEG)
            frame.pts = t
            frame.time_base = tick
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        if sound is not None:
            for packet in _encode_audio(sound, info.duration):
                out.mux(packet)
        if subs is not None:
            for start, end, text in info.subtitles:
                out.mux(_subtitle_packet(subs, info.container, start, end, text))


def _encode_audio(stream, seconds: float) -> Iterator:
    import av

    samples = tone(seconds)
    resampler = av.AudioResampler(format=stream.codec_context.format.name, layout="stereo",
                                  rate=AUDIO_RATE,
                                  frame_size=stream.codec_context.frame_size or 1024)
    block = 4800
    for start in range(0, samples.shape[1], block):
        chunk = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples[:, start:start + block]),
                                           format="fltp", layout="stereo")
        chunk.sample_rate = AUDIO_RATE
        chunk.pts = start
        for frame in resampler.resample(chunk):
            yield from stream.encode(frame)
    for frame in resampler.resample(None):
        yield from stream.encode(frame)
    yield from stream.encode(None)


def _subtitle_packet(stream, container: str, start: float, end: float, text: str):
    import av

    data = text.encode()
    if container == ".mp4":  # mov_text samples carry a 16-bit length prefix
        data = len(data).to_bytes(2, "big") + data
    packet = av.Packet(data)
    packet.stream = stream
    packet.time_base = stream.time_base
    packet.pts = packet.dts = round(start * 1000)
    packet.duration = round((end - start) * 1000)
    return packet

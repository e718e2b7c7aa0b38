"""The built-in demo clip: a short looping cel-shaded scene drawn by our own code.

``a4kplay demo`` must work offline with nothing but the package, so the clip is drawn
frame by frame with numpy (flat anime-like colours, dark antialiased outlines, cel
shadows), encoded once with PyAV and cached. The cache entry carries a version in its
name, so changing the scene means bumping ``DEMO_VERSION``; it is written to a temporary
file in the cache directory and renamed when complete, so an interrupted run never leaves
a broken clip behind.
"""
from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np

from player.base.errors import MediaError
from player.base.files import atomic_path
from player.media.mediagen import (Shape, blend, make_clip, paint_shape, scene_window,
                             sdf_circle, sdf_polygon, sdf_round_rect, star_points, to_uint8)

DEMO_VERSION = 2
DEMO_WIDTH, DEMO_HEIGHT = 640, 360
DEMO_FPS = 24
DEMO_FRAMES = 96  # 4 s; every motion below repeats after exactly this many frames
DEMO_LOOPS = 3    # the clip plays the loop three times: 12 s, long enough for the governor
                  # to step down and settle on a slow (software) renderer
HORIZON = 0.72    # scene units: 1.0 is the picture height, y grows downwards


def default_cache_dir() -> Path:
    """$XDG_CACHE_HOME/a4kplay, or ~/.cache/a4kplay (the spec ignores relative paths)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "a4kplay"


def demo_clip(cache_dir: Path | None = None) -> Path:
    """Path of the demo clip, generated on first use (about a second on 2 cores)."""
    directory = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    target = directory / f"demo-v{DEMO_VERSION}-{DEMO_WIDTH}x{DEMO_HEIGHT}.mkv"
    if target.is_file():
        return target
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with atomic_path(target, suffix=".part.mkv") as temp:
            make_clip(temp, w=DEMO_WIDTH, h=DEMO_HEIGHT, fps=DEMO_FPS,
                      frames=DEMO_FRAMES * DEMO_LOOPS,
                      codec="h264", pix_fmt="yuv420p", audio="aac", crf=16, draw=demo_frame)
    except OSError as e:
        raise MediaError(f"cannot create the demo cache: {e.strerror or e}",
                         path=str(directory), hint="set XDG_CACHE_HOME to a writable folder") from e
    return target


# --- the scene ---------------------------------------------------------------------------

OUTLINE = (30, 26, 40)


def _sky(h: int, w: int) -> np.ndarray:
    """Soft vertical gradient: deeper blue at the top, pale at the horizon."""
    y = (np.arange(h, dtype=np.float32) + 0.5) / h
    s = np.clip(y / HORIZON, 0.0, 1.0)[:, None]
    top, low = np.array([96, 160, 226], np.float32), np.array([206, 230, 246], np.float32)
    return np.broadcast_to((top + s * (low - top))[:, None, :], (h, w, 3)).copy()


def _soft_spot(canvas, cx, cy, rx, ry, colour, strength):
    """A soft elliptical spot (ground shadow, highlight) with no outline."""
    window = scene_window(canvas, (cx - rx, cy - ry, cx + rx, cy + ry), 1)
    if window is not None:
        region, x, y = window
        r = np.hypot((x - cx) / rx, (y - cy) / ry)
        blend(region, colour, strength * np.clip((1.0 - r) * 3.0, 0.0, 1.0))


def _cloud(cx: float, cy: float) -> Shape:
    puffs = ((-0.09, 0.02, 0.055), (0.0, -0.02, 0.075), (0.09, 0.015, 0.06), (0.0, 0.03, 0.05))

    def sdf(x, y):
        return np.minimum.reduce([sdf_circle(x, y, cx + dx, cy + dy, r) for dx, dy, r in puffs])
    return Shape(sdf, (cx - 0.16, cy - 0.1, cx + 0.16, cy + 0.09),
                 (250, 250, 252), (214, 222, 238), light=(-0.0, -0.02))


def demo_frame(index: int, w: int = DEMO_WIDTH, h: int = DEMO_HEIGHT) -> np.ndarray:
    """The exact picture of demo frame ``index`` at ``w`` x ``h`` (uint8 HxWx3 RGB)."""
    t = (index % DEMO_FRAMES) / DEMO_FRAMES  # loop phase, 0..1
    aspect = w / h
    canvas = _sky(h, w)

    # Background: sun, a drifting cloud (off screen at both ends of the loop), a hill, ground.
    paint_shape(canvas, Shape(lambda x, y: sdf_circle(x, y, aspect * 0.86, 0.17, 0.075),
                              (aspect * 0.86 - 0.08, 0.09, aspect * 0.86 + 0.08, 0.25),
                              (255, 222, 120), (246, 196, 96), light=(-0.015, -0.015)), OUTLINE)
    cloud_x = -0.2 + (aspect + 0.4) * t
    paint_shape(canvas, _cloud(cloud_x, 0.2), OUTLINE)
    hill = (aspect * 0.22, HORIZON + 0.42, 0.55)
    paint_shape(canvas, Shape(lambda x, y: sdf_circle(x, y, *hill),
                              (hill[0] - 0.55, HORIZON - 0.14, hill[0] + 0.55, 1.0),
                              (150, 206, 120), (124, 180, 104)), OUTLINE)
    paint_shape(canvas, Shape(lambda x, y: HORIZON - y + 0 * x, (0.0, HORIZON, aspect, 1.0),
                              (120, 186, 96)), OUTLINE)

    # A star floating and turning: 2/5 of a turn per loop looks the same at both ends.
    sx, sy = aspect * 0.58 + 0.22 * math.cos(2 * math.pi * t), 0.3 + 0.05 * math.sin(4 * math.pi * t)
    star = star_points(sx, sy, 0.1, 0.045, 5, 0.8 * math.pi * t)
    paint_shape(canvas, Shape(lambda x, y: sdf_polygon(x, y, star),
                              (sx - 0.1, sy - 0.1, sx + 0.1, sy + 0.1),
                              (255, 214, 70), (226, 160, 40)), OUTLINE)

    # A box rocking as it slides along the ground.
    bx, angle = aspect * 0.3 + 0.18 * math.sin(2 * math.pi * t), 0.12 * math.sin(4 * math.pi * t)
    by = HORIZON + 0.1 - 0.085
    _soft_spot(canvas, bx, HORIZON + 0.1, 0.14, 0.025, (40, 80, 40), 0.35)
    paint_shape(canvas, Shape(lambda x, y: sdf_round_rect(x, y, bx, by, 0.11, 0.085, 0.025, angle),
                              (bx - 0.15, by - 0.15, bx + 0.15, by + 0.15),
                              (84, 130, 222), (58, 92, 176)), OUTLINE)

    # A ball bouncing twice per loop, with a ground shadow that shrinks as it rises.
    r = 0.085
    floor = HORIZON + 0.16
    lift = abs(math.sin(2 * math.pi * t * 2))
    cx, cy = aspect * 0.62 + 0.3 * math.sin(2 * math.pi * t + 1.0), floor - r - 0.3 * lift
    _soft_spot(canvas, cx, floor, 0.1 * (1 - 0.4 * lift), 0.02, (40, 80, 40), 0.4 - 0.2 * lift)
    paint_shape(canvas, Shape(lambda x, y: sdf_circle(x, y, cx, cy, r),
                              (cx - r, cy - r, cx + r, cy + r), (234, 84, 84), (178, 52, 70)),
                OUTLINE)
    _soft_spot(canvas, cx - 0.035, cy - 0.035, 0.022, 0.016, (255, 255, 255), 0.9)
    return to_uint8(canvas)

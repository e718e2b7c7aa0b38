"""Headless GL work on still images: the context, and arrays in -> chain -> arrays out.

Used by `a4kplay upscale`, `quality`, `bench` and `export`, and by the GL tests. One hidden
window (an invisible GLFW window under X, or GLFW's null platform with OSMesa when there is no
X server) is made per process on first use and kept; chains are built per call or cached by
the caller.
"""
from __future__ import annotations

import atexit
import os
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from player.base.errors import ShaderError

_window = None


def context():
    """The process's headless GL context (made current), created on first use."""
    global _window
    if _window is None:
        from player.gl.window import Window, setup_platform
        if setup_platform(headless=True) == "egl":
            from player.gl.egl import Context
            _window = Context()
        else:
            _window = Window(64, 64, "a4kplay (offscreen)", visible=False)
        atexit.register(close)
    elif hasattr(_window, "make_current"):
        _window.make_current()
    else:
        import glfw
        glfw.make_context_current(_window.handle)
    return _window


def close() -> None:
    global _window
    if _window is not None:
        _window.release()
        _window = None


def load_shaders(paths: Sequence[str | os.PathLike]):
    """Parse shader files; a missing or unreadable one is a ShaderError naming it."""
    from player.render.hookfile import load
    return [load(Path(p)) for p in paths]


def build_chain(shaders: Sequence[str | os.PathLike] = (), scaler: str = "bicubic",
                params: Mapping[str, float] | None = None, label: str = "chain"):
    from player.render.chain import Chain
    context()
    return Chain(load_shaders(shaders), scaler=scaler, params=params, label=label)


def to_texture(img: np.ndarray):
    """Upload an H x W x 3|4 image (uint8 or float in [0,1]) as an RGBA16F source texture."""
    from player.gl import gpu
    a = np.asarray(img)
    if a.dtype == np.uint8:
        a = a.astype(np.float32) / 255.0
    a = a.astype(np.float32, copy=False)
    if a.ndim == 2:
        a = np.repeat(a[:, :, None], 3, axis=2)
    if a.shape[2] == 3:
        a = np.concatenate([a, np.ones(a.shape[:2] + (1,), np.float32)], axis=2)
    tex = gpu.Texture(a.shape[1], a.shape[0], 4, "f16")
    tex.upload(a)
    return tex


def run_chain(chain, img: np.ndarray, out_size: tuple[int, int]) -> np.ndarray:
    """Run a built chain on one image; float32 H x W x 3, clamped to [0,1]."""
    context()
    src = to_texture(img)
    try:
        out = chain.run(src, *out_size)
        arr = out.read(4)[:, :, :3]
    finally:
        src.release()
    return np.clip(arr, 0.0, 1.0)


def upscale_array(img: np.ndarray, out_size: tuple[int, int],
                  shaders: Sequence[str | os.PathLike] = (), scaler: str = "bicubic",
                  params: Mapping[str, float] | None = None) -> np.ndarray:
    """Upscale an image (H x W x 3, float [0,1] or uint8) to out_size (w, h) through a chain
    of the given shader files; returns float32 H x W x 3 in [0,1]."""
    chain = build_chain(shaders, scaler, params)
    try:
        return run_chain(chain, img, out_size)
    finally:
        chain.release()


def read_image(path: str | os.PathLike) -> np.ndarray:
    """An image file as float32 H x W x 3 in [0,1]; ImageError when it cannot be read."""
    from PIL import Image, UnidentifiedImageError
    from player.base.errors import ImageError
    p = Path(path)
    if not p.exists():
        raise ImageError("no such file", path=str(p))
    try:
        with Image.open(p) as im:
            im.load()
            rgb = im.convert("RGB")
    except UnidentifiedImageError:
        raise ImageError("not an image this program can read (PNG or JPEG expected)",
                         path=str(p)) from None
    except OSError as e:
        raise ImageError(f"cannot read the image: {e}", path=str(p)) from None
    return np.asarray(rgb, dtype=np.float32) / 255.0


def write_png(path: str | os.PathLike, img: np.ndarray) -> None:
    """Write float [0,1] or uint8 H x W x 3 as PNG atomically (temp file, then rename)."""
    from PIL import Image
    a = np.asarray(img)
    if a.dtype != np.uint8:
        a = (np.clip(a, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    from player.base.files import atomic_write
    atomic_write(path, lambda f: Image.fromarray(a[:, :, :3]).save(f, format="PNG"), "the PNG")


__all__ = ["context", "close", "build_chain", "run_chain", "upscale_array", "read_image",
           "write_png", "to_texture", "load_shaders", "ShaderError"]

"""Quality harness: downscale ground truth, upscale back, compare (PSNR, SSIM, sharpness).

Owns the measurement procedure, not the upscaling: the upscale function is injected, so
the same run measures the numpy reference (the default, works anywhere) or the GL chain
(the lead passes ``player.offscreen.upscale_array``). Convention, as in the Anime4K
project's published table: area-downscale HR by the factor, upscale back, compare BT.601
luma over the whole image. Baselines "bilinear" and "bicubic" go through the same upscale
function under those profile names.
"""
from __future__ import annotations

import math
import os
from typing import Callable, Iterable

import numpy as np
from PIL import Image

from player.media import metrics, reference
from player.base.errors import ImageError

BASELINES = ("bilinear", "bicubic")
METRICS = ("psnr", "ssim", "sharpness")

Upscale = Callable[[np.ndarray, int, int, str], np.ndarray]


def reference_upscale(img: np.ndarray, out_w: int, out_h: int, profile: str) -> np.ndarray:
    """Default upscale: the numpy reference (plain scalers for the baselines, else a tier)."""
    if profile in reference.SCALERS:
        return np.clip(reference.scale(img, out_w, out_h, profile), 0.0, 1.0)
    return reference.anime4k(img, out_w, out_h, profile)


def load_rgb(path: str) -> np.ndarray:
    """An image file as float32 RGB in [0, 1]."""
    try:
        with Image.open(path) as im:
            return np.asarray(im.convert("RGB"), np.float32) / 255.0
    except (OSError, ValueError) as exc:
        raise ImageError(f"cannot read image: {exc}", path=str(path)) from exc


def _factor(scale: float) -> int | float:
    return int(scale) if float(scale).is_integer() else float(scale)


def _fit(n: int, f: float) -> int:
    """The largest size <= n that the factor divides into a whole number of pixels (1.5:
    a multiple of 3), so every LR pixel is the mean of whole and equal areas; n // f when
    no size within 16 pixels does (an irrational-looking factor)."""
    for m in range(n, max(n - 16, 0), -1):
        if abs(m / f - round(m / f)) < 1e-9:
            return m
    return n


def measure(hr: np.ndarray, scale: float, profiles: Iterable[str], upscale: Upscale) -> dict:
    """Metrics of every profile (baselines first) on one HR image: {metric: {profile: v}}.
    The HR is cropped so the factor divides both sides (area-down by N is then exact: 1.5x
    of 1280x720 measures 1278x720 from 852x480), then upscaled back to that size."""
    f = _factor(scale)
    h, w = hr.shape[:2]
    hr = hr[:_fit(h, f), :_fit(w, f)]
    lr = metrics.area_downscale(hr, f).astype(np.float32)
    hr = hr[:round(lr.shape[0] * f), :round(lr.shape[1] * f)]
    out_h, out_w = hr.shape[:2]
    y_hr = metrics.luma601(hr)
    result = {m: {} for m in METRICS}
    for name in (*BASELINES, *[p for p in profiles if p not in BASELINES]):
        up = np.asarray(upscale(lr, out_w, out_h, name), np.float32)
        if up.shape[:2] != (out_h, out_w):
            raise ValueError(f"upscale({name!r}) returned {up.shape[:2]}, wanted {(out_h, out_w)}")
        up = np.clip(up[..., :3], 0.0, 1.0)
        result["psnr"][name] = metrics.psnr(metrics.luma601(up), y_hr)
        result["ssim"][name] = metrics.ssim(up, hr)
        result["sharpness"][name] = metrics.sharpness(up, hr)
    return result


def measure_all(hr_paths: Iterable[str], scale: float = 2.0,
        profiles: Iterable[str] = ("Full", "Fast", "UltraFast"),
        upscale: Upscale | None = None) -> dict:
    """Measure every image; returns {"scale", "images": [...], "mean": {...}}."""
    upscale = upscale or reference_upscale
    profiles = tuple(profiles)
    images = []
    for path in hr_paths:
        entry = {"name": os.path.basename(str(path))}
        entry.update(measure(load_rgb(path), scale, profiles, upscale))
        images.append(entry)
    mean = {}
    for m in METRICS:
        names = images[0][m].keys() if images else ()
        mean[m] = {n: float(np.mean([img[m][n] for img in images])) for n in names}
    return {"scale": _factor(scale), "images": images, "mean": mean}


def format_table(result: dict) -> str:
    """Plain-text table: one row per image and metric, one column per profile, then the mean."""
    rows = [*result["images"], {"name": "mean", **result["mean"]}]
    if not rows or not rows[0].get("psnr"):
        return "(no images)"
    names = list(rows[0]["psnr"].keys())
    fmt = {"psnr": "{:.2f}", "ssim": "{:.4f}", "sharpness": "{:.3f}"}
    label_w = max(len(r["name"]) for r in rows) + 11
    col_w = max(9, *(len(n) + 1 for n in names))
    lines = [f"scale {result['scale']}x  (PSNR dB / SSIM on BT.601 luma; sharpness = edge "
             f"gradient ratio to HR)",
             "image / metric".ljust(label_w) + "".join(n.rjust(col_w) for n in names)]
    for r in rows:
        for m in METRICS:
            cells = []
            for n in names:
                v = r[m][n]
                cells.append(("inf" if math.isinf(v) else fmt[m].format(v)).rjust(col_w))
            lines.append(f"{r['name']} {m}".ljust(label_w) + "".join(cells))
    return "\n".join(lines)


class GLUpscale:
    """The real chain as the harness's upscale function: each profile's chain is built once
    (baselines are the plain scalers) and reused for every image."""

    def __init__(self, config):
        self.config = config
        self._chains = {}

    def __call__(self, img: np.ndarray, out_w: int, out_h: int, profile: str) -> np.ndarray:
        from player.render.offscreen import build_chain, run_chain
        chain = self._chains.get(profile)
        if chain is None:
            if profile in reference.SCALERS:
                chain = build_chain((), profile)
            else:
                p = self.config.profile(profile)
                chain = build_chain(p.shaders, p.scaler, p.params, label=profile)
            self._chains[profile] = chain
        return run_chain(chain, img, (out_w, out_h))

    def release(self) -> None:
        for chain in self._chains.values():
            chain.release()
        self._chains.clear()


def _scale(text: str) -> float:
    import argparse
    from player.tools.args import positive
    v = positive(text)
    if v < 1:
        raise argparse.ArgumentTypeError(f"the scale is an upscale factor (>= 1), got {text!r}")
    return v


def add_arguments(ap) -> None:
    ap.add_argument("inputs", nargs="+", metavar="HR_DIR",
                    help="a folder of ground-truth images (PNG/JPEG), or image files")
    ap.add_argument("--scale", type=_scale, default=2.0,
                    help="area-down by this factor (>= 1; 1.5, 2, 3, 4, ...), then up "
                         "through each profile to the cropped HR size (default 2)")
    ap.add_argument("--profiles", nargs="+", metavar="NAME",
                    help="profiles to measure (default: the ladder, without Off)")
    ap.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    ap.add_argument("--config", metavar="PATH", help="profiles.yaml to use")
    ap.add_argument("--reference", action="store_true",
                    help="use the numpy reference of the tiers instead of the GL chain")


def run(args) -> int:
    """`a4kplay quality HR_DIR|HR.png ... [--scale 2] [--profiles NAME ...] [--json PATH]`."""
    from pathlib import Path
    paths = []
    for item in args.inputs:
        p = Path(item)
        if p.is_dir():
            paths += sorted(q for q in p.iterdir()
                            if q.suffix.lower() in (".png", ".jpg", ".jpeg"))
        elif p.is_file():
            paths.append(p)
        else:
            raise ImageError("no such file or folder", path=str(p))
    if not paths:
        raise ImageError("no PNG or JPEG images found", path=", ".join(args.inputs))
    if args.reference:
        profiles = args.profiles or ["Full", "Fast", "UltraFast"]
        result = measure_all(paths, args.scale, profiles)
    else:
        from player.config.profiles import load_config
        config = load_config(args.config)
        profiles = args.profiles or [n for n in config.ladder if config.profile(n).shaders]
        for name in profiles:
            if name not in reference.SCALERS:
                config.profile(name)   # unknown names fail before any work
        from player.gl.window import setup_platform
        setup_platform(headless=True)
        upscale = GLUpscale(config)
        try:
            result = measure_all(paths, args.scale, profiles, upscale)
        finally:
            upscale.release()
    print(format_table(result))
    if args.json:
        from player.base.files import write_json
        write_json(args.json, result, "the quality JSON")
    return 0

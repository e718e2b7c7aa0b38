"""Held-out quality: PSNR of BT.601 luma for bilinear, bicubic and a learned weight file.

Convention (corpus README): area-downscale the HR image 2x, upscale back 2x, PSNR over the
whole image on luma 0.299 R + 0.587 G + 0.114 B, outputs clamped to [0, 1]. The scalers
come from player.reference (the chain's own numpy mirror); the model from infer_numpy
(the shipped weights, exactly what the shader computes).
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from player.media import reference
from training import infer_numpy
from training.data import area_down2, corpus_split, even_crop, load_rgb

BT601 = np.array([0.299, 0.587, 0.114], np.float32)


def psnr_luma(a: np.ndarray, b: np.ndarray) -> float:
    ya, yb = np.clip(a, 0, 1) @ BT601, np.clip(b, 0, 1) @ BT601
    mse = float(np.mean((ya.astype(np.float64) - yb) ** 2))
    return 10 * np.log10(1.0 / max(mse, 1e-12))


def val_real_images(data_dir: Path = Path("build/training-data")) -> list[Path]:
    """The realistic validation frames (training/realdata.py build_val_set), if built."""
    return sorted((Path(data_dir) / "val-real").glob("*.png"))


def evaluate(weight_files: list[Path], images: list[Path] | None = None) -> dict:
    """{image name: {method: dB}} plus a 'mean' row."""
    images = images if images is not None else corpus_split()[1]
    models = {p.stem: infer_numpy.load(p) for p in weight_files}
    table: dict[str, dict[str, float]] = {}
    for path in images:
        hr = even_crop(load_rgb(path))
        lr = area_down2(hr)
        h, w = hr.shape[:2]
        row = {k: psnr_luma(reference.scale(lr, w, h, k), hr) for k in ("bilinear", "bicubic")}
        for name, weights in models.items():
            row[name] = psnr_luma(infer_numpy.upscale(weights, lr), hr)
        table[path.stem] = row
    methods = list(next(iter(table.values())))
    table["mean"] = {m: float(np.mean([r[m] for r in table.values()])) for m in methods}
    return table


def format_table(table: dict) -> str:
    methods = list(table["mean"])
    lines = ["| image | " + " | ".join(methods) + " |", "|---|" + "---|" * len(methods)]
    for name, row in table.items():
        lines.append(f"| {name} | " + " | ".join(f"{row[m]:.2f}" for m in methods) + " |")
    return "\n".join(lines)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("weights", nargs="+", type=Path, help="weight files (.npz)")
    ap.add_argument("--images", type=Path, help="a folder of HR PNGs (e.g. "
                    "build/training-data/val-real) instead of the held-out corpus")
    args = ap.parse_args(argv)
    images = sorted(args.images.glob("*.png")) if args.images else None
    print(format_table(evaluate(args.weights, images)))


if __name__ == "__main__":
    main()

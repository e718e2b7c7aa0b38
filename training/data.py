"""Training data: which images, how they are degraded, how crops are drawn.

Owns the held-out split (evaluation images are never trained on), the rendering of Debian's
public-domain openclipart SVGs to PNG, the LR/HR pairing (area = box-average 2x, the
corpus convention) and a seeded crop sampler with the 8 flips/rotations and an optional
mild JPEG degradation of the LR side. Everything is numpy + Pillow; no torch here.
"""
from __future__ import annotations

import hashlib
import io
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

def _corpus_hr() -> Path:
    """The corpus beside the repository (../shared), as the CI clone has it."""
    env = os.environ.get("A4K_CORPUS_HR")
    if env:
        return Path(env)
    beside = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "hr"
    return beside if beside.is_dir() else Path("/work/shared/corpus/hr")


CORPUS_HR = _corpus_hr()
CLIPART_SVG = Path("/usr/share/openclipart/svg")
DEFAULT_CACHE = Path("build/training-data")

# Held out for evaluation only: never read by the sampler.
HELD_OUT = ("morevna_saha_front", "morevna_saha_side", "morevna_sita_front", "synfig_backdrop")

RENDER_WIDTHS = (320, 448, 640, 896)
BACKGROUNDS = ((255, 255, 255),) * 5 + ((246, 238, 222), (226, 236, 246), (236, 246, 230))


def corpus_split(root: Path = CORPUS_HR) -> tuple[list[Path], list[Path]]:
    """(train, held_out) PNG paths of the corpus, split by HELD_OUT name prefixes."""
    files = sorted(root.glob("*.png"))
    held = [p for p in files if p.name.startswith(HELD_OUT)]
    return [p for p in files if p not in held], held


def load_rgb(path: Path) -> np.ndarray:
    """float32 H x W x 3 in [0, 1]; alpha is composited onto white."""
    im = Image.open(path)
    if im.mode in ("RGBA", "LA", "P"):
        im = im.convert("RGBA")
        bg = Image.new("RGBA", im.size, (255, 255, 255, 255))
        im = Image.alpha_composite(bg, im)
    return np.asarray(im.convert("RGB"), np.float32) / 255.0


def area_down2(hr: np.ndarray) -> np.ndarray:
    """Box-average 2x downscale (odd trailing row/column dropped)."""
    h, w = hr.shape[0] // 2 * 2, hr.shape[1] // 2 * 2
    x = hr[:h, :w]
    return 0.25 * (x[0::2, 0::2] + x[1::2, 0::2] + x[0::2, 1::2] + x[1::2, 1::2])


def even_crop(hr: np.ndarray) -> np.ndarray:
    return hr[: hr.shape[0] // 2 * 2, : hr.shape[1] // 2 * 2]


# ----------------------------------------------------------------------------- clipart

def _stable_int(text: str) -> int:
    return int.from_bytes(hashlib.sha1(text.encode()).digest()[:4], "little")


def select_svgs(count: int, root: Path = CLIPART_SVG) -> list[Path]:
    """A fixed, evenly spread subset of the unique SVGs (the package repeats files
    across categories), so every machine renders the same set."""
    seen: dict[str, Path] = {}
    for p in sorted(root.rglob("*.svg")):
        seen.setdefault(p.name, p)
    unique = sorted(seen.values(), key=lambda p: p.name)
    if count >= len(unique):
        return unique
    step = len(unique) / count
    return [unique[int(i * step)] for i in range(count)]


def _render_one(svg: Path, out_dir: Path) -> Path | None:
    key = _stable_int(svg.name)
    width = RENDER_WIDTHS[key % len(RENDER_WIDTHS)]
    bg = BACKGROUNDS[(key // 7) % len(BACKGROUNDS)]
    out = out_dir / f"{svg.stem}_{width}.png"
    if out.exists():
        return out
    colour = "#%02x%02x%02x" % bg
    try:
        subprocess.run(["rsvg-convert", "-w", str(width), "-b", colour, "-o", str(out), str(svg)],
                       check=True, timeout=30, capture_output=True)
    except (subprocess.SubprocessError, OSError):
        out.unlink(missing_ok=True)
        return None
    return out


def render_clipart(out_dir: Path, count: int = 400, jobs: int = 2) -> list[Path]:
    """Render `count` SVGs to PNG (skipping ones already rendered); returns usable files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    svgs = select_svgs(count)
    with ThreadPoolExecutor(jobs) as pool:
        results = list(pool.map(lambda s: _render_one(s, out_dir), svgs))
    return [p for p in results if p is not None]


# ----------------------------------------------------------------------------- sampler

class PairSampler:
    """Seeded random LR/HR crops. Crops are taken at even HR coordinates from a whole-image
    area-down, which equals area-downscaling the crop itself."""

    def __init__(self, corpus: list[Path], clipart: list[Path], lr_size: int, seed: int,
                 corpus_share: float = 0.4, jpeg_prob: float = 0.0, min_std: float = 0.03,
                 scales: tuple[float, ...] = (1.0,)):
        self.rng = np.random.default_rng(seed)
        self.lr_size = lr_size
        # Each image also as its area-down by each factor above 1 (the HR of a pair at
        # that size): the same drawing with thinner lines and smaller features, as a
        # sharp master at another resolution gives. (1.0,) = the images as they are.
        self.scales = tuple(scales)
        self.corpus_share = corpus_share if clipart else 1.0
        self.jpeg_prob = jpeg_prob
        self.min_std = min_std
        self.groups = [self._load(corpus), self._load(clipart)]

    def _load(self, paths: list[Path]) -> list[tuple[np.ndarray, np.ndarray]]:
        from player.media.metrics import area_downscale
        pairs = []
        for p in paths:
            full = load_rgb(p)
            for f in self.scales:
                src = full if f == 1 else area_downscale(full, f).astype(np.float32)
                hr = even_crop(src)
                if min(hr.shape[:2]) >= 2 * self.lr_size + 2:
                    pairs.append((area_down2(hr), hr))
        return pairs

    def images(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Every whole (LR, HR) pair crops come from, float, in image-id order."""
        return self.groups[0] + self.groups[1]

    def _crop(self) -> tuple[np.ndarray, np.ndarray, int]:
        g = 0 if self.rng.random() < self.corpus_share else 1
        group = self.groups[g]
        idx = int(self.rng.integers(len(group)))
        lr, hr = group[idx]
        n = self.lr_size
        for _ in range(8):  # skip flat background crops: they teach nothing
            y = int(self.rng.integers(lr.shape[0] - n + 1))
            x = int(self.rng.integers(lr.shape[1] - n + 1))
            h = hr[2 * y:2 * y + 2 * n, 2 * x:2 * x + 2 * n]
            if h.std() >= self.min_std:
                break
        return lr[y:y + n, x:x + n], h, idx + (len(self.groups[0]) if g else 0)

    def _augment(self, lr: np.ndarray, hr: np.ndarray):
        k = int(self.rng.integers(8))
        if k & 4:
            lr, hr = lr[:, ::-1], hr[:, ::-1]
        return np.rot90(lr, k & 3), np.rot90(hr, k & 3)

    def _jpeg(self, lr: np.ndarray) -> np.ndarray:
        q = int(self.rng.integers(80, 96))
        buf = io.BytesIO()
        Image.fromarray((lr * 255 + 0.5).astype(np.uint8)).save(buf, "JPEG", quality=q)
        return np.asarray(Image.open(buf), np.float32) / 255.0

    def batch(self, size: int) -> tuple[np.ndarray, np.ndarray]:
        """(lr N x 3 x n x n, hr N x 3 x 2n x 2n) float32."""
        return self.batch_ids(size)[:2]

    def batch_ids(self, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """batch() plus each crop's image id (an index into images())."""
        lrs, hrs, ids = [], [], []
        for _ in range(size):
            lr, hr, src = self._crop()
            lr, hr = self._augment(lr, hr)
            if self.jpeg_prob and self.rng.random() < self.jpeg_prob:
                lr = self._jpeg(np.ascontiguousarray(lr))
            lrs.append(np.ascontiguousarray(lr).transpose(2, 0, 1))
            hrs.append(np.ascontiguousarray(hr).transpose(2, 0, 1))
            ids.append(src)
        return np.stack(lrs), np.stack(hrs), np.array(ids, np.int64)


def main(argv=None) -> None:
    import argparse
    ap = argparse.ArgumentParser(description="Render the openclipart training images.")
    ap.add_argument("--count", type=int, default=400)
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_CACHE)
    args = ap.parse_args(argv)
    files = render_clipart(args.data_dir / "openclipart", args.count)
    train, held = corpus_split()
    print(f"{len(files)} clipart PNGs in {args.data_dir / 'openclipart'}; corpus: "
          f"{len(train)} training, {len(held)} held out ({', '.join(p.stem for p in held)})")


if __name__ == "__main__":
    main()

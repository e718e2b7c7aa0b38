"""Realistic training and validation data: line art over painted backgrounds, made to look
like delivered video (training/degrade.py), split by source so validation never shares a
drawing with training.

Sources (licences in SOURCES, repeated in docs/training.md; a test checks both agree):

* synfig-examples (Debian, GPL-2+): .sif animations rendered with synfig at several sizes
  and, for the animated ones, several frames. TRAIN_SIF for training, VAL_SIF only for
  validation.
* openclipart-svg (Debian, public domain): SVGs rendered with rsvg-convert keeping their
  alpha; training uses data.select_svgs(400) (the old tier's set), validation a disjoint
  interleaved set of 40 (select_svgs(40, phase=0.5) shifted by half a step).
* the shared corpus (../shared/corpus/hr): its training images for training; its held-out
  images (data.HELD_OUT) appear only in validation (clean, and as realistic variants).

A scene is a canvas with a procedural background (gradient / painted / textured / cel
props / flat), one to three line-art layers composited with their alpha, or an opaque
synfig frame or corpus crop, then `degrade.realistic_hr`. Training pairs take `make_lr`
of the scene (2 variants per scene are cached); validation keeps the realistic HR frames
as PNGs, measured like the corpus (area-down 2x, up 2x, BT.601 luma PSNR).
Deterministic: scene i of a pool comes from np.random.default_rng([seed, i]).
"""
from __future__ import annotations

import hashlib
import json
import subprocess
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from training import degrade
from training.data import CORPUS_HR, DEFAULT_CACHE, corpus_split, select_svgs

SIF_DIR = Path("/usr/share/doc/synfig-examples/examples")

# name: (render widths, times in seconds; one entry per frame)
TRAIN_SIF = {
    "pirates": ((640, 1024), (0,)),
    "macwolfen": ((512, 900), (0,)),
    "headmo": ((640, 1100), (0,)),
    "prologue_kid": ((400, 640), (0, 1.5, 3, 4.5)),
    "eye": ((640, 960), (0, 4, 8, 12)),
    "candy": ((640, 1000), (0,)),
    "splat": ((640,), (0,)),
    "preambletaffy": ((640, 960), (0, 2, 4)),
    "cells": ((640,), (0, 5)),
    "wallpaper": ((800,), (0,)),
    "logo": ((600,), (0,)),
    "installer-logo": ((500,), (0,)),
    "warptext": ((800,), (0,)),
    "about_dialog": ((450,), (0,)),
    "business_card": ((500,), (0,)),
    "z_depth_test": ((720,), (0, 2)),
}
VAL_SIF = {
    "backdrop": ((1280,), (0,)),
    "eyes": ((1280,), (0,)),
    "japan": ((1280,), (0,)),
    "star": ((1280,), (0, 2.5)),
}

SOURCES = [  # (what, files, licence) - the licence list docs/training.md repeats
    ("synfig-examples 1.5.1 (Debian), rendered with synfig 1.5.1",
     sorted(TRAIN_SIF) + sorted(VAL_SIF), "GPL-2+"),
    ("openclipart-svg (Debian), rendered with rsvg-convert", ["/usr/share/openclipart/svg"],
     "public domain (CC0)"),
    ("shared corpus ../shared/corpus/hr (synfig renders)",
     ["synfig_headmo", "synfig_macwolfen", "synfig_pirates", "synfig_prologue_kid",
      "synfig_backdrop"], "GPL-2+"),
    ("shared corpus ../shared/corpus/hr (Morevna Project characters)",
     ["morevna_saha_front", "morevna_saha_side", "morevna_sita_front"], "CC0-1.0"),
    ("procedural backgrounds (training/realdata.py)", ["generated"], "no third-party content"),
]


def _u8(x: np.ndarray) -> np.ndarray:
    return degrade.to_u8(x)


# ----------------------------------------------------------------------------- rendering

def render_sif(name: str, width: int, time: float, out_dir: Path) -> Path | None:
    src = SIF_DIR / f"{name}.sif"
    out = out_dir / f"{name}_{width}_t{time:g}.png"
    if out.exists():
        return out
    # synfig keeps the canvas aspect when only -w is given
    try:
        subprocess.run(["synfig", str(src), "-t", "png", "-w", str(width), "--time", f"{time:g}",
                        "-o", str(out)], check=True, timeout=180, capture_output=True)
    except (subprocess.SubprocessError, OSError):
        out.unlink(missing_ok=True)
        return None
    return out if out.exists() else None


def render_sifs(table: dict, out_dir: Path, jobs: int = 2) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    todo = [(n, w, t) for n, (ws, ts) in table.items() for w in ws for t in ts]
    with ProcessPoolExecutor(jobs) as pool:
        res = list(pool.map(render_sif, *zip(*todo), [out_dir] * len(todo)))
    return [p for p in res if p is not None]


def _render_svg_alpha(svg: Path, width: int, out_dir: Path) -> Path | None:
    out = out_dir / f"{svg.stem}_{width}a.png"
    if out.exists():
        return out
    try:
        subprocess.run(["rsvg-convert", "-w", str(width), "-o", str(out), str(svg)],
                       check=True, timeout=30, capture_output=True)
    except (subprocess.SubprocessError, OSError):
        out.unlink(missing_ok=True)
        return None
    return out


def val_svgs(count: int = 40) -> list[Path]:
    """Interleaved between the training selection's picks: disjoint from select_svgs(400)."""
    from training.data import CLIPART_SVG
    seen: dict[str, Path] = {}
    for p in sorted(CLIPART_SVG.rglob("*.svg")):
        seen.setdefault(p.name, p)
    unique = sorted(seen.values(), key=lambda p: p.name)
    train = {p.name for p in select_svgs(400)}
    step = len(unique) / count
    picks = []
    for i in range(count):
        j = int((i + 0.5) * step)
        while unique[j].name in train:
            j += 1
        picks.append(unique[j])
    return picks


def render_svgs(svgs: list[Path], out_dir: Path, widths=(360, 520, 720), jobs: int = 2):
    out_dir.mkdir(parents=True, exist_ok=True)
    ws = [widths[int(hashlib.sha1(s.name.encode()).digest()[0]) % len(widths)] for s in svgs]
    with ProcessPoolExecutor(jobs) as pool:
        res = list(pool.map(_render_svg_alpha, svgs, ws, [out_dir] * len(svgs)))
    return [p for p in res if p is not None]


def load_rgba(path: Path) -> np.ndarray:
    """uint8 H x W x 4 (kept as bytes in memory; converted when used)."""
    return np.asarray(Image.open(path).convert("RGBA"))


# ----------------------------------------------------------------------------- backgrounds

def _palette(rng: np.random.Generator, n: int) -> np.ndarray:
    """Anime background colours: mostly mid-to-light, moderately saturated."""
    hue = rng.uniform(0, 1) + rng.uniform(-0.15, 0.15, n)
    sat = rng.uniform(0.1, 0.6, n)
    val = rng.uniform(0.45, 0.98, n)
    rgb = []
    for h, s, v in zip(hue % 1.0, sat, val):
        i = int(h * 6) % 6
        f = h * 6 - int(h * 6)
        p, q, t = v * (1 - s), v * (1 - s * f), v * (1 - s * (1 - f))
        rgb.append([(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)][i])
    return np.array(rgb, np.float32)


def _noise(rng: np.random.Generator, h: int, w: int, octaves: int, base: int) -> np.ndarray:
    """Fractal value noise in [0, 1]: bicubic-upsampled random grids, halving amplitude."""
    acc = np.zeros((h, w), np.float32)
    amp, tot = 1.0, 0.0
    for o in range(octaves):
        gh, gw = max(2, h // (base >> o) + 2), max(2, w // (base >> o) + 2)
        g = rng.random((gh, gw)).astype(np.float32)
        up = np.asarray(Image.fromarray(g, "F").resize((w, h), Image.BICUBIC), np.float32)
        acc += amp * up
        tot += amp
        amp *= 0.5
        if (base >> o) <= 4:
            break
    acc /= tot
    lo, hi = np.percentile(acc, (1, 99))
    return np.clip((acc - lo) / max(hi - lo, 1e-3), 0, 1)


def _ramp(t: np.ndarray, pal: np.ndarray) -> np.ndarray:
    idx = t * (len(pal) - 1)
    i0 = np.clip(np.floor(idx).astype(int), 0, len(pal) - 2)
    f = (idx - i0)[..., None]
    return pal[i0] * (1 - f) + pal[i0 + 1] * f


def background(rng: np.random.Generator, h: int, w: int) -> tuple[np.ndarray, str]:
    kind = str(rng.choice(["gradient", "painted", "painted", "textured", "cel", "flat"]))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if kind == "gradient":
        a = rng.uniform(0, 2 * np.pi)
        t = (np.cos(a) * xx + np.sin(a) * yy)
        if rng.random() < 0.3:  # radial glow
            cy, cx = rng.uniform(0, h), rng.uniform(0, w)
            t = np.hypot(yy - cy, xx - cx)
        t = (t - t.min()) / max(t.max() - t.min(), 1e-3)
        img = _ramp(t, _palette(rng, int(rng.integers(2, 4))))
    elif kind == "painted":
        t = _noise(rng, h, w, 5, int(rng.choice([64, 128, 256])))
        img = _ramp(t, _palette(rng, int(rng.integers(3, 6))))
        # a few soft brush blobs
        lay = Image.new("RGB", (w, h), (0, 0, 0))
        mask = Image.new("L", (w, h), 0)
        d, dm = ImageDraw.Draw(lay), ImageDraw.Draw(mask)
        for c in _palette(rng, int(rng.integers(2, 6))):
            x0, y0 = rng.uniform(-0.2, 1.0) * w, rng.uniform(-0.2, 1.0) * h
            x1, y1 = x0 + rng.uniform(0.1, 0.6) * w, y0 + rng.uniform(0.05, 0.4) * h
            d.ellipse((x0, y0, x1, y1), fill=tuple(int(v * 255) for v in c))
            dm.ellipse((x0, y0, x1, y1), fill=int(rng.uniform(90, 220)))
        sig = float(rng.uniform(4, 16))
        m = degrade.gaussian_blur(np.asarray(mask, np.float32)[..., None] / 255.0, sig)
        img = img * (1 - m) + np.asarray(lay, np.float32) / 255.0 * m
    elif kind == "textured":
        base = _palette(rng, 2)
        t = _noise(rng, h, w, 3, 32)
        img = _ramp(t * 0.5 + 0.25, base)
        paper = degrade.gaussian_blur(rng.standard_normal((h, w, 1)).astype(np.float32), 0.8)
        img = img + paper * float(rng.uniform(0.01, 0.04))
        img = img * (0.9 + 0.1 * _noise(rng, h, w, 4, 64)[..., None])
    elif kind == "cel":  # flat-shaded props: polygons with hard (antialiased) edges
        s = 2
        pal = _palette(rng, int(rng.integers(3, 7)))
        im = Image.new("RGB", (w * s, h * s), tuple(int(v * 255) for v in pal[0]))
        d = ImageDraw.Draw(im)
        for _ in range(int(rng.integers(3, 12))):
            c = tuple(int(v * 255) for v in pal[int(rng.integers(len(pal)))])
            cx, cy = rng.uniform(0, w * s), rng.uniform(0, h * s)
            r = rng.uniform(0.05, 0.4) * max(w, h) * s
            n = int(rng.integers(3, 7))
            ang = np.sort(rng.uniform(0, 2 * np.pi, n))
            pts = [(cx + r * np.cos(a), cy + r * np.sin(a)) for a in ang]
            d.polygon(pts, fill=c)
        img = np.asarray(im.resize((w, h), Image.BOX), np.float32) / 255.0
        if rng.random() < 0.5:  # shading gradient over it
            a = rng.uniform(0, 2 * np.pi)
            t = np.cos(a) * xx / w + np.sin(a) * yy / h
            img = img * (0.85 + 0.15 * ((t - t.min()) / max(np.ptp(t), 1e-3)))[..., None]
    else:
        img = np.broadcast_to(_palette(rng, 1)[0], (h, w, 3)).copy()
        img = np.maximum(img, 0.75)
    return np.clip(img, 0, 1).astype(np.float32), kind


# ----------------------------------------------------------------------------- scenes

def _paste(canvas: np.ndarray, rgba: np.ndarray, rng: np.random.Generator) -> None:
    h, w = canvas.shape[:2]
    lh, lw = rgba.shape[:2]
    y = int(rng.integers(-lh // 3, max(1, h - 2 * lh // 3)))
    x = int(rng.integers(-lw // 3, max(1, w - 2 * lw // 3)))
    y0, x0 = max(0, y), max(0, x)
    y1, x1 = min(h, y + lh), min(w, x + lw)
    if y1 <= y0 or x1 <= x0:
        return
    part = rgba[y0 - y:y1 - y, x0 - x:x1 - x]
    a = part[..., 3:]
    canvas[y0:y1, x0:x1] = canvas[y0:y1, x0:x1] * (1 - a) + part[..., :3] * a


def _random_crop(img: np.ndarray, h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    ih, iw = img.shape[:2]
    if ih < h or iw < w:  # too small: scale up (bicubic) to cover
        f = max(h / ih, w / iw)
        img = degrade.resize(img, int(np.ceil(iw * f)), int(np.ceil(ih * f)), "bicubic")
        ih, iw = img.shape[:2]
    y = int(rng.integers(ih - h + 1))
    x = int(rng.integers(iw - w + 1))
    return img[y:y + h, x:x + w]


class Sources:
    """Loaded source images of one split: alpha layers, opaque frames, corpus images."""

    def __init__(self, layers: list[Path], frames: list[Path], corpus: list[Path]):
        self.layers, self.opaque = [], []
        for p in layers + frames:
            im = load_rgba(p)
            if im[..., 3].min() < 230:  # has real transparency: a layer to composite
                self.layers.append(im)
            else:
                self.opaque.append(np.ascontiguousarray(im[..., :3]))
        self.corpus = [np.asarray(Image.open(p).convert("RGB")) for p in corpus]
        self.names = sorted({p.name for p in layers + frames + corpus})


def scene(src: Sources, rng: np.random.Generator, h: int, w: int) -> tuple[np.ndarray, dict]:
    """A clean HR composite (before degrade.realistic_hr) and a description."""
    r = rng.random()
    if src.corpus and r < 0.2:
        img = degrade.from_u8(src.corpus[int(rng.integers(len(src.corpus)))])
        if rng.random() < 0.5:  # corpus art drawn at a smaller size
            f = float(rng.uniform(0.5, 0.9))
            img = degrade.resize(img, int(img.shape[1] * f), int(img.shape[0] * f), "bicubic")
        return _random_crop(img, h, w, rng).copy(), {"kind": "corpus"}
    if src.opaque and r < 0.45:
        img = degrade.from_u8(src.opaque[int(rng.integers(len(src.opaque)))])
        return _random_crop(img, h, w, rng).copy(), {"kind": "frame"}
    canvas, bg = background(rng, h, w)
    n = int(rng.integers(1, 4))
    for _ in range(n):
        lay = degrade.from_u8(src.layers[int(rng.integers(len(src.layers)))])
        f = float(rng.uniform(0.5, 1.3))
        if abs(f - 1) > 0.05:
            lw, lh = max(8, int(lay.shape[1] * f)), max(8, int(lay.shape[0] * f))
            # premultiplied resize keeps edges clean
            pm = np.concatenate([lay[..., :3] * lay[..., 3:], lay[..., 3:]], -1)
            pm = degrade.resize(pm, lw, lh, "bicubic")
            a = np.clip(pm[..., 3:], 0, 1)
            lay = np.concatenate([np.clip(pm[..., :3] / np.maximum(a, 1e-4), 0, 1), a], -1)
        _paste(canvas, lay, rng)
    return canvas, {"kind": "composite", "background": bg, "layers": n}


def _pool_item(src, seed, i, h, w, lr_variants, extra_prob):
    rng = np.random.default_rng([seed, i])
    clean, info = scene(src, rng, h, w)
    hr, steps = degrade.realistic_hr(clean, rng)
    lrs = []
    for _ in range(lr_variants):
        lr, lsteps = degrade.make_lr(hr, rng, extra_prob)
        lrs.append(_u8(lr))
        info.setdefault("lr", []).append(lsteps)
    info["hr"] = steps
    return _u8(hr), lrs, info


def build_pool(src: Sources, count: int, seed: int, size_range=(256, 512),
               lr_variants: int = 2, extra_prob: float = 0.1):
    """count scenes: (HR uint8 list, [LR uint8 variants] list, info list)."""
    rng = np.random.default_rng([seed, 10**6])
    dims = [(int(rng.integers(*size_range)) // 2 * 2, int(rng.integers(*size_range)) // 2 * 2)
            for _ in range(count)]
    items = [_pool_item(src, seed, i, h, w, lr_variants, extra_prob)
             for i, (h, w) in enumerate(dims)]
    return [it[0] for it in items], [it[1] for it in items], [it[2] for it in items]


# ----------------------------------------------------------------------------- splits

def train_sources(cache: Path = DEFAULT_CACHE, clipart: int = 400) -> Sources:
    sif = render_sifs(TRAIN_SIF, cache / "synfig")
    svg = render_svgs(select_svgs(clipart), cache / "openclipart-alpha")
    train, _ = corpus_split()
    return Sources(svg, sif, train)


def val_sources(cache: Path = DEFAULT_CACHE) -> Sources:
    sif = render_sifs(VAL_SIF, cache / "synfig-val")
    svg = render_svgs(val_svgs(), cache / "openclipart-val")
    return Sources(svg, sif, [])


def build_val_set(out_dir: Path, cache: Path = DEFAULT_CACHE, seed: int = 77,
                  count: int = 16, size=(720, 1280)) -> list[Path]:
    """The realistic validation set: `count` scenes from val sources only, plus realistic
    variants of the held-out corpus images; PNGs of the realistic HR frames + a manifest."""
    out_dir.mkdir(parents=True, exist_ok=True)
    src = val_sources(cache)
    manifest, paths = {}, []
    for i in range(count):
        rng = np.random.default_rng([seed, i])
        clean, info = scene(src, rng, *size)
        hr, steps = degrade.realistic_hr(clean, rng)
        info["hr"] = steps
        p = out_dir / f"val{i:02d}_{info['kind']}.png"
        Image.fromarray(_u8(hr)).save(p)
        manifest[p.name] = info
        paths.append(p)
    _, held = corpus_split()
    for j, hp in enumerate(held):
        rng = np.random.default_rng([seed, 1000 + j])
        img = np.asarray(Image.open(hp).convert("RGB"), np.float32) / 255.0
        hr, steps = degrade.realistic_hr(img, rng)
        p = out_dir / f"{hp.stem.rsplit('_', 1)[0]}_real.png"
        Image.fromarray(_u8(hr)).save(p)
        manifest[p.name] = {"kind": "held-out corpus", "hr": steps}
        paths.append(p)
    manifest["_sources"] = src.names + [p.name for p in held]
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return paths


class RealPairSampler:
    """Seeded crops from a cached pool: (LR N x 3 x n x n, HR N x 3 x 2n x 2n) float32."""

    def __init__(self, hrs, lrs, lr_size: int, seed: int, min_std: float = 0.02):
        self.rng = np.random.default_rng(seed)
        self.hrs, self.lrs = hrs, lrs
        self.n = lr_size
        self.min_std = min_std
        # image id of (scene i, LR variant j): first[i] + j, its index in images()
        sizes = [len(v) for v in lrs]
        self.first = np.cumsum([0] + sizes[:-1]).tolist()
        self.count = sum(sizes)

    def images(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Every whole (LR, HR) pair crops come from, uint8, in image-id order."""
        return [(lr, hr) for hr, variants in zip(self.hrs, self.lrs) for lr in variants]

    def _crop(self):
        n = self.n
        while True:
            i = int(self.rng.integers(len(self.hrs)))
            hr = self.hrs[i]
            j = int(self.rng.integers(len(self.lrs[i])))
            lr = self.lrs[i][j]
            if min(lr.shape[:2]) > n:
                break
        for _ in range(8):
            y = int(self.rng.integers(lr.shape[0] - n + 1))
            x = int(self.rng.integers(lr.shape[1] - n + 1))
            h = hr[2 * y:2 * y + 2 * n, 2 * x:2 * x + 2 * n]
            if h.std() >= self.min_std * 255:
                break
        return lr[y:y + n, x:x + n], h, self.first[i] + j

    def batch(self, size: int):
        return self.batch_ids(size)[:2]

    def batch_ids(self, size: int):
        """batch() plus each crop's image id (an index into images())."""
        lrs, hrs, ids = [], [], []
        for _ in range(size):
            lr, hr, src = self._crop()
            k = int(self.rng.integers(8))
            if k & 4:
                lr, hr = lr[:, ::-1], hr[:, ::-1]
            lr, hr = np.rot90(lr, k & 3), np.rot90(hr, k & 3)
            lrs.append(lr.transpose(2, 0, 1))
            hrs.append(hr.transpose(2, 0, 1))
            ids.append(src)
        return (np.stack(lrs).astype(np.float32) / 255.0,
                np.stack(hrs).astype(np.float32) / 255.0, np.array(ids, np.int64))


class MixedSampler:
    """A share of each batch from a second sampler (the v1 tier's clean pairs): keeps what
    the clean renders teach while most crops are realistic. Same batch() contract."""

    def __init__(self, real: RealPairSampler, clean, clean_share: float, seed: int):
        self.real, self.clean, self.share = real, clean, clean_share
        self.rng = np.random.default_rng([seed, 7])

    def images(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """The realistic images, then the clean ones (ids of clean crops are offset)."""
        return self.real.images() + self.clean.images()

    def batch(self, size: int):
        return self.batch_ids(size)[:2]

    def batch_ids(self, size: int):
        k = int(self.rng.binomial(size, self.share)) if self.share > 0 else 0
        lr, hr, ids = self.real.batch_ids(size - k)
        if k:
            clr, chr_, cids = self.clean.batch_ids(k)
            lr, hr = np.concatenate([lr, clr]), np.concatenate([hr, chr_])
            ids = np.concatenate([ids, cids + self.real.count])
        return lr, hr, ids


def load_pool(cache: Path, count: int, seed: int):
    """Build (or load the cached) training pool of `count` scenes."""
    import pickle
    f = cache / f"pool_{count}_{seed}.pkl"
    if f.exists():
        with open(f, "rb") as fh:
            return pickle.load(fh)
    pool = build_pool(train_sources(cache), count, seed)
    tmp = f.with_suffix(".tmp")
    with open(tmp, "wb") as fh:
        pickle.dump(pool, fh, protocol=4)
    tmp.replace(f)
    return pool


def main(argv=None) -> None:
    import argparse
    ap = argparse.ArgumentParser(description="Build the realistic training pool and val set.")
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--pool", type=int, default=600)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    val = build_val_set(args.data_dir / "val-real", args.data_dir)
    print(f"{len(val)} validation frames in {args.data_dir / 'val-real'}")
    hrs, lrs, info = load_pool(args.data_dir, args.pool, args.seed)
    kinds = {}
    for it in info:
        kinds[it["kind"]] = kinds.get(it["kind"], 0) + 1
    print(f"training pool: {len(hrs)} scenes {kinds}")


if __name__ == "__main__":
    main()

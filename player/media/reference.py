"""Numpy reference of what the GL chain computes: sampler, built-in scalers, Anime4K tiers.

This module owns the *meaning* of our GPU work in a form that runs without a GPU: the GL
bilinear texture sampler (texel centres at (i + 0.5) / size, clamp to edge), the chain's
three scalers exactly as docs/chain.md states them, and the three Anime4K v1.0 tiers
mirroring shaders/anime4k/*.glsl pass by pass (same sample positions, order, constants).
It exists so that (a) a GL-vs-reference test can check the chain to within 2/255 and
(b) the quality harness can measure the tiers on any machine.

Images are float32 arrays H x W x C (C = 3 for RGB) in [0, 1]; maps are H x W x K.
Nothing here clamps the final image except where the shaders clamp.
"""
from __future__ import annotations

import numpy as np

from player.render.scalers import SCALERS  # noqa: F401  (the one list of names)

TIERS = ("UltraFast", "Fast", "Full")
MIN_FACTOR = 1.4  # every pass carries WHEN OUTPUT/MAIN > 1.4 in both axes

REC709 = np.array([0.2126, 0.7152, 0.0722], np.float32)
FXAA_LUMA = np.array([2.0, 3.0, 1.0], np.float32) / 6.0  # the spec's cheap (2R+3G+B)/6

# Published separable Gaussian weights for offsets 0, 1, 2, 3 (mirrored for negatives).
BLUR7 = (0.160854, 0.155931, 0.142046, 0.121597)
BLUR5 = (0.212543, 0.206038, 0.187691)

# Per-tier constants; the shaders hard-code the same numbers (mpv 0.35 ignores PARAM files).
# All published, except Full's thin-lines and FXAA strengths, scaled by 0.25 (gain 1 is the
# published algorithm): on 4 corpus crops (area-down 2x, up 2x) the published Full scored
# 31.14 dB / sharpness 0.803 against bicubic's 31.59 dB / 0.794; with both gains at 0.25
# it scores 32.70 dB / 0.883 (Fast: 32.74 dB / 0.861). UltraFast's constant strength is
# 0.3, half the published 0.6: on the realistic validation set (docs/training.md) 0.6 fell
# 0.34 dB below bicubic (39.32 vs 39.66), 0.3 is at 39.69 with more sharpness (0.907 vs
# 0.903), and on the clean held-out corpus 35.29 vs bicubic's 35.08. Full on that set, with
# thin lines 0.25 and the gradient refine at its published strength, was 0.002 dB below
# bicubic (39.662 vs 39.664); a sweep (thin 0 / 0.1 / 0.25 x refine 0.5 / 0.75 / 1 x FXAA
# 0.1 / 0.25, GL chain) chose thin 0.1, refine 0.75: val-real 40.14 dB, sharpness 0.926
# (bicubic 0.903), clean held-out 36.30 (was 36.26).
TIER_PARAMS = {
    "Full": dict(blur=BLUR7, threshold=0.06, max_strength=1.0, constant=False, thin=True,
                 fxaa=True, thin_gain=0.10, fxaa_gain=0.25, refine_gain=0.75),
    "Fast": dict(blur=BLUR5, threshold=0.07, max_strength=0.6, constant=False, thin=False,
                 fxaa=False),
    "UltraFast": dict(blur=BLUR5, threshold=0.4, max_strength=0.3, constant=True, thin=False,
                      fxaa=False),
}

# Ratio bands (issue 28): overrides of TIER_PARAMS by the upscale ratio r = min(out_w / w,
# out_h / h), as (low, high, overrides) for low < r <= high; the 2x band (1.75-2.5) is the
# tuning above, untouched. The shaders select them with WHEN conditions on OUTPUT / MAIN
# (a band's pass runs only in its band). Measured with the numpy reference on val-real and
# the clean held-out set, area-down by r and up by r (docs/training.md, "Every scale"):
# at 1.5x the refine at its 2x strength fell below bicubic on val-real (Fast -0.07, Full
# -0.27 dB); Fast at half strength is +0.47 (clean +0.80), Full without thin lines and
# FXAA and the refine at half its 2x strength +0.57 (clean +0.95, as before). At 4x
# UltraFast's 0.3 was 0.015 dB below bicubic on the clean set (+0.07 on val-real); no
# strength helps it there (0.15: -0.001); a quarter, 0.075, is +0.001 (val-real +0.025).
RATIO_BANDS = {
    "Full": ((MIN_FACTOR, 1.75, dict(thin=False, fxaa=False, refine_gain=0.375)),),
    "Fast": ((MIN_FACTOR, 1.75, dict(refine_gain=0.5)),),
    "UltraFast": ((3.5, float("inf"), dict(max_strength=0.075)),),
}


def tier_params(tier: str, ratio: float) -> dict:
    """TIER_PARAMS[tier] with the overrides of the ratio band r falls in (RATIO_BANDS)."""
    cfg = dict(TIER_PARAMS[tier])
    for low, high, overrides in RATIO_BANDS[tier]:
        if low < ratio <= high:
            cfg.update(overrides)
    return cfg


# The eight kernels as (light, dark, needs min(light) > key(c)); neighbour names are
# positions in a 3x3 window, "t" is the row above (-y in texture coordinates).
KERNELS = {
    0: (("tl", "t", "tr"), ("bl", "b", "br"), True),
    4: (("bl", "b", "br"), ("tl", "t", "tr"), True),
    1: (("r", "t", "tr"), ("c", "l", "b"), False),
    5: (("bl", "l", "b"), ("c", "r", "t"), False),
    2: (("r", "br", "tr"), ("l", "tl", "bl"), True),
    6: (("l", "tl", "bl"), ("r", "br", "tr"), True),
    3: (("r", "br", "b"), ("c", "l", "t"), False),
    7: (("t", "l", "tl"), ("c", "r", "b"), False),
}
REFINE_ORDER = (0, 4, 1, 5, 2, 6, 3, 7)
# A kernel matches only if light keys exceed dark ones by this margin. The published test
# is a strict ">", which flips on exact ties (G is clamped to exactly 0 or 1 over wide
# areas) whenever a GPU sampler mixes in 1/256 of a neighbour; the margin makes GL and
# this reference agree and does not change measured quality.
MATCH_MARGIN = 1.0 / 128.0
THIN_PAIRS = ((0, 4), (1, 5), (2, 6), (3, 7))
OFFSETS = {"tl": (-1, -1), "t": (0, -1), "tr": (1, -1), "l": (-1, 0), "c": (0, 0),
           "r": (1, 0), "bl": (-1, 1), "b": (0, 1), "br": (1, 1)}


# ----------------------------------------------------------------------------- sampling

def _axis_taps(coords: np.ndarray, size: int):
    """GL_LINEAR along one axis: clamped indices and weight of the upper texel."""
    p = coords.astype(np.float64) * size - 0.5
    i0 = np.floor(p)
    f = (p - i0).astype(np.float32)
    i0 = i0.astype(np.int64)
    return np.clip(i0, 0, size - 1), np.clip(i0 + 1, 0, size - 1), f


def sample_grid(tex: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Bilinear GL sample of tex (H x W x C) at every (u[j], v[i]): result len(v) x len(u) x C.

    Positions that form a grid (all our passes except FXAA) make bilinear separable,
    which is what keeps the reference fast.
    """
    h, w = tex.shape[:2]
    x0, x1, fx = _axis_taps(np.asarray(u), w)
    y0, y1, fy = _axis_taps(np.asarray(v), h)
    fx = fx[None, :, None]
    rows = tex[:, x0] * (1 - fx) + tex[:, x1] * fx
    fy = fy[:, None, None]
    return rows[y0] * (1 - fy) + rows[y1] * fy


def sample(tex: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Bilinear GL sample of tex (H x W x C) at arbitrary texcoords u, v (same shape)."""
    h, w = tex.shape[:2]
    x0, x1, fx = _axis_taps(u, w)
    y0, y1, fy = _axis_taps(v, h)
    fx, fy = fx[..., None], fy[..., None]
    top = tex[y0, x0] * (1 - fx) + tex[y0, x1] * fx
    bot = tex[y1, x0] * (1 - fx) + tex[y1, x1] * fx
    return top * (1 - fy) + bot * fy


def centres(n: int) -> np.ndarray:
    """Texture coordinates of the texel centres of an n-texel axis."""
    return ((np.arange(n, dtype=np.float64) + 0.5) / n)


# ----------------------------------------------------------------------------- scalers

def _cubic_weight(t: np.ndarray) -> np.ndarray:
    t = np.abs(t)
    near = 1.5 * t ** 3 - 2.5 * t ** 2 + 1
    far = -0.5 * t ** 3 + 2.5 * t ** 2 - 4 * t + 2
    return np.where(t <= 1, near, np.where(t < 2, far, 0.0))


def _lanczos_weight(t: np.ndarray) -> np.ndarray:
    return np.where(np.abs(t) < 3, np.sinc(t) * np.sinc(t / 3), 0.0)


_KERNELS = {"bicubic": (_cubic_weight, -1, 2, False), "lanczos": (_lanczos_weight, -2, 3, True)}


def _resample_axis(img: np.ndarray, n_out: int, axis: int, kind: str,
                   offset: float = 0.0) -> np.ndarray:
    n_in = img.shape[axis]
    weight, lo, hi, normalise = _KERNELS[kind]
    p = (np.arange(n_out, dtype=np.float64) + 0.5) * n_in / n_out - 0.5 + offset
    i = np.floor(p)
    f = p - i
    taps = np.arange(lo, hi + 1)
    w = weight(f[:, None] - taps[None, :])  # distance from p to tap i + k is f - k
    if normalise:
        w = w / w.sum(axis=1, keepdims=True)
    idx = np.clip(i[:, None].astype(np.int64) + taps[None, :], 0, n_in - 1)
    moved = np.moveaxis(img, axis, 0)
    out = np.einsum("ok,ok...->o...", w.astype(np.float32), moved[idx])
    return np.moveaxis(out, 0, axis).astype(np.float32)


def scale(img: np.ndarray, out_w: int, out_h: int, kind: str = "bicubic",
          offset: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
    """The chain's scaler: bilinear (GL_LINEAR), bicubic (Catmull-Rom) or lanczos (3).
    ``offset`` moves the source position, in source texels (the chain's OFFSET correction).
    The GL bicubic writes the same polynomial in closed form per tap (docs/chain.md); in
    float32 the two agree to ~1e-7, far below the RGBA16F intermediate's rounding."""
    img = np.asarray(img, np.float32)
    ox, oy = (float(v) for v in offset)
    if kind == "bilinear":
        h, w = img.shape[:2]
        if (w, h) == (out_w, out_h) and (ox, oy) == (0.0, 0.0):
            return img.copy()
        return sample_grid(img, centres(out_w) + ox / w,
                           centres(out_h) + oy / h).astype(np.float32)
    if kind not in _KERNELS:
        raise ValueError(f"unknown scaler {kind!r}; expected one of {SCALERS}")
    # Horizontal first, as the GL chain does (into an intermediate w_out x h_in texture).
    return _resample_axis(_resample_axis(img, out_w, 1, kind, ox), out_h, 0, kind, oy)


# ----------------------------------------------------------------------------- helpers

def half(x: np.ndarray) -> np.ndarray:
    """Round to what an RGBA16F texture stores: every saved pass output goes through it."""
    return np.asarray(x, np.float32).astype(np.float16).astype(np.float32)


def luma709(img: np.ndarray) -> np.ndarray:
    return img[..., :3] @ REC709


def _blur(tex, u, v, taps, d, axis):
    """Separable blur of tex along axis (0 = x, 1 = y) at step d, clamped to [0, 1]."""
    acc = None
    for k in range(-(len(taps) - 1), len(taps)):
        uu, vv = (u + k * d, v) if axis == 0 else (u, v + k * d)
        term = taps[abs(k)] * sample_grid(tex, uu, vv)
        acc = term if acc is None else acc + term
    return np.clip(acc, 0.0, 1.0)


def _neighbours(img: np.ndarray) -> dict[str, np.ndarray]:
    """3x3 window of an output-size texture at texel centres (clamp to edge)."""
    pad = np.pad(img, ((1, 1), (1, 1), (0, 0)), mode="edge")
    h, w = img.shape[:2]
    return {n: pad[1 + dy:1 + dy + h, 1 + dx:1 + dx + w] for n, (dx, dy) in OFFSETS.items()}


def _map_neighbours(m, u, v, d):
    """3x3 window of a map sampled at output-pixel steps (bilinear if the map is smaller)."""
    return {n: sample_grid(m, u + dx * d[0], v + dy * d[1]) for n, (dx, dy) in OFFSETS.items()}


def _kernel_match(keys, kid):
    light, dark, needs_centre = KERNELS[kid]
    lmin = np.minimum(np.minimum(keys[light[0]], keys[light[1]]), keys[light[2]])
    dmax = np.maximum(np.maximum(keys[dark[0]], keys[dark[1]]), keys[dark[2]])
    ok = lmin > dmax + MATCH_MARGIN
    if needs_centre:
        ok &= lmin > keys["c"] + MATCH_MARGIN
    return ok


def _light_mean(values, kid):
    light = KERNELS[kid][0]
    return (values[light[0]] + values[light[1]] + values[light[2]]) / 3.0


# ----------------------------------------------------------------------------- analysis

def _analysis_divide(y_src, out_w, out_h, map_w, map_h, taps):
    """Full/Fast maps (P, G) at map size: blur, colour-divide lines, blurred lines, Sobel."""
    d = (1.0 / out_w, 1.0 / out_h)
    u, v = centres(map_w), centres(map_h)
    y = y_src[..., None]
    n = len(taps) - 1
    # pass 1: horizontal blur of Y, Y itself, Sobel row terms a and s -> ROW (4 channels)
    ys = {k: sample_grid(y, u + k * d[0], v) for k in range(-n, n + 1)}
    blur_h = np.clip(sum(taps[abs(k)] * ys[k] for k in ys), 0.0, 1.0)
    row = half(np.concatenate([blur_h, ys[0], ys[1] - ys[-1], ys[-1] + 2 * ys[0] + ys[1]], axis=2))
    # pass 2: vertical blur -> B, colour divide -> line, Sobel columns -> G
    rs = {k: sample_grid(row, u, v + k * d[1]) for k in range(-n, n + 1)}
    b = np.clip(sum(taps[abs(k)] * rs[k][..., 0:1] for k in rs), 0.0, 1.0)
    lum = np.clip(rs[0][..., 1:2], 0.001, 0.999)
    bc = np.clip(b, 0.001, 0.999)
    line = 1.0 - np.clip(np.minimum(lum / bc, 1.0) - 0.05, 0.0, 1.0)
    gx = rs[-1][..., 2:3] + 2 * rs[0][..., 2:3] + rs[1][..., 2:3]
    gy = rs[1][..., 3:4] - rs[-1][..., 3:4]
    g = 1.0 - np.clip(np.sqrt(gx * gx + gy * gy), 0.0, 1.0)
    lg = half(np.concatenate([line, g], axis=2))
    # passes 3 and 4: blur the line map H then V, carrying G along in channel 2
    lh = _blur(lg[..., 0:1], u, v, taps, d[0], 0)
    lhg = half(np.concatenate([lh, lg[..., 1:2]], axis=2))
    p = _blur(lhg[..., 0:1], u, v, taps, d[1], 1)
    return half(np.concatenate([p, sample_grid(lhg[..., 1:2], u, v)], axis=2))


def _analysis_gradient(y_src, out_w, out_h, map_w, map_h, taps):
    """UltraFast maps (P, G): Sobel at source-texel steps, P = 1 - blur5(G)."""
    d = (1.0 / out_w, 1.0 / out_h)
    s = (1.0 / y_src.shape[1], 1.0 / y_src.shape[0])
    u, v = centres(map_w), centres(map_h)
    y = y_src[..., None]
    yl, yc, yr = (sample_grid(y, u + k * s[0], v) for k in (-1, 0, 1))
    row = half(np.concatenate([yr - yl, yl + 2 * yc + yr], axis=2))
    rt, rc, rb = (sample_grid(row, u, v + k * s[1]) for k in (-1, 0, 1))
    gx = rt[..., 0:1] + 2 * rc[..., 0:1] + rb[..., 0:1]
    gy = rb[..., 1:2] - rt[..., 1:2]
    g = half(1.0 - np.clip(np.sqrt(gx * gx + gy * gy), 0.0, 1.0))
    gh = _blur(g, u, v, taps, d[0], 0)
    ghg = half(np.concatenate([gh, g], axis=2))
    p = 1.0 - _blur(ghg[..., 0:1], u, v, taps, d[1], 1)
    return half(np.concatenate([p, sample_grid(ghg[..., 1:2], u, v)], axis=2))


# ----------------------------------------------------------------------------- refinement

def thin_lines(img, p, threshold, st):
    """Pass 6: push light colour into dark lines (key = Rec.709 luma of the colours)."""
    nb = _neighbours(img)
    keys = {n: luma709(c)[..., None] for n, c in nb.items()}
    best, best_key = nb["c"], keys["c"]
    for first, mirror in THIN_PAIRS:
        m1 = _kernel_match(keys, first)
        m2 = ~m1 & _kernel_match(keys, mirror)
        for kid, m in ((first, m1), (mirror, m2)):
            cand = (1 - st) * nb["c"] + st * _light_mean(nb, kid)
            cand_key = (1 - st) * keys["c"] + st * _light_mean(keys, kid)
            take = m & (cand_key > best_key)
            best = np.where(take, cand, best)
            best_key = np.where(take, cand_key, best_key)
    return half(np.where(p < threshold, img, best))


def refine(img, g_nb, p, threshold, strength):
    """Pass 7: at the first matching kernel (key = G) push towards the flatter side."""
    nb = _neighbours(img)
    out = nb["c"]
    done = np.zeros(p.shape, bool)
    for kid in REFINE_ORDER:
        m = _kernel_match(g_nb, kid) & ~done
        out = np.where(m, (1 - strength) * nb["c"] + strength * _light_mean(nb, kid), out)
        done |= m
    return half(np.where(p < threshold, img, out))


def fxaa(img, p, threshold, strength, d):
    """Pass 8: one FXAA-lite iteration, luma (2R+3G+B)/6 throughout."""
    nb = _neighbours(img)
    lum = {n: nb[n] @ FXAA_LUMA for n in ("tl", "tr", "bl", "br", "c")}
    dir_x = -(lum["tl"] + lum["tr"]) + (lum["bl"] + lum["br"])
    dir_y = (lum["tl"] + lum["bl"]) - (lum["tr"] + lum["br"])
    reduce = np.maximum((lum["tl"] + lum["tr"] + lum["bl"] + lum["br"]) * (0.25 / 8), 1 / 128)
    rcp = 1.0 / (np.minimum(np.abs(dir_x), np.abs(dir_y)) + reduce)
    dx = np.clip(dir_x * rcp, -8, 8) * d[0]
    dy = np.clip(dir_y * rcp, -8, 8) * d[1]
    h, w = img.shape[:2]
    u, v = np.meshgrid(centres(w), centres(h))

    def at(k):
        return sample(img, u + k * dx, v + k * dy)

    a = 0.5 * (at(-1 / 6) + at(1 / 6))
    bm = 0.5 * a + 0.25 * (at(-0.5) + at(0.5))
    lb = bm @ FXAA_LUMA
    lmin = np.minimum.reduce([lum[n] for n in lum])
    lmax = np.maximum.reduce([lum[n] for n in lum])
    picked = np.where(((lb < lmin) | (lb > lmax))[..., None], a, bm)
    out = nb["c"] + (picked - nb["c"]) * strength
    return half(np.where(p < threshold, img, out))


def anime4k(img: np.ndarray, out_w: int, out_h: int, tier: str, scaler: str = "bicubic",
            map_size: str = "output") -> np.ndarray:
    """Upscale img (H x W x 3 float32) to out_w x out_h with an Anime4K tier, as the GL does.

    map_size "output" mirrors shaders/anime4k/<tier>.glsl (maps stored at output size);
    "source" mirrors shaders/anime4k/variants/full_srcmaps.glsl (Full only). Below 1.4x in
    either axis every pass is skipped and the result is the plain scaler's. The result is
    clamped to [0, 1] like the chain's final output.
    """
    if tier not in TIER_PARAMS:
        raise ValueError(f"unknown tier {tier!r}; expected one of {TIERS}")
    if map_size not in ("output", "source"):
        raise ValueError(f"map_size must be 'output' or 'source', not {map_size!r}")
    img = np.asarray(img, np.float32)[..., :3]
    h, w = img.shape[:2]
    up = half(scale(img, out_w, out_h, scaler))
    if not (out_w / w > MIN_FACTOR and out_h / h > MIN_FACTOR):
        return np.clip(up, 0.0, 1.0)
    # the bands are the shipped tier files'; variants/full_srcmaps.glsl has none
    cfg = tier_params(tier, min(out_w / w, out_h / h)) if map_size == "output" \
        else TIER_PARAMS[tier]
    mw, mh = (out_w, out_h) if map_size == "output" else (w, h)
    y_src = luma709(img).astype(np.float32)
    analyse = _analysis_gradient if tier == "UltraFast" else _analysis_divide
    pg = analyse(y_src, out_w, out_h, mw, mh, cfg["blur"])
    d = (1.0 / out_w, 1.0 / out_h)
    u, v = centres(out_w), centres(out_h)
    nb = _map_neighbours(pg, u, v, d)
    p = nb["c"][..., 0:1]
    g_nb = {n: m[..., 1:2] for n, m in nb.items()}
    factor = out_w / w
    ramp = np.clip(min(factor, 1.0) * p * 6.0, 0.0, 1.0)  # min(scale, 1) as published
    thr = cfg["threshold"]
    if cfg["thin"]:
        up = thin_lines(up, p, thr, min(factor / 6.0, 1.0) * cfg["thin_gain"])
    strength = np.full_like(p, cfg["max_strength"]) if cfg["constant"] \
        else np.minimum(ramp, cfg["max_strength"])
    strength = strength * cfg.get("refine_gain", 1.0)
    up = refine(up, g_nb, p, thr, strength)
    if cfg["fxaa"]:
        up = fxaa(up, p, thr, ramp * cfg["fxaa_gain"], d)
    return np.clip(up, 0.0, 1.0)

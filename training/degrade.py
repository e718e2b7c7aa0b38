"""Real-video degradations for the training and validation data, deterministic under a seed.

Every function takes float32 H x W x 3 images in [0, 1] and a numpy Generator (or fixed
parameters) and returns a new image; nothing reads global state, so the same seed gives the
same pixels on every run (x264 / x265 run single-threaded for that reason).

Two stages, mirroring how a real episode reaches a player and how we measure it:

* `realistic_hr` turns a clean composite into what a broadcast 1080p frame looks like:
  a soft master (drawn or composited below the delivery size, then upscaled), slight blur,
  film grain, 4:2:0 chroma and H.264 / HEVC compression at typical CRFs.
* `make_lr` derives the low-resolution input from that frame: area (most often, the
  measuring convention), bicubic or bilinear 2x downscale, optionally followed by a second,
  LR-side compression / 4:2:0 / blur (the low-resolution stream a player actually gets).
"""
from __future__ import annotations

import av
import numpy as np
from PIL import Image, ImageFilter

BT601 = np.array([0.299, 0.587, 0.114], np.float32)

# CRF ranges typical of fansub / web / broadcast encodes of anime.
H264_CRF = (16, 27)
HEVC_CRF = (18, 29)


def to_u8(img: np.ndarray) -> np.ndarray:
    return (np.clip(img, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def from_u8(img: np.ndarray) -> np.ndarray:
    return img.astype(np.float32) / 255.0


def area_down2(img: np.ndarray) -> np.ndarray:
    h, w = img.shape[0] // 2 * 2, img.shape[1] // 2 * 2
    x = img[:h, :w]
    return 0.25 * (x[0::2, 0::2] + x[1::2, 0::2] + x[0::2, 1::2] + x[1::2, 1::2])


def resize(img: np.ndarray, w: int, h: int, kernel: str) -> np.ndarray:
    """Pillow resize of float data per channel (mode F keeps precision). Pillow's filters
    are support-scaled on downscale (antialiased), like ffmpeg's swscale."""
    filt = {"bicubic": Image.BICUBIC, "bilinear": Image.BILINEAR, "lanczos": Image.LANCZOS,
            "box": Image.BOX}[kernel]
    chans = [np.asarray(Image.fromarray(np.ascontiguousarray(img[..., c]), "F")
                        .resize((w, h), filt), np.float32) for c in range(img.shape[2])]
    return np.stack(chans, -1)


def downscale2(img: np.ndarray, kernel: str) -> np.ndarray:
    h, w = img.shape[0] // 2, img.shape[1] // 2
    if kernel == "area":
        return area_down2(img)
    return resize(img[:2 * h, :2 * w], w, h, kernel)


def gaussian_blur(img: np.ndarray, sigma: float) -> np.ndarray:
    """Separable Gaussian, replicate borders."""
    r = max(1, int(np.ceil(3 * sigma)))
    k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2).astype(np.float32)
    k /= k.sum()
    out = img
    for axis in (0, 1):
        pad = [(0, 0)] * 3
        pad[axis] = (r, r)
        p = np.pad(out, pad, mode="edge")
        n = out.shape[axis]
        acc = np.zeros_like(out)
        for i, kv in enumerate(k):
            acc += kv * np.take(p, np.arange(i, i + n), axis=axis)
        out = acc
    return out


def soft_master(img: np.ndarray, factor: float, kernel: str = "bicubic") -> np.ndarray:
    """Down by `factor` (>1) then back up with bicubic: a master made below delivery size."""
    h, w = img.shape[:2]
    sw, sh = max(8, round(w / factor)), max(8, round(h / factor))
    return resize(resize(img, sw, sh, kernel), w, h, "bicubic")


def grain(img: np.ndarray, rng: np.random.Generator, sigma: float, mono: bool = True,
          soft: float = 0.0) -> np.ndarray:
    """Additive Gaussian grain (sigma in 8-bit code values), optionally slightly blurred."""
    shape = img.shape[:2] + ((1,) if mono else (3,))
    n = rng.standard_normal(shape).astype(np.float32) * (sigma / 255.0)
    if soft > 0:
        n = gaussian_blur(n, soft) * (1.0 + soft)
    return img + n


def _rgb_to_ycbcr(img: np.ndarray) -> np.ndarray:
    y = img @ BT601
    cb = (img[..., 2] - y) / 1.772
    cr = (img[..., 0] - y) / 1.402
    return np.stack([y, cb, cr], -1)


def _ycbcr_to_rgb(ycc: np.ndarray) -> np.ndarray:
    y, cb, cr = ycc[..., 0], ycc[..., 1], ycc[..., 2]
    r = y + 1.402 * cr
    b = y + 1.772 * cb
    g = (y - 0.299 * r - 0.114 * b) / 0.587
    return np.stack([r, g, b], -1)


def chroma420(img: np.ndarray) -> np.ndarray:
    """4:2:0: chroma box-averaged 2x2 and brought back with bilinear (what a player does)."""
    h, w = img.shape[0] // 2 * 2, img.shape[1] // 2 * 2
    ycc = _rgb_to_ycbcr(img[:h, :w])
    c = area_down2(ycc[..., 1:])
    c = resize(c, w, h, "bilinear")
    out = _ycbcr_to_rgb(np.concatenate([ycc[..., :1], c], -1))
    if (h, w) != img.shape[:2]:
        full = img.copy()
        full[:h, :w] = out
        out = full
    return out


def encode(img: np.ndarray, codec: str, crf: int, frames: int = 1,
           rng: np.random.Generator | None = None) -> np.ndarray:
    """Round trip through libx264 / libx265 (yuv420p, single-threaded, so deterministic).

    With frames > 1 the encoder sees a short pan (1-2 px steps, from rng) and the LAST
    decoded frame is returned, shifted back: a P/B frame, which real episodes are mostly
    made of, with more artefacts than an intra frame at the same CRF."""
    u8 = to_u8(img)
    h, w = u8.shape[:2]
    # Whole macroblocks, edge-padded, and one macroblock more on the right and at the bottom:
    # swscale's yuv420p -> rgb24 (and back) may read chroma past a frame's last column, and
    # those bytes are a pooled buffer's leftovers (seen: the last pixel of a test image
    # differing between two identical calls in one process); the extra margin is cropped.
    ph, pw = (h + 15) // 16 * 16 + 16, (w + 15) // 16 * 16 + 16
    u8 = np.pad(u8, ((0, ph - h), (0, pw - w), (0, 0)), mode="edge")
    steps = [(0, 0)]
    if frames > 1:
        assert rng is not None
        dy, dx = (int(v) for v in rng.integers(-2, 3, size=2))
        steps = [(dy * (frames - 1 - i), dx * (frames - 1 - i)) for i in range(frames)]
    from fractions import Fraction
    enc = av.CodecContext.create({"h264": "libx264", "hevc": "libx265"}[codec], "w")
    enc.width, enc.height, enc.pix_fmt = pw, ph, "yuv420p"
    enc.time_base = Fraction(1, 24)
    enc.thread_count = 1
    if codec == "h264":
        enc.options = {"crf": str(crf), "preset": "veryfast", "threads": "1",
                       "tune": "animation",
                       # every x264 thread off by name: no timing can reach the output
                       "x264-params": "threads=1:lookahead-threads=1:sliced-threads=0:"
                                      "sync-lookahead=0"}
    else:
        enc.options = {"crf": str(crf), "preset": "veryfast",
                       "x265-params": "log-level=none:pools=none:frame-threads=1"}
    packets = []
    for i, (sy, sx) in enumerate(steps):
        fr = np.roll(u8, (sy, sx), axis=(0, 1))
        vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(fr), format="rgb24")
        vf = vf.reformat(format="yuv420p")
        vf.pts = i
        vf.time_base = enc.time_base
        packets += enc.encode(vf)
    packets += enc.encode(None)
    dec = av.CodecContext.create(codec, "r")
    dec.thread_count = 1
    decoded = []
    for pkt in packets:
        decoded += [f.to_ndarray(format="rgb24") for f in dec.decode(pkt)]
    decoded += [f.to_ndarray(format="rgb24") for f in dec.decode(None)]
    last = decoded[-1]
    return from_u8(last[:h, :w])


# ----------------------------------------------------------------------------- mixes

def realistic_hr(img: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, list[str]]:
    """A clean composite made to look like a delivered frame; returns (image, steps)."""
    steps = []
    x = img
    if rng.random() < 0.5:
        f = float(rng.uniform(1.15, 1.9))
        x = soft_master(x, f, str(rng.choice(["bicubic", "bilinear", "box"])))
        steps.append(f"soft{f:.2f}")
    if rng.random() < 0.2:
        s = float(rng.uniform(0.3, 0.7))
        x = gaussian_blur(x, s)
        steps.append(f"blur{s:.2f}")
    if rng.random() < 0.35:
        s = float(rng.uniform(0.8, 3.5))
        x = grain(x, rng, s, mono=bool(rng.random() < 0.7), soft=float(rng.choice([0.0, 0.6])))
        steps.append(f"grain{s:.1f}")
    r = rng.random()
    if r < 0.45:
        crf = int(rng.integers(*H264_CRF))
        x = encode(x, "h264", crf, frames=int(rng.choice([1, 3])), rng=rng)
        steps.append(f"h264crf{crf}")
    elif r < 0.65:
        crf = int(rng.integers(*HEVC_CRF))
        x = encode(x, "hevc", crf, frames=1)
        steps.append(f"hevccrf{crf}")
    elif r < 0.9:
        x = chroma420(x)
        steps.append("420")
    return np.clip(x, 0.0, 1.0).astype(np.float32), steps


DOWN_KERNELS = ("area",) * 8 + ("bicubic", "bilinear")


def make_lr(hr: np.ndarray, rng: np.random.Generator,
            extra_prob: float = 0.1) -> tuple[np.ndarray, list[str]]:
    """2x downscale with a random kernel, then (with extra_prob) an LR-side degradation."""
    kernel = str(rng.choice(DOWN_KERNELS))
    lr = downscale2(hr, kernel)
    steps = [kernel]
    if rng.random() < extra_prob:
        r = rng.random()
        if r < 0.6:
            crf = int(rng.integers(18, 27))
            lr = encode(lr, "h264", crf)
            steps.append(f"lr-h264crf{crf}")
        elif r < 0.8:
            lr = chroma420(lr)
            steps.append("lr-420")
        else:
            s = float(rng.uniform(0.3, 0.6))
            lr = gaussian_blur(lr, s)
            steps.append(f"lr-blur{s:.2f}")
    return np.clip(lr, 0.0, 1.0).astype(np.float32), steps

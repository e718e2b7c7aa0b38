"""Torch-free forward pass of a saved learned-upscaler weight file (.npz).

This is the reference for what player/shipped/shaders/learned/*.glsl compute: the same layers, the same
clamp-to-edge borders, the same bilinear base. Tests compare the GL chain against it, and
the evaluation uses it so the reported PSNR is the PSNR of the shipped weights.
Images are float32 H x W x 3 in [0, 1]; outputs are 2H x 2W x 3, unclamped unless asked.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np


def load(path: str | Path) -> dict:
    with np.load(path) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["config"] = json.loads(str(arrays["config"]))
    return arrays


def _act(x: np.ndarray, leak: float) -> np.ndarray:
    return np.where(x >= 0, x, x * np.float32(leak))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def conv3x3(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """x: H x W x Cin, w: Cout x Cin x 3 x 3 (torch layout, cross-correlation)."""
    h, wd = x.shape[:2]
    p = np.pad(x, ((1, 1), (1, 1), (0, 0)), mode="edge")
    out = np.broadcast_to(b.astype(np.float32), (h, wd, w.shape[0])).copy()
    for ky in range(3):
        for kx in range(3):
            out += p[ky:ky + h, kx:kx + wd] @ w[:, :, ky, kx].T
    return out


def conv1x1(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    return x @ w[:, :, 0, 0].T + b


def bilinear2x(img: np.ndarray) -> np.ndarray:
    """GL_LINEAR sampling at 2x with clamp to edge: weights 1/4, 3/4 along each axis."""
    def axis(a: np.ndarray, ax: int) -> np.ndarray:
        a = np.moveaxis(a, ax, 0)
        prev = np.concatenate([a[:1], a[:-1]])
        nxt = np.concatenate([a[1:], a[-1:]])
        out = np.empty((2 * a.shape[0],) + a.shape[1:], np.float32)
        out[0::2] = 0.25 * prev + 0.75 * a
        out[1::2] = 0.75 * a + 0.25 * nxt
        return np.moveaxis(out, 0, ax)
    return axis(axis(img.astype(np.float32), 0), 1)


def residual(weights: dict, img: np.ndarray) -> np.ndarray:
    """The tail's four sub-pixel luma residuals at source size: H x W x 4."""
    cfg = weights["config"]
    leak = cfg["leak"]
    f = _act(conv3x3(img, weights["head.weight"], weights["head.bias"]), leak)
    for i in range(cfg["blocks"]):
        k = f"blocks.{i}."
        y = _act(conv3x3(f, weights[k + "conv.weight"], weights[k + "conv.bias"]), leak)
        att = y * _sigmoid(conv1x1(y, weights[k + "gate.weight"], weights[k + "gate.bias"]))
        if k + "proj.weight" in weights:  # expanded block: narrow back to the stored width
            f = f + conv1x1(att, weights[k + "proj.weight"], weights[k + "proj.bias"])
        elif cfg["dynamic"]:
            plain = _act(conv3x3(f, weights[k + "plain.weight"], weights[k + "plain.bias"]), leak)
            m = conv1x1(f, weights[k + "mix.weight"], weights[k + "mix.bias"])
            wa = _sigmoid(m[..., :1] - m[..., 1:])  # softmax over two = sigmoid of difference
            f = f + wa * att + (1.0 - wa) * plain
        else:
            f = f + att
    return conv3x3(f, weights["tail.weight"], weights["tail.bias"])


def depth_to_space(r: np.ndarray) -> np.ndarray:
    """H x W x 4 -> 2H x 2W; channel 2*dy + dx goes to sub-pixel (dy, dx), as pixel_shuffle."""
    h, w = r.shape[:2]
    return r.reshape(h, w, 2, 2).transpose(0, 2, 1, 3).reshape(2 * h, 2 * w)


def upscale(weights: dict, img: np.ndarray, clamp: bool = True) -> np.ndarray:
    img = np.asarray(img, np.float32)[..., :3]
    out = bilinear2x(img) + depth_to_space(residual(weights, img))[..., None]
    return np.clip(out, 0.0, 1.0) if clamp else out

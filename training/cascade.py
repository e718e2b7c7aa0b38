"""Training pairs for the second 2x of a cascade (issue 28): the pass a profile runs after
a first learned 2x when the window is 2x-4x the video.

Listing the same weights twice measured only +0.3 dB at 4x on the issue's held-out frames:
the second pass never saw its own output as input. Here its input is what it will see: the
first pass's output (unclamped float, as the chain's float texture hands it on) of the
area-down 4x of a training HR, and its target that HR, so the pair is exactly the 4x
measurement (area-down 4x, up 2x twice). The HRs are the realistic pool's scenes (one per
scene) and, as the clean share, the v1 tier's clean images (training corpus + clip art).

Owns: the first-pass inputs (`first_pass_inputs`), the sampler of crops from them
(`CascadeSampler`, RealPairSampler's contract with float inputs) and `samplers`, which
train.py calls for `--cascade FIRST.npz`.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from training.model import from_arrays
from training.realdata import MixedSampler, RealPairSampler


def area4(hr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(HR cropped to a multiple of 4, its area-down 4x in [0, 1] float32)."""
    h, w = hr.shape[0] // 4 * 4, hr.shape[1] // 4 * 4
    hr = hr[:h, :w]
    x = hr.astype(np.float32) / (255.0 if hr.dtype == np.uint8 else 1.0)
    return hr, x.reshape(h // 4, 4, w // 4, 4, 3).mean(axis=(1, 3))


def first_pass_inputs(first: Path, hrs: list[np.ndarray]) -> tuple[list, list]:
    """(HRs cropped to a multiple of 4, the first pass's 2x of each one's area-down 4x,
    float32 unclamped), with the first pass's weights from `first` (.npz)."""
    with np.load(first) as arrays:
        model = from_arrays(arrays)
    model.eval()
    crops, outs = [], []
    with torch.no_grad():
        for hr in hrs:
            hr, lr4 = area4(hr)
            x = torch.from_numpy(np.ascontiguousarray(lr4.transpose(2, 0, 1))[None])
            outs.append(model(x)[0].numpy().transpose(1, 2, 0).astype(np.float32))
            crops.append(hr)
    return crops, outs


class _Pairs:
    """images() of a CascadeSampler: (input, HR) as float [0, 1], converted on access so
    the HRs are not held twice (ImageErrors reads them once per refresh)."""

    def __init__(self, hrs, lrs):
        self.hrs, self.lrs = hrs, lrs

    def __len__(self):
        return len(self.hrs)

    def __getitem__(self, i):
        hr = self.hrs[i]
        return self.lrs[i][0], hr.astype(np.float32) / (255.0 if hr.dtype == np.uint8 else 1.0)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __add__(self, other):   # MixedSampler.images(): real + clean, still lazy
        return _Pairs(list(self.hrs) + list(other.hrs), list(self.lrs) + list(other.lrs))


class CascadeSampler(RealPairSampler):
    """Seeded crops (input n x n, HR 2n x 2n) of first-pass outputs and their HRs: the same
    crops, flips and near-flat redraws as RealPairSampler; inputs stay float (unclamped)."""

    def __init__(self, hrs, inputs, lr_size: int, seed: int, min_std: float = 0.02):
        # RealPairSampler divides LR and HR by 255: hand it the inputs at that scale
        super().__init__(hrs, [[x * 255.0] for x in inputs], lr_size, seed, min_std)
        self.inputs = inputs

    def images(self):
        return _Pairs(self.hrs, [[x] for x in self.inputs])


def samplers(first: Path, pool_hrs, clean_images, lr_size: int, seed: int,
             clean_share: float):
    """The cascade sampler of a run: the realistic HRs' pairs, mixed with the clean
    images' (a share of each batch, MixedSampler) when both are given."""
    hrs, inputs = first_pass_inputs(first, list(pool_hrs))
    real = CascadeSampler(hrs, inputs, lr_size, seed)
    if not clean_images or clean_share <= 0:
        return real
    chrs, cinputs = first_pass_inputs(first, list(clean_images))
    clean = CascadeSampler(chrs, cinputs, lr_size, seed + 1, min_std=0.03)
    return MixedSampler(real, clean, clean_share, seed)

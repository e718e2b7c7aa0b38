"""training/cascade.py: the second 2x of a cascade trains on what it will see, the first
pass's (unclamped) output of the area-down 4x of an HR, against that HR."""
from __future__ import annotations

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from tests.unit.test_learned_export import line_art  # noqa: E402
from training import cascade, infer_numpy  # noqa: E402
from training.model import LearnedUpscaler, to_arrays  # noqa: E402
from training.train import ImageErrors  # noqa: E402


@pytest.fixture
def first(tmp_path):
    torch.manual_seed(0)
    model = LearnedUpscaler(4, 2, False, False)
    torch.nn.init.normal_(model.tail.weight, std=0.2)   # residuals large enough to see
    path = tmp_path / "first.npz"
    np.savez(path, **to_arrays(model))
    return path


def _hr(h, w, seed):
    art = line_art(h, w)
    noise = np.random.default_rng(seed).random((h, w, 1)) * 0.1
    return np.round(np.clip(art * 0.9 + noise, 0, 1) * 255).astype(np.uint8)


def test_inputs_are_the_first_pass_of_the_area_down_4x(first):
    hr = _hr(130, 203, 1)                      # not multiples of 4: cropped
    crops, outs = cascade.first_pass_inputs(first, [hr])
    assert crops[0].shape == (128, 200, 3) and np.array_equal(crops[0], hr[:128, :200])
    lr4 = hr[:128, :200].astype(np.float64).reshape(32, 4, 50, 4, 3).mean(axis=(1, 3)) / 255
    weights = infer_numpy.load(first)
    want = infer_numpy.upscale(weights, lr4.astype(np.float32), clamp=False)
    assert outs[0].shape == (64, 100, 3)
    np.testing.assert_allclose(outs[0], want, atol=2e-5)
    assert json.loads(str(np.load(first)["config"]))["blocks"] == 2


def test_crops_pair_a_first_pass_output_with_its_hr(first):
    hrs = [_hr(136, 160, 2), _hr(144, 128, 3)]
    crops, outs = cascade.first_pass_inputs(first, hrs)
    s = cascade.CascadeSampler(crops, outs, 16, seed=4, min_std=0.0)
    lr, hr, ids = s.batch_ids(12)
    assert lr.shape == (12, 3, 16, 16) and hr.shape == (12, 3, 32, 32)
    assert lr.dtype == hr.dtype == np.float32
    for k, i in enumerate(ids):   # each input crop sits in its image's first-pass output
        x, h = lr[k].transpose(1, 2, 0), hr[k].transpose(1, 2, 0)
        out, full = outs[i], crops[i].astype(np.float32) / 255
        windows = np.lib.stride_tricks.sliding_window_view(out, (16, 16, 3))[..., 0, :, :, :]
        found = False
        for flip in (False, True):
            for rot in range(4):
                a, b = np.rot90(x, -rot), np.rot90(h, -rot)
                a, b = (a[:, ::-1], b[:, ::-1]) if flip else (a, b)
                hits = np.argwhere(np.abs(windows - a).max(axis=(2, 3, 4)) <= 1e-5)
                found |= any(np.allclose(full[2 * y:2 * y + 32, 2 * xx:2 * xx + 32], b,
                                         atol=1e-6) for y, xx in hits)
        assert found, k
    # the whole images, as the imgmse cycle reads them: floats in [0, 1], lazily
    pairs = s.images()
    assert len(pairs) == 2
    x0, h0 = pairs[0]
    assert np.array_equal(x0, outs[0]) and h0.dtype == np.float32 and h0.max() <= 1
    errors = ImageErrors(pairs)
    model = LearnedUpscaler(4, 2, False, False)
    errors.refresh(model, lum=True, step=0)
    assert errors.mse.shape == (2,) and (errors.mse > 0).all()


def test_clean_images_mix_in_as_a_share(first):
    mixed = cascade.samplers(first, [_hr(136, 160, 5)], [_hr(128, 128, 6), _hr(132, 136, 7)],
                             16, seed=1, clean_share=0.5)
    lr, hr, ids = mixed.batch_ids(16)
    assert (ids >= 1).any() and (ids < 1).any() and len(mixed.images()) == 3
    assert isinstance(cascade.samplers(first, [_hr(136, 160, 5)], [], 16, 1, 0.25),
                      cascade.CascadeSampler)

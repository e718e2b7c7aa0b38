"""The imgmse loss's per-image errors (training/train.py ImageErrors): each whole image's
MSE under the current model, the floor, and the per-crop weights. Skips without torch."""
from __future__ import annotations

import argparse
import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from training import infer_numpy  # noqa: E402
from training.model import BT601, LearnedUpscaler, to_arrays  # noqa: E402
from training.train import ImageErrors, parse_cycle  # noqa: E402


def _numpy_weights(model) -> dict:
    arrays = to_arrays(model)
    arrays["config"] = json.loads(str(arrays["config"]))
    return arrays


def test_image_errors_are_each_whole_images_mse_under_the_model():
    torch.manual_seed(0)
    model = LearnedUpscaler(4, 2, False, False)
    weights = _numpy_weights(model)
    rng = np.random.default_rng(1)
    lr8 = (rng.random((12, 14, 3)) * 255).astype(np.uint8)
    hr8 = (rng.random((24, 28, 3)) * 255).astype(np.uint8)
    lrf = rng.random((10, 9, 3)).astype(np.float32)
    images = [(lr8, hr8), (lrf, infer_numpy.upscale(weights, lrf, clamp=False))]
    errors = ImageErrors(images, every=5)
    assert errors.due(0)
    errors.refresh(model, lum=True, step=0)
    assert not errors.due(4) and errors.due(5)
    out = infer_numpy.upscale(weights, lr8.astype(np.float32) / 255, clamp=False)
    want = float(np.mean(((out - hr8 / 255.0) @ BT601) ** 2))
    assert errors.mse[0] == pytest.approx(want, rel=1e-4)
    # the second image's HR is the model's own output: its error is at the floor
    assert errors.mse[1] == ImageErrors.FLOOR
    w = errors.weights(np.array([1, 0, 0]))
    assert w.tolist() == pytest.approx([1 / ImageErrors.FLOOR, 1 / want, 1 / want], rel=1e-4)


def test_imgmse_cycle_option_parses():
    c = parse_cycle("8000:2e-4:imgmse=1")
    assert c.imgmse and not c.logmse and c.steps == 8000 and c.lr == 2e-4
    with pytest.raises(argparse.ArgumentTypeError, match="choose one per cycle"):
        parse_cycle("8000:2e-4:logmse=1:imgmse=1")

"""player.media.metrics: PSNR, SSIM, area downscale, luma and the sharpness ratio on small arrays."""
import math

import numpy as np
import pytest

from player.media import metrics


def test_psnr_identical_is_inf():
    a = np.random.default_rng(0).random((8, 8, 3))
    assert metrics.psnr(a, a.copy()) == math.inf


def test_psnr_known_error():
    a = np.zeros((4, 4))
    b = np.full((4, 4), 0.1)  # MSE 0.01 -> 20 dB at peak 1
    assert metrics.psnr(a, b) == pytest.approx(20.0)
    b[0, 0] = 0.0  # MSE 0.15 / 16
    assert metrics.psnr(a, b) == pytest.approx(10 * math.log10(16 / 0.15))


def test_psnr_rejects_shape_mismatch():
    with pytest.raises(ValueError):
        metrics.psnr(np.zeros((2, 2)), np.zeros((2, 3)))


def test_luma601_weights():
    px = np.array([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]])
    assert metrics.luma601(px)[0] == pytest.approx([0.299, 0.587, 0.114])


def test_ssim_identical_is_one_and_noise_lowers_it():
    rng = np.random.default_rng(1)
    img = np.zeros((32, 32, 3))
    img[8:24, 8:24] = 0.8
    assert metrics.ssim(img, img.copy()) == pytest.approx(1.0)
    noisy = np.clip(img + rng.normal(0, 0.05, img.shape), 0, 1)
    worse = np.clip(img + rng.normal(0, 0.2, img.shape), 0, 1)
    s1, s2 = metrics.ssim(img, noisy), metrics.ssim(img, worse)
    assert s1 < 0.99 and s2 < s1


def test_ssim_of_constant_offset_matches_formula():
    # Flat images: SSIM reduces to the luminance term (2 mx my + C1) / (mx^2 + my^2 + C1).
    a, b = np.full((16, 16), 0.5), np.full((16, 16), 0.6)
    c1 = 0.01 ** 2
    assert metrics.ssim(a, b) == pytest.approx((2 * 0.3 + c1) / (0.25 + 0.36 + c1))


def test_area_downscale_integer_is_exact_block_mean():
    img = np.arange(36, dtype=float).reshape(6, 6)
    out = metrics.area_downscale(img, 2)
    assert out.shape == (3, 3)
    assert out[0, 0] == pytest.approx((0 + 1 + 6 + 7) / 4)
    assert out[2, 1] == pytest.approx((26 + 27 + 32 + 33) / 4)
    # a size that the factor does not divide is cropped, not padded
    assert metrics.area_downscale(np.ones((7, 5, 3)), 2).shape == (3, 2, 3)


def test_area_downscale_float_factor_weights_partial_pixels():
    row = np.array([[0.0, 3.0, 6.0]])  # 3 -> 2 pixels: each output covers 1.5 inputs
    out = metrics.area_downscale(np.repeat(row, 3, axis=0), 1.5)
    assert out.shape == (2, 2)
    assert out[0] == pytest.approx([(0 + 0.5 * 3) / 1.5, (0.5 * 3 + 6) / 1.5])


def test_sharpness_ratio():
    hr = np.zeros((20, 20, 3))
    hr[:, 10:] = 1.0
    soft = hr.copy()
    soft[:, 9:11] = 0.5
    assert metrics.sharpness(hr, hr) == pytest.approx(1.0)
    assert metrics.sharpness(soft, hr) < 1.0


def test_quality_run_shape_and_injected_upscale(tmp_path):
    from PIL import Image

    from player.tools import quality
    from player.base.errors import ImageError

    hr = np.zeros((33, 34, 3), np.uint8)  # odd height: cropped to 32 rows for factor 2
    hr[:, 16:] = 255
    path = tmp_path / "edge.png"
    Image.fromarray(hr).save(path)
    calls = []

    def fake(img, out_w, out_h, profile):
        calls.append((img.shape, out_w, out_h, profile))
        return np.repeat(np.repeat(img, 2, axis=0), 2, axis=1)  # nearest: exact here

    result = quality.measure_all([str(path)], scale=2.0, profiles=("Full",), upscale=fake)
    assert [c[3] for c in calls] == ["bilinear", "bicubic", "Full"]
    assert calls[0][:3] == ((16, 17, 3), 34, 32)
    assert result["scale"] == 2 and result["images"][0]["name"] == "edge.png"
    assert set(result["images"][0]) == {"name", "psnr", "ssim", "sharpness"}
    assert result["mean"]["psnr"]["Full"] == math.inf  # the edge falls on a block boundary
    assert "Full" in quality.format_table(result)
    with pytest.raises(ImageError):
        quality.measure_all([str(tmp_path / "missing.png")])


def test_quality_default_upscale_is_the_reference(tmp_path):
    from PIL import Image

    from player.tools import quality

    rng = np.random.default_rng(5)
    Image.fromarray((rng.random((24, 24, 3)) * 255).astype(np.uint8)).save(tmp_path / "n.png")
    result = quality.measure_all([str(tmp_path / "n.png")], profiles=("Fast",))
    psnr = result["mean"]["psnr"]
    assert set(psnr) == {"bilinear", "bicubic", "Fast"}
    assert all(10 < v < 60 for v in psnr.values())

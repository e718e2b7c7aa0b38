"""Our Anime4K tiers in the GL chain against their numpy reference, pixel by pixel.

Tolerance: at most 2/255 absolute error on at least 99.9 % of pixels. The GL side keeps its
maps in RGBA16F (11-bit mantissa) and samples with the hardware's bilinear weights; near the
thresholds of the kernel tests (1/128 margin) a rounding difference can flip a decision for
a single pixel, which moves it by up to the refinement strength. 0.1 % allows a handful of
such pixels in an image; anything systematic (a wrong offset, constant or order) moves far
more than that.
"""
from __future__ import annotations

import numpy as np
import pytest

from player.media import mediagen, reference
from player.base.paths import SHADERS as SHIPPED_SHADERS

pytestmark = pytest.mark.gl

SHADERS = SHIPPED_SHADERS / "anime4k"
TIERS = {"UltraFast": "ultrafast.glsl", "Fast": "fast.glsl", "Full": "full.glsl"}


@pytest.fixture(scope="module")
def lineart():
    return mediagen.lineart_frame(96, 64).astype(np.float32) / 255.0


def close_enough(got, want):
    err = np.abs(got - want).max(axis=2)
    share = float(np.mean(err <= 2 / 255 + 1e-6))
    return share, float(err.max())


@pytest.mark.parametrize("tier", list(TIERS))
@pytest.mark.parametrize("factor", [2.0, 1.5, 2.25, 4.0])  # 1.5, 4: ratio bands
def test_tier_matches_reference(gl, lineart, tier, factor):
    from player.render.offscreen import upscale_array
    h, w = lineart.shape[:2]
    out_w, out_h = round(w * factor), round(h * factor)
    got = upscale_array(lineart, (out_w, out_h), [SHADERS / TIERS[tier]], "bicubic")
    want = reference.anime4k(lineart, out_w, out_h, tier, "bicubic")
    share, worst = close_enough(got, want)
    assert share >= 0.999, f"{tier} {factor}x: {share:.4%} within 2/255 (worst {worst:.3f})"
    # and the tier did something: it differs from plain bicubic near the lines (UltraFast
    # above 3.5x refines at a quarter strength: up to 0.075 of a neighbour difference)
    plain = np.clip(reference.scale(lineart, out_w, out_h, "bicubic"), 0, 1)
    assert np.abs(got - plain).max() > (0.01 if factor > 3.5 and tier == "UltraFast" else 0.05)


def test_source_size_map_variant_matches_reference(gl, lineart):
    from player.render.offscreen import upscale_array
    got = upscale_array(lineart, (192, 128), [SHADERS / "variants" / "full_srcmaps.glsl"])
    want = reference.anime4k(lineart, 192, 128, "Full", "bicubic", map_size="source")
    share, worst = close_enough(got, want)
    assert share >= 0.999, f"{share:.4%} (worst {worst:.3f})"


@pytest.mark.parametrize("tier", list(TIERS))
def test_below_1_4x_passes_through(gl, lineart, tier):
    from player.render.offscreen import upscale_array
    got = upscale_array(lineart, (125, 83), [SHADERS / TIERS[tier]], "bicubic")   # 1.3x
    plain = np.clip(reference.scale(lineart, 125, 83, "bicubic"), 0, 1)
    assert np.abs(got - plain).max() <= 2 / 255

"""player.media.reference: GL sampler, chain scalers and the Anime4K tiers, on tiny arrays."""
import pathlib
import re

import numpy as np
import pytest

from player.base.paths import SHADERS as SHIPPED_SHADERS
from player.media import metrics, reference

SHADERS = SHIPPED_SHADERS / "anime4k"
WHEN = "//!WHEN OUTPUT.w MAIN.w / 1.4 > OUTPUT.h MAIN.h / 1.4 > *"
# A ratio band's pass (issue 28) is gated at a larger factor, or at 1.4 and not above one.
BAND = re.compile(r"(?m)^//!WHEN OUTPUT\.w MAIN\.w / ([0-9.]+) > OUTPUT\.h MAIN\.h / \1 > \*"
                  r"( OUTPUT\.w MAIN\.w / ([0-9.]+) > OUTPUT\.h MAIN\.h / \3 > \* ! \*)?$")


def ramp2():
    """A 1-row, 2-pixel ramp 0 -> 1, as H x W x 1."""
    return np.array([[[0.0], [1.0]]], np.float32)


def test_bilinear_ramp_hand_computed():
    # p = (x + 0.5) * 2 / 4 - 0.5 = -0.25, 0.25, 0.75, 1.25; indices clamped to the edge
    out = reference.scale(ramp2(), 4, 1, "bilinear")
    assert out[0, :, 0] == pytest.approx([0.0, 0.25, 0.75, 1.0])


def test_bicubic_ramp_hand_computed():
    # Catmull-Rom weights at f = 0.25: w(1.25) = -0.0703125, w(0.25) = 0.8671875,
    # w(0.75) = 0.2265625, w(1.75) = -0.0234375; overshoot is kept (no clamp in the chain)
    out = reference.scale(ramp2(), 4, 1, "bicubic")
    assert out[0, :, 0] == pytest.approx([-0.0703125, 0.203125, 0.796875, 1.0703125])


def test_lanczos_weights_are_normalised_and_identity_at_1x():
    img = np.random.default_rng(2).random((5, 7, 3)).astype(np.float32)
    for kind in reference.SCALERS:
        assert reference.scale(img, 7, 5, kind) == pytest.approx(img, abs=1e-6)
    const = np.full((3, 4, 3), 0.3, np.float32)
    assert reference.scale(const, 11, 9, "lanczos") == pytest.approx(np.full((9, 11, 3), 0.3), abs=1e-6)


def test_scalers_are_separable_horizontal_then_vertical():
    img = np.random.default_rng(3).random((4, 5, 3)).astype(np.float32)
    both = reference.scale(img, 9, 7, "bicubic")
    staged = reference.scale(reference.scale(img, 9, 4, "bicubic"), 9, 7, "bicubic")
    assert both == pytest.approx(staged, abs=1e-6)


def test_offset_moves_the_source_position_in_texels():
    img = np.random.default_rng(4).random((5, 6, 3)).astype(np.float32)
    for kind in reference.SCALERS:   # at 1x a whole-texel offset is a clamped shift
        out = reference.scale(img, 6, 5, kind, offset=(1.0, -2.0))
        want = img[np.clip(np.arange(5) - 2, 0, 4)][:, np.clip(np.arange(6) + 1, 0, 5)]
        assert out == pytest.approx(want, abs=1e-6), kind
    # half a texel at 2x: p moves by 0.5, so output pixel x reads where x + 1 read
    up = reference.scale(img, 12, 10, "bicubic")
    moved = reference.scale(img, 12, 10, "bicubic", offset=(0.5, 0.0))
    assert moved[:, 3:-3] == pytest.approx(up[:, 4:-2], abs=1e-6)


def test_sampler_texel_centres_and_clamp_to_edge():
    tex = np.arange(12, dtype=np.float32).reshape(3, 4, 1)
    u, v = reference.centres(4), reference.centres(3)
    assert reference.sample_grid(tex, u, v) == pytest.approx(tex)
    # half-way between texels 1 and 2 of row 0; far outside clamps to the corner texel
    assert reference.sample(tex, np.array([0.5]), np.array([1 / 6]))[0, 0] == pytest.approx(1.5)
    assert reference.sample(tex, np.array([-3.0]), np.array([9.0]))[0, 0] == pytest.approx(8.0)


def test_unknown_names_raise():
    img = np.zeros((4, 4, 3), np.float32)
    with pytest.raises(ValueError):
        reference.scale(img, 8, 8, "spline64")
    with pytest.raises(ValueError):
        reference.anime4k(img, 8, 8, "Ultra")


@pytest.mark.parametrize("tier", reference.TIERS)
def test_constant_image_stays_constant(tier):
    img = np.full((10, 12, 3), (0.2, 0.5, 0.7), np.float32)
    out = reference.anime4k(img, 24, 20, tier)
    assert out.shape == (20, 24, 3)
    assert np.abs(out - img[0, 0]).max() < 1e-3  # RGBA16F rounding only


@pytest.mark.parametrize("tier", reference.TIERS)
def test_below_1_4x_is_the_plain_scaler(tier):
    img = np.random.default_rng(4).random((10, 10, 3)).astype(np.float32)
    plain = np.clip(reference.scale(img, 14, 14, "bicubic"), 0, 1)
    assert reference.anime4k(img, 14, 14, tier) == pytest.approx(plain, abs=1e-3)
    # 1.5x in x but only 1.3x in y: still skipped
    plain = np.clip(reference.scale(img, 15, 13, "bilinear"), 0, 1)
    assert reference.anime4k(img, 15, 13, tier, scaler="bilinear") == pytest.approx(plain, abs=1e-3)


def line_art(size=64):
    """White canvas with dark anti-aliased strokes: a ring and two diagonals."""
    yy, xx = np.mgrid[0:size, 0:size] + 0.5
    c = size / 2
    ring = np.abs(np.hypot(yy - c, xx - c) - size * 0.3)
    diag = np.abs(yy - 0.6 * xx - 5) / np.hypot(1, 0.6)
    diag2 = np.abs(yy + 1.3 * xx - 1.4 * size) / np.hypot(1, 1.3)
    dist = np.minimum(np.minimum(ring, diag), diag2)
    ink = np.clip(2.5 - dist, 0, 1)  # strokes about 4 px wide with a 1 px soft edge
    img = np.ones((size, size, 3), np.float32) * np.array([0.95, 0.9, 0.8], np.float32)
    return (img * (1 - ink[..., None] * 0.9)).astype(np.float32)


@pytest.mark.parametrize("tier", ["Full", "Fast"])
def test_lines_get_sharper_than_bicubic(tier):
    hr = line_art()
    lr = metrics.area_downscale(hr, 2).astype(np.float32)
    bicubic = np.clip(reference.scale(lr, 64, 64, "bicubic"), 0, 1)
    out = reference.anime4k(lr, 64, 64, tier)
    assert metrics.sharpness(out, hr) > metrics.sharpness(bicubic, hr) + 0.02
    y_hr = metrics.luma601(hr)
    assert metrics.psnr(metrics.luma601(out), y_hr) > metrics.psnr(metrics.luma601(bicubic), y_hr) - 0.3
    # refinement only mixes neighbouring colours: no new overshoot beyond the scaler's range
    assert out.min() >= min(bicubic.min(), 0) and out.max() <= max(bicubic.max(), 1)


def test_source_size_maps_variant_runs_and_differs():
    lr = metrics.area_downscale(line_art(), 2).astype(np.float32)
    a = reference.anime4k(lr, 64, 64, "Full")
    b = reference.anime4k(lr, 64, 64, "Full", map_size="source")
    assert a.shape == b.shape and np.abs(a - b).max() > 0.01


def hook_blocks(path):
    text = path.read_text()
    return text, [b for b in re.split(r"(?m)^(?=//!DESC)", text) if b.startswith("//!DESC")]


@pytest.mark.parametrize("name", ["ultrafast.glsl", "fast.glsl", "full.glsl",
                                  "variants/full_srcmaps.glsl",
                                  "variants/ultrafast_published.glsl"])
def test_shader_files_gate_every_pass_and_have_no_params(name):
    text, blocks = hook_blocks(SHADERS / name)
    assert blocks and "//!PARAM" not in text  # mpv 0.35 ignores files with PARAM blocks
    for block in blocks:
        assert block.startswith("//!DESC Anime4K ")
        gate = BAND.search(block)
        assert gate and float(gate.group(1)) >= 1.4, block.splitlines()[0]
        assert gate.group(3) is None or float(gate.group(3)) > float(gate.group(1))
        assert "vec4 hook()" in block


def test_ratio_bands_split_the_refine_without_overlap():
    """The band passes of a tier cover every ratio above 1.4 once: exactly one refine runs."""
    def runs(gate, r):
        lo, hi = float(gate.group(1)), gate.group(3)
        return r > lo and (hi is None or not r > float(hi))
    for name in ("ultrafast.glsl", "fast.glsl", "full.glsl"):
        _, blocks = hook_blocks(SHADERS / name)
        refines = [BAND.search(b) for b in blocks if b.startswith("//!DESC Anime4K")
                   and ": refine" in b.splitlines()[0]]
        for r in (1.3, 1.45, 1.5, 1.75, 1.8, 2.0, 3.0, 3.5, 3.6, 4.0, 8.0):
            assert sum(runs(g, r) for g in refines) == (r > 1.4), (name, r)


def test_shader_pass_counts_match_the_reference_tiers():
    counts = {n: len(hook_blocks(SHADERS / f"{n.lower()}.glsl")[1]) for n in reference.TIERS}
    # 4 analysis passes each, then refine (+ thin lines and FXAA for Full); the refine is
    # two passes, one per ratio band (RATIO_BANDS), of which one runs
    assert counts == {"UltraFast": 6, "Fast": 6, "Full": 8}

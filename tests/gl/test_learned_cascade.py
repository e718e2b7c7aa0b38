"""The learned profiles pick their passes by the real ratio (issue 28), and `a4kplay quality
--scale N` measures them at 1.5x, 2x, 3x and 4x.

Through the real GL chain: up to 1.2x no learned pass runs (the profile is its scaler);
1.2x-2x one learned 2x, which the scaler brings down to the output; 2x-4x the second file
(`_2nd`: weights trained on the first pass's outputs, under SECOND_WHEN) runs on the first's
output, so at 4x the chain equals the two numpy forwards in turn; above 4x the scaler does the rest. Then the quality
command end to end: area-down by N, up through each profile to the cropped size, BT.601
luma PSNR, with the learned cascade above bicubic at every N.
"""
from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from player.base.paths import SHADERS
from player.media import mediagen
from tests.conftest import run_cli
from training import infer_numpy

pytestmark = pytest.mark.gl

LEARNED = SHADERS / "learned"
FIRST, SECOND = LEARNED / "learned_m.glsl", LEARNED / "learned_m_2nd.glsl"


@pytest.fixture(scope="module")
def art(tmp_path_factory):
    path = tmp_path_factory.mktemp("cascade") / "art.png"
    mediagen.make_image(path, 48, 36)
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"), np.float32) / 255.0


def _up(img, size, shaders, scaler="bicubic"):
    from player.render.offscreen import upscale_array
    return upscale_array(img, size, shaders=shaders, scaler=scaler)


def test_passes_follow_the_ratio(art):
    h, w = art.shape[:2]
    cascade, first = [FIRST, SECOND], [FIRST]
    # 1.1x: nothing learned runs, the profile is its scaler (the second's WHEN is true on
    # the undoubled MAIN, but the first's texture it binds does not exist: skipped quietly)
    from player.render.offscreen import build_chain, run_chain
    size = (round(1.1 * w), round(1.1 * h))
    chain = build_chain(cascade, "bicubic")
    try:
        assert np.array_equal(run_chain(chain, art, size), _up(art, size, []))
        assert not chain.warnings
    finally:
        chain.release()
    # 1.5x and exactly 2x: the first 2x only (the second's WHEN is false)
    for ratio in (1.5, 2.0):
        size = (round(ratio * w), round(ratio * h))
        one = _up(art, size, first)
        assert np.array_equal(_up(art, size, cascade), one)
        assert np.abs(one - _up(art, size, [])).max() > 2 / 255
    # 2.5x: the second 2x runs too, then the scaler brings 4x down to 2.5x
    size = (round(2.5 * w), round(2.5 * h))
    assert np.abs(_up(art, size, cascade) - _up(art, size, first)).max() > 2 / 255


def test_at_4x_the_cascade_is_the_two_numpy_forwards(art):
    weights = infer_numpy.load(LEARNED / "learned_m.npz")
    # the second 2x has its own weights, trained on the first's outputs (training/cascade.py)
    second = infer_numpy.load(LEARNED / "learned_m_2nd.npz")
    h, w = art.shape[:2]
    got = _up(art, (4 * w, 4 * h), [FIRST, SECOND], scaler="bilinear")
    # the first 2x reaches the second unclamped (a float texture), as in mpv
    want = infer_numpy.upscale(second, infer_numpy.upscale(weights, art, clamp=False))
    assert got.shape == want.shape == (4 * h, 4 * w, 3)
    close = np.abs(got - want) <= 1 / 255
    assert close.mean() >= 0.999, f"only {close.mean():.4%} within 1/255"
    # above 4x nothing more is learned: the scaler takes the 4x picture on (which the
    # chain keeps unclamped, so only where it is inside [0, 1] do the two agree exactly)
    big = _up(art, (5 * w, 5 * h), [FIRST, SECOND], scaler="bilinear")
    again = _up(got, (5 * w, 5 * h), [], scaler="bilinear")
    close = np.abs(big - again) <= 1 / 255
    assert close.mean() >= 0.99, f"only {close.mean():.4%} within 1/255"


@pytest.mark.parametrize("scale", [1.5, 2, 3, 4])
def test_quality_at_every_scale(tmp_path, scale):
    hr = tmp_path / "hr.png"
    mediagen.make_image(hr, 194, 146)   # not a multiple of 3 or 4: the tool crops
    config = tmp_path / "profiles.yaml"
    config.write_text("profiles:\n  Cascade:\n    shaders: [%s, %s]\n  One:\n    shaders: [%s]\n"
                      % (FIRST, SECOND, FIRST))
    out = tmp_path / "q.json"
    r = run_cli("quality", hr, "--scale", str(scale), "--config", config,
                "--profiles", "Cascade", "One", "--json", out)
    assert r.returncode == 0, r.stderr
    assert f"scale {scale}x" in r.stdout
    res = json.loads(out.read_text())
    assert res["scale"] == scale
    psnr = res["mean"]["psnr"]
    assert set(psnr) == {"bilinear", "bicubic", "Cascade", "One"}
    assert psnr["Cascade"] > psnr["bicubic"] + 0.5 > psnr["bilinear"] + 0.5
    if scale <= 2:   # the second pass runs only above 2x
        assert psnr["Cascade"] == psnr["One"]
    else:
        assert psnr["Cascade"] > psnr["One"]


def test_quality_refuses_a_downscale(tmp_path):
    hr = tmp_path / "hr.png"
    mediagen.make_image(hr, 32, 32)
    r = run_cli("quality", hr, "--scale", "0.5")
    assert r.returncode != 0 and "upscale factor" in r.stderr


def test_the_fragment_export_cascades_the_same_way(art, tmp_path):
    """`export --mode fragment --second`: the same ratios, the same pictures as the compute
    files (drivers without compute shaders get the cascade too)."""
    from training import export
    first, second = tmp_path / "learned_m.glsl", tmp_path / "learned_m_2nd.glsl"
    export.main(["--mode", "fragment", str(LEARNED / "learned_m.npz"), "-o", str(first)])
    export.main(["--mode", "fragment", "--second", str(LEARNED / "learned_m_2nd.npz"), "-o",
                 str(second)])
    assert "//!BIND LEARNED_M_L0_0" in second.read_text()
    h, w = art.shape[:2]
    for ratio in (1.1, 1.5, 2.5, 4.0):
        size = (round(ratio * w), round(ratio * h))
        frag = _up(art, size, [first, second])
        comp = _up(art, size, [FIRST, SECOND])
        close = np.abs(frag - comp) <= 1 / 255
        assert close.mean() >= 0.999, f"{ratio}x: only {close.mean():.4%} within 1/255"

"""`a4kplay upscale` and `a4kplay profiles --check` end to end, as a user runs them."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from player.media import mediagen, reference
from player.base.paths import SHIPPED_CONFIG
from tests.conftest import run_cli

pytestmark = pytest.mark.gl


@pytest.fixture
def lineart(tmp_path):
    path = tmp_path / "in.png"
    mediagen.make_image(path, 96, 64)
    return path


def load(path):
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"), np.float32) / 255.0


def test_upscale_bicubic_matches_reference(lineart, tmp_path):
    out = tmp_path / "out.png"
    before = lineart.read_bytes()
    r = run_cli("upscale", lineart, "-o", out, "--scale", "2", "--scaler", "bicubic")
    assert r.returncode == 0, r.stderr
    assert lineart.read_bytes() == before              # never writes to its input
    got = load(out)
    want = np.clip(reference.scale(load(lineart), 192, 128, "bicubic"), 0, 1)
    assert got.shape == (128, 192, 3)
    assert np.abs(got - want).max() <= 2 / 255


def test_upscale_with_profile_and_size(lineart, tmp_path):
    out = tmp_path / "full.png"
    r = run_cli("upscale", lineart, "-o", out, "--size", "200x130", "--profile", "Full")
    assert r.returncode == 0, r.stderr
    assert Image.open(out).size == (200, 130)


def test_upscale_with_a_shader_file(lineart, tmp_path):
    shader = tmp_path / "inv.glsl"
    shader.write_text("//!HOOK OUTPUT\n//!BIND HOOKED\n"
                      "vec4 hook() { return vec4(1.0 - HOOKED_tex(HOOKED_pos).rgb, 1.0); }\n")
    out = tmp_path / "inv.png"
    r = run_cli("upscale", lineart, "-o", out, "--scale", "1.5", "--shader", shader,
                "--scaler", "bilinear")
    assert r.returncode == 0, r.stderr
    want = 1 - np.clip(reference.scale(load(lineart), 144, 96, "bilinear"), 0, 1)
    assert np.abs(load(out) - want).max() <= 2 / 255


def one_line(r, *words):
    assert r.returncode != 0
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    for w in words:
        assert w in lines[0], lines[0]


def test_upscale_refusals(lineart, tmp_path):
    out = tmp_path / "exists.png"
    out.write_bytes(b"precious")
    one_line(run_cli("upscale", lineart, "-o", out, "--scale", "2"), "exists", "--force")
    assert out.read_bytes() == b"precious"
    one_line(run_cli("upscale", lineart, "-o", lineart, "--scale", "2", "--force"), "input")
    junk = mediagen.not_media(tmp_path / "junk.png")
    one_line(run_cli("upscale", junk, "-o", tmp_path / "a.png", "--scale", "2"), "junk.png")
    one_line(run_cli("upscale", tmp_path / "none.png", "-o", tmp_path / "b.png", "--scale", "2"),
             "no such file")
    bad = tmp_path / "bad.glsl"
    bad.write_text("//!HOOK MAIN\n//!BIND HOOKED\n//!FROB 1\nvec4 hook() { return vec4(1); }\n")
    one_line(run_cli("upscale", lineart, "-o", tmp_path / "c.png", "--scale", "2",
                     "--shader", bad), "bad.glsl:3")
    broken = tmp_path / "broken.glsl"
    broken.write_text("//!HOOK MAIN\n//!BIND HOOKED\nvec4 hook() {\n  return nope;\n}\n")
    one_line(run_cli("upscale", lineart, "-o", tmp_path / "d.png", "--scale", "2",
                     "--shader", broken), "broken.glsl:4")
    one_line(run_cli("upscale", lineart, "-o", tmp_path / "e.png", "--scale", "2",
                     "--profile", "Nope"), "Nope")
    assert not any((tmp_path / n).exists() for n in ("a.png", "b.png", "c.png", "d.png", "e.png"))


def test_profiles_check(tmp_path):
    r = run_cli("profiles", "--check", SHIPPED_CONFIG)
    assert r.returncode == 0, r.stderr
    bad = tmp_path / "p.yaml"
    bad.write_text("profiles:\n  A:\n    shaders: [missing.glsl]\n    scaler: sharp\n")
    r = run_cli("profiles", "--check", bad)
    assert r.returncode == 1
    assert "p.yaml:4" in r.stderr and "scaler" in r.stderr
    assert "missing.glsl" in r.stderr

"""Passes on the planes only YUV video has run as mpv runs them: a CHROMA pass on a 4:2:0
clip is handed to libmpv's own renderer (render/planes.py), changes chroma only, and gives
mpv 0.35's own output within 1/255."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from player.media import mediagen
from tests.media.season import mpv_window_shot

pytestmark = pytest.mark.media
EXE = str(Path(sys.executable).with_name("a4kplay"))
GREY_CHROMA = """//!HOOK CHROMA
//!BIND HOOKED
//!DESC neutral chroma
vec4 hook() {
    vec4 c = HOOKED_tex(HOOKED_pos);
    return vec4(0.5 + 0.25 * (c.xy - 0.5), c.zw);   // a quarter of the saturation
}
"""
W, H = 160, 96


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    d = tmp_path_factory.mktemp("planes")
    info = mediagen.make_clip(d / "yuv420.mkv", w=W, h=H, frames=24,
                              draw=lambda k, w, h: mediagen.lineart_frame(w, h))
    shader = d / "chroma.glsl"
    shader.write_text(GREY_CHROMA)
    return info.path, shader


def ours(clip: Path, out: Path, *shader: str) -> np.ndarray:
    args = [EXE, str(clip), "--headless", "--size", f"{W}x{H}", "--no-auto", "--no-audio",
            "--mpv", "pause=yes", "--frames", "1", "--screenshot", str(out),
            "--scaler", "bilinear"]
    args += ["--shader", shader[0]] if shader else ["--profile", "Off"]
    r = subprocess.run(args, capture_output=True, text=True, timeout=120,
                       stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stderr
    return np.asarray(Image.open(out).convert("RGB"), np.float64)


def mpvs(clip: Path, shader: Path, out: Path, tmp: Path) -> np.ndarray:
    mpv_window_shot(["--dither-depth=no", f"--glsl-shaders={shader}", str(clip)], (W, H), out,
                    str(tmp / "mpv.sock"))
    return np.asarray(Image.open(out).convert("RGB"), np.float64)


def saturation(img: np.ndarray) -> float:
    return float(np.mean(img.max(axis=2) - img.min(axis=2)))


def test_a_chroma_pass_changes_chroma_only_and_matches_mpv(clip, tmp_path):
    path, shader = clip
    plain = ours(path, tmp_path / "plain.png")
    graded = ours(path, tmp_path / "graded.png", str(shader))
    luma = np.array([0.2126, 0.7152, 0.0722])
    assert saturation(graded) < 0.5 * saturation(plain)            # chroma changed
    assert np.abs(graded @ luma - plain @ luma).mean() < 2.0        # luma kept (8-bit units)
    ref = mpvs(path, shader, tmp_path / "mpv.png", tmp_path)
    assert ref.shape == graded.shape
    diff = np.abs(graded - ref)
    print(f"CHROMA pass vs mpv: max {diff.max():.0f}/255, mean {diff.mean():.3f}")
    assert diff.max() <= 1.0

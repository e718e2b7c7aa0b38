"""Passes on the planes only YUV video has run as mpv runs them: handed to libmpv's own
renderer (render/planes.py), they give mpv 0.35's own output within 1/255 on a 4:2:0 clip: a
CHROMA pass (changes chroma only), a CHROMA pass that brings chroma to LUMA's size
(KrigBilateral's shape), and a CuNNy-shaped LUMA pack (our tp_cunny2x.glsl: compute passes,
shared memory, float16 enabled mid-body with an #ifdef fallback) that doubles the luma plane,
where libmpv renders at the doubled size."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from player.base.paths import SHADERS
from player.gl.window import MESA_ENV
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
# KrigBilateral's shape (not its code): CHROMA made LUMA's size by the pass itself, here a
# plain bilinear fetch, so mpv's own chroma upsampling never runs.
CHROMA_TO_LUMA = """//!HOOK CHROMA
//!BIND HOOKED
//!BIND LUMA
//!WIDTH LUMA.w
//!HEIGHT LUMA.h
//!WHEN CHROMA.w LUMA.w <
//!DESC chroma to luma size, desaturated
vec4 hook() {
    vec4 c = HOOKED_tex(HOOKED_pos);
    return vec4(0.5 + 0.5 * (c.xy - 0.5), c.zw);
}
"""
CUNNY = SHADERS / "testpacks" / "tp_cunny2x.glsl"
W, H = 160, 96


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    d = tmp_path_factory.mktemp("planes")
    info = mediagen.make_clip(d / "yuv420.mkv", w=W, h=H, frames=24,
                              draw=lambda k, w, h: mediagen.lineart_frame(w, h))
    shader = d / "chroma.glsl"
    shader.write_text(GREY_CHROMA)
    return info.path, shader


def ours(clip: Path, out: Path, *shader: str, size=(W, H)) -> np.ndarray:
    args = [EXE, str(clip), "--headless", "--size", f"{size[0]}x{size[1]}", "--no-auto",
            "--no-audio",
            "--mpv", "pause=yes", "--frames", "1", "--screenshot", str(out),
            "--scaler", "bilinear"]
    args += ["--shader", shader[0]] if shader else ["--profile", "Off"]
    r = subprocess.run(args, capture_output=True, text=True, timeout=120,
                       stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stderr
    return np.asarray(Image.open(out).convert("RGB"), np.float64)


def mpvs(clip: Path, shader: Path, out: Path, tmp: Path, size=(W, H)) -> np.ndarray:
    mpv_window_shot(["--dither-depth=no", "--scale=bilinear", f"--glsl-shaders={shader}",
                     str(clip)], size, out, str(tmp / "mpv.sock"), env=MESA_ENV)
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


def test_a_chroma_pass_that_resizes_chroma_matches_mpv(clip, tmp_path):
    path, _ = clip
    shader = tmp_path / "chroma_to_luma.glsl"
    shader.write_text(CHROMA_TO_LUMA)
    plain = ours(path, tmp_path / "plain.png")
    graded = ours(path, tmp_path / "graded.png", str(shader))
    assert saturation(graded) < 0.8 * saturation(plain)
    ref = mpvs(path, shader, tmp_path / "mpv.png", tmp_path)
    diff = np.abs(graded - ref)
    print(f"CHROMA->LUMA size vs mpv: max {diff.max():.0f}/255, mean {diff.mean():.3f}")
    assert diff.max() <= 1.0


def test_a_cunny_shaped_luma_pack_doubling_luma_matches_mpv(clip, tmp_path):
    """Window at twice the video: libmpv runs the pack on the Y plane at the doubled size
    (its scaler then 1:1), our chain has nothing left to scale. Before: the pack ran in our
    chain on LUMA made from RGB and differed from mpv by up to 7/255 (docs/performance.md)."""
    path, _ = clip
    size = (2 * W, 2 * H)
    plain = ours(path, tmp_path / "plain.png", size=size)
    ran = ours(path, tmp_path / "cunny.png", str(CUNNY), size=size)
    assert np.abs(ran - plain).max() > 8          # the pack changed the picture
    ref = mpvs(path, CUNNY, tmp_path / "mpv.png", tmp_path, size=size)
    assert ref.shape == ran.shape
    diff = np.abs(ran - ref)
    print(f"CuNNy-shaped pack vs mpv: max {diff.max():.0f}/255, mean {diff.mean():.3f}")
    assert diff.max() <= 1.0


def test_compare_shows_the_baseline_without_the_plane_passes(clip, tmp_path):
    """In A/B compare both sides start from one libmpv frame, so the plane passes run in our
    chain there: the baseline side must be the plain scaler, not the pack's picture."""
    path, _ = clip
    size = (2 * W, 2 * H)
    plain = ours(path, tmp_path / "plain.png", size=size)
    args = [EXE, str(path), "--headless", "--size", f"{size[0]}x{size[1]}", "--no-auto",
            "--no-audio", "--mpv", "pause=yes", "--frames", "1", "--compare", "--screenshot",
            str(tmp_path / "ab.png"), "--scaler", "bilinear", "--shader", str(CUNNY)]
    r = subprocess.run(args, capture_output=True, text=True, timeout=120,
                       stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stderr
    ab = np.asarray(Image.open(tmp_path / "ab.png").convert("RGB"), np.float64)
    top = slice(0, size[1] * 3 // 4)              # above the side labels
    left, right = slice(0, size[0] // 3), slice(2 * size[0] // 3, size[0])
    assert np.abs(ab[top, left] - plain[top, left]).max() <= 1.0      # baseline: plain scaler
    assert np.abs(ab[top, right] - plain[top, right]).max() > 8       # the pack's side differs


def test_a_plane_pass_reloads_live(clip, tmp_path):
    """Editing a CHROMA pass while playing: the reload sends the new text to libmpv and the
    next frame shows it (build-then-swap, as for our chain's passes)."""
    from player.config.profiles import load_config
    from player.config.resolve import with_overrides
    from player.playback.loop import Player, PlayOptions
    path, _ = clip
    shader = tmp_path / "chroma.glsl"
    shader.write_text(GREY_CHROMA)
    config = with_overrides(load_config(), [str(shader)], "bilinear")
    opts = PlayOptions(paths=[str(path)], size=(W, H), headless=True, audio=False,
                       mpv_options={"pause": "yes", "ao": "null"}, profile="shaders",
                       auto=False,
                       reload_config=lambda: with_overrides(load_config(), [str(shader)],
                                                            "bilinear"))
    p = Player(opts, config)
    try:
        def shot() -> np.ndarray:
            for _ in range(400):
                if p.step() or p.presented:
                    break
            p.redraw = True
            p.step()                  # the bridge sends libmpv this config's plane passes
            for _ in range(400):      # until the frame shown was rendered with them
                if p.frames.shown_gen == p.video.renderer.gen:
                    break
                p.step()
                time.sleep(0.01)
            return p.capture(overlay=False).astype(np.float64)
        grey = shot()
        shader.write_text(GREY_CHROMA.replace("0.25 *", "1.0 *"))    # full saturation
        p.reload()
        full = shot()
        assert p.reload_error is None
        assert saturation(full) > 2 * saturation(grey)
    finally:
        p.close()


BROKEN = """//!HOOK LUMA
//!BIND HOOKED
//!WIDTH HOOKED.w 2 *
//!HEIGHT HOOKED.h 2 *
//!DESC needs an extension no driver has
#extension GL_A4K_no_such_extension : require
vec4 hook() { return 1.0 - HOOKED_tex(HOOKED_pos); }
"""


def test_a_plane_pass_libmpv_cannot_compile_is_turned_off_and_said(clip, tmp_path):
    """mpv shows a blue frame when a pass fails to compile (CuNNy's dp4a variants on
    OpenGL, which need Vulkan's SPIR-V intrinsics); we turn the tier's plane passes off,
    say why once, and show the picture without them."""
    from player.config.profiles import load_config
    from player.config.resolve import with_overrides
    from player.playback.loop import Player, PlayOptions
    path, _ = clip
    shader = tmp_path / "broken.glsl"
    shader.write_text(BROKEN)
    plain = ours(path, tmp_path / "plain.png", size=(2 * W, 2 * H)) / 255.0
    opts = PlayOptions(paths=[str(path)], size=(2 * W, 2 * H), headless=True, audio=False,
                       mpv_options={"pause": "yes", "ao": "null"}, profile="shaders",
                       auto=False)
    p = Player(opts, with_overrides(load_config(), [str(shader)], "bilinear"))
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if p.step() or p.presented:
                p.redraw = True
            if any("cannot compile" in m for _, m in p.onscreen.messages):
                break
        said = [m for _, m in p.onscreen.messages if "cannot compile" in m]
        assert said and "GL_A4K_no_such_extension" in said[0]
        while time.monotonic() < deadline:   # the frame rendered without the passes
            p.redraw = True
            p.step()
            if p.frames.shown_gen == p.video.renderer.gen:
                break
        shown = p.capture(overlay=False)
        assert np.abs(shown - plain).max() <= 1.5 / 255
    finally:
        p.close()

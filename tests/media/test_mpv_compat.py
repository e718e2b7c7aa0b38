"""Our shipped shaders are plain mpv user shaders: mpv itself compiles and runs them.

mpv exits 0 even when a user shader fails to compile, so its log is read: a shader that
does not compile shows `error:` lines from the GL driver (the control case proves it)."""
from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image

from player.media import mediagen
from player.base.paths import SHADERS
from tests.media.season import mpv_window_shot
from training import export

pytestmark = pytest.mark.media

SHIPPED = ["anime4k/ultrafast.glsl", "anime4k/fast.glsl", "anime4k/full.glsl",
           "anime4k/variants/full_srcmaps.glsl", "learned/learned_s.glsl",
           "learned/learned_m.glsl"]


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    if shutil.which("mpv") is None:
        pytest.skip("the mpv command line is not installed")
    return mediagen.make_clip(tmp_path_factory.mktemp("mpv") / "c.mp4", w=160, h=90, frames=6)


def mpv_log(clip, shader, geometry="400x225") -> str:
    r = subprocess.run(
        ["mpv", "--no-config", "--vo=gpu", "--gpu-api=opengl", "--gpu-context=x11egl",
         "--gpu-sw", "--hwdec=no", "--no-audio", "--untimed", "--frames=2",
         f"--geometry={geometry}", "--msg-level=all=warn,vo=v", f"--glsl-shaders={shader}",
         str(clip.path)], capture_output=True, text=True, timeout=120,
        stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout + r.stderr


def test_a_broken_shader_shows_in_mpvs_log(clip, tmp_path):
    bad = tmp_path / "bad.glsl"
    bad.write_text("//!HOOK SCALED\n//!BIND HOOKED\nvec4 hook() { return nope; }\n")
    assert "error" in mpv_log(clip, bad).lower()


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_shader_runs_in_mpv(clip, name):
    log = mpv_log(clip, SHADERS / name)
    errors = [ln for ln in log.splitlines() if "error" in ln.lower()]
    assert not errors, "\n".join(errors[:5])


@pytest.mark.parametrize("name", SHIPPED[:3])
@pytest.mark.parametrize("geometry", ["240x135", "640x360"])
def test_v1_tier_ratio_bands_run_in_mpv(clip, name, geometry):
    """1.5x and 4x of the 160x90 clip: the band passes (WHEN with `!`, issue 28) run too."""
    log = mpv_log(clip, SHADERS / name, geometry)
    errors = [ln for ln in log.splitlines() if "error" in ln.lower()]
    assert not errors, "\n".join(errors[:5])


# ---- the compute export (shaders/learned/): mpv runs it as a stock Mesa would ------------
# Its float16 `#extension` lines must never reach Mesa, which rejects them in a pasted pass
# body unless driconf allows it; our own process allows it (player.gl.window.MESA_ENV, which
# this test session inherits), so these runs switch it off again.
STOCK_MESA = {"allow_glsl_extension_directive_midshader": "false"}
LEARNED = ["learned/learned_s.glsl", "learned/learned_m.glsl", "learned/learned_l.glsl"]
MID_BODY_EXTENSION = """//!HOOK MAIN
//!BIND HOOKED
//!COMPUTE 8 8
#extension GL_ARB_gpu_shader5 : enable
void hook() { imageStore(out_image, ivec2(gl_GlobalInvocationID.xy), HOOKED_tex(HOOKED_pos)); }
"""


def test_a_mid_body_extension_fails_on_stock_mesa(clip, tmp_path, monkeypatch):
    """The control: with the override off, an unguarded mid-body #extension is an error
    (and with it on, the same file compiles), so the runs below do test the guard."""
    bad = tmp_path / "ext.glsl"
    bad.write_text(MID_BODY_EXTENSION)
    monkeypatch.setenv("allow_glsl_extension_directive_midshader", "true")
    assert "error" not in mpv_log(clip, bad).lower()
    for key, value in STOCK_MESA.items():
        monkeypatch.setenv(key, value)
    assert "error" in mpv_log(clip, bad).lower()


@pytest.mark.parametrize("name", LEARNED)
def test_learned_compute_shader_runs_in_mpv_on_stock_mesa(clip, name, monkeypatch):
    text = (SHADERS / name).read_text()
    assert "//!COMPUTE" in text and "#extension" in text  # the case this test is about
    for key, value in STOCK_MESA.items():
        monkeypatch.setenv(key, value)
    log = mpv_log(clip, SHADERS / name)
    errors = [ln for ln in log.splitlines() if "error" in ln.lower()]
    assert not errors, "\n".join(errors[:5])


def test_mpv_draws_the_compute_export_as_the_fragment_export(clip, tmp_path):
    """mpv's own window with each Learned file equals its fragment export (same weights,
    both in mpv), and differs from no shader: the compute passes ran in mpv."""
    def shot(shader, out):
        args = ["--dither-depth=no", "--scale=bilinear"]
        args += [f"--glsl-shaders={shader}"] if shader else []
        mpv_window_shot(args + [str(clip.path)], (400, 225), out, str(tmp_path / "s.sock"),
                        env=STOCK_MESA)
        return np.asarray(Image.open(out).convert("RGB"), np.float64)

    plain = shot(None, tmp_path / "plain.png")
    for name in LEARNED:
        npz = (SHADERS / name).with_suffix(".npz")
        frag = tmp_path / f"frag_{npz.stem}.glsl"
        export.export(npz, frag, "Learned-F", npz.stem.upper(), mode="fragment")
        comp = shot(SHADERS / name, tmp_path / f"comp_{npz.stem}.png")
        ref = shot(frag, tmp_path / f"frag_{npz.stem}.png")
        diff = np.abs(comp - ref)
        print(f"{name}: compute vs fragment in mpv: max {diff.max():.0f}/255, "
              f"mean {diff.mean():.4f}; vs no shader: mean {np.abs(comp - plain).mean():.2f}")
        assert diff.max() <= 2.0 and diff.mean() < 0.05, name
        assert np.abs(comp - plain).mean() > 0.5, name


def test_mpv_runs_the_second_2x_only_above_twice_the_video(clip, tmp_path):
    """The cascade's second file, in mpv itself: at 2.5x (400x225 from 160x90) it runs (the
    window differs from the first 2x alone, no errors); at 1.5x (240x135) its WHEN is false
    (the same window as the first 2x alone); at 1.1x (176x99) the first does not run, and
    the second, whose WHEN is then true, is skipped for the first's texture it binds (the
    same window as the first file alone, nothing in mpv's log)."""
    first, second = SHADERS / "learned/learned_m.glsl", SHADERS / "learned/learned_m_2nd.glsl"

    def shot(shaders, size, out):
        args = ["--dither-depth=no", "--scale=bilinear", "--dscale=bilinear"]
        args += [f"--glsl-shaders-append={s}" for s in shaders]
        mpv_window_shot(args + [str(clip.path)], size, out, str(tmp_path / "s.sock"),
                        env=STOCK_MESA)
        return np.asarray(Image.open(out).convert("RGB"), np.float64)

    log = mpv_log(clip, f"{first}:{second}")
    errors = [ln for ln in log.splitlines() if "error" in ln.lower()]
    assert not errors, "\n".join(errors[:5])
    one = shot([first], (400, 225), tmp_path / "one.png")
    two = shot([first, second], (400, 225), tmp_path / "two.png")
    assert np.abs(two - one).mean() > 0.2
    one = shot([first], (240, 135), tmp_path / "one_small.png")
    two = shot([first, second], (240, 135), tmp_path / "two_small.png")
    assert np.abs(two - one).max() <= 1.0
    one = shot([first], (176, 99), tmp_path / "one_tiny.png")   # its WHEN is false here
    two = shot([first, second], (176, 99), tmp_path / "two_tiny.png")
    assert np.abs(two - one).max() <= 1.0
    r = subprocess.run(
        ["mpv", "--no-config", "--vo=gpu", "--gpu-api=opengl", "--gpu-context=x11egl",
         "--gpu-sw", "--hwdec=no", "--no-audio", "--untimed", "--frames=2",
         "--geometry=176x99", "--msg-level=all=warn", f"--glsl-shaders={first}:{second}",
         str(clip.path)], capture_output=True, text=True, timeout=120,
        stdin=subprocess.DEVNULL)
    lines = [ln for ln in (r.stdout + r.stderr).splitlines()
             if ln.strip() and "Suspected software renderer" not in ln]   # llvmpipe's note
    assert r.returncode == 0 and not lines, "\n".join(lines[:5])

"""Our shipped shaders are plain mpv user shaders: mpv itself compiles and runs them.

mpv exits 0 even when a user shader fails to compile, so its log is read: a shader that
does not compile shows `error:` lines from the GL driver (the control case proves it)."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from player.media import mediagen
from tests.conftest import ROOT

pytestmark = pytest.mark.media

SHIPPED = ["anime4k/ultrafast.glsl", "anime4k/fast.glsl", "anime4k/full.glsl",
           "anime4k/variants/full_srcmaps.glsl", "learned/learned_s.glsl",
           "learned/learned_m.glsl"]


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    if shutil.which("mpv") is None:
        pytest.skip("the mpv command line is not installed")
    return mediagen.make_clip(tmp_path_factory.mktemp("mpv") / "c.mp4", w=160, h=90, frames=6)


def mpv_log(clip, shader) -> str:
    r = subprocess.run(
        ["mpv", "--no-config", "--vo=gpu", "--gpu-api=opengl", "--gpu-context=x11egl",
         "--gpu-sw", "--hwdec=no", "--no-audio", "--untimed", "--frames=2",
         "--geometry=400x225", "--msg-level=all=warn,vo=v", f"--glsl-shaders={shader}",
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
    log = mpv_log(clip, ROOT / "shaders" / name)
    errors = [ln for ln in log.splitlines() if "error" in ln.lower()]
    assert not errors, "\n".join(errors[:5])

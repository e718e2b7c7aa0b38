"""The headless EGL context (player/gl/egl.py): what a GPU node without a display uses.

This machine has no GPU, so the test asks for EGL with A4KPLAY_GL=egl and gets Mesa's
software device; the chain must then give the very pixels it gives under X (the session's
Xvfb context), and an export through it must be the same video as under OSMesa."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from player.media.mediagen import pattern_frame

pytestmark = pytest.mark.gl

PROBE = """
import sys, numpy as np
from player.gl.window import setup_platform
print(setup_platform(True))
from player.render import offscreen
from player.config.profiles import load_config
from player.media.mediagen import pattern_frame
offscreen.context()
from OpenGL import GL
print(GL.glGetString(GL.GL_VERSION).decode())
prof = load_config().profile("Fast")
out = offscreen.upscale_array(pattern_frame(5, 160, 120), (320, 240), prof.shaders,
                              prof.scaler, prof.params)
np.save(sys.argv[1], out)
"""


def test_egl_context_gives_the_same_pixels_as_glx(gl, tmp_path):
    from player.config.profiles import load_config
    from player.gl import egl
    from player.render import offscreen
    if not egl.devices():
        pytest.skip("libEGL has no device here (libegl-mesa0 provides a software one)")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["A4KPLAY_GL"] = "egl"
    r = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path / "egl.npy")], env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    platform, version = r.stdout.split("\n")[:2]
    assert platform == "egl" and "Core Profile" in version
    prof = load_config().profile("Fast")
    here = offscreen.upscale_array(pattern_frame(5, 160, 120), (320, 240), prof.shaders,
                                   prof.scaler, prof.params)
    assert np.abs(np.load(tmp_path / "egl.npy") - here).max() <= 1 / 255


def test_without_a_gpu_or_a_request_no_display_means_osmesa():
    from player.gl import egl
    if egl.has_gpu():
        pytest.skip("this machine has a GPU EGL device: EGL is the right choice here")
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "A4KPLAY_GL", "PYOPENGL_PLATFORM")}
    r = subprocess.run([sys.executable, "-c", "from player.gl.window import setup_platform;"
                        " print(setup_platform(True))"], env=env, capture_output=True,
                       text=True, timeout=60)
    assert r.stdout.strip() == "osmesa", r.stderr

"""The player headless on EGL (gl/headless.py): what a GPU machine without a display runs
(GLFW has no GPU context there). This machine has no GPU: A4KPLAY_GL=egl gives Mesa's
software EGL device, with no X server in the environment; the frame must be the very one
the OSMesa player shows, and libmpv's render thread runs in a shared EGL context."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.media.season import player_env
from tests.subs.conftest import ffmpeg

pytestmark = pytest.mark.media
EXE = str(Path(sys.executable).with_name("a4kplay"))


def play(clip: Path, out: Path, gl: str, *extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in player_env().items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "PYOPENGL_PLATFORM")}
    env["A4KPLAY_GL"] = gl
    return subprocess.run([EXE, str(clip), "--headless", "--size", "640x480", "--no-auto",
                           "--no-audio", "--screenshot", str(out), *extra],
                          capture_output=True, text=True, timeout=300, env=env,
                          stdin=subprocess.DEVNULL)


def test_the_player_runs_on_egl_with_no_window_system(tmp_path):
    from player.gl import egl
    if not egl.devices():
        pytest.skip("libEGL has no device here (libegl-mesa0 provides a software one)")
    clip = tmp_path / "c.mkv"
    ffmpeg("-f", "lavfi", "-i", "testsrc=s=320x240:d=3:r=24", "-c:v", "libx264",
           "-preset", "ultrafast", clip)
    paused = ("--profile", "Fast", "--frames", "1", "--mpv", "pause=yes", "--mpv", "start=1")
    shots = {}
    for gl in ("egl", "osmesa"):
        r = play(clip, tmp_path / f"{gl}.png", gl, *paused)
        assert r.returncode == 0, r.stderr
        shots[gl] = np.asarray(Image.open(tmp_path / f"{gl}.png").convert("RGB"), np.int16)
    assert shots["egl"].shape == (480, 640, 3)
    assert np.abs(shots["egl"] - shots["osmesa"]).max() <= 1

    stats = tmp_path / "egl.json"     # playing: frames on time, libmpv's passes by name
    r = play(clip, tmp_path / "play.png", "egl", "--profile", "Off", "--frames", "30",
             "--stats", str(stats))
    assert r.returncode == 0, r.stderr
    data = json.loads(stats.read_text())
    assert len(data["frames"]) >= 30
    assert any(k.startswith("mpv: upload frame") for k in data["passes"])
    assert np.median([f["late_ms"] for f in data["frames"][6:]]) < 1000.0 / 24

"""Installed like a program: README's `pipx install .` (the wheel built from this tree in a
fresh virtual environment) run from a folder outside the checkout plays the demo
headless, upscales with Learned-M, checks its profiles and reports with doctor. Nothing of
the checkout is on its path: it finds its shaders and profiles.yaml as package data."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.conftest import ROOT

pytestmark = pytest.mark.media


def sh(cmd, cwd, env, timeout=900):
    r = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True,
                       text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, f"{cmd}: {r.stdout[-2000:]}\n{r.stderr[-3000:]}"
    return r


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """README's `pipx install .` in the checkout, with pipx's folders and HOME in a
    temporary place: a fresh venv holding the wheel pip builds from the tree."""
    if not shutil.which("pipx"):
        pytest.fail("pipx is missing: make test installs it (Debian package pipx)")
    base = tmp_path_factory.mktemp("install")
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYTHONPATH", "A4KPLAY_DEBUG")}
    home = base / "home"
    home.mkdir()
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_CACHE_HOME=str(home / ".cache"),
               XDG_STATE_HOME=str(home / ".local" / "state"),
               PIPX_HOME=str(base / "pipx"), PIPX_BIN_DIR=str(base / "bin"),
               PIP_DISABLE_PIP_VERSION_CHECK="1",
               # the machine's pip cache, so the dependencies are not fetched again
               PIP_CACHE_DIR=os.environ.get("PIP_CACHE_DIR",
                                            os.path.expanduser("~/.cache/pip")))
    sh(["pipx", "install", "."], ROOT, env)
    venv = base / "pipx" / "venvs" / "a4kplay"
    assert (base / "bin" / "a4kplay").exists()
    run_dir = base / "elsewhere"
    run_dir.mkdir()
    return venv, run_dir, env, base / "bin" / "a4kplay"


def test_the_wheel_carries_the_shipped_files(tmp_path):
    sh([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", tmp_path, ROOT],
       tmp_path, dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1"))
    names = zipfile.ZipFile(next(tmp_path.glob("a4kplay-*.whl"))).namelist()
    for must in ("player/shipped/profiles.yaml", "player/shipped/shaders/anime4k/full.glsl",
                 "player/shipped/shaders/learned/learned_m.glsl"):
        assert must in names


def test_the_installed_package_is_not_the_checkout(installed):
    venv, run_dir, env, _ = installed
    r = sh([venv / "bin" / "python", "-c",
            "import player, player.base.paths as p; print(player.__file__); "
            "print(p.SHIPPED_CONFIG); print(sorted(x.name for x in (p.SHADERS / 'learned')"
            ".glob('*.glsl')))"], run_dir, env)
    lines = r.stdout.splitlines()
    assert str(venv) in lines[0] and str(ROOT) not in lines[0]
    assert lines[1].startswith(str(venv)) and lines[1].endswith("profiles.yaml")
    assert lines[2] == ("['learned_l.glsl', 'learned_l_2nd.glsl', 'learned_m.glsl', "
                        "'learned_m_2nd.glsl', 'learned_s.glsl', 'learned_s_2nd.glsl']")


def test_the_installed_program_plays_upscales_checks_and_reports(installed):
    venv, run_dir, env, exe = installed
    sh([exe, "demo", "--headless", "--frames", "8", "--screenshot", "demo.png"], run_dir, env)
    shot = np.asarray(Image.open(run_dir / "demo.png").convert("RGB"))
    assert shot.std() > 10                     # a picture, not a blank frame
    img = np.zeros((48, 64, 3), np.uint8)
    img[:, 32:] = 220
    img[10:30, 8:20] = (200, 40, 40)
    Image.fromarray(img).save(run_dir / "in.png")
    sh([exe, "upscale", "in.png", "-o", "out.png", "--scale", "2", "--profile", "Learned-M"],
       run_dir, env)
    assert Image.open(run_dir / "out.png").size == (128, 96)
    r = sh([exe, "profiles", "--check"], run_dir, env)
    assert "profiles.yaml" in r.stdout + r.stderr
    r = sh([exe, "doctor"], run_dir, env)
    assert str(venv) in r.stdout and "libmpv:" in r.stdout and "MISSING" not in r.stdout

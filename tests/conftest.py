"""Test-session set-up shared by all layers.

GL and media tests need a display: when there is none, one Xvfb server is started for the
whole session (the tests start what they need themselves; nothing is installed by hand).
This runs before any test module imports PyOpenGL, whose back end is fixed at import.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_xvfb = None


def _start_xvfb() -> None:
    global _xvfb
    if os.environ.get("DISPLAY") or not shutil.which("Xvfb"):
        return
    r, w = os.pipe()
    _xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(w), "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
        pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(w)
    with os.fdopen(r) as f:
        num = f.readline().strip()
    if not num:
        raise RuntimeError("Xvfb did not start")
    os.environ["DISPLAY"] = f":{num}"


def pytest_configure(config):
    _start_xvfb()
    from player.gl.window import setup_platform
    setup_platform(headless=True)


def pytest_unconfigure(config):
    if "player.render.offscreen" in sys.modules:
        sys.modules["player.render.offscreen"].close()  # before its X server goes away
    if _xvfb is not None:
        _xvfb.terminate()
        _xvfb.wait(timeout=10)


@pytest.fixture(scope="session")
def gl():
    """The session's hidden GL context (a real llvmpipe context under Xvfb)."""
    from player.render import offscreen
    yield offscreen.context()


def _make_session_context_current() -> None:
    off = sys.modules.get("player.render.offscreen")
    if off is not None and off._window is not None:
        off.context()


@pytest.fixture(autouse=True, scope="module")
def _gl_current_for_module():
    """The same before a module's own fixtures (autouse comes first in its scope): a
    module-scoped fixture that compiles a program (tests/gl/test_overlay.py) after a media
    test closed an in-process player would otherwise compile with no context current."""
    _make_session_context_current()
    yield


@pytest.fixture(autouse=True)
def _gl_current():
    """A player closed by an earlier test leaves no context current: make the session's
    current again before each test that may use it."""
    _make_session_context_current()
    yield


@pytest.fixture
def glcheck(gl):
    """Asserts no GL error is pending before and after the test."""
    from player.gl import gpu
    gpu.check_error("before test")
    yield gl
    gpu.check_error("after test")


def run_cli(*args, env=None, timeout=120, cwd=None):
    """Run the installed `a4kplay` command; returns CompletedProcess (text)."""
    exe = Path(sys.executable).with_name("a4kplay")
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
        for k, v in env.items():
            if v is None:
                full_env.pop(k, None)
    return subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True,
                          env=full_env, timeout=timeout, cwd=cwd, stdin=subprocess.DEVNULL)

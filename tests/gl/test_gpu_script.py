"""tools/gpu/measure.sh, the one script a session runs on a lent GPU machine, run here end
to end in its dry-run mode (A4K_GPU_DRYRUN=1: nothing unpacked or installed, tiny sizes,
2 frames) on Mesa's software EGL device with no X server: every profile at every size must
be in its bench.json with a time, each third-party shader file in thirdparty.json, and a
step that fails (a broken shader file) must be named while the others go on."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from player.base.paths import SHIPPED

pytestmark = pytest.mark.gl
ROOT = Path(__file__).resolve().parents[2]
PROFILES = {"Off", "Learned-S", "Learned-M", "Learned-M-1pass", "UltraFast", "Fast", "Full",
            "Learned-L"}
DRY_SIZES = {((96, 54), (192, 108)), ((64, 36), (192, 108)), ((64, 36), (96, 54)),
             ((43, 24), (192, 108))}


def test_measure_sh_dry_run_measures_every_profile_at_every_size_on_egl(tmp_path):
    from player.gl import egl
    if not egl.devices():
        pytest.skip("libEGL has no device here (libegl-mesa0 provides a software one)")
    if not shutil.which("timeout"):
        pytest.skip("needs coreutils' timeout")
    third = tmp_path / "thirdparty"
    third.mkdir()
    shutil.copy(SHIPPED / "shaders/testpacks/tp_cunny2x.glsl", third / "tp_cunny2x.glsl")
    (third / "zz_broken.glsl").write_text("//!HOOK MAIN\n//!BIND HOOKED\nvec4 hook() {\n")
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "PYOPENGL_PLATFORM", "A4KPLAY_GL")}
    env.update(A4K_GPU_DRYRUN="1", A4K_PYTHON=sys.executable, OUT=str(out),
               A4K_GPU_THIRDPARTY=str(third))
    r = subprocess.run(["bash", str(ROOT / "tools/gpu/measure.sh")], env=env, cwd=tmp_path,
                       capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    log = (out / "log.txt").read_text()
    assert r.stdout == log                       # everything printed is in the log
    # the broken file fails its step, named at the end; nothing else fails
    assert r.returncode == 1, log[-3000:]
    failed = log[log.index("FAILED steps"):].splitlines()[1:]
    assert len(failed) == 1 and "zz_broken.glsl" in failed[0], failed

    machine = (out / "machine.txt").read_text()
    assert "platform: egl" in machine and "GL_RENDERER: " in machine
    bench = json.loads((out / "bench.json").read_text())
    assert bench["renderer"] and len(bench["parts"]) == len(DRY_SIZES)
    seen = {}
    for run in bench["runs"]:
        key = (run["profile"], tuple(run["input"]), tuple(run["output"]))
        assert key not in seen
        seen[key] = run
        assert run["frames"] == 2 and run["ms"]["median"] > 0
        assert run["passes"] and all(p["ms"] >= 0 for p in run["passes"])
        assert run["vs_baseline"]["profile"] == "Learned-M"
    assert set(seen) == {(p, i, o) for p in PROFILES for i, o in DRY_SIZES}

    third_runs = json.loads((out / "thirdparty.json").read_text())["runs"]
    assert {(t["profile"], tuple(t["input"])) for t in third_runs} == \
        {("tp_cunny2x", (96, 54)), ("Learned-M", (96, 54))}
    assert all(t["ms"]["median"] > 0 for t in third_runs)

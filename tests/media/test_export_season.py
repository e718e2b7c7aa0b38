"""`a4kplay export SEASON_DIR -o OUT_DIR` on this machine (no --cluster, no Ray), the
README's season commands as written, and the refusals: one line each, no traceback.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from player.media.mediagen import read_index
from tests.conftest import ROOT, run_cli
from tests.media.season_export import FRAMES, LOOPBACK_ENV, content, episodes

pytestmark = pytest.mark.media

ARGS = ["--scale", "2", "--profile", "Off", "--preset", "ultrafast"]


def test_a_folder_is_exported_in_order_resumably_and_a_bad_file_is_skipped(tmp_path):
    good = episodes(tmp_path / "S")
    (tmp_path / "S" / "notes.txt").write_text("not a video, not listed")
    out, report = tmp_path / "out", tmp_path / "report.json"
    code = ("import sys; from player.cli import main; rc = main(sys.argv[1:]); "
            "print('ray' in sys.modules); sys.exit(rc)")
    r = subprocess.run([sys.executable, "-c", code, "export", str(tmp_path / "S"), "-o",
                        str(out), *ARGS, "--json", str(report)], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 1, r.stderr
    assert r.stdout.strip() == "False"                       # no Ray without --cluster
    lines = r.stderr.strip().splitlines()
    assert lines[0] == (f"a4kplay: {tmp_path / 'S' / 'ep3.mkv'}: not a media file PyAV can "
                        "read (Invalid data found when processing input)")
    assert lines[1].startswith(f"{out / 'ep1.mkv'}: 60 frames 160x120 -> 320x240 (Off)")
    assert lines[2].startswith(f"{out / 'ep2.mkv'}: 60 frames")
    assert re.fullmatch(rf"{out}: 2 exported \(120 frames\), 0 up to date, 1 failed, .* s",
                        lines[3])
    assert len(lines) == 4 and "Traceback" not in r.stderr
    for src in good:
        a, b = content(src), content(out / src.name)
        assert [read_index(img) for img in b["frames"]] == list(range(FRAMES))
        assert b["times"] == pytest.approx(a["times"], abs=0.0011)
        assert b["audio"] == a["audio"] and b["subs"] == a["subs"]
    data = json.loads(report.read_text())
    assert [(Path(f["input"]).name, f["status"], f["frames"]) for f in data["files"]] == [
        ("ep1.mkv", "done", 60), ("ep2.mkv", "done", 60), ("ep3.mkv", "failed", 0)]
    assert all(f["retries"] == 0 and f["seconds"] > 0 for f in data["files"][:2])
    assert sorted(os.listdir(out)) == [".a4kplay-export.json", "ep1.mkv", "ep2.mkv"]

    # The same command again: nothing made, nothing rewritten.
    before = {n: (out / n).stat().st_mtime_ns for n in ("ep1.mkv", "ep2.mkv")}
    r = run_cli("export", tmp_path / "S", "-o", out, *ARGS, timeout=300)
    assert r.returncode == 1
    assert f"{out / 'ep1.mkv'}: up to date" in r.stderr
    assert "0 exported" in r.stderr.splitlines()[-1]
    assert {n: (out / n).stat().st_mtime_ns for n in before} == before
    # Other settings are other outputs: refused over an existing file without --force.
    r = run_cli("export", tmp_path / "S", "-o", out, "--scale", "3", "--profile", "Off",
                "--preset", "ultrafast", timeout=300)
    assert r.returncode == 1
    assert "the output exists and was not made by this export with these settings" in r.stderr
    assert {n: (out / n).stat().st_mtime_ns for n in before} == before


@pytest.mark.parametrize("args,message", [
    (["--cluster", "local"], "--cluster is for a folder: a4kplay export SEASON_DIR -o OUT_DIR"),
    (["--json", "r.json"], "--json is for a folder"),
])
def test_folder_options_on_one_file_are_one_line(tmp_path, args, message):
    (tmp_path / "one.mkv").write_bytes(b"")
    r = run_cli("export", tmp_path / "one.mkv", "-o", tmp_path / "o.mkv", "--scale", "2",
                *args, timeout=60)
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1
    assert message in r.stderr


def test_the_output_folder_may_not_be_the_input_folder(tmp_path):
    episodes(tmp_path / "S", corrupt=False)
    r = run_cli("export", tmp_path / "S", "-o", tmp_path / "S", *ARGS, timeout=60)
    assert r.returncode == 1 and "is the input folder" in r.stderr
    assert sorted(os.listdir(tmp_path / "S")) == ["ep1.mkv", "ep2.mkv"]


def test_without_ray_cluster_says_how_to_install_it(tmp_path):
    episodes(tmp_path / "S", corrupt=False)
    # sys.modules["ray"] = None is Python's own way to make `import ray` fail.
    code = ("import sys; sys.modules['ray'] = None; from player.cli import main; "
            "sys.exit(main(sys.argv[1:]))")
    r = subprocess.run([sys.executable, "-c", code, "export", str(tmp_path / "S"), "-o",
                        str(tmp_path / "out"), *ARGS, "--cluster", "local"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert r.stderr.strip().splitlines()[-1] == (
        "a4kplay: --cluster needs Ray, which is not installed "
        "(pip install 'a4kplay[cluster]')")


def readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    start = readme.index("<!-- export-season:start -->")
    end = readme.index("<!-- export-season:end -->")
    return [line.strip() for line in readme[start:end].splitlines()
            if line.startswith("    ") and line.strip().startswith(".venv/bin/")]


def test_readme_season_commands_run_as_written(tmp_path):
    """Every command line of README's season section, run as written in a folder with
    a Season1/ of tiny episodes (`--cluster local` starts a one-machine Ray)."""
    pytest.importorskip("ray", reason="Ray is the optional extra a4kplay[cluster]")
    commands = readme_commands()
    assert len(commands) >= 2 and any("--cluster local" in c for c in commands)
    episodes(tmp_path / "Season1", corrupt=False)
    (tmp_path / ".venv").symlink_to(Path(sys.executable).parents[1])
    env = {k: v for k, v in os.environ.items() if k != "A4KPLAY_DEBUG"}
    env.update(LOOPBACK_ENV)                  # `--cluster local` stays on 127.0.0.1
    for command in commands:
        r = subprocess.run(shlex.split(command), cwd=tmp_path, capture_output=True,
                           text=True, timeout=600, env=env)
        assert r.returncode == 0, (command, r.stderr)
        assert "Traceback" not in r.stderr
    outputs = sorted(p.name for p in (tmp_path / "Season1-2x").iterdir()
                     if not p.name.startswith("."))
    assert outputs == ["ep1.mkv", "ep2.mkv"]
    report = json.loads((tmp_path / "report.json").read_text())
    assert [f["status"] for f in report["files"]] == ["done", "done"]

"""`a4kplay profiles --import-mpv`: a real input.conf in, a profiles.yaml that loads out,
never over an existing file without --force, broken lines listed with file:line."""
from __future__ import annotations

from pathlib import Path

from player.base.paths import SHADERS
from player.config.profiles import load_config
from tests.conftest import run_cli

MODES = ("Anime4K_Clamp_Highlights", "Anime4K_Restore_CNN_M", "Anime4K_Upscale_CNN_x2_M")


def mpv_home(tmp_path: Path) -> Path:
    home = tmp_path / "mpv"
    (home / "shaders").mkdir(parents=True)
    for name in MODES:   # stand-ins with the published names (our own shader's text)
        (home / "shaders" / f"{name}.glsl").write_text(
            (SHADERS / "anime4k" / "fast.glsl").read_text())
    shaders = ":".join(f"~~/shaders/{n}.glsl" for n in MODES)
    (home / "input.conf").write_text(
        f'CTRL+1 no-osd change-list glsl-shaders set "{shaders}"; show-text "Anime4K: Mode A (Fast)"\n'
        'CTRL+0 no-osd change-list glsl-shaders clr ""; show-text "GLSL shaders cleared"\n'
        'j cycle sub\n'
        'CTRL+9 no-osd change-list glsl-shaders set "broken\n')
    return home


def test_import_writes_a_profiles_file_that_loads(tmp_path):
    home = mpv_home(tmp_path)
    out = tmp_path / "profiles.yaml"
    r = run_cli("profiles", "--import-mpv", "-o", out, env={"MPV_HOME": str(home)})
    assert r.returncode == 0, r.stderr
    assert "input.conf:4" in r.stderr and "skipped" in r.stderr     # the broken line, named
    c = load_config(str(out))
    mode_a = c.profile("Anime4K Mode A (Fast)")
    assert mode_a.shaders == tuple(str(home / "shaders" / f"{n}.glsl") for n in MODES)
    assert mode_a.key == "Ctrl+1"
    assert c.bindings["Ctrl+1"].arg == "Anime4K Mode A (Fast)"
    assert c.profile("GLSL shaders cleared").shaders == ()


def test_import_never_overwrites_without_force(tmp_path):
    home = mpv_home(tmp_path)
    out = tmp_path / "profiles.yaml"
    out.write_text("mine\n")
    r = run_cli("profiles", "--import-mpv", "-o", out, env={"MPV_HOME": str(home)})
    assert r.returncode == 1 and "exists" in r.stderr and "--force" in r.stderr
    assert out.read_text() == "mine\n"
    r = run_cli("profiles", "--import-mpv", "-o", out, "--force", env={"MPV_HOME": str(home)})
    assert r.returncode == 0 and load_config(str(out)).profile_names[0] == "Anime4K Mode A (Fast)"


def test_import_of_a_missing_input_conf_is_one_line(tmp_path):
    r = run_cli("profiles", "--import-mpv", tmp_path / "nope.conf", "-o", tmp_path / "p.yaml")
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 1 and len(lines) == 1 and "no such input.conf" in lines[0]
    assert not (tmp_path / "p.yaml").exists()

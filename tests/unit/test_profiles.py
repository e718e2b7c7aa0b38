"""profiles.yaml: parsing, every validation error, the search order and `check`."""
from __future__ import annotations

import dataclasses
import os
import re
import textwrap
from pathlib import Path

import pytest

from player.base.errors import ProfileError, ShaderError
from player.config.governor_settings import GovernorSettings
from player.config.keymap import MPV, Action, default_bindings
from player.config.check import check
from player.config.profiles import SHIPPED_CONFIG, Config, find_config, load_config

REPO = Path(__file__).resolve().parents[2]
PASS = "//!HOOK MAIN\n//!BIND HOOKED\n//!DESC test pass\nvec4 hook() { return HOOKED_tex(HOOKED_pos); }\n"
WITH_PARAM = ("//!PARAM STRENGTH\n//!TYPE float\n//!MINIMUM 0.0\n//!MAXIMUM 1.0\n0.5\n\n" + PASS)
BROKEN = "//!HOOK MAIN\n//!BIND HOOKED\n//!BOGUS 1\nvec4 hook() { return HOOKED_tex(HOOKED_pos); }\n"

GOOD = """\
profiles:
  Full:
    shaders: [a.glsl, sub/b.glsl]
    scaler: lanczos
    params: {STRENGTH: 0.25}
    key: "3"
  Off:
    key: 0
default: Full
ladder: [Full, Off]
governor:
  headroom: 0.9
  late_frames: 2
screenshot_dir: shots
keys:
  Ctrl+s: screenshot
  x: ignore
"""


def write(folder: Path, text: str, name: str = "profiles.yaml") -> str:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return str(path)


@pytest.fixture
def shaders(tmp_path):
    write(tmp_path, WITH_PARAM, "a.glsl")
    write(tmp_path, PASS, "sub/b.glsl")
    return tmp_path


def error_of(tmp_path, text) -> ProfileError:
    with pytest.raises(ProfileError) as info:
        load_config(write(tmp_path, text))
    return info.value


# ---- a good file ----

def test_a_good_file(shaders):
    path = write(shaders, GOOD)
    c = load_config(path)
    assert c.path == path and c.profile_names == ("Full", "Off")
    full = c.profile("Full")
    assert full.shaders == (str(shaders / "a.glsl"), str(shaders / "sub" / "b.glsl"))
    assert full.scaler == "lanczos" and dict(full.params) == {"STRENGTH": 0.25}
    assert full.key == "3"
    off = c.profile("Off")
    assert off.shaders == () and off.scaler == "bicubic" and off.key == "0"
    assert c.default == "Full" and c.ladder == ("Full", "Off")
    assert c.governor == GovernorSettings(headroom=0.9, late_frames=2)
    assert c.screenshot_dir == str(shaders / "shots")
    assert c.source_paths() == (path, *full.shaders)
    assert c.lines["profiles.Full.shaders[1]"] == 3
    assert check(path) == []


def test_bindings_merge_defaults_profile_keys_and_the_keys_map(shaders):
    c = load_config(write(shaders, GOOD))
    b = c.bindings
    assert b["3"] == Action("profile", "Full") and b["0"] == Action("profile", "Off")
    assert b["Ctrl+s"] == Action("screenshot")
    assert b["x"] == Action(MPV, "ignore")              # `ignore`: not even mpv's default
    assert "Ctrl+1" not in b and "Ctrl+2" not in b      # no UltraFast / Fast here
    assert b["c"] == Action("compare-cycle")            # defaults stay
    assert c.bindings.get("s") == Action("screenshot") and c.bindings.get("Q") is None


def test_a_profile_key_replaces_its_default_key(tmp_path):
    c = load_config(write(tmp_path, "profiles:\n  Full: {key: F5}\n  Off:\n"))
    assert c.bindings["F5"] == Action("profile", "Full")
    assert "Ctrl+3" not in c.bindings and c.bindings["Ctrl+0"] == Action("profile", "Off")


def test_everything_is_frozen(shaders):
    c = load_config(write(shaders, GOOD))
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.default = "Off"
    with pytest.raises(TypeError):
        c.profiles["New"] = c.profile("Off")
    with pytest.raises(TypeError):
        c.profile("Full").params["STRENGTH"] = 1.0
    with pytest.raises(TypeError):
        c.bindings["z"] = Action("quit")
    assert isinstance(c.ladder, tuple) and isinstance(c.profile("Full").shaders, tuple)


def test_defaults_when_optional_keys_are_missing(tmp_path):
    c = load_config(write(tmp_path, "profiles:\n  Only:\n    shaders: [x.glsl]\n"))
    assert c.default == "Only" and c.ladder == () and c.governor == GovernorSettings()
    assert c.screenshot_dir == os.path.expanduser("~/Pictures/a4kplay")
    assert dict(c.bindings) == {k: a for k, a in default_bindings().items()
                                if a.name != "profile"}


def test_home_and_merge_keys(tmp_path):
    c = load_config(write(tmp_path, "profiles:\n  A: &a\n    scaler: lanczos\n"
                                    "  B:\n    <<: *a\n    shaders: [~/x.glsl]\n"))
    assert c.profile("B").scaler == "lanczos"
    assert c.profile("B").shaders == (os.path.expanduser("~/x.glsl"),)


def test_unknown_profile_by_name(shaders):
    c = load_config(write(shaders, GOOD))
    with pytest.raises(ProfileError, match="unknown profile 'Nope' .expected one of Full, Off"):
        c.profile("Nope")


# ---- every validation error names file, line and key ----

@pytest.mark.parametrize("text, line, message", [
    ("profiles:\n  Full:\n    scaler: foo\n", 3,
     "profiles.Full.scaler: expected one of bilinear, bicubic, lanczos, got 'foo'"),
    ("profiles:\n  Full:\n    shader: [a.glsl]\n", 3,
     "profiles.Full.shader: unknown key (expected one of shaders, scaler, params, key) "
     "(did you mean 'shaders'?)"),
    ("profiles:\n  Full: {}\ncolour: red\n", 3,
     "colour: unknown key (expected one of profiles, default, ladder, governor, keys, screenshot_dir, rules, osc)"),
    ("profiles:\n  Full:\n    shaders: a.glsl\n", 3,
     "profiles.Full.shaders: expected a list of shader paths, got 'a.glsl'"),
    ("profiles:\n  Full:\n    shaders: [[a.glsl]]\n", 3,
     "profiles.Full.shaders[0]: expected a shader file path, got a list"),
    ("profiles:\n  Full:\n    params: {STRENGTH: strong}\n", 3,
     "profiles.Full.params.STRENGTH: expected a number, got 'strong'"),
    ("profiles:\n  Full:\n    params: {STRENGTH: .nan}\n", 3,
     "profiles.Full.params.STRENGTH: expected a number from -inf to inf, got .nan"),
    ("profiles:\n  Full:\n    params: {9LIVES: 1}\n", 3,
     "profiles.Full.params.9LIVES: expected a PARAM name"),
    ("profiles:\n  Full:\n    key: Hyper\n", 3, "profiles.Full.key: unknown key name 'Hyper'"),
    ("profiles: [Full, Fast]\n", 1, "profiles: expected a mapping, got a list"),
    ("profiles: {}\n", 1, "profiles: expected at least one profile"),
    ("default: Full\n", 1, "profiles: missing"),
    ("profiles:\n  Full:\ndefault: Fulll\n", 3,
     "default: expected one of the profiles (Full), got 'Fulll'"),
    ("profiles:\n  Full:\n  Off:\nladder: [Full, Of]\n", 4,
     "ladder[1]: expected one of the profiles (Full, Off), got 'Of'"),
    ("profiles:\n  Full:\nladder: [Full, Full]\n", 3, "ladder[1]: 'Full' is already on the ladder"),
    ("profiles:\n  Full:\nladder: []\n", 3, "ladder: expected at least one profile name"),
    ("profiles:\n  Full:\ngovernor:\n  headroom: 1.5\n", 4,
     "governor.headroom: expected a number from 0.05 to 1, got 1.5"),
    ("profiles:\n  Full:\ngovernor:\n  late_frames: 2.5\n", 4,
     "governor.late_frames: expected a whole number, got '2.5'"),
    ("profiles:\n  Full:\ngovernor:\n  enabled: maybe\n", 4,
     "governor.enabled: expected true or false, got 'maybe'"),
    ("profiles:\n  Full:\ngovernor:\n  hold: 10\n  max_hold: 5\n", 5,
     "governor.max_hold: expected at least hold (10), got 5"),
    ("profiles:\n  Full:\ngovernor:\n  speed: 3\n", 4, "governor.speed: unknown key"),
    ("profiles:\n  Full:\nkeys:\n  z: dance\n", 4, "keys.z: unknown command 'dance'"),
    ("profiles:\n  Full:\nkeys:\n  z: profile Nope\n", 4,
     "keys.z: expected one of the profiles (Full), got 'Nope'"),
    ("profiles:\n  Full:\nkeys:\n  Bogus: quit\n", 4, "keys.Bogus: unknown key name 'Bogus'"),
    ("profiles:\n  Full:\nkeys:\n  z: volume\n", 4, "keys.z: action 'volume' needs a number"),
    ("profiles:\n  A: {key: a}\n  B: {key: a}\n", 3,
     "profiles.B.key: key 'a' is already bound by profiles.A.key (line 2)"),
    ("profiles:\n  A: {key: a}\nkeys:\n  a: quit\n", 4,
     "keys.a: key 'a' is already bound by profiles.A.key (line 2)"),
    ("profiles:\n  A:\nkeys:\n  ctrl+s: quit\n  Ctrl+s: pause\n", 5,
     "keys.Ctrl+s: key 'Ctrl+s' is already bound by keys.ctrl+s (line 4)"),
    ("profiles:\n  A:\n  A:\n", 3, "profiles.A: duplicate key (first on line 2)"),
    ("profiles:\n  Full:\n    scaler: [bicubic\n", 4, "YAML syntax error"),
    ("profiles:\n\tFull:\n", 2, "YAML syntax error"),
    ("", 1, "empty file"),
    ("- a\n- b\n", 1, "expected a mapping, got a list"),
    ("profiles:\n  Full:\n---\nprofiles:\n", 3, "YAML syntax error"),
])
def test_validation_errors_name_file_line_and_key(tmp_path, text, line, message):
    err = error_of(tmp_path, text)
    assert err.path == str(tmp_path / "profiles.yaml")
    assert err.line == line
    assert message in str(err)
    assert str(err).startswith(f"{err.path}:{line}: ")


def test_the_first_error_counts_the_others(tmp_path):
    err = error_of(tmp_path, "profiles:\n  A: {scaler: x}\n  B: {scaler: y}\ndefault: C\n")
    assert err.line == 2 and "2 more problems: run a4kplay profiles --check" in str(err)
    assert err.source == "  A: {scaler: x}"


def test_names_are_taken_as_written(tmp_path):
    # to YAML 1.1, Off and No are booleans and 0 an integer
    c = load_config(write(tmp_path, "profiles:\n  Off: {key: 0}\n  No:\nladder: [Off, No]\n"))
    assert c.profile_names == ("Off", "No") and c.ladder == ("Off", "No")
    assert c.bindings["0"] == Action("profile", "Off")


def test_a_missing_config_file(tmp_path):
    with pytest.raises(ProfileError, match="profiles file not found"):
        load_config(str(tmp_path / "nope.yaml"))


# ---- the shipped file and the search order ----

def test_the_shipped_file_is_valid_and_names_our_tiers():
    c = load_config(str(SHIPPED_CONFIG))
    assert SHIPPED_CONFIG == REPO / "player" / "shipped" / "profiles.yaml"
    names = ("Full", "Fast", "UltraFast", "Learned-M", "Learned-S", "Learned-M-1pass", "Off")
    assert c.profile_names == names
    # issue 28: only tiers no other beats on both quality and cost; the v1 tiers stay
    # profiles, off the ladder; Learned-L is no shipped profile until it beats Learned-M
    # on every set and scale
    assert c.ladder == ("Learned-M", "Learned-M-1pass", "Learned-S", "Off")
    assert c.default == "Learned-M"
    tiers, learned = REPO / "player" / "shipped" / "shaders" / "anime4k", REPO / "player" / "shipped" / "shaders" / "learned"
    assert [c.profile(n).shaders for n in names] == [
        (str(tiers / "full.glsl"),), (str(tiers / "fast.glsl"),),
        (str(tiers / "ultrafast.glsl"),),
        *[(str(learned / f"learned_{x}.glsl"), str(learned / f"learned_{x}_2nd.glsl"))
          for x in "ms"], (str(learned / "learned_m.glsl"),), ()]
    assert c.governor == GovernorSettings()           # the file states the defaults
    # the file states the default keys, the profiles' keys included
    assert dict(c.bindings) == dict(default_bindings(names))


def test_learned_l_as_the_shipped_file_says_to_enable_it(tmp_path):
    """profiles.yaml: copy it to your config folder and remove the "# " of Learned-L's four
    lines; the copy then has Learned-L on Ctrl+6 with the shipped shaders, and checks clean."""
    text = SHIPPED_CONFIG.read_text()
    lines = text.splitlines(keepends=True)
    start = lines.index("  # Learned-L:\n")
    for i in range(start, start + 4):
        assert lines[i].startswith("  # ")
        lines[i] = "  " + lines[i][4:]
    copy = tmp_path / "a4kplay" / "profiles.yaml"
    copy.parent.mkdir()
    copy.write_text("".join(lines))
    c = load_config(str(copy))
    learned = REPO / "player" / "shipped" / "shaders" / "learned"
    assert c.profile("Learned-L").shaders == (str(learned / "learned_l.glsl"),
                                             str(learned / "learned_l_2nd.glsl"))
    assert "Learned-L" in str(dict(c.bindings)["Ctrl+6"])
    assert check(str(copy)) == []


def test_search_order(tmp_path, monkeypatch):
    xdg = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    assert find_config() == str(SHIPPED_CONFIG)
    user = write(xdg / "a4kplay", "profiles:\n  Mine:\n")
    assert find_config() == user and load_config().profile_names == ("Mine",)
    explicit = write(tmp_path, "profiles:\n  Given:\n", "given.yaml")
    assert load_config(explicit).profile_names == ("Given",)
    # unset, or relative (invalid per the XDG spec): ~/.config
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/dir")
    assert find_config() == str(SHIPPED_CONFIG)
    home_user = write(tmp_path / "home" / ".config" / "a4kplay", "profiles:\n  Home:\n")
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert find_config() == home_user


# ---- check: the file and every shader it names ----

def test_check_reports_every_problem_in_the_file_and_its_shaders(tmp_path):
    write(tmp_path, BROKEN, "broken.glsl")
    write(tmp_path, WITH_PARAM, "param.glsl")
    path = write(tmp_path, """\
    profiles:
      A:
        shaders: [missing.glsl, broken.glsl]
      B:
        shaders: [param.glsl]
        params: {STRENGTH: 2.0, OTHER: 1}
      C:
        scaler: nearest
    """)
    problems = check(path)
    assert problems == [
        f"{path}:8: profiles.C.scaler: expected one of bilinear, bicubic, lanczos, got 'nearest'",
        f"{path}:3: profiles.A.shaders[0]: shader file not found: {tmp_path / 'missing.glsl'}",
        f"{tmp_path / 'broken.glsl'}:3: unknown directive 'BOGUS' in a HOOK block "
        "(expected one of HOOK, BIND, SAVE, DESC, WIDTH, HEIGHT, WHEN, COMPONENTS, OFFSET, COMPUTE)",
        f"{path}:6: profiles.B.params.OTHER: no shader of profile 'B' declares PARAM OTHER",
    ]   # STRENGTH 2.0 is outside 0..1: clamped everywhere, a warning (next test)


def test_a_param_outside_its_range_means_the_same_in_play_planes_plan_and_check(tmp_path):
    """One rule (render/params.py): clamped to the range by the chain's values, the passes
    libmpv runs, the planner, and said by `profiles --check` as a warning."""
    from player.config.check import plan_warnings
    from player.render import plan
    from player.render.hookfile import load
    from player.render.params import resolve_params
    from player.render.planes import split_plane_hooks
    chroma = WITH_PARAM.replace("//!HOOK MAIN", "//!HOOK CHROMA")
    write(tmp_path, chroma, "param.glsl")
    path = write(tmp_path, """\
    profiles:
      B:
        shaders: [param.glsl]
        params: {STRENGTH: 2.0}
    """)
    files = [load(str(tmp_path / "param.glsl"))]
    resolved = resolve_params(files, {"STRENGTH": 2.0})
    assert resolved.values["STRENGTH"] == 1.0
    assert resolved.clamped == ("PARAM STRENGTH: 2 is outside its range 0 to 1; 1 is used",)
    stage, _ = split_plane_hooks(files, {"STRENGTH": 2.0})
    text = stage.plan((64, 36), (32, 18), (128, 72)).text   # what libmpv's passes get
    assert re.search(r"#define STRENGTH 1(\.0*)?\n", text), text
    assert plan._Walk(files, (64, 36), (128, 72), {"STRENGTH": 2.0},
                      "bicubic").values["STRENGTH"] == 1.0
    assert check(path) == []                          # not an error: it plays
    assert any(w.startswith("PARAM STRENGTH: 2 is outside its range 0 to 1; 1 is used")
               for w in plan_warnings(path))
    with pytest.raises(ShaderError):                  # not a number: an error everywhere
        resolve_params(files, {"STRENGTH": "loud"})


def test_check_a_yaml_syntax_error(tmp_path):
    path = write(tmp_path, "profiles: [\n")
    [problem] = check(path)
    assert problem.startswith(f"{path}:2: YAML syntax error")


def test_config_is_a_plain_value():
    # two reads of one file are equal: a reload that changed nothing changes nothing
    assert load_config(str(SHIPPED_CONFIG)) == load_config(str(SHIPPED_CONFIG))
    assert isinstance(load_config(str(SHIPPED_CONFIG)), Config)


def test_a_copy_of_the_shipped_file_works_from_anywhere(tmp_path):
    """Copied to ~/.config/a4kplay/, the default file's relative tier paths still resolve
    to the shipped shaders, while a user's own relative paths resolve beside the copy."""
    copy = tmp_path / "profiles.yaml"
    text = SHIPPED_CONFIG.read_text().replace(
        "profiles:\n", "profiles:\n  Mine:\n    shaders: [mine.glsl]\n", 1)
    copy.write_text(text)
    c = load_config(str(copy))
    assert c.profile("Full").shaders == (str(REPO / "player" / "shipped" / "shaders" / "anime4k" / "full.glsl"),)
    assert c.profile("Mine").shaders == (str(tmp_path / "mine.glsl"),)


def test_check_warns_of_passes_the_chain_would_skip(tmp_path):
    """A pass whose size names a texture nothing makes is skipped while playing (said once
    on screen); `profiles --check` says so too, before playing, and still passes."""
    from player.config.check import plan_warnings
    from tests.conftest import run_cli
    (tmp_path / "a.glsl").write_text("//!HOOK MAIN\n//!BIND HOOKED\n//!WIDTH NOWHERE.w 2 *\n"
                                     "//!DESC needs NOWHERE\n"
                                     "vec4 hook() { return HOOKED_tex(HOOKED_pos); }\n")
    cfg = write(tmp_path, "profiles:\n  Odd:\n    shaders: [a.glsl]\n")
    warnings = plan_warnings(cfg)
    assert warnings and all("a.glsl:1" in w and "NOWHERE" in w for w in warnings)
    r = run_cli("profiles", "--check", cfg)
    assert r.returncode == 0 and "warning: " in r.stderr and "NOWHERE" in r.stderr
    assert plan_warnings(str(SHIPPED_CONFIG)) == []        # our own tiers skip nothing

"""mpv's flat command syntax, and input.conf -> profiles.yaml (a4kplay profiles --import-mpv).

The importer is tested on the exact text of Anime4K's published GLSL instructions for
Linux (md/GLSL_Instructions_Linux.md of bloc97/Anime4K: the high-end and the low-end
input.conf blocks, modes A, B, C, A+A, B+B, C+A and the clear line), pasted below as the
input a user would have.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from player.base.errors import ProfileError
from player.base.paths import SHIPPED_CONFIG
from player.config.mpv_commands import COMMANDS, PREFIXES, check_command, split_commands
from player.config.mpv_import import (
    ImportedProfile, default_input_conf, import_input_conf, mpv_config_dir, mpv_key,
    profile_name, render_profiles_yaml, split_path_list,
)


ANIME4K_HIGH_END = r'''CTRL+1 no-osd change-list glsl-shaders set "~~/shaders/Anime4K_Clamp_Highlights.glsl:~~/shaders/Anime4K_Restore_CNN_VL.glsl:~~/shaders/Anime4K_Upscale_CNN_x2_VL.glsl:~~/shaders/Anime4K_AutoDownscalePre_x2.glsl:~~/shaders/Anime4K_AutoDownscalePre_x4.glsl:~~/shaders/Anime4K_Upscale_CNN_x2_M.glsl"; show-text "Anime4K: Mode A (HQ)"
CTRL+2 no-osd change-list glsl-shaders set "~~/shaders/Anime4K_Clamp_Highlights.glsl:~~/shaders/Anime4K_Restore_CNN_Soft_VL.glsl:~~/shaders/Anime4K_Upscale_CNN_x2_VL.glsl:~~/shaders/Anime4K_AutoDownscalePre_x2.glsl:~~/shaders/Anime4K_AutoDownscalePre_x4.glsl:~~/shaders/Anime4K_Upscale_CNN_x2_M.glsl"; show-text "Anime4K: Mode B (HQ)"
CTRL+3 no-osd change-list glsl-shaders set "~~/shaders/Anime4K_Clamp_Highlights.glsl:~~/shaders/Anime4K_Upscale_Denoise_CNN_x2_VL.glsl:~~/shaders/Anime4K_AutoDownscalePre_x2.glsl:~~/shaders/Anime4K_AutoDownscalePre_x4.glsl:~~/shaders/Anime4K_Upscale_CNN_x2_M.glsl"; show-text "Anime4K: Mode C (HQ)"
CTRL+4 no-osd change-list glsl-shaders set "~~/shaders/Anime4K_Clamp_Highlights.glsl:~~/shaders/Anime4K_Restore_CNN_VL.glsl:~~/shaders/Anime4K_Upscale_CNN_x2_VL.glsl:~~/shaders/Anime4K_Restore_CNN_M.glsl:~~/shaders/Anime4K_AutoDownscalePre_x2.glsl:~~/shaders/Anime4K_AutoDownscalePre_x4.glsl:~~/shaders/Anime4K_Upscale_CNN_x2_M.glsl"; show-text "Anime4K: Mode A+A (HQ)"
CTRL+5 no-osd change-list glsl-shaders set "~~/shaders/Anime4K_Clamp_Highlights.glsl:~~/shaders/Anime4K_Restore_CNN_Soft_VL.glsl:~~/shaders/Anime4K_Upscale_CNN_x2_VL.glsl:~~/shaders/Anime4K_AutoDownscalePre_x2.glsl:~~/shaders/Anime4K_AutoDownscalePre_x4.glsl:~~/shaders/Anime4K_Restore_CNN_Soft_M.glsl:~~/shaders/Anime4K_Upscale_CNN_x2_M.glsl"; show-text "Anime4K: Mode B+B (HQ)"
CTRL+6 no-osd change-list glsl-shaders set "~~/shaders/Anime4K_Clamp_Highlights.glsl:~~/shaders/Anime4K_Upscale_Denoise_CNN_x2_VL.glsl:~~/shaders/Anime4K_AutoDownscalePre_x2.glsl:~~/shaders/Anime4K_AutoDownscalePre_x4.glsl:~~/shaders/Anime4K_Restore_CNN_M.glsl:~~/shaders/Anime4K_Upscale_CNN_x2_M.glsl"; show-text "Anime4K: Mode C+A (HQ)"

CTRL+0 no-osd change-list glsl-shaders clr ""; show-text "GLSL shaders cleared"
'''

ANIME4K_LOW_END = r'''CTRL+1 no-osd change-list glsl-shaders set "~~/shaders/Anime4K_Clamp_Highlights.glsl:~~/shaders/Anime4K_Restore_CNN_M.glsl:~~/shaders/Anime4K_Upscale_CNN_x2_M.glsl:~~/shaders/Anime4K_AutoDownscalePre_x2.glsl:~~/shaders/Anime4K_AutoDownscalePre_x4.glsl:~~/shaders/Anime4K_Upscale_CNN_x2_S.glsl"; show-text "Anime4K: Mode A (Fast)"
CTRL+2 no-osd change-list glsl-shaders set "~~/shaders/Anime4K_Clamp_Highlights.glsl:~~/shaders/Anime4K_Restore_CNN_Soft_M.glsl:~~/shaders/Anime4K_Upscale_CNN_x2_M.glsl:~~/shaders/Anime4K_AutoDownscalePre_x2.glsl:~~/shaders/Anime4K_AutoDownscalePre_x4.glsl:~~/shaders/Anime4K_Upscale_CNN_x2_S.glsl"; show-text "Anime4K: Mode B (Fast)"
CTRL+3 no-osd change-list glsl-shaders set "~~/shaders/Anime4K_Clamp_Highlights.glsl:~~/shaders/Anime4K_Upscale_Denoise_CNN_x2_M.glsl:~~/shaders/Anime4K_AutoDownscalePre_x2.glsl:~~/shaders/Anime4K_AutoDownscalePre_x4.glsl:~~/shaders/Anime4K_Upscale_CNN_x2_S.glsl"; show-text "Anime4K: Mode C (Fast)"
CTRL+4 no-osd change-list glsl-shaders set "~~/shaders/Anime4K_Clamp_Highlights.glsl:~~/shaders/Anime4K_Restore_CNN_M.glsl:~~/shaders/Anime4K_Upscale_CNN_x2_M.glsl:~~/shaders/Anime4K_Restore_CNN_S.glsl:~~/shaders/Anime4K_AutoDownscalePre_x2.glsl:~~/shaders/Anime4K_AutoDownscalePre_x4.glsl:~~/shaders/Anime4K_Upscale_CNN_x2_S.glsl"; show-text "Anime4K: Mode A+A (Fast)"
CTRL+5 no-osd change-list glsl-shaders set "~~/shaders/Anime4K_Clamp_Highlights.glsl:~~/shaders/Anime4K_Restore_CNN_Soft_M.glsl:~~/shaders/Anime4K_Upscale_CNN_x2_M.glsl:~~/shaders/Anime4K_AutoDownscalePre_x2.glsl:~~/shaders/Anime4K_AutoDownscalePre_x4.glsl:~~/shaders/Anime4K_Restore_CNN_Soft_S.glsl:~~/shaders/Anime4K_Upscale_CNN_x2_S.glsl"; show-text "Anime4K: Mode B+B (Fast)"
CTRL+6 no-osd change-list glsl-shaders set "~~/shaders/Anime4K_Clamp_Highlights.glsl:~~/shaders/Anime4K_Upscale_Denoise_CNN_x2_M.glsl:~~/shaders/Anime4K_AutoDownscalePre_x2.glsl:~~/shaders/Anime4K_AutoDownscalePre_x4.glsl:~~/shaders/Anime4K_Restore_CNN_S.glsl:~~/shaders/Anime4K_Upscale_CNN_x2_S.glsl"; show-text "Anime4K: Mode C+A (Fast)"

CTRL+0 no-osd change-list glsl-shaders clr ""; show-text "GLSL shaders cleared"
'''

HIGH_END_MODE_A = ("Anime4K_Clamp_Highlights.glsl", "Anime4K_Restore_CNN_VL.glsl",
                   "Anime4K_Upscale_CNN_x2_VL.glsl", "Anime4K_AutoDownscalePre_x2.glsl",
                   "Anime4K_AutoDownscalePre_x4.glsl", "Anime4K_Upscale_CNN_x2_M.glsl")


# ---- mpv's flat command syntax ----

def test_command_table_is_mpv_0_35():
    assert len(COMMANDS) == 74
    assert {"change-list", "show-text", "script-message", "quit-watch-later", "keypress",
            "cycle-values", "ignore"} <= COMMANDS
    assert "no-osd" in PREFIXES and "no-osd" not in COMMANDS
    assert len(PREFIXES) == 10


@pytest.mark.parametrize("text, expected", [
    ("seek 5", [["seek", "5"]]),
    ('show-text "a b"  ;  cycle pause', [["show-text", "a b"], ["cycle", "pause"]]),
    ('no-osd change-list glsl-shaders set "~~/a.glsl:~~/b.glsl"; show-text "Anime4K: Mode A"',
     [["no-osd", "change-list", "glsl-shaders", "set", "~~/a.glsl:~~/b.glsl"],
      ["show-text", "Anime4K: Mode A"]]),
    (r'show-text "tab\there \"q\" back\\slash \u00e9"', [["show-text", 'tab\there "q" back\\slash \u00e9']]),
    ("show-text 'no \\escapes \"here\"'", [["show-text", 'no \\escapes "here"']]),
    ("show-text `!it's \"raw\"!`", [["show-text", "it's \"raw\""]]),
    ("cycle pause # a comment ; quit", [["cycle", "pause"]]),
    ('show-text "# not a comment; nor this"', [["show-text", "# not a comment; nor this"]]),
    ("cycle pause;quit", [["cycle", "pause"], ["quit"]]),
    ('show-text a"b', [["show-text", 'a"b']]),                # quotes only start a word
    ("cycle pause ;", [["cycle", "pause"]]),
    ('change-list glsl-shaders clr ""', [["change-list", "glsl-shaders", "clr", ""]]),
    ("", []), ("   # only a comment", []),
])
def test_split_commands(text, expected):
    assert split_commands(text) == expected


@pytest.mark.parametrize("text, message", [
    ('show-text "never closed', "unterminated double quote"),
    ("show-text 'never closed", "unterminated single quote"),
    ("show-text `!never closed", "unterminated custom quote"),
    (r'show-text "bad \q escape"', "unknown escape \\q"),
    (r'show-text "bad \u12g4"', "broken escape"),
    ('show-text "ends in a backslash\\', "unterminated double quote"),
])
def test_split_commands_broken(text, message):
    with pytest.raises(ValueError, match=message.replace("\\", "\\\\")):
        split_commands(text)


@pytest.mark.parametrize("text, problem", [
    ("cycle pause", None),
    ('no-osd change-list glsl-shaders set "a"; show-text "x"', None),
    ("osd-msg-bar seek 5 relative+exact", None),
    ("script-message a4kplay profile Fast", None),
    ("foo bar", "unknown command 'foo'"),
    ("cycle pause; sekk 5", "unknown command 'sekk' (did you mean 'seek'?)"),
    ("no-osd", "expected a command after no-osd"),
    ("", "expected an mpv command, got nothing"),
    ('show-text "open', "unterminated double quote"),
])
def test_check_command(text, problem):
    got = check_command(text)
    if problem is None:
        assert got is None
    else:
        assert got is not None and got.startswith(problem)


# ---- keys, names, path lists ----

@pytest.mark.parametrize("mpv, ours", [
    ("CTRL+1", "Ctrl+1"), ("ctrl+shift+LEFT", "Shift+Ctrl+LEFT"), ("alt+ctrl+a", "Ctrl+Alt+a"),
    ("Ctrl+A", "Ctrl+A"), ("space", "SPACE"), ("PGUP", "PGUP"), ("Esc", "ESC"),
    ("kp_enter", "KP_ENTER"), ("Cmd+q", "Meta+q"), ("+", "+"), ("Ctrl++", "Ctrl++"),
    ("-", "-"), ("Ctrl+-", "Ctrl+-"), ("g-c", "g-c"), ("a", "a"), ("A", "A"),
    ("MBTN_LEFT_DBL", "MBTN_LEFT_DBL"), ("0x1000003", "0x1000003"),
])
def test_mpv_key(mpv, ours):
    assert mpv_key(mpv) == ours


@pytest.mark.parametrize("text, name", [
    ("Anime4K: Mode A (HQ)", "Anime4K Mode A (HQ)"),
    ("  Mode   B+B\t(Fast) ", "Mode B+B (Fast)"),
    ("shaders: ${glsl-shaders}", "shaders"),
    ("é/ü_x.y-z!", "éü_x.y-z"),
    ("::!!", ""),
])
def test_profile_name(text, name):
    assert profile_name(text) == name


@pytest.mark.parametrize("value, items", [
    ("~~/a.glsl:~~/b.glsl", ["~~/a.glsl", "~~/b.glsl"]),
    ("/x/a b.glsl::/y/c.glsl", ["/x/a b.glsl", "/y/c.glsl"]),
    (r"/x/odd\:name.glsl:/y/c.glsl", ["/x/odd:name.glsl", "/y/c.glsl"]),
    ("~~/shaders/a.glsl;~~/shaders/b.glsl", ["~~/shaders/a.glsl", "~~/shaders/b.glsl"]),
    ("C:/mpv/a.glsl;D:\\b.glsl", ["C:/mpv/a.glsl", "D:\\b.glsl"]),
    ("C:/mpv/a.glsl", ["C:/mpv/a.glsl"]),
    ("", []),
])
def test_split_path_list(value, items):
    assert split_path_list(value) == items


def test_mpv_config_dir(tmp_path):
    assert default_input_conf({"MPV_HOME": "/m", "XDG_CONFIG_HOME": "/x", "HOME": "/h"}) \
        == Path("/m/input.conf")
    assert default_input_conf({"XDG_CONFIG_HOME": "/x", "HOME": "/h"}) == Path("/x/mpv/input.conf")
    assert default_input_conf({"XDG_CONFIG_HOME": "rel", "HOME": "/h"}) \
        == Path("/h/.config/mpv/input.conf")
    assert mpv_config_dir({"HOME": str(tmp_path)}) == tmp_path / ".config" / "mpv"


# ---- the importer, on Anime4K's own instructions ----

def _mpv_dir_with_shaders(tmp_path: Path, text: str) -> Path:
    """An mpv config folder holding (empty) files for every shader `text` names."""
    mpv = tmp_path / "mpv"
    (mpv / "shaders").mkdir(parents=True)
    for name in set(w for w in text.replace('"', ":").split(":") if w.endswith(".glsl")):
        (mpv / name.removeprefix("~~/")).write_text("// placeholder\n")
    return mpv


@pytest.mark.parametrize("text, tier", [(ANIME4K_HIGH_END, "HQ"), (ANIME4K_LOW_END, "Fast")])
def test_import_anime4k_instructions(tmp_path, text, tier):
    mpv = _mpv_dir_with_shaders(tmp_path, text)
    conf = mpv / "input.conf"
    conf.write_text(text)
    result = import_input_conf(conf.read_text(), str(conf), mpv, home=tmp_path)
    assert result.skipped == [] and result.warnings == [] and result.ignored == 0
    names = [p.name for p in result.profiles]
    assert names == [f"Anime4K Mode {m} ({tier})" for m in ("A", "B", "C", "A+A", "B+B", "C+A")] \
        + ["GLSL shaders cleared"]
    assert [p.key for p in result.profiles] == [f"Ctrl+{n}" for n in (1, 2, 3, 4, 5, 6, 0)]
    assert [p.line for p in result.profiles] == [1, 2, 3, 4, 5, 6, 8]
    assert result.profiles[-1].shaders == ()
    for p in result.profiles[:-1]:
        assert all(Path(s).parent == mpv / "shaders" and Path(s).is_file() for s in p.shaders)
    assert [len(p.shaders) for p in result.profiles] == [6, 6, 5, 7, 7, 6, 0]
    if tier == "HQ":
        assert result.profiles[0].shaders == tuple(str(mpv / "shaders" / n) for n in HIGH_END_MODE_A)


def test_rendered_yaml_is_a_valid_profiles_file(tmp_path):
    from player.config.profiles import load_config

    mpv = _mpv_dir_with_shaders(tmp_path, ANIME4K_HIGH_END)
    result = import_input_conf(ANIME4K_HIGH_END, str(mpv / "input.conf"), mpv, home=tmp_path)
    text = render_profiles_yaml(result)
    assert str(mpv / "input.conf") in text.split("profiles:")[0]   # says where it came from
    out = tmp_path / "profiles.yaml"
    out.write_text(text)
    config = load_config(str(out))
    assert list(config.profiles) == [p.name for p in result.profiles]
    assert config.default == "Anime4K Mode A (HQ)"
    assert config.profiles["Anime4K Mode A (HQ)"].shaders == result.profiles[0].shaders
    assert config.profiles["GLSL shaders cleared"].shaders == ()
    assert config.bindings["Ctrl+3"].arg == "Anime4K Mode C (HQ)"
    # every key and name is quoted, so YAML cannot turn them into numbers or booleans
    data = yaml.safe_load(text)
    assert all(isinstance(v["key"], str) for v in data["profiles"].values())


def test_merged_with_the_shipped_file_keeps_our_profiles(tmp_path):
    # Anime4K's Ctrl+1..6 and Ctrl+0 may be keys of our own profiles too: the merge must
    # still give a file that loads, with the imported profiles on those keys
    from player.config.profiles import load_config

    shipped = (SHIPPED_CONFIG).read_text()
    mpv = _mpv_dir_with_shaders(tmp_path, ANIME4K_HIGH_END)
    result = import_input_conf(ANIME4K_HIGH_END, "input.conf", mpv, home=tmp_path)
    out = tmp_path / "profiles.yaml"
    out.write_text(render_profiles_yaml(result, shipped))
    config = load_config(str(out))
    shipped_config = load_config(str(SHIPPED_CONFIG))
    assert list(config.profiles)[:7] == [p.name for p in result.profiles]
    assert set(shipped_config.profiles) <= set(config.profiles)
    assert config.default == result.profiles[0].name
    assert config.ladder == shipped_config.ladder
    assert config.governor == shipped_config.governor
    for p in result.profiles:
        assert config.bindings[p.key].arg == p.name


def test_merge_moves_a_shipped_key_to_the_imported_profile(tmp_path):
    from player.config.profiles import load_config

    shipped = (SHIPPED_CONFIG).read_text()
    shipped_config = load_config(str(SHIPPED_CONFIG))
    owner = next(p for p in shipped_config.profiles.values() if p.key)
    text = f'{owner.key} change-list glsl-shaders set "~~/shaders/x.glsl"; show-text "Mine"\n'
    mpv = _mpv_dir_with_shaders(tmp_path, text)
    notes: list[str] = []
    result = import_input_conf(text, "input.conf", mpv, home=tmp_path)
    out = tmp_path / "profiles.yaml"
    out.write_text(render_profiles_yaml(result, shipped, notes))
    config = load_config(str(out))
    assert config.profiles["Mine"].key == owner.key
    assert config.bindings[owner.key].arg == "Mine"
    assert config.profiles[owner.name].key is None
    assert len(notes) == 1 and owner.name in notes[0]


def test_name_taken_by_a_shipped_profile_gets_a_number(tmp_path):
    text = 'Ctrl+9 change-list glsl-shaders clr ""; show-text "Off"\n'
    result = import_input_conf(text, "input.conf", tmp_path)
    merged = yaml.safe_load(render_profiles_yaml(result, (SHIPPED_CONFIG).read_text()))
    assert "Off (2)" in merged["profiles"] and merged["default"] == "Off (2)"


def test_nothing_to_import_is_an_error_naming_the_file(tmp_path):
    result = import_input_conf("SPACE cycle pause\n", "/h/input.conf", tmp_path)
    assert result.profiles == [] and result.ignored == 1
    with pytest.raises(ProfileError, match="nothing to import") as e:
        render_profiles_yaml(result)
    assert e.value.path == "/h/input.conf"


# ---- what else input.conf holds ----

def _import(tmp_path, text):
    return import_input_conf(text, "in.conf", tmp_path / "mpv", home=tmp_path / "home")


def test_broken_lines_are_listed_and_the_rest_imported(tmp_path):
    text = ("CTRL+1 change-list glsl-shaders set \"~~/a.glsl\"; show-text \"One\"\n"
            "CTRL+2 change-list glsl-shaders set \"~~/b.glsl; show-text Two\n"
            "CTRL+3\n"
            "CTRL+4 no-osd\n"
            "CTRL+5 frobnicate glsl-shaders\n"
            "CTRL+6 {section change-list glsl-shaders clr \"\"\n"
            "CTRL+7 change-list glsl-shaders set '~/c.glsl'; show-text \"Seven\"\n")
    result = _import(tmp_path, text)
    assert [p.name for p in result.profiles] == ["One", "Seven"]
    assert result.profiles[1].shaders == (str(tmp_path / "home" / "c.glsl"),)
    assert [s.split(": ", 1)[0] for s in result.skipped] == [f"in.conf:{n}" for n in (2, 3, 4, 5, 6)]
    assert "unterminated double quote" in result.skipped[0]
    assert "no command after key 'CTRL+3'" in result.skipped[1]
    assert "no-osd without a command" in result.skipped[2]
    assert "unknown command 'frobnicate'" in result.skipped[3]
    assert "unterminated section name" in result.skipped[4]


def test_other_bindings_are_ignored_but_counted(tmp_path):
    text = ("# a comment\n\nSPACE cycle pause\nq quit\n"
            "j cycle sub   # next subtitle\n"
            "CTRL+1 set glsl-shaders \"/s/a.glsl:/s/b.glsl\"\n")
    result = _import(tmp_path, text)
    assert result.ignored == 3 and result.skipped == []
    assert result.profiles == [ImportedProfile("mpv Ctrl+1", "Ctrl+1", ("/s/a.glsl", "/s/b.glsl"), 6)]


def test_append_and_toggle_on_an_unknown_list_import_what_they_add(tmp_path):
    text = ('CTRL+7 change-list glsl-shaders append "~~/shaders/x.glsl"\n'
            'CTRL+8 change-list glsl-shaders toggle "~~/shaders/y.glsl"; show-text "Y"\n')
    result = _import(tmp_path, text)
    mpv = tmp_path / "mpv"
    assert [(p.key, p.shaders) for p in result.profiles] == [
        ("Ctrl+7", (str(mpv / "shaders/x.glsl"),)), ("Ctrl+8", (str(mpv / "shaders/y.glsl"),))]
    notes = [w for w in result.warnings if "adds to the shaders playing" in w]
    assert [n.split(":")[1] for n in notes] == ["1", "2"]
    assert "another profile's key turns it off" in notes[1]


def test_a_line_that_starts_from_a_known_list_is_exact(tmp_path):
    text = ('a change-list glsl-shaders clr ""; change-list glsl-shaders append "/s/1.glsl"; '
            'change-list glsl-shaders add "/s/2.glsl:/s/3.glsl"; change-list glsl-shaders pre "/s/0.glsl"; '
            'change-list glsl-shaders remove "/s/2.glsl"; change-list glsl-shaders toggle "/s/3.glsl"; '
            'change-list glsl-shaders toggle "/s/4.glsl"\n')
    result = _import(tmp_path, text)
    assert result.profiles[0].shaders == ("/s/0.glsl", "/s/1.glsl", "/s/4.glsl")
    assert not [w for w in result.warnings if "adds to" in w]


@pytest.mark.parametrize("command, why", [
    ('cycle-values glsl-shaders "/a.glsl" "/b.glsl" ""', "cycles 3 shader lists"),
    ('change-list glsl-shaders remove "/a.glsl"', "takes a shader out of the list playing"),
    ('change-list glsl-shaders del "0"', "removes by index"),
    ('change-list glsl-shaders bogus "/a.glsl"', "no such operation"),
    ('cycle glsl-shaders', "does not name a shader list"),
])
def test_bindings_that_are_no_single_chain_are_skipped_with_why(tmp_path, command, why):
    result = _import(tmp_path, f"CTRL+1 {command}\n")
    assert result.profiles == []
    assert len(result.skipped) == 1 and result.skipped[0].startswith("in.conf:1: Ctrl+1: ")
    assert why in result.skipped[0]


def test_a_key_bound_twice_keeps_the_later_binding(tmp_path):
    text = ('ctrl+1 set glsl-shaders "/a.glsl"\n'
            'CTRL+1 set glsl-shaders "/b.glsl"\n'
            'CTRL+2 set glsl-shaders "/c.glsl"\n'
            'Ctrl+2 cycle pause\n'
            'CTRL+3 set glsl-shaders "/d.glsl"\n'
            'CTRL+3 nonsense\n')                  # mpv rejects this line: line 5 stays
    result = _import(tmp_path, text)
    assert [(p.key, p.shaders, p.line) for p in result.profiles] == [
        ("Ctrl+1", ("/b.glsl",), 2), ("Ctrl+3", ("/d.glsl",), 5)]
    assert any(s.startswith("in.conf:1: Ctrl+1 is bound again on line 2") for s in result.skipped)
    assert any(s.startswith("in.conf:3: Ctrl+2 is bound again on line 4") for s in result.skipped)


def test_duplicate_names_get_a_number(tmp_path):
    text = "".join(f'CTRL+{n} set glsl-shaders "/s{n}.glsl"; show-text "Anime4K: Mode A"\n'
                   for n in (1, 2, 3))
    assert [p.name for p in _import(tmp_path, text).profiles] == \
        ["Anime4K Mode A", "Anime4K Mode A (2)", "Anime4K Mode A (3)"]


def test_warnings_for_what_a_profile_cannot_carry(tmp_path):
    text = ('CTRL+1 set glsl-shaders "~~/missing.glsl:rel.glsl:~~weird/x.glsl"; set deband yes\n'
            'CTRL+2 set glsl-shaders "~~/missing.glsl"\n'
            'g-x set glsl-shaders "/s/a.glsl"\n'
            'CTRL+4 {mysection} set glsl-shaders "/s/b.glsl"\n')
    result = _import(tmp_path, text)
    w = "\n".join(result.warnings)
    assert "in.conf:1: relative shader path 'rel.glsl'" in w
    assert "unknown mpv path prefix in '~~weird/x.glsl'" in w
    assert "also runs set deband yes" in w
    assert w.count("not found: " + str(tmp_path / "mpv" / "missing.glsl")) == 1   # once
    assert "key sequence 'g-x'" in w
    assert [(p.name, p.key) for p in result.profiles] == [
        ("mpv Ctrl+1", "Ctrl+1"), ("mpv Ctrl+2", "Ctrl+2"), ("mpv g-x", "")]
    assert any("input section {mysection}" in s for s in result.skipped)
    text = render_profiles_yaml(result)
    assert yaml.safe_load(text)["profiles"]["mpv g-x"].get("key") is None

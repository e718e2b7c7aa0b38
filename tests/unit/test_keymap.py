"""Key events -> mpv key names -> bindings; the action table and its handlers."""
from __future__ import annotations

import re
import subprocess
import sys

import glfw
import pytest

from player.config.actions import ACTIONS, PROFILE_KEYS
from player.config.keymap import (MPV, Action, default_bindings, input_section,
                                  normalize_key, parse_action)
from player.gl.keys import button_name, key_name, wheel_name

SHIFT, CTRL, ALT = glfw.MOD_SHIFT, glfw.MOD_CONTROL, glfw.MOD_ALT


@pytest.mark.parametrize("key, mods, name", [
    (glfw.KEY_SPACE, 0, "SPACE"), (glfw.KEY_TAB, 0, "TAB"), (glfw.KEY_ESCAPE, 0, "ESC"),
    (glfw.KEY_LEFT, 0, "LEFT"), (glfw.KEY_RIGHT, 0, "RIGHT"), (glfw.KEY_UP, 0, "UP"),
    (glfw.KEY_DOWN, 0, "DOWN"), (glfw.KEY_A, 0, "a"), (glfw.KEY_Z, 0, "z"),
    (glfw.KEY_S, 0, "s"), (glfw.KEY_S, SHIFT, "S"), (glfw.KEY_I, SHIFT, "I"),
    (glfw.KEY_0, 0, "0"), (glfw.KEY_9, 0, "9"), (glfw.KEY_KP_3, 0, "3"),
    (glfw.KEY_LEFT_BRACKET, 0, "["), (glfw.KEY_RIGHT_BRACKET, 0, "]"),
    (glfw.KEY_PERIOD, 0, "."), (glfw.KEY_COMMA, 0, ","), (glfw.KEY_SLASH, 0, "/"),
    (glfw.KEY_KP_DIVIDE, 0, "/"), (glfw.KEY_KP_MULTIPLY, 0, "*"), (glfw.KEY_8, SHIFT, "*"),
    (glfw.KEY_F1, 0, "F1"), (glfw.KEY_F12, 0, "F12"), (glfw.KEY_S, CTRL, "Ctrl+s"),
    (glfw.KEY_S, CTRL | SHIFT, "Ctrl+S"), (glfw.KEY_Q, CTRL | ALT, "Ctrl+Alt+q"),
    (glfw.KEY_TAB, SHIFT, "Shift+TAB"), (glfw.KEY_EQUAL, SHIFT, "+"),
    (glfw.KEY_S, glfw.MOD_CAPS_LOCK | glfw.MOD_NUM_LOCK, "s"),
    (glfw.KEY_3, SHIFT, "SHARP"), (glfw.KEY_PAGE_UP, 0, "PGUP"), (glfw.KEY_PAGE_DOWN, 0, "PGDWN"),
    (glfw.KEY_BACKSPACE, 0, "BS"), (glfw.KEY_ENTER, 0, "ENTER"),
    (glfw.KEY_KP_ENTER, 0, "KP_ENTER"), (glfw.KEY_PERIOD, SHIFT, ">"),
    (glfw.KEY_1, CTRL, "Ctrl+1"), (glfw.KEY_RIGHT_BRACKET, SHIFT, "}"),
])
def test_key_name(key, mods, name):
    assert key_name(key, mods) == name


@pytest.mark.parametrize("key", [glfw.KEY_LEFT_SHIFT, glfw.KEY_RIGHT_CONTROL, glfw.KEY_UNKNOWN])
def test_keys_without_a_name(key):
    assert key_name(key, 0) is None


def test_mouse_names_are_mpvs():
    assert button_name(glfw.MOUSE_BUTTON_LEFT, 0) == "MBTN_LEFT"
    assert button_name(glfw.MOUSE_BUTTON_LEFT, 0, double=True) == "MBTN_LEFT_DBL"
    assert button_name(glfw.MOUSE_BUTTON_RIGHT, 0) == "MBTN_RIGHT"
    assert button_name(glfw.MOUSE_BUTTON_4, 0) == "MBTN_BACK"
    assert wheel_name(0, 1, 0) == "WHEEL_UP" and wheel_name(0, -1, 0) == "WHEEL_DOWN"
    assert wheel_name(0, 0, 0) is None


def test_every_glfw_key_name_is_a_valid_binding_name():
    codes = {getattr(glfw, n) for n in dir(glfw) if n.startswith("KEY_")}
    for code in codes:
        for mods in (0, SHIFT, CTRL, CTRL | SHIFT, ALT | glfw.MOD_SUPER):
            name = key_name(code, mods)
            if name is not None:
                assert normalize_key(name) == name
    for button in range(8):
        for double in (False, True):
            name = button_name(button, 0, double)
            if name is not None:
                assert normalize_key(name) == name


@pytest.mark.parametrize("text, canonical", [
    ("space", "SPACE"), ("SPACE", "SPACE"), ("escape", "ESC"), ("Esc", "ESC"),
    ("ctrl+s", "Ctrl+s"), ("Shift+s", "S"), ("ctrl+shift+s", "Ctrl+S"),
    ("alt+ctrl+x", "Ctrl+Alt+x"), ("f5", "F5"), ("S", "S"), ("+", "+"),
    ("Ctrl++", "Ctrl++"), ("shift+tab", "Shift+TAB"), ("0", "0"), ("*", "*"),
    ("PgDn", "PGDWN"), ("pgup", "PGUP"), ("Backspace", "BS"), ("#", "SHARP"),
    ("super+a", "Meta+a"), ("mbtn_left_dbl", "MBTN_LEFT_DBL"), ("CTRL+1", "Ctrl+1"),
])
def test_normalize_key(text, canonical):
    assert normalize_key(text) == canonical


@pytest.mark.parametrize("text", ["", "Foo", "ctrl+", "Hyper+s", "Ctrl+Ctrl+s", "Shift+8",
                                  "F26", "ss"])
def test_normalize_key_rejects(text):
    with pytest.raises(ValueError):
        normalize_key(text)


@pytest.mark.parametrize("text, action", [
    ("profile Full", Action("profile", "Full")), ("profile My Chain", Action("profile", "My Chain")),
    ("cycle-profile", Action("cycle-profile")), ("compare-cycle", Action("compare-cycle")),
    ("flip", Action("flip")), ("divider -0.05", Action("divider", -0.05)),
    ("screenshot", Action("screenshot")), ("screenshot video", Action("screenshot", "video")),
    ("screenshot subtitles", Action("screenshot")), ("screenshot-both", Action("screenshot-both")),
    ("edit-config", Action("edit-config")), ("overlay-show", Action("overlay-show")),
    ("overlay-toggle", Action("overlay-toggle")), ("auto-toggle", Action("auto-toggle")),
    ("show-progress", Action("show-progress")), ("sub-visibility", Action("sub-visibility")),
    # mpv commands, as input.conf writes them
    ("cycle sub", Action(MPV, "cycle sub")), ("no-osd seek 5 exact", Action(MPV, "no-osd seek 5 exact")),
    ("add speed 0.25", Action(MPV, "add speed 0.25")), ("ignore", Action(MPV, "ignore")),
    ('show-text "${playlist}"', Action(MPV, 'show-text "${playlist}"')),
    # round 1's actions are the mpv commands they meant
    ("pause", Action(MPV, "cycle pause")), ("fullscreen", Action(MPV, "cycle fullscreen")),
    ("quit", Action(MPV, "quit")), ("mute", Action(MPV, "cycle mute")),
    ("seek +5", Action(MPV, "seek 5")), ("seek -60", Action(MPV, "seek -60")),
    ("volume +2", Action(MPV, "add volume 2")),
    ("frame-step +1", Action(MPV, "frame-step")), ("frame-step -1", Action(MPV, "frame-back-step")),
    ("  pause  ", Action(MPV, "cycle pause")),
])
def test_parse_action(text, action):
    assert parse_action(text) == action
    assert parse_action(str(action)) == action  # str() gives the YAML form back


@pytest.mark.parametrize("text, words", [
    ("jump", "unknown command 'jump'"), ("pause now", "takes no argument"),
    ("volume", "needs a number"), ("seek far", "expected a number"), ("seek nan", "finite"),
    ("frame-step 2", "+1 or -1"), ("divider 1.5", "between -1 and 1"),
    ("profile", "needs a profile name"), ("", "empty"), ("screenshot each-frame", "expected one of"),
    ('show-text "unterminated', "quote"),
])
def test_parse_action_rejects_with_a_reason(text, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        parse_action(text)


def test_default_bindings_stay_off_mpvs_keys_except_where_they_mean_the_same():
    b = default_bindings()
    expected = {
        "TAB": "cycle-profile", "c": "compare-cycle", "C": "flip", "Alt+[": "divider -0.05",
        "Alt+]": "divider +0.05", "s": "screenshot", "S": "screenshot video",
        "Ctrl+s": "screenshot window", "Ctrl+S": "screenshot-both", "Ctrl+e": "edit-config",
        "i": "overlay-show", "I": "overlay-toggle", "a": "auto-toggle", "o": "show-progress",
        "P": "show-progress", "v": "sub-visibility",
        "DEL": "osc-visibility cycle",          # mpv's DEL cycles its osc's visibility too
        **{k: f"profile {n}" for k, n in PROFILE_KEYS.items()},
    }
    assert {k: str(a) for k, a in b.items()} == expected
    assert all(normalize_key(k) == k for k in b)
    # reload, and the controller's menus and compare button, have no default key
    assert {a.name for a in b.values()} == set(ACTIONS) - {"reload", "menu", "compare"}
    with pytest.raises(TypeError):
        b["z"] = Action("quit")  # read-only
    # mpv 0.35's default keys we leave to mpv (its input.conf)
    for key in ("SPACE", "p", "q", "Q", "f", "ESC", "[", "]", "{", "}", "BS", "j", "J",
                "SHARP", "PGUP", "PGDWN", "z", "Z", "x", "e", ">", "<", "ENTER", "9", "0",
                "1", "2", "m", "LEFT", "RIGHT", "MBTN_LEFT_DBL", "MBTN_RIGHT", "WHEEL_UP"):
        assert key not in b, key


def test_a_key_press_reaches_its_binding():
    b = default_bindings()
    assert b[key_name(glfw.KEY_S, CTRL | SHIFT)] == Action("screenshot-both")
    assert b[key_name(glfw.KEY_C, 0)] == Action("compare-cycle")
    assert b[key_name(glfw.KEY_0, CTRL)] == Action("profile", "Off")


def test_input_section_runs_our_actions_as_script_messages():
    text = input_section({"c": Action("compare-cycle"), "Ctrl+1": Action("profile", "My Chain"),
                          "x": Action(MPV, "ignore"), "Alt+[": Action("divider", -0.05)})
    assert text.splitlines() == [
        "c script-message a4kplay compare-cycle",
        'Ctrl+1 script-message a4kplay profile "My Chain"',
        "x ignore",
        "Alt+[ script-message a4kplay divider -0.05"]


def test_every_action_has_a_handler_and_help():
    from player.playback.commands import HANDLERS
    assert set(HANDLERS) == set(ACTIONS)
    assert all(spec.help for spec in ACTIONS.values())


def test_reading_profiles_does_not_load_glfw():
    code = ("import sys; from player.config.profiles import load_config; load_config(); "
            "print('glfw' in sys.modules, 'OpenGL' in sys.modules, 'mpv' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "False", "False"]


def test_readme_key_table_is_the_action_table():
    from pathlib import Path
    from player.config.actions import key_table
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    start = readme.index("<!-- keys:start")
    start = readme.index("\n", start) + 1
    end = readme.index("<!-- keys:end -->")
    assert readme[start:end] == key_table()

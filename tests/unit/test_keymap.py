"""Key events -> key names -> actions."""
from __future__ import annotations

import re

import glfw
import pytest

from player.config.keymap import ACTIONS, Action, default_bindings, key_name, normalize_key, parse_action

SHIFT, CTRL, ALT = glfw.MOD_SHIFT, glfw.MOD_CONTROL, glfw.MOD_ALT


@pytest.mark.parametrize("key, mods, name", [
    (glfw.KEY_SPACE, 0, "space"), (glfw.KEY_TAB, 0, "Tab"), (glfw.KEY_ESCAPE, 0, "Esc"),
    (glfw.KEY_LEFT, 0, "Left"), (glfw.KEY_RIGHT, 0, "Right"), (glfw.KEY_UP, 0, "Up"),
    (glfw.KEY_DOWN, 0, "Down"), (glfw.KEY_A, 0, "a"), (glfw.KEY_Z, 0, "z"),
    (glfw.KEY_S, 0, "s"), (glfw.KEY_S, SHIFT, "S"), (glfw.KEY_I, SHIFT, "I"),
    (glfw.KEY_0, 0, "0"), (glfw.KEY_9, 0, "9"), (glfw.KEY_KP_3, 0, "3"),
    (glfw.KEY_LEFT_BRACKET, 0, "["), (glfw.KEY_RIGHT_BRACKET, 0, "]"),
    (glfw.KEY_PERIOD, 0, "."), (glfw.KEY_COMMA, 0, ","), (glfw.KEY_SLASH, 0, "/"),
    (glfw.KEY_KP_DIVIDE, 0, "/"), (glfw.KEY_KP_MULTIPLY, 0, "*"), (glfw.KEY_8, SHIFT, "*"),
    (glfw.KEY_F1, 0, "F1"), (glfw.KEY_F12, 0, "F12"), (glfw.KEY_S, CTRL, "Ctrl+s"),
    (glfw.KEY_S, CTRL | SHIFT, "Ctrl+S"), (glfw.KEY_Q, CTRL | ALT, "Ctrl+Alt+q"),
    (glfw.KEY_TAB, SHIFT, "Shift+Tab"), (glfw.KEY_EQUAL, SHIFT, "+"),
    (glfw.KEY_S, glfw.MOD_CAPS_LOCK | glfw.MOD_NUM_LOCK, "s"),
])
def test_key_name(key, mods, name):
    assert key_name(key, mods) == name


@pytest.mark.parametrize("key", [glfw.KEY_LEFT_SHIFT, glfw.KEY_RIGHT_CONTROL, glfw.KEY_UNKNOWN])
def test_keys_without_a_name(key):
    assert key_name(key, 0) is None


def test_every_glfw_key_name_is_a_valid_yaml_name():
    codes = {getattr(glfw, n) for n in dir(glfw) if n.startswith("KEY_")}
    for code in codes:
        for mods in (0, SHIFT, CTRL, CTRL | SHIFT, ALT | glfw.MOD_SUPER):
            name = key_name(code, mods)
            if name is not None:
                assert normalize_key(name) == name


@pytest.mark.parametrize("text, canonical", [
    ("space", "space"), ("SPACE", "space"), ("escape", "Esc"), ("ESC", "Esc"),
    ("ctrl+s", "Ctrl+s"), ("Shift+s", "S"), ("ctrl+shift+s", "Ctrl+S"),
    ("alt+ctrl+x", "Ctrl+Alt+x"), ("f5", "F5"), ("S", "S"), ("+", "+"),
    ("Ctrl++", "Ctrl++"), ("shift+tab", "Shift+Tab"), ("0", "0"), ("*", "*"),
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
    ("seek +5", Action("seek", 5.0)), ("seek -60", Action("seek", -60.0)),
    ("cycle-profile", Action("cycle-profile")), ("compare-cycle", Action("compare-cycle")),
    ("flip", Action("flip")), ("divider -0.05", Action("divider", -0.05)),
    ("screenshot", Action("screenshot")), ("screenshot-both", Action("screenshot-both")),
    ("edit-config", Action("edit-config")), ("overlay-show", Action("overlay-show")),
    ("overlay-toggle", Action("overlay-toggle")), ("auto-toggle", Action("auto-toggle")),
    ("pause", Action("pause")), ("fullscreen", Action("fullscreen")), ("quit", Action("quit")),
    ("mute", Action("mute")), ("volume +2", Action("volume", 2.0)),
    ("frame-step +1", Action("frame-step", 1)), ("frame-step -1", Action("frame-step", -1)),
    ("  pause  ", Action("pause")),
])
def test_parse_action(text, action):
    assert parse_action(text) == action
    assert parse_action(str(action)) == action  # str() gives the YAML form back


@pytest.mark.parametrize("text, words", [
    ("jump", "unknown action 'jump'"), ("pause now", "takes no argument"),
    ("seek", "needs a number"), ("seek far", "expected a number"), ("seek nan", "finite"),
    ("frame-step 2", "+1 or -1"), ("divider 1.5", "between -1 and 1"),
    ("profile", "needs a profile name"), ("", "empty"),
])
def test_parse_action_rejects_with_a_reason(text, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        parse_action(text)


def test_default_bindings():
    b = default_bindings()
    expected = {
        "space": "pause", "p": "pause", "Left": "seek -5", "Right": "seek +5",
        "Down": "seek -60", "Up": "seek +60", "f": "fullscreen", "q": "quit", "Esc": "quit",
        "m": "mute", ".": "frame-step +1", ",": "frame-step -1",
        "1": "profile UltraFast", "2": "profile Fast", "3": "profile Full", "0": "profile Off",
        "9": "volume -2", "/": "volume -2", "*": "volume +2",
        "Tab": "cycle-profile", "c": "compare-cycle", "x": "flip", "[": "divider -0.05",
        "]": "divider +0.05", "s": "screenshot", "S": "screenshot-both", "e": "edit-config",
        "i": "overlay-show", "I": "overlay-toggle", "a": "auto-toggle",
    }
    assert {k: str(a) for k, a in b.items()} == expected
    assert all(normalize_key(k) == k for k in b)
    assert {a.name for a in b.values()} == set(ACTIONS)
    with pytest.raises(TypeError):
        b["z"] = Action("quit")  # read-only


def test_a_key_press_reaches_its_action():
    b = default_bindings()
    assert b[key_name(glfw.KEY_S, SHIFT)] == Action("screenshot-both")
    assert b[key_name(glfw.KEY_KP_MULTIPLY, 0)] == Action("volume", 2.0)
    assert b[key_name(glfw.KEY_0, 0)] == Action("profile", "Off")

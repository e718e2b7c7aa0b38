"""Key names and the action vocabulary: what a key press means, as profiles.yaml says it.

This module owns three small translations, all pure:
- a GLFW key event (key code + modifier bits) -> the key name used in profiles.yaml
  ("space", "s", "S" for shift+s, "[", "Ctrl+s", "F1", ...);
- a key name as a user typed it ("ctrl+S", "Escape") -> its one canonical spelling,
  so two spellings of one key are caught as a duplicate binding;
- an action string ("seek +5", "profile Full") -> a frozen Action, and back.
The default bindings (mpv's keys plus ours) live here too; profiles.py merges the
YAML's bindings over them.

GLFW key codes name the key's position on a US layout, so shifted punctuation is mapped
as on a US keyboard (shift+8 is "*"); the keypad's own keys give the same names.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

import glfw

# ---- key names ----

_NAMED = {
    glfw.KEY_SPACE: "space", glfw.KEY_TAB: "Tab", glfw.KEY_ESCAPE: "Esc",
    glfw.KEY_ENTER: "Enter", glfw.KEY_KP_ENTER: "Enter", glfw.KEY_BACKSPACE: "Backspace",
    glfw.KEY_LEFT: "Left", glfw.KEY_RIGHT: "Right", glfw.KEY_UP: "Up", glfw.KEY_DOWN: "Down",
    glfw.KEY_HOME: "Home", glfw.KEY_END: "End", glfw.KEY_PAGE_UP: "PgUp",
    glfw.KEY_PAGE_DOWN: "PgDn", glfw.KEY_INSERT: "Ins", glfw.KEY_DELETE: "Del",
    glfw.KEY_PRINT_SCREEN: "Print", glfw.KEY_PAUSE: "Pause", glfw.KEY_MENU: "Menu",
}
# unshifted symbol, shifted symbol (US layout)
_PUNCT = {
    glfw.KEY_APOSTROPHE: ("'", '"'), glfw.KEY_COMMA: (",", "<"), glfw.KEY_MINUS: ("-", "_"),
    glfw.KEY_PERIOD: (".", ">"), glfw.KEY_SLASH: ("/", "?"), glfw.KEY_SEMICOLON: (";", ":"),
    glfw.KEY_EQUAL: ("=", "+"), glfw.KEY_LEFT_BRACKET: ("[", "{"),
    glfw.KEY_BACKSLASH: ("\\", "|"), glfw.KEY_RIGHT_BRACKET: ("]", "}"),
    glfw.KEY_GRAVE_ACCENT: ("`", "~"),
}
_SHIFTED_DIGITS = ")!@#$%^&*("  # shift+0 .. shift+9
_KEYPAD = {
    glfw.KEY_KP_DECIMAL: ".", glfw.KEY_KP_DIVIDE: "/", glfw.KEY_KP_MULTIPLY: "*",
    glfw.KEY_KP_SUBTRACT: "-", glfw.KEY_KP_ADD: "+", glfw.KEY_KP_EQUAL: "=",
}
_MODIFIERS = ((glfw.MOD_CONTROL, "Ctrl"), (glfw.MOD_ALT, "Alt"), (glfw.MOD_SUPER, "Super"))

# every single key a name can end with, for validating what the YAML says
_BASE_NAMES = (
    set(_NAMED.values())
    | {c for pair in _PUNCT.values() for c in pair}
    | set(_SHIFTED_DIGITS) | set(_KEYPAD.values())
    | {chr(c) for c in range(ord("a"), ord("z") + 1)}
    | {chr(c) for c in range(ord("A"), ord("Z") + 1)}
    | {str(d) for d in range(10)}
    | {f"F{n}" for n in range(1, 26)}
)
_ALIASES = {
    "space": "space", "spc": "space", "tab": "Tab", "esc": "Esc", "escape": "Esc",
    "enter": "Enter", "return": "Enter", "kp_enter": "Enter", "backspace": "Backspace",
    "bs": "Backspace", "left": "Left", "right": "Right", "up": "Up", "down": "Down",
    "home": "Home", "end": "End", "pgup": "PgUp", "pageup": "PgUp", "pgdn": "PgDn",
    "pagedown": "PgDn", "ins": "Ins", "insert": "Ins", "del": "Del", "delete": "Del",
    "print": "Print", "pause": "Pause", "menu": "Menu",
    **{f"f{n}": f"F{n}" for n in range(1, 26)},
}
_MOD_ALIASES = {"ctrl": "Ctrl", "control": "Ctrl", "alt": "Alt", "meta": "Super",
                "super": "Super", "shift": "Shift"}
_MOD_ORDER = ("Ctrl", "Alt", "Super", "Shift")


def key_name(key: int, mods: int) -> str | None:
    """The profiles.yaml name of a GLFW key event, or None for a key we do not name
    (a lone modifier, an unknown key). Ctrl/Alt/Super become prefixes ("Ctrl+s");
    shift changes the character where the key has a shifted one ("S", "*", "{") and is
    a "Shift+" prefix otherwise ("Shift+Tab")."""
    shift = bool(mods & glfw.MOD_SHIFT)
    base: str | None
    if glfw.KEY_A <= key <= glfw.KEY_Z:
        letter = chr(ord("a") + key - glfw.KEY_A)
        base, shift = (letter.upper(), False) if shift else (letter, False)
    elif glfw.KEY_0 <= key <= glfw.KEY_9:
        digit = key - glfw.KEY_0
        base, shift = (_SHIFTED_DIGITS[digit], False) if shift else (str(digit), False)
    elif key in _PUNCT:
        plain, shifted = _PUNCT[key]
        base, shift = (shifted, False) if shift else (plain, False)
    elif glfw.KEY_KP_0 <= key <= glfw.KEY_KP_9:
        base, shift = str(key - glfw.KEY_KP_0), False  # the keypad has no shifted characters
    elif key in _KEYPAD:
        base, shift = _KEYPAD[key], False
    elif glfw.KEY_F1 <= key <= glfw.KEY_F25:
        base = f"F{key - glfw.KEY_F1 + 1}"
    else:
        base = _NAMED.get(key)
    if base is None:
        return None
    prefix = "".join(f"{name}+" for bit, name in _MODIFIERS if mods & bit)
    return prefix + ("Shift+" if shift else "") + base


def normalize_key(text: str) -> str:
    """Canonical spelling of a key name from the YAML; ValueError if it names no key.
    Modifiers and named keys are case-insensitive; letters are not ("S" is shift+s)."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("expected a key name, got an empty one")
    s = text.strip()
    # "+" is a key too: "+" alone, or after modifiers as in "Ctrl++"
    if s == "+":
        mods_text, base = [], "+"
    elif s.endswith("++"):
        mods_text, base = s[:-2].split("+"), "+"
    else:
        *mods_text, base = s.split("+")
    mods = []
    for m in mods_text:
        canon = _MOD_ALIASES.get(m.strip().lower())
        if canon is None:
            raise ValueError(f"unknown modifier {m!r} in key {text!r} (expected Ctrl, Alt, Super or Shift)")
        if canon in mods:
            raise ValueError(f"modifier {canon} given twice in key {text!r}")
        mods.append(canon)
    name = base if base in _BASE_NAMES else _ALIASES.get(base.lower())
    if name is None:
        raise ValueError(f"unknown key name {text!r} (expected e.g. a, S, 5, space, Tab, "
                         f"Esc, Left, F1, [, *, Ctrl+s)")
    if "Shift" in mods and len(name) == 1 and name.isalpha():
        mods.remove("Shift")  # "Shift+s" is "S", the name key_name() gives
        name = name.upper()
    if "Shift" in mods and name not in _NAMED.values() and not name.startswith("F"):
        raise ValueError(f"write the shifted character instead of Shift+ in key {text!r} "
                         f"(e.g. * for Shift+8)")
    ordered = [m for m in _MOD_ORDER if m in mods]
    return "".join(f"{m}+" for m in ordered) + name


# ---- actions ----

_NO_ARG, _PROFILE, _NUMBER, _STEP = "none", "profile", "number", "step"
ACTIONS: Mapping[str, str] = MappingProxyType({
    "profile": _PROFILE,          # profile NAME: play that profile (the governor's ceiling)
    "cycle-profile": _NO_ARG,     # next profile in file order
    "compare-cycle": _NO_ARG,     # A/B compare: off -> split -> flip -> off
    "flip": _NO_ARG,              # in flip mode: show the other side
    "divider": _NUMBER,           # move the split divider by a fraction of the width
    "screenshot": _NO_ARG,        # PNG of the screen at output resolution
    "screenshot-both": _NO_ARG,   # both compare sides as full frames (two PNGs)
    "edit-config": _NO_ARG,       # open profiles.yaml in $VISUAL / $EDITOR / xdg-open
    "overlay-show": _NO_ARG,      # frame-time overlay for a few seconds
    "overlay-toggle": _NO_ARG,    # frame-time overlay on/off
    "auto-toggle": _NO_ARG,       # quality governor on/off
    "pause": _NO_ARG,
    "fullscreen": _NO_ARG,
    "quit": _NO_ARG,
    "mute": _NO_ARG,
    "seek": _NUMBER,              # seconds, relative
    "volume": _NUMBER,            # percentage points, relative
    "frame-step": _STEP,          # +1 one frame forward, -1 one frame back
})
UNBIND = "ignore"  # as in mpv's input.conf: a key bound to it does nothing


@dataclass(frozen=True)
class Action:
    name: str
    arg: str | float | int | None = None

    def __str__(self) -> str:
        if self.arg is None:
            return self.name
        if isinstance(self.arg, str):
            return f"{self.name} {self.arg}"
        return f"{self.name} {self.arg:+g}"


def parse_action(text: str) -> Action:
    """"seek +5" -> Action("seek", 5.0); ValueError saying what was expected."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("expected an action, got an empty one")
    name, _, rest = text.strip().partition(" ")
    rest = rest.strip()
    kind = ACTIONS.get(name)
    if kind is None:
        raise ValueError(f"unknown action {name!r} (expected one of {', '.join(ACTIONS)})")
    if kind == _NO_ARG:
        if rest:
            raise ValueError(f"action {name!r} takes no argument, got {rest!r}")
        return Action(name)
    if not rest:
        what = {"profile": "a profile name", "number": "a number", "step": "+1 or -1"}[kind]
        raise ValueError(f"action {name!r} needs {what}, e.g. {_EXAMPLES[name]!r}")
    if kind == _PROFILE:
        return Action(name, rest)
    try:
        value = float(rest)
    except ValueError:
        raise ValueError(f"action {name!r}: expected a number, got {rest!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"action {name!r}: expected a finite number, got {rest!r}")
    if kind == _STEP:
        if value not in (1.0, -1.0):
            raise ValueError(f"action {name!r}: expected +1 or -1, got {rest!r}")
        return Action(name, int(value))
    if name == "divider" and not -1.0 < value < 1.0:
        raise ValueError(f"action 'divider': expected a fraction of the width between -1 and 1, got {rest!r}")
    return Action(name, value)


_EXAMPLES = {"profile": "profile Full", "divider": "divider -0.05", "seek": "seek +5",
             "volume": "volume +2", "frame-step": "frame-step +1"}

_DEFAULTS = {
    # mpv's own keys
    "space": "pause", "p": "pause", "f": "fullscreen", "q": "quit", "Esc": "quit",
    "m": "mute", "Left": "seek -5", "Right": "seek +5", "Down": "seek -60",
    "Up": "seek +60", ".": "frame-step +1", ",": "frame-step -1",
    # volume: mpv uses 9/0, but 0 selects Off here, so 9 and mpv's alternates / and *
    "9": "volume -2", "/": "volume -2", "*": "volume +2",
    # profiles (a profile's own `key:` in profiles.yaml replaces these)
    "1": "profile UltraFast", "2": "profile Fast", "3": "profile Full", "0": "profile Off",
    # ours
    "Tab": "cycle-profile", "c": "compare-cycle", "x": "flip",
    "[": "divider -0.05", "]": "divider +0.05", "s": "screenshot", "S": "screenshot-both",
    "e": "edit-config", "i": "overlay-show", "I": "overlay-toggle", "a": "auto-toggle",
}


def default_bindings() -> Mapping[str, Action]:
    """Key name -> Action before profiles.yaml changes anything."""
    return MappingProxyType({key: parse_action(text) for key, text in _DEFAULTS.items()})

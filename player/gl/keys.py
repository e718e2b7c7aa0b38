"""GLFW key and mouse events -> mpv's key names (the names config/keymap.py validates).

GLFW key codes name the key's position on a US layout, so shifted punctuation is mapped as
on a US keyboard (shift+8 is "*", shift+3 is SHARP); the keypad's digits and operators give
the plain characters, its Enter KP_ENTER. Shift makes letters capitals ("S", as mpv writes
shift+s) and is a "Shift+" prefix only on keys without a shifted character
("Shift+RIGHT"). tests/unit/test_keys.py checks every name made here against the
validator, so the two tables cannot drift apart.
"""
from __future__ import annotations

import glfw

_NAMED = {
    glfw.KEY_SPACE: "SPACE", glfw.KEY_TAB: "TAB", glfw.KEY_ESCAPE: "ESC",
    glfw.KEY_ENTER: "ENTER", glfw.KEY_KP_ENTER: "KP_ENTER", glfw.KEY_BACKSPACE: "BS",
    glfw.KEY_LEFT: "LEFT", glfw.KEY_RIGHT: "RIGHT", glfw.KEY_UP: "UP", glfw.KEY_DOWN: "DOWN",
    glfw.KEY_HOME: "HOME", glfw.KEY_END: "END", glfw.KEY_PAGE_UP: "PGUP",
    glfw.KEY_PAGE_DOWN: "PGDWN", glfw.KEY_INSERT: "INS", glfw.KEY_DELETE: "DEL",
    glfw.KEY_PRINT_SCREEN: "PRINT", glfw.KEY_PAUSE: "PAUSE", glfw.KEY_MENU: "MENU",
}
# unshifted symbol, shifted symbol (US layout)
_PUNCT = {
    glfw.KEY_APOSTROPHE: ("'", '"'), glfw.KEY_COMMA: (",", "<"), glfw.KEY_MINUS: ("-", "_"),
    glfw.KEY_PERIOD: (".", ">"), glfw.KEY_SLASH: ("/", "?"), glfw.KEY_SEMICOLON: (";", ":"),
    glfw.KEY_EQUAL: ("=", "+"), glfw.KEY_LEFT_BRACKET: ("[", "{"),
    glfw.KEY_BACKSLASH: ("\\", "|"), glfw.KEY_RIGHT_BRACKET: ("]", "}"),
    glfw.KEY_GRAVE_ACCENT: ("`", "~"),
}
_SHIFTED_DIGITS = (")", "!", "@", "SHARP", "$", "%", "^", "&", "*", "(")  # shift+0 .. shift+9
_KEYPAD = {
    glfw.KEY_KP_DECIMAL: ".", glfw.KEY_KP_DIVIDE: "/", glfw.KEY_KP_MULTIPLY: "*",
    glfw.KEY_KP_SUBTRACT: "-", glfw.KEY_KP_ADD: "+", glfw.KEY_KP_EQUAL: "=",
}
_MODIFIERS = ((glfw.MOD_CONTROL, "Ctrl"), (glfw.MOD_ALT, "Alt"), (glfw.MOD_SUPER, "Meta"))
BUTTONS = {glfw.MOUSE_BUTTON_LEFT: "MBTN_LEFT", glfw.MOUSE_BUTTON_MIDDLE: "MBTN_MID",
           glfw.MOUSE_BUTTON_RIGHT: "MBTN_RIGHT", glfw.MOUSE_BUTTON_4: "MBTN_BACK",
           glfw.MOUSE_BUTTON_5: "MBTN_FORWARD"}


def _prefix(mods: int) -> str:
    return "".join(f"{name}+" for bit, name in _MODIFIERS if mods & bit)


def key_name(key: int, mods: int) -> str | None:
    """mpv's name of a GLFW key event, or None for a key we do not name (a lone modifier,
    an unknown key)."""
    shift = bool(mods & glfw.MOD_SHIFT)
    base: str | None
    if glfw.KEY_A <= key <= glfw.KEY_Z:
        letter = chr(ord("a") + key - glfw.KEY_A)
        base, shift = (letter.upper() if shift else letter), False
    elif glfw.KEY_0 <= key <= glfw.KEY_9:
        digit = key - glfw.KEY_0
        base, shift = (_SHIFTED_DIGITS[digit] if shift else str(digit)), False
    elif key in _PUNCT:
        plain, shifted = _PUNCT[key]
        base, shift = (shifted if shift else plain), False
    elif glfw.KEY_KP_0 <= key <= glfw.KEY_KP_9:
        base, shift = str(key - glfw.KEY_KP_0), False
    elif key in _KEYPAD:
        base, shift = _KEYPAD[key], False
    elif glfw.KEY_F1 <= key <= glfw.KEY_F24:
        base = f"F{key - glfw.KEY_F1 + 1}"
    else:
        base = _NAMED.get(key)
    if base is None:
        return None
    return _prefix(mods) + ("Shift+" if shift else "") + base


def button_name(button: int, mods: int, double: bool = False) -> str | None:
    """mpv's name of a mouse button press (MBTN_LEFT_DBL for a double click)."""
    base = BUTTONS.get(button)
    if base is None:
        return None
    if double and base in ("MBTN_LEFT", "MBTN_MID", "MBTN_RIGHT"):
        base += "_DBL"
    shift = "Shift+" if mods & glfw.MOD_SHIFT else ""
    return _prefix(mods) + shift + base


def wheel_name(dx: float, dy: float, mods: int) -> str | None:
    """mpv's name of a scroll step: WHEEL_UP / DOWN / LEFT / RIGHT."""
    if dy > 0:
        base = "WHEEL_UP"
    elif dy < 0:
        base = "WHEEL_DOWN"
    elif dx > 0:
        base = "WHEEL_RIGHT"
    elif dx < 0:
        base = "WHEEL_LEFT"
    else:
        return None
    return _prefix(mods) + ("Shift+" if mods & glfw.MOD_SHIFT else "") + base

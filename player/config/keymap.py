"""Key names and bindings: what a key means, as profiles.yaml says it. Pure: no glfw here
(validating a profiles file must not load a windowing library).

Key names are mpv's (input.conf): letters and other characters as typed ("a", "A" for
shift+a, "[", "*"), named keys in capitals (SPACE, ENTER, ESC, TAB, BS, LEFT, PGUP, PGDWN,
F1, KP_ENTER, SHARP for "#", MBTN_LEFT_DBL, WHEEL_UP, ...) and the modifiers Ctrl+, Alt+,
Meta+, Shift+. Every key press reaches libmpv's input system under this name, so a binding
written here, in mpv's input.conf and in an IPC ``keypress`` mean the same key. The
spellings of round 1 (space, Esc, PgDn, Super+) are still read.

A binding is an ``Action``: one of ours from config/actions.py (``profile Full``,
``compare-cycle``), or ``Action("mpv", TEXT)``: any mpv command line, as input.conf has
them (``cycle sub``, ``no-osd seek 5 exact``, ``ignore``). Round 1's player actions (pause,
mute, volume N, frame-step +1 ...) are read as the mpv commands they always meant.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from player.config.actions import (ACTIONS, CHOICE, LEGACY, NONE, NUMBER, PROFILE,
                                   PROFILE_KEYS)
from player.config.mpv_commands import check_command

MPV = "mpv"          # Action name of a binding that is an mpv command
UNBIND = "ignore"    # as in mpv's input.conf: a key bound to it does nothing

# ---- key names ----

NAMED = (
    "SPACE", "TAB", "ESC", "ENTER", "BS", "DEL", "INS", "HOME", "END", "PGUP", "PGDWN",
    "LEFT", "RIGHT", "UP", "DOWN", "PRINT", "MENU", "SHARP", "PLUS",
    *(f"F{n}" for n in range(1, 25)), *(f"KP{n}" for n in range(10)),
    "KP_DEC", "KP_ENTER", "KP_INS", "KP_DEL",
    "MBTN_LEFT", "MBTN_MID", "MBTN_RIGHT", "MBTN_LEFT_DBL", "MBTN_MID_DBL",
    "MBTN_RIGHT_DBL", "MBTN_BACK", "MBTN_FORWARD",
    "WHEEL_UP", "WHEEL_DOWN", "WHEEL_LEFT", "WHEEL_RIGHT",
    "POWER", "PLAY", "PAUSE", "PLAYPAUSE", "PLAYONLY", "PAUSEONLY", "STOP", "FORWARD",
    "REWIND", "NEXT", "PREV", "VOLUME_UP", "VOLUME_DOWN", "MUTE", "CLOSE_WIN",
)
_NAMED_UPPER = {n.upper(): n for n in NAMED}
_ALIASES = {  # round 1's spellings and common ones, lower case -> mpv's name
    "spc": "SPACE", "escape": "ESC", "return": "ENTER", "backspace": "BS",
    "pagedown": "PGDWN", "pgdn": "PGDWN", "pageup": "PGUP", "insert": "INS",
    "delete": "DEL", "#": "SHARP",
}
MODIFIERS = ("Ctrl", "Alt", "Meta", "Shift")   # the order of the canonical spelling
_MOD_ALIASES = {"ctrl": "Ctrl", "control": "Ctrl", "alt": "Alt", "meta": "Meta",
                "super": "Meta", "shift": "Shift"}


def normalize_key(text: str) -> str:
    """The canonical spelling of a key name; ValueError saying what was expected.
    Modifiers and named keys are case-insensitive; single characters are not ("S" is
    shift+s)."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("expected a key name, got an empty one")
    s = text.strip()
    if s == "+":
        mods_text, base = [], "+"
    elif s.endswith("++"):            # "Ctrl++": the + key with modifiers
        mods_text, base = s[:-2].split("+"), "+"
    else:
        *mods_text, base = s.split("+")
    mods: list[str] = []
    for m in mods_text:
        canon = _MOD_ALIASES.get(m.strip().lower())
        if canon is None:
            raise ValueError(f"unknown modifier {m!r} in key {text!r} "
                             "(expected Ctrl, Alt, Meta or Shift)")
        if canon in mods:
            raise ValueError(f"modifier {canon} given twice in key {text!r}")
        mods.append(canon)
    if len(base) == 1 and base != "#" and not base.isspace():
        name = base
    else:
        name = _NAMED_UPPER.get(base.upper()) or _ALIASES.get(base.lower())
    if name is None:
        raise ValueError(f"unknown key name {text!r} (expected e.g. a, S, 5, [, SPACE, TAB, "
                         "ESC, ENTER, LEFT, PGUP, F1, SHARP, MBTN_LEFT_DBL, Ctrl+s)")
    if "Shift" in mods and len(name) == 1 and name.isalpha():
        mods.remove("Shift")          # "Shift+s" is "S", as mpv writes it
        name = name.upper()
    if "Shift" in mods and len(name) == 1:
        raise ValueError(f"write the shifted character instead of Shift+ in key {text!r} "
                         "(e.g. * for Shift+8)")
    return "".join(f"{m}+" for m in MODIFIERS if m in mods) + name


# ---- bindings ----

@dataclass(frozen=True)
class Action:
    name: str                                # one of ACTIONS, or MPV
    arg: str | float | None = None           # MPV: the command text

    def __str__(self) -> str:
        if self.arg is None:
            return self.name
        if self.name == MPV:
            return str(self.arg)
        if isinstance(self.arg, str):
            return f"{self.name} {self.arg}"
        return f"{self.name} {self.arg:+g}"

    def script_message(self) -> list[str]:
        """The mpv command that runs it: ours as ``script-message a4kplay NAME [ARG]``."""
        if self.name == MPV:
            raise ValueError("an mpv command is not a script message")
        return ["script-message", "a4kplay", self.name] + (
            [] if self.arg is None else [str(self.arg) if isinstance(self.arg, str)
                                         else f"{self.arg:+g}"])


def parse_action(text: str) -> Action:
    """"profile Full" -> Action("profile", "Full"); "cycle sub" -> Action("mpv", "cycle sub").
    ValueError saying what was expected."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("expected an action, got an empty one")
    s = text.strip()
    name, _, rest = s.partition(" ")
    rest = rest.strip()
    spec = ACTIONS.get(name)
    if spec is not None:
        return _ours(spec, rest)
    if name in LEGACY:
        legacy = _legacy(name, rest)
        if legacy is not None:
            return legacy
    problem = check_command(s)
    if problem is not None:
        raise ValueError(f"{problem}: not one of our actions ({', '.join(ACTIONS)}) "
                         "nor an mpv command")
    return Action(MPV, s)


def _ours(spec, rest: str) -> Action:
    name = spec.name
    if spec.arg == NONE:
        if rest:
            raise ValueError(f"action {name!r} takes no argument, got {rest!r}")
        return Action(name)
    if not rest:
        if spec.optional:
            return Action(name)
        what = {PROFILE: "a profile name", NUMBER: "a number"}.get(spec.arg, "an argument")
        example = f"{name} {next(iter(spec.keys.values()), 'Full')}"
        raise ValueError(f"action {name!r} needs {what}, e.g. {example!r}")
    if spec.arg == PROFILE:
        return Action(name, rest)
    if spec.arg == CHOICE:
        if rest not in spec.choices:
            raise ValueError(f"action {name!r}: expected one of {', '.join(spec.choices)}, "
                             f"got {rest!r}")
        return Action(name, None if rest == spec.choices[0] else rest)
    value = _number(name, rest)
    if spec.limit is not None and not -spec.limit < value < spec.limit:
        raise ValueError(f"action {name!r}: expected a fraction of the width between "
                         f"-{spec.limit:g} and {spec.limit:g}, got {rest!r}")
    return Action(name, value)


def _number(name: str, rest: str) -> float:
    try:
        value = float(rest)
    except ValueError:
        raise ValueError(f"action {name!r}: expected a number, got {rest!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"action {name!r}: expected a finite number, got {rest!r}")
    return value


def _legacy(name: str, rest: str) -> Action | None:
    """Round 1's actions as mpv commands; None when the text is an mpv command as it is."""
    form = LEGACY[name]
    if "{}" not in form and "{step}" not in form:
        if rest:
            raise ValueError(f"action {name!r} takes no argument, got {rest!r}")
        return Action(MPV, form)
    if name == "frame-step":
        if not rest:
            return None                            # mpv's own frame-step
        value = _number(name, rest)
        if value not in (1.0, -1.0):
            raise ValueError(f"action 'frame-step': expected +1 or -1, got {rest!r}")
        return Action(MPV, "frame-step" if value > 0 else "frame-back-step")
    if name == "seek":
        return None if not rest else Action(MPV, f"seek {_number(name, rest.split()[0]):g}"
                                            + ("" if len(rest.split()) == 1
                                               else " " + " ".join(rest.split()[1:])))
    if not rest:
        raise ValueError(f"action {name!r} needs a number, e.g. '{name} +2'")
    return Action(MPV, form.format(f"{_number(name, rest):g}"))


def default_bindings(profiles: tuple[str, ...] = tuple(PROFILE_KEYS.values())
                     ) -> Mapping[str, Action]:
    """Our keys before profiles.yaml changes anything (mpv's own defaults come from
    libmpv); the profile keys only for the profiles that exist."""
    out: dict[str, Action] = {}
    for spec in ACTIONS.values():
        for key, arg in spec.keys.items():
            out[normalize_key(key)] = _ours(spec, arg)
    for key, name in PROFILE_KEYS.items():
        if name in profiles:
            out[normalize_key(key)] = Action("profile", name)
    return MappingProxyType(out)


def input_section(bindings: Mapping[str, Action]) -> str:
    """The bindings as the text of an mpv input section (define-section): ours become
    ``script-message a4kplay ...``, mpv commands stay as written."""
    lines = []
    for key, action in bindings.items():
        if action.name == MPV:
            cmd = str(action.arg)
        else:
            cmd = " ".join(_quote(a) for a in action.script_message())
        lines.append(f"{key} {cmd}")
    return "\n".join(lines) + "\n"


def _quote(arg: str) -> str:
    if arg and all(c.isalnum() or c in "+-._/" for c in arg):
        return arg
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'

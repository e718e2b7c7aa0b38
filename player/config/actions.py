"""The action table: every action of a4kplay's own, one row each (mpv's command table is the
model).

A row says the action's name, the kind of argument it takes, the keys it sits on by
default, and one line of help. From this one table come: the validation of profiles.yaml
bindings (config/keymap.py), the ``script-message a4kplay ACTION [ARGS]`` vocabulary of
scripting and IPC, the input section handed to libmpv, the overlay's key help and README's
key table (tests/unit/test_actions.py checks README against it). The handlers live one
layer up, in playback/commands.py, keyed by the same names; a test checks that every row has
one. A new action is one row here plus its handler there.

Everything an mpv viewer already knows is *not* here: pause, seek, tracks, chapters, speed,
volume, playlists and quitting are mpv's own commands, run by libmpv's input system on mpv's
default keys (input.conf of mpv 0.35). Our default keys avoid those keys, except where a
row does what mpv's key does, at output resolution (screenshots, the progress bar, the
stats overlay, subtitle visibility), as README says.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

NONE, PROFILE, NUMBER, CHOICE = "none", "profile", "number", "choice"


@dataclass(frozen=True)
class ActionSpec:
    name: str
    arg: str = NONE                         # NONE | PROFILE | NUMBER | CHOICE
    keys: Mapping[str, str] = field(default_factory=dict)   # default key -> argument text
    help: str = ""
    choices: tuple[str, ...] = ()           # CHOICE: the words allowed (first = default)
    optional: bool = False                  # the argument may be left out
    limit: float | None = None              # NUMBER: |value| must be below this


_ROWS = (
    ActionSpec("profile", PROFILE, help="play profile NAME (the governor's ceiling)"),
    ActionSpec("cycle-profile", keys={"TAB": ""}, help="next profile, in file order"),
    ActionSpec("compare-cycle", keys={"c": ""},
               help="A/B compare: off -> split screen -> flip -> off"),
    ActionSpec("flip", keys={"C": ""}, help="flip compare: show the other side"),
    ActionSpec("divider", NUMBER, keys={"Alt+[": "-0.05", "Alt+]": "+0.05"}, limit=1.0,
               help="move the split divider by a fraction of the width"),
    ActionSpec("screenshot", CHOICE, keys={"s": "", "S": "video", "Ctrl+s": "window"},
               choices=("subtitles", "video", "window"), optional=True,
               help="PNG of the picture at output resolution: with subtitles (default), "
                    "video only, or window (with the overlay)"),
    ActionSpec("screenshot-both", keys={"Ctrl+S": ""},
               help="both compare sides as full frames (two PNGs)"),
    ActionSpec("edit-config", keys={"Ctrl+e": ""},
               help="open profiles.yaml in $VISUAL / $EDITOR / xdg-open"),
    ActionSpec("overlay-show", keys={"i": ""}, help="frame-time overlay for a few seconds"),
    ActionSpec("overlay-toggle", keys={"I": ""}, help="frame-time overlay on/off"),
    ActionSpec("auto-toggle", keys={"a": ""}, help="automatic quality governor on/off"),
    ActionSpec("show-progress", keys={"o": "", "P": ""},
               help="progress bar with time, duration and chapters"),
    ActionSpec("sub-visibility", keys={"v": ""}, help="subtitles on/off"),
    ActionSpec("reload", help="re-read profiles.yaml and the shaders now"),
    ActionSpec("osc-visibility", CHOICE, keys={"DEL": "cycle"},
               choices=("auto", "always", "never", "cycle"),
               help="on-screen controller: auto (on pointer motion), always, never, or "
                    "cycle them (as mpv's osc.lua)"),
    ActionSpec("menu", CHOICE, choices=("audio", "sub", "chapter", "profile"),
               help="open the controller's menu of audio tracks, subtitle tracks, chapters "
                    "or profiles (arrows, Enter, Esc)"),
    ActionSpec("compare", CHOICE, choices=("toggle", "off", "split", "flip"),
               help="A/B compare: split on/off (toggle), or a mode (the controller's button)"),
)
ACTIONS: Mapping[str, ActionSpec] = MappingProxyType({row.name: row for row in _ROWS})

# Profile keys: Anime4K's users know Ctrl+1..6 for their modes and Ctrl+0 for none (Ctrl+6,
# Learned-L's in the commented example of profiles.yaml, is free while no profile has it). A
# profile's own `key:` in profiles.yaml replaces these; a missing profile frees its key.
PROFILE_KEYS: Mapping[str, str] = MappingProxyType({
    "Ctrl+1": "UltraFast", "Ctrl+2": "Fast", "Ctrl+3": "Full", "Ctrl+4": "Learned-S",
    "Ctrl+5": "Learned-M", "Ctrl+0": "Off"})

# Old a4kplay action names (round 1 profiles.yaml files) -> the mpv command they meant.
LEGACY: Mapping[str, str] = MappingProxyType({
    "pause": "cycle pause", "fullscreen": "cycle fullscreen", "quit": "quit",
    "mute": "cycle mute", "seek": "seek {}", "volume": "add volume {}",
    "frame-step": "{step}"})


def key_table() -> str:
    """README's table of our keys, made from the rows above (a test keeps README equal)."""
    rows = ["| key | action | what it does |", "|---|---|---|"]
    for spec in ACTIONS.values():
        for key, arg in spec.keys.items():
            text = f"{spec.name} {arg}".strip()
            rows.append(f"| `{key}` | `{text}` | {spec.help} |")
    for key, name in PROFILE_KEYS.items():
        rows.append(f"| `{key}` | `profile {name}` | the shipped profile {name} |")
    for spec in ACTIONS.values():      # bindable, on no key by default
        if not spec.keys and spec.arg != PROFILE:
            text = spec.name + (" " + "/".join(spec.choices) if spec.choices else "")
            rows.append(f"| (none) | `{text}` | {spec.help} |")
    return "\n".join(rows) + "\n"

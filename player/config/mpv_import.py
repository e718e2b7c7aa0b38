"""mpv's input.conf -> a4kplay profiles: the logic of ``a4kplay profiles --import-mpv [PATH]``.

An Anime4K user's shader chains live in mpv's input.conf, one key per mode, as Anime4K's
instructions publish them:

    CTRL+1 no-osd change-list glsl-shaders set "~~/shaders/A.glsl:~~/shaders/B.glsl"; show-text "Anime4K: Mode A (HQ)"

This module owns turning every such binding into a profile (that key, those shader files,
the name from its ``show-text``) and writing them as a profiles.yaml text. It reads and
writes text only; the command line reads the file, refuses to overwrite without --force
and prints what was skipped. Pure: no libmpv, no GL.

What a binding means is worked out by replaying its commands on the shader list:
``set glsl-shaders L`` and ``change-list glsl-shaders set L`` set it, ``clr`` empties it
(a profile with no shaders), ``append X`` / ``add L`` / ``pre L`` / ``remove X`` /
``toggle X`` change it. When the line itself starts from a known list (set or clr first),
the result is exact. When it only appends to (or toggles on) whatever is playing, there
is no one list it stands for; it is imported as a profile of just the shaders it adds,
with a warning saying so, because a profile selects a whole chain (pressing another
profile's key is how one turns it off). What cannot be a single chain is skipped with its
reason: ``cycle-values glsl-shaders`` (several chains on one key), ``remove`` or ``del``
from an unknown list, ``cycle`` / ``add`` / ``multiply`` on the property.

Lines are read as mpv reads them (config/mpv_commands.py splits the commands): blank
lines and ``#`` comments are ignored; a line that does not touch glsl-shaders is a normal
mpv binding, left out silently and counted in ``ignored``; a broken line (unterminated
quote, a key with no command, an unknown command) is listed in ``skipped`` as
"PATH:LINE: why" and the rest is imported. A key bound twice keeps its later binding,
as in mpv. Paths: ``~~/`` (and ``~~home/``) is mpv's config folder, ``~/`` the home
folder; a shader list is split at ``:`` (mpv's path-list separator on Linux), at ``;``
only when the list is plainly Windows-style (drive letters, or ``;`` and no ``:``).
What a profile cannot carry is imported anyway with a warning: other commands on the same
line (``set deband yes``), relative or unknown-prefix paths, shader files not on disk.

``render_profiles_yaml`` writes the profiles (names and keys always quoted, the first as
``default``). Given the shipped profiles.yaml's text it keeps that file's own profiles,
ladder, governor and keys sections after the imported ones, so importing adds the mpv
modes without losing our tiers; a shipped line whose key an imported profile takes is
commented out. Without it there is no ``ladder:``: imported profiles play as they are.
Over 500 lines: replaying the commands and writing the merged profiles.yaml (with the
shipped file's comments kept) are one translation, tested as one on Anime4K's own text.
"""
from __future__ import annotations

import json
import os
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from player.base.errors import ProfileError
from player.config.mpv_commands import COMMANDS, command_words, split_commands

PROPERTY = "glsl-shaders"
INPUT_CONF = "input.conf"
_MODIFIERS = {"shift": "Shift", "ctrl": "Ctrl", "alt": "Alt", "meta": "Meta", "cmd": "Meta"}
_MOD_ORDER = ("Shift", "Ctrl", "Alt", "Meta")  # the order mpv itself prints them in
_KEY = re.compile(r"((?:(?:shift|ctrl|alt|meta|cmd)\+)*)(.+)\Z", re.IGNORECASE | re.DOTALL)
_EXPANSION = re.compile(r"\$\{[^}]*\}|\$\$|\$>")
_DRIVE = re.compile(r"(?:^|;)[A-Za-z]:[\\/]")
_QUIET = {"show-text", "print-text", "show-progress", "ignore"}  # harmless beside shaders
_VALUE_OPS = {"set", "add", "pre", "append", "remove", "toggle"}
_LIST_OPS = {"set", "add", "pre"}  # the value is a list; the others take one item


@dataclass(frozen=True)
class ImportedProfile:
    name: str                      # a valid profile name (show-text, else "mpv KEY")
    key: str                       # mpv's spelling, modifiers as Ctrl Alt Shift Meta; "" = none
    shaders: tuple[str, ...]       # absolute paths where they could be resolved
    line: int                      # of the binding in input.conf


@dataclass
class ImportResult:
    profiles: list[ImportedProfile]
    skipped: list[str]                                  # "PATH:LINE: why", not imported
    warnings: list[str] = field(default_factory=list)   # "PATH:LINE: ...", imported anyway
    ignored: int = 0              # binding lines that do not touch glsl-shaders
    source: str = ""              # the input.conf read


# ---- where mpv's files are ----

def mpv_config_dir(env: Mapping[str, str] | None = None) -> Path:
    """mpv's config folder: $MPV_HOME, else $XDG_CONFIG_HOME/mpv, else ~/.config/mpv."""
    env = os.environ if env is None else env
    if env.get("MPV_HOME"):
        return Path(env["MPV_HOME"])
    xdg = env.get("XDG_CONFIG_HOME", "")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "mpv"
    return _home(env) / ".config" / "mpv"


def default_input_conf(env: Mapping[str, str] | None = None) -> Path:
    """The input.conf mpv reads for this user."""
    return mpv_config_dir(env) / INPUT_CONF


def _home(env: Mapping[str, str]) -> Path:
    return Path(env["HOME"]) if env.get("HOME") else Path(os.path.expanduser("~"))


# ---- keys, names, paths ----

def mpv_key(text: str) -> str:
    """An input.conf key in the spelling profiles.yaml takes: modifiers as Shift Ctrl Alt
    Meta (mpv's order, case fixed, Cmd is Meta), symbolic names upper case as mpv writes
    them (SPACE, PGUP, KP_ENTER), single characters as they are ("a" and "A" differ).
    A key sequence ("g-c") keeps its "-"."""
    return "-".join(_one_key(part) for part in _key_sequence(text))


def _key_sequence(text: str) -> list[str]:
    # mpv splits a sequence at "-", except a "-" that is a key itself: at the start of a
    # key or right after a modifier's "+" ("-", "Ctrl+-")
    parts, start = [], 0
    for i, c in enumerate(text):
        if c == "-" and i > start and text[i - 1] != "+":
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _one_key(text: str) -> str:
    m = _KEY.match(text)
    if m is None:
        return text
    mods_text, base = m.group(1), m.group(2)
    mods = {_MODIFIERS[mod.lower()] for mod in mods_text.split("+") if mod}
    if len(base) > 1 and not base.lower().startswith("0x"):
        base = base.upper()
    return "".join(f"{mod}+" for mod in _MOD_ORDER if mod in mods) + base


def profile_name(text: str) -> str:
    """show-text's text as a profile name: property expansions removed, only letters,
    digits, space and + - _ . ( ) kept, whitespace collapsed; "" if nothing is left."""
    text = _EXPANSION.sub(" ", text)
    text = "".join(c if (c.isalnum() or c in " +-_.()") else " " if c.isspace() else ""
                   for c in text)
    return " ".join(text.split())


def split_path_list(value: str) -> list[str]:
    """mpv's path list: ':'-separated (Linux); ';'-separated only when it is plainly a
    Windows list (a drive letter, or ';' and no ':'). A backslash escapes the separator
    or a backslash; other backslashes are kept (Windows paths)."""
    windows = bool(_DRIVE.search(value)) or (";" in value and ":" not in value)
    sep = ";" if windows else ":"
    items, cur, i = [], [], 0
    while i < len(value):
        c = value[i]
        if c == "\\" and i + 1 < len(value) and value[i + 1] in (sep, "\\"):
            cur.append(value[i + 1])
            i += 2
            continue
        if c == sep:
            items.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    items.append("".join(cur))
    return [item for item in items if item.strip()]


def resolve_path(item: str, mpv_dir: Path, home: Path) -> tuple[str, str | None]:
    """(path, warning or None): mpv's ~~/ and ~~home/ -> mpv_dir, ~~desktop/ -> the
    Desktop folder, ~/ -> home. Relative paths stay as written (mpv takes them from the
    folder it was started in, which an import cannot know)."""
    for prefix, base in (("~~/", mpv_dir), ("~~home/", mpv_dir),
                         ("~~desktop/", home / "Desktop"), ("~/", home)):
        if item.startswith(prefix):
            return posixpath.normpath(str(base / item[len(prefix):])), None
    if item == "~":
        return str(home), None
    if item.startswith("~~"):
        return item, f"unknown mpv path prefix in {item!r}: kept as written"
    if os.path.isabs(item) or _DRIVE.match(item):
        return item, None
    return item, (f"relative shader path {item!r}: mpv took it from the folder it was "
                  f"started in; write it absolute or with ~~/")


# ---- reading input.conf ----

class _Skip(Exception):
    """This binding cannot become a profile; the message says why. `broken`: mpv itself
    rejects the line (so it does not replace an earlier binding of its key)."""

    def __init__(self, message: str, broken: bool = False):
        super().__init__(message)
        self.broken = broken


def import_input_conf(text: str, path: str, mpv_config_dir: Path,
                      home: Path | None = None) -> ImportResult:
    """Every binding of `text` (the input.conf at `path`) that sets glsl-shaders, as a
    profile; see the module docstring for what is imported, skipped and ignored."""
    home = Path(os.path.expanduser("~")) if home is None else Path(home)
    result = ImportResult(profiles=[], skipped=[], source=str(path))
    found: dict[str, tuple[int, ImportedProfile | None]] = {}  # key -> its binding
    order: list[ImportedProfile] = []
    missing: set[str] = set()
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.lstrip("\ufeff").strip() if number == 1 else raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{path}:{number}"
        key_text, command = _split_key(line)
        if not command:
            result.skipped.append(f"{where}: no command after key {key_text!r}")
            continue
        section = None
        if command.startswith("{"):
            end = command.find("}")
            if end < 0:
                result.skipped.append(f"{where}: unterminated section name {command!r}")
                continue
            section, command = command[1:end].strip(), command[end + 1:].strip()
        try:
            commands = split_commands(command)
        except ValueError as e:
            result.skipped.append(f"{where}: {e}")
            continue
        if not commands:
            result.skipped.append(f"{where}: no command after key {key_text!r}")
            continue
        key = mpv_key(key_text)
        try:
            profile = _binding(commands, key, number, where, mpv_config_dir, home, result,
                               missing)
        except _Skip as e:
            result.skipped.append(f"{where}: {key}: {e}")
            if e.broken:
                continue  # mpv rejects the line: an earlier binding of the key stays
            profile, touched = None, True
        else:
            touched = profile is not None
        if not touched:
            result.ignored += 1
        if section not in (None, "default"):
            if profile is not None:
                result.skipped.append(f"{where}: {key}: binding in input section "
                                      f"{{{section}}}, which mpv uses only when a script "
                                      f"enables it; not imported")
            continue
        if key in found and found[key][1] is not None:
            earlier_line, earlier = found[key]
            order.remove(earlier)
            result.skipped.append(f"{path}:{earlier_line}: {key} is bound again on line "
                                  f"{number}; mpv uses the later binding")
        found[key] = (number, profile)
        if profile is not None:
            order.append(profile)
    result.profiles = _unique_names(order)
    return result


def _split_key(line: str) -> tuple[str, str]:
    parts = line.split(None, 1)
    return parts[0], (parts[1].strip() if len(parts) > 1 else "")


def _binding(commands: list[list[str]], key: str, number: int, where: str, mpv_dir: Path,
             home: Path, result: ImportResult, missing: set[str]) -> ImportedProfile | None:
    """The profile one binding line stands for; None when it does not touch glsl-shaders;
    _Skip when it does but is no single chain."""
    shaders: list[str] | None = None   # None: the list as it was before the key press
    touched = False
    show_text: str | None = None
    others: list[str] = []
    for words in commands:
        prefixes, rest = command_words(words)
        if not rest:
            raise _Skip(f"{' '.join(prefixes)} without a command", broken=True)
        name, args = rest[0], rest[1:]
        if name not in COMMANDS:
            raise _Skip(f"unknown command {name!r}", broken=True)
        if name == "change-list" and args[:1] == [PROPERTY]:
            if len(args) != 3:
                raise _Skip("change-list glsl-shaders takes an operation and a value, "
                            f"got {len(args) - 1} argument(s)", broken=True)
            op, value = args[1], args[2]
        elif name == "set" and args[:1] == [PROPERTY]:
            if len(args) != 2:
                raise _Skip(f"set glsl-shaders takes one value, got {len(args) - 1}",
                            broken=True)
            op, value = "set", args[1]
        elif name == "cycle-values" and PROPERTY in args[:2]:
            values = args[args.index(PROPERTY) + 1:]
            raise _Skip(f"cycle-values glsl-shaders cycles {len(values)} shader lists on one "
                        f"key; a profile is one list (import each as its own binding)")
        elif name in ("cycle", "add", "multiply") and args[:1] == [PROPERTY]:
            raise _Skip(f"{name} glsl-shaders does not name a shader list")
        else:
            if name == "show-text" and args and show_text is None:
                show_text = args[0]
            elif name not in _QUIET:
                others.append(" ".join(rest))
            continue
        touched = True
        if op == "clr":
            shaders = []
            continue
        if op == "del":
            raise _Skip("change-list glsl-shaders del removes by index from the list "
                        "playing; not a chain of its own")
        if op not in _VALUE_OPS:
            raise _Skip(f"change-list glsl-shaders {op!r}: no such operation on a path list "
                        f"(expected set, append, add, pre, clr, remove, toggle)")
        items = split_path_list(value) if op in _LIST_OPS else ([value] if value else [])
        paths = []
        for item in items:
            resolved, warning = resolve_path(item, mpv_dir, home)
            if warning:
                result.warnings.append(f"{where}: {warning}")
            paths.append(resolved)
        if op == "set":
            shaders = paths
            continue
        if shaders is None:
            if op == "remove":
                raise _Skip("change-list glsl-shaders remove takes a shader out of the list "
                            "playing; not a chain of its own")
            shaders = []
            result.warnings.append(
                f"{where}: {key}: {op} adds to the shaders playing when the key is pressed; "
                f"imported as a profile of just {', '.join(map(os.path.basename, paths)) or 'them'}"
                + (" (profiles select a chain: another profile's key turns it off)"
                   if op == "toggle" else ""))
        if op in ("append", "add"):
            shaders.extend(paths)
        elif op == "pre":
            shaders[:0] = paths
        elif op == "remove":
            shaders = [s for s in shaders if s not in paths]
        elif op == "toggle":
            for p in paths:
                if p in shaders:
                    shaders.remove(p)
                else:
                    shaders.append(p)
    if not touched:
        return None
    assert shaders is not None
    if others:
        result.warnings.append(f"{where}: {key}: the binding also runs "
                               f"{'; '.join(others)}, which a profile does not carry")
    lost = [s for s in dict.fromkeys(shaders)
            if s not in missing and os.path.isabs(s) and not os.path.exists(s)]
    if lost:  # each missing file once, at the first line that names it
        missing.update(lost)
        result.warnings.append(f"{where}: shader file{'s' if len(lost) > 1 else ''} not "
                               f"found: {', '.join(lost)}")
    name = profile_name(show_text or "") or (f"mpv {key}" if key else f"mpv line {number}")
    if "-" in key and len(_key_sequence(key)) > 1:
        result.warnings.append(f"{where}: key sequence {key!r} cannot be bound in a4kplay; "
                               f"profile {name!r} imported without a key")
        key = ""
    return ImportedProfile(name=name, key=key, shaders=tuple(shaders), line=number)


def _unique_names(profiles: list[ImportedProfile], taken: set[str] | None = None
                  ) -> list[ImportedProfile]:
    seen = set(taken or ())
    out = []
    for p in profiles:
        name, n = p.name, 1
        while name in seen:
            n += 1
            name = f"{p.name} ({n})"
        seen.add(name)
        out.append(p if name == p.name else ImportedProfile(name, p.key, p.shaders, p.line))
    return out


# ---- writing profiles.yaml ----

def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def render_profiles_yaml(result: ImportResult, shipped_text: str | None = None,
                         notes: list[str] | None = None) -> str:
    """A complete profiles.yaml text holding the imported profiles, the first as default.

    Without `shipped_text` the file is just those profiles (no ladder: the governor plays
    them as they are). With the shipped profiles.yaml's text, its own profiles, ladder,
    governor settings, keys and other sections are kept after the imported profiles, with
    their comments; where an imported profile takes a key the shipped file binds, the
    shipped line is commented out. `notes` (if given) receives one line per such change.
    ProfileError when there is nothing to write."""
    notes = [] if notes is None else notes
    shipped = _Shipped(shipped_text) if shipped_text is not None else None
    profiles = _unique_names(result.profiles, set(shipped.profile_names) if shipped else None)
    if not profiles and shipped is None:
        raise ProfileError("no binding sets glsl-shaders: nothing to import",
                           path=result.source or None,
                           hint="Anime4K's bindings look like: CTRL+1 no-osd change-list "
                                "glsl-shaders set \"~~/shaders/...\"")
    if shipped is not None:
        profiles = shipped.make_room(profiles, notes)

    out = ["# a4kplay profiles, imported from mpv by `a4kplay profiles --import-mpv`.",
           "#",
           f"# From: {result.source or 'input.conf'}",
           f"# {len(result.profiles)} binding(s) setting glsl-shaders became the profiles "
           f"below (each marked with its line);",
           f"# {result.ignored} other binding(s) are mpv's own business and were left out."]
    for title, lines in (("Skipped", result.skipped), ("Warnings", result.warnings),
                         ("Changed", notes)):
        if lines:
            out.append(f"# {title}:")
            out += [f"#   {' '.join(line.split())}" for line in lines]
    out += ["# The format is documented in the shipped profiles.yaml; check this file with",
            "#   a4kplay profiles --check PATH", ""]
    if shipped is not None:
        out += shipped.comments_before("profiles")
    out.append("profiles:")
    for p in profiles:
        out.append(f"  # input.conf line {p.line}")
        out.append(f"  {_q(p.name)}:")
        if p.shaders:
            out.append("    shaders:")
            out += [f"      - {_q(s)}" for s in p.shaders]
        else:
            out.append("    shaders: []")
        out.append("    scaler: bicubic")
        if p.key:
            out.append(f"    key: {_q(p.key)}")
    if shipped is not None:
        out += shipped.body("profiles")
    out.append("")
    first = profiles[0].name if profiles else (shipped.default if shipped else None)
    if shipped is not None:
        out += shipped.comments_before("default")
    else:
        out.append("# default: the profile playback starts with (--profile NAME overrides it).")
    if first is not None:
        out.append(f"default: {_q(first)}")
    if shipped is not None:
        out += shipped.rest(("profiles", "default"))
    else:
        out += ["",
                "# No ladder: the automatic governor plays these profiles as they are. To let it",
                "# step down when the GPU cannot keep up, list profiles dearest first, e.g.",
                "# ladder: [" + ", ".join(_q(p.name) for p in profiles[:3]) + "]"]
    return "\n".join(out).rstrip("\n") + "\n"


class _Shipped:
    """The shipped profiles.yaml as text plus composed nodes: which lines hold which
    top-level section, its profiles' names and keys, and the keys of its `keys:` map."""

    def __init__(self, text: str):
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as e:
            raise ProfileError(f"cannot read the shipped profiles.yaml to merge: {e}") from None
        if not isinstance(root, MappingNode):
            raise ProfileError("cannot merge the shipped profiles.yaml: not a mapping")
        self.lines = text.splitlines()
        self.sections: dict[str, tuple[int, int, int]] = {}  # name -> comment start, key line, end
        self.nodes: dict[str, Node] = {}
        entries = [(k, v) for k, v in root.value if isinstance(k, ScalarNode)]
        starts = []
        for k, v in entries:
            key_line = k.start_mark.line
            start = key_line
            while start > 0 and self.lines[start - 1].lstrip().startswith("#"):
                start -= 1
            starts.append((k.value, start, key_line))
            self.nodes[k.value] = v
        for i, (name, start, key_line) in enumerate(starts):
            end = starts[i + 1][1] if i + 1 < len(starts) else len(self.lines)
            self.sections[name] = (start, key_line, end)
        self.profile_names: list[str] = []
        self.profile_keys: dict[str, tuple[str, int]] = {}  # canonical key -> profile, line
        profiles = self.nodes.get("profiles")
        if isinstance(profiles, MappingNode):
            for name_node, body in profiles.value:
                self.profile_names.append(name_node.value)
                if isinstance(body, MappingNode):
                    for field_node, value in body.value:
                        if field_node.value == "key" and isinstance(value, ScalarNode) \
                                and value.value.strip():
                            self.profile_keys[_canon(value.value)] = (name_node.value,
                                                                      value.start_mark.line)
        self.bound: dict[str, int] = {}  # canonical key of the keys: map -> line
        keys = self.nodes.get("keys")
        if isinstance(keys, MappingNode):
            for key_node, _ in keys.value:
                self.bound[_canon(str(key_node.value))] = key_node.start_mark.line
        default = self.nodes.get("default")
        self.default = default.value if isinstance(default, ScalarNode) else None

    def make_room(self, profiles: list[ImportedProfile], notes: list[str]
                  ) -> list[ImportedProfile]:
        """Comment out the shipped lines binding a key an imported profile takes; where a
        line cannot be cleanly commented out, the imported profile loses its key."""
        out = []
        for p in profiles:
            if p.key:
                canon = _canon(p.key)
                line = None
                what = ""
                if canon in self.profile_keys:
                    other, line = self.profile_keys[canon]
                    what = f"profile {other!r}"
                elif canon in self.bound:
                    line, what = self.bound[canon], "the keys section"
                if line is not None:
                    if self._comment_out(line, f"key taken by imported profile {p.name}"):
                        notes.append(f"key {p.key} moved from {what} (shipped line "
                                     f"{line + 1}) to imported profile {p.name!r}")
                    else:
                        notes.append(f"key {p.key} stays with {what}; imported profile "
                                     f"{p.name!r} has no key")
                        p = ImportedProfile(p.name, "", p.shaders, p.line)
            out.append(p)
        return out

    def _comment_out(self, line: int, why: str) -> bool:
        text = self.lines[line]
        stripped = text.lstrip()
        # only a line that is one "key: value" entry of block style can go alone
        if stripped.startswith("#") or "{" in stripped.split("#")[0] or ":" not in stripped:
            return False
        indent = text[:len(text) - len(stripped)]
        self.lines[line] = f"{indent}# {stripped}   # ({why})"
        return True

    def comments_before(self, name: str) -> list[str]:
        if name not in self.sections:
            return []
        start, key_line, _ = self.sections[name]
        return self.lines[start:key_line]

    def body(self, name: str) -> list[str]:
        """The lines of a block-style section after its key line (its entries)."""
        if name not in self.sections:
            return []
        _, key_line, end = self.sections[name]
        return _trim(self.lines[key_line + 1:end])

    def rest(self, leave_out: tuple[str, ...]) -> list[str]:
        out: list[str] = []
        for name, (start, _, end) in self.sections.items():
            if name not in leave_out:
                out += [""] + _trim(self.lines[start:end])
        return out


def _trim(lines: list[str]) -> list[str]:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def _canon(key: str) -> str:
    """For comparing keys across spellings: mpv_key's, with named keys case-folded."""
    k = mpv_key(key.strip())
    return k.upper() if len(k.rsplit("+", 1)[-1]) > 1 else k

"""profiles.yaml -> validated, frozen configuration: profiles, ladder, governor, keys.

This module owns reading and validating the profiles file (its schema is documented in
the shipped profiles.yaml) and finding which file to read. Everything it returns is
frozen (dataclasses, tuples, MappingProxyType), so a live reload can build a new Config
beside the old one and swap, and nothing else can change settings behind its back.

The YAML is read as composed nodes rather than plain safe_load data because every
message must name the file, the line and the key, and say what was expected. Reading
nodes also lets a name be taken as written: to plain YAML 1.1 `Off` is the boolean
false and `0` an integer, but here they are a profile name and a key name.
Errors are collected, not raised at the first one, so `check` (config/check.py) can list
them all. The reader is one class for the whole schema (profiles, ladder, governor, keys,
rules), which is why this file is a little over 500 lines: each part is a short method,
and splitting the schema across files would split the one place that knows its lines.
"""
from __future__ import annotations

import difflib
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from player.base.errors import ProfileError
from player.base.paths import SHIPPED_CONFIG
from player.config.governor_settings import SETTING_RANGES, GovernorSettings
from player.config import osc_settings
from player.config.osc_settings import OscSettings
from player.config.keymap import MPV, UNBIND, Action, default_bindings, normalize_key, parse_action
from player.render.scalers import SCALERS

DEFAULT_SCALER = "bicubic"
CONFIG_NAME = "profiles.yaml"
DEFAULT_SCREENSHOT_DIR = "~/Pictures/a4kplay"

_TOP_KEYS = ("profiles", "default", "ladder", "governor", "keys", "screenshot_dir", "rules",
             "osc")
_PROFILE_KEYS = ("shaders", "scaler", "params", "key")
_GOVERNOR_KEYS = ("enabled",) + tuple(SETTING_RANGES)
_PARAM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_NULL = "tag:yaml.org,2002:null"


@dataclass(frozen=True)
class Profile:
    name: str
    shaders: tuple[str, ...] = ()          # absolute paths, in chain order
    scaler: str = DEFAULT_SCALER
    params: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    key: str | None = None                 # canonical key name, if the profile has one


@dataclass(frozen=True)
class Config:
    path: str                              # the YAML file read (absolute)
    profiles: Mapping[str, Profile]        # in file order
    default: str
    ladder: tuple[str, ...]                # dearest first; may be empty
    governor: GovernorSettings
    bindings: Mapping[str, Action]         # canonical key name -> action
    screenshot_dir: str                    # absolute
    rules: tuple = ()                      # config/rules.Rule: the start profile by source
    osc: OscSettings = OscSettings()       # the on-screen controller
    lines: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    # ^ "profiles.Full.shaders[0]" -> its line in `path`, for messages about it later

    @property
    def profile_names(self) -> tuple[str, ...]:
        return tuple(self.profiles)

    def profile(self, name: str) -> Profile:
        try:
            return self.profiles[name]
        except KeyError:
            raise ProfileError(f"unknown profile {name!r} (expected one of "
                               f"{', '.join(self.profiles)})", path=self.path) from None


    def source_paths(self) -> tuple[str, ...]:
        """The files live reload watches: this YAML file and every shader it names."""
        seen = {self.path: None}
        for profile in self.profiles.values():
            seen.update(dict.fromkeys(profile.shaders))
        return tuple(seen)


# ---- finding the file ----

def user_config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    base = env.get("XDG_CONFIG_HOME", "")
    # the XDG spec says a relative value is invalid and must be ignored
    root = Path(base) if base and os.path.isabs(base) else Path(os.path.expanduser("~/.config"))
    return root / "a4kplay" / CONFIG_NAME


def find_config(path: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """--config PATH, else the user's copy, else the shipped default."""
    if path is not None:
        return os.path.abspath(os.path.expanduser(path))
    user = user_config_path(env)
    return str(user if user.is_file() else SHIPPED_CONFIG)


def load_config(path: str | None = None) -> Config:
    """Read and validate the profiles file; ProfileError naming file, line and key."""
    config, problems, _ = _read(find_config(path))
    if problems:
        first = problems[0]
        if len(problems) > 1:
            more = (f"{len(problems) - 1} more problem{'s' if len(problems) > 2 else ''}: "
                    f"run a4kplay profiles --check")
            first.hint = f"{first.hint}; {more}" if first.hint else more
        raise first
    assert config is not None
    return config


# ---- reading ----

def _read(path: str) -> tuple[Config | None, list[ProfileError], "_Reader | None"]:
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        return None, [ProfileError("profiles file not found", path=path,
                                   hint="give --config an existing file")], None
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) else "not UTF-8 text"
        return None, [ProfileError(f"cannot read profiles file: {reason}", path=path)], None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        what = " ".join(x for x in (e.context, e.problem) if x)
        return None, [ProfileError(f"YAML syntax error: {what}", path=path, line=line,
                                   source=_line_text(text, line))], None
    except yaml.YAMLError as e:
        return None, [ProfileError(f"YAML error: {e}", path=path)], None
    reader = _Reader(path, text)
    config = reader.read(root)
    return (None if reader.problems else config), reader.problems, reader


def _line_text(text: str, line: int | None) -> str | None:
    lines = text.splitlines()
    return lines[line - 1] if line is not None and 0 < line <= len(lines) else None


def _line(node: Node) -> int:
    return node.start_mark.line + 1


class _Reader:
    """One pass over the composed YAML; collects problems instead of stopping."""

    def __init__(self, path: str, text: str):
        self.path = path
        self.dir = os.path.dirname(os.path.abspath(path))
        self.text = text
        self.problems: list[ProfileError] = []
        self.lines: dict[str, int] = {}
        self.shader_refs: list[tuple[str, str, int]] = []   # (path, keypath, line)
        self.profile_shaders: dict[str, tuple[str, ...]] = {}
        self.param_refs: dict[str, list[tuple[str, float, int]]] = {}
        self._constructor = SafeConstructor()

    # -- primitives --
    def problem(self, node_or_line: Node | int | None, keypath: str, message: str,
                hint: str | None = None) -> None:
        line = _line(node_or_line) if isinstance(node_or_line, Node) else node_or_line
        text = f"{keypath}: {message}" if keypath else message
        self.problems.append(ProfileError(text, path=self.path, line=line,
                                          source=_line_text(self.text, line), hint=hint))

    def mapping(self, node: Node, keypath: str, allowed: tuple[str, ...] | None = None
                ) -> list[tuple[str, Node, Node]] | None:
        if not isinstance(node, MappingNode):
            self.problem(node, keypath, f"expected a mapping, got {_describe(node)}")
            return None
        try:
            self._constructor.flatten_mapping(node)  # honour "<<" merge keys
        except ConstructorError as e:
            self.problem(node, keypath, f"bad merge key: {e.problem}")
            return None
        items, seen = [], {}
        for key_node, value_node in node.value:
            where = f"{keypath}." if keypath else ""
            if not isinstance(key_node, ScalarNode):
                self.problem(key_node, keypath, "expected a plain name as key")
                continue
            key = key_node.value
            if key in seen:
                self.problem(key_node, f"{where}{key}",
                             f"duplicate key (first on line {seen[key]})")
                continue
            seen[key] = _line(key_node)
            if allowed is not None and key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                self.problem(key_node, f"{where}{key}",
                             f"unknown key (expected one of {', '.join(allowed)})",
                             hint=f"did you mean {close[0]!r}?" if close else None)
                continue
            self.lines[f"{where}{key}"] = _line(value_node)
            items.append((key, key_node, value_node))
        return items

    def sequence(self, node: Node, keypath: str, what: str) -> list[Node] | None:
        if isinstance(node, ScalarNode) and node.tag == _NULL:
            return []
        if not isinstance(node, SequenceNode):
            self.problem(node, keypath, f"expected a list of {what}, got {_describe(node)}")
            return None
        return list(node.value)

    def string(self, node: Node, keypath: str, what: str = "a string") -> str | None:
        """The scalar as written (so Off stays "Off"); None after reporting a problem."""
        if not isinstance(node, ScalarNode) or node.tag == _NULL or not node.value.strip():
            self.problem(node, keypath, f"expected {what}, got {_describe(node)}")
            return None
        return node.value.strip()

    def number(self, node: Node, keypath: str, lo: float, hi: float,
               integer: bool = False) -> float | int | None:
        value = self._scalar_value(node)
        what = "a whole number" if integer else "a number"
        if isinstance(value, str) and isinstance(node, ScalarNode) and node.style is None:
            try:
                value = float(value)  # YAML 1.1 leaves e.g. 1e3 a string; 1.2 does not
            except ValueError:
                pass
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(node, keypath, f"expected {what}, got {_describe(node)}")
            return None
        if integer and (not math.isfinite(value) or value != int(value)):
            self.problem(node, keypath, f"expected {what}, got {node.value!r}")
            return None
        if not (math.isfinite(value) and lo <= value <= hi):
            self.problem(node, keypath, f"expected {what} from {lo:g} to {hi:g}, got {node.value}")
            return None
        return int(value) if integer else float(value)

    def boolean(self, node: Node, keypath: str) -> bool | None:
        value = self._scalar_value(node)
        if not isinstance(value, bool):
            self.problem(node, keypath, f"expected true or false, got {_describe(node)}")
            return None
        return value

    def _scalar_value(self, node: Node) -> Any:
        if not isinstance(node, ScalarNode):
            return node
        try:
            return self._constructor.construct_object(node, deep=True)
        except ConstructorError:
            return node.value

    def path_value(self, node: Node, keypath: str, what: str) -> str | None:
        """Relative to the YAML file's folder (or ~); a relative path that does not exist
        there but names one of our shipped files (``shaders/anime4k/full.glsl``) resolves to
        the shipped file, so a copy of the default profiles.yaml works from anywhere."""
        text = self.string(node, keypath, what)
        if text is None:
            return None
        path = os.path.normpath(os.path.join(self.dir, os.path.expanduser(text)))
        shipped = os.path.normpath(os.path.join(SHIPPED_CONFIG.parent, text))
        if not os.path.isabs(os.path.expanduser(text)) and not os.path.exists(path) \
                and os.path.isfile(shipped):
            return shipped
        return path

    # -- the schema --
    def read(self, root: Node | None) -> Config | None:
        if root is None:
            self.problem(1, "", "empty file: expected a mapping with a 'profiles' key")
            return None
        items = self.mapping(root, "", _TOP_KEYS)
        if items is None:
            return None
        nodes = {key: (key_node, value) for key, key_node, value in items}
        if "profiles" not in nodes:
            self.problem(root, "profiles", "missing: expected a mapping of profile names to profiles")
            return None
        profiles, names = self.read_profiles(nodes["profiles"][1])
        default = self.read_default(nodes.get("default"), names)
        ladder = self.read_ladder(nodes["ladder"][1], names) if "ladder" in nodes else ()
        governor = (self.read_governor(nodes["governor"][1]) if "governor" in nodes
                    else GovernorSettings())
        bindings = self.read_keys(nodes.get("keys"), profiles, names)
        rules = self.read_rules(nodes["rules"][1], names) if "rules" in nodes else ()
        shots = (self.path_value(nodes["screenshot_dir"][1], "screenshot_dir", "a directory")
                 if "screenshot_dir" in nodes else
                 os.path.abspath(os.path.expanduser(DEFAULT_SCREENSHOT_DIR)))
        osc = self.read_osc(nodes["osc"][1]) if "osc" in nodes else OscSettings()
        if self.problems or default is None or governor is None or shots is None:
            return None
        return Config(path=os.path.abspath(self.path), profiles=MappingProxyType(profiles),
                      default=default, ladder=ladder, governor=governor,
                      bindings=bindings, screenshot_dir=shots, rules=rules, osc=osc,
                      lines=MappingProxyType(dict(self.lines)))

    def read_profiles(self, node: Node) -> tuple[dict[str, Profile], list[str]]:
        profiles: dict[str, Profile] = {}
        items = self.mapping(node, "profiles")
        if items is None:
            return profiles, []
        if not items:
            self.problem(node, "profiles", "expected at least one profile")
        names = [name for name, _, _ in items]
        for name, key_node, body in items:
            if not name.strip():
                self.problem(key_node, "profiles", "expected a profile name, got an empty one")
                continue
            profile = self.read_profile(name, body)
            if profile is not None:
                profiles[name] = profile
        return profiles, names

    def read_profile(self, name: str, node: Node) -> Profile | None:
        base = f"profiles.{name}"
        if isinstance(node, ScalarNode) and node.tag == _NULL:
            return Profile(name)  # "Off:" with nothing under it: just the scaler
        items = self.mapping(node, base, _PROFILE_KEYS)
        if items is None:
            return None
        ok = True
        shaders: list[str] = []
        scaler, params, key = DEFAULT_SCALER, {}, None
        for field_name, _, value in items:
            keypath = f"{base}.{field_name}"
            if field_name == "shaders":
                entries = self.sequence(value, keypath, "shader paths")
                for i, entry in enumerate(entries or ()):
                    p = self.path_value(entry, f"{keypath}[{i}]", "a shader file path")
                    if p is None:
                        ok = False
                        continue
                    self.lines[f"{keypath}[{i}]"] = _line(entry)
                    self.shader_refs.append((p, f"{keypath}[{i}]", _line(entry)))
                    shaders.append(p)
                ok &= entries is not None
            elif field_name == "scaler":
                text = self.string(value, keypath, f"one of {', '.join(SCALERS)}")
                if text is not None and text not in SCALERS:
                    self.problem(value, keypath, f"expected one of {', '.join(SCALERS)}, got {text!r}")
                    text = None
                scaler = text or scaler
                ok &= text is not None
            elif field_name == "params":
                params = self.read_params(value, keypath, name)
                ok &= params is not None
            elif field_name == "key":
                if isinstance(value, ScalarNode) and value.tag == _NULL:
                    continue
                text = self.string(value, keypath, "a key name")
                try:
                    key = normalize_key(text) if text is not None else None
                except ValueError as e:
                    self.problem(value, keypath, str(e))
                ok &= key is not None
        self.profile_shaders[name] = tuple(shaders)
        if not ok:
            return None
        return Profile(name, tuple(shaders), scaler, MappingProxyType(params or {}), key)

    def read_params(self, node: Node, keypath: str, profile: str) -> dict[str, float] | None:
        if isinstance(node, ScalarNode) and node.tag == _NULL:
            return {}
        items = self.mapping(node, keypath)
        if items is None:
            return None
        params, ok = {}, True
        for name, key_node, value in items:
            if not _PARAM_NAME.match(name):
                self.problem(key_node, f"{keypath}.{name}",
                             "expected a PARAM name (letters, digits, _; not starting with a digit)")
                ok = False
                continue
            number = self.number(value, f"{keypath}.{name}", -math.inf, math.inf)
            if number is None:
                ok = False
                continue
            params[name] = number
            self.param_refs.setdefault(profile, []).append((name, number, _line(key_node)))
        return params if ok else None

    def read_default(self, entry: tuple[Node, Node] | None, names: list[str]) -> str | None:
        if entry is None:
            return names[0] if names else None
        text = self.string(entry[1], "default", "a profile name")
        if text is not None and names and text not in names:
            self.problem(entry[1], "default",
                         f"expected one of the profiles ({', '.join(names)}), got {text!r}")
            return None
        return text

    def read_ladder(self, node: Node, names: list[str]) -> tuple[str, ...]:
        entries = self.sequence(node, "ladder", "profile names, dearest first")
        if entries is None:
            return ()
        if not entries:
            self.problem(node, "ladder", "expected at least one profile name, dearest first")
        ladder: list[str] = []
        for i, entry in enumerate(entries):
            keypath = f"ladder[{i}]"
            text = self.string(entry, keypath, "a profile name")
            if text is None:
                continue
            if names and text not in names:
                self.problem(entry, keypath,
                             f"expected one of the profiles ({', '.join(names)}), got {text!r}")
            elif text in ladder:
                self.problem(entry, keypath, f"{text!r} is already on the ladder")
            else:
                ladder.append(text)
        return tuple(ladder)

    def read_governor(self, node: Node) -> GovernorSettings | None:
        items = self.mapping(node, "governor", _GOVERNOR_KEYS)
        if items is None:
            return None
        values: dict[str, Any] = {}
        ok = True
        for name, _, value in items:
            keypath = f"governor.{name}"
            if name == "enabled":
                parsed = self.boolean(value, keypath)
            else:
                kind, lo, hi, _ = SETTING_RANGES[name]
                parsed = self.number(value, keypath, lo, hi, integer=kind is int)
            if parsed is None:
                ok = False
            else:
                values[name] = parsed
        if not ok:
            return None
        try:
            return GovernorSettings(**values)
        except ValueError as e:  # relations between settings, e.g. max_hold >= hold
            name, _, message = str(e).partition(": ")
            self.problem(self.lines.get(f"governor.{name}", _line(node)),
                         f"governor.{name}", message)
            return None

    def read_osc(self, node: Node) -> OscSettings:
        """`osc:` (the on-screen controller); problems are reported, defaults kept."""
        values: dict[str, Any] = {}
        for name, _, value in self.mapping(node, "osc", osc_settings.KEYS) or ():
            keypath = f"osc.{name}"
            if name == "visibility":
                text = self.string(value, keypath, "auto, always or never")
                if text is not None and text not in osc_settings.VISIBILITY:
                    self.problem(value, keypath, f"expected auto, always or never, got {text!r}")
                elif text is not None:
                    values[name] = text
            elif name in osc_settings.FLAGS:
                parsed = self.boolean(value, keypath)
                if parsed is not None:
                    values[name] = parsed
            else:
                lo, hi, _ = osc_settings.NUMBERS[name]
                parsed = self.number(value, keypath, lo, hi)
                if parsed is not None:
                    values[name] = parsed
        return OscSettings(**values)

    def read_rules(self, node: Node, names: list[str]) -> tuple:
        """rules: a list of {if: CONDITION, profile: NAME}; the first that matches the video
        chooses the profile each file of a playlist starts with."""
        from player.config.rules import Rule, parse_condition
        if not isinstance(node, SequenceNode):
            self.problem(node, "rules", f"expected a list of {{if: ..., profile: ...}}, got "
                                        f"{_describe(node)}")
            return ()
        out = []
        for i, item in enumerate(node.value):
            where = f"rules[{i}]"
            items = self.mapping(item, where, ("if", "profile"))
            if items is None:
                continue
            fields = {k: v for k, _, v in items}
            missing = [k for k in ("if", "profile") if k not in fields]
            if missing:
                self.problem(item, where, f"missing {' and '.join(missing)}: expected "
                                          "{if: height <= 720, profile: NAME}")
                continue
            cond = self.string(fields["if"], f"{where}.if", "a condition such as height <= 720")
            prof = self.string(fields["profile"], f"{where}.profile", "a profile name")
            if cond is None or prof is None:
                continue
            try:
                terms = parse_condition(cond)
            except ValueError as e:
                self.problem(fields["if"], f"{where}.if", str(e))
                continue
            if prof not in names:
                self.problem(fields["profile"], f"{where}.profile",
                             f"expected one of the profiles ({', '.join(names)}), got {prof!r}")
                continue
            out.append(Rule(cond, prof, _line(item), terms))
        return tuple(out)

    def read_keys(self, entry: tuple[Node, Node] | None, profiles: dict[str, Profile],
                  names: list[str]) -> Mapping[str, Action]:
        # Defaults first, then each profile's own key, then the keys map. Two explicit
        # bindings of one key are an error: the file would contradict itself.
        bindings: dict[str, Action] = {}
        with_keys = {p.name for p in profiles.values() if p.key}
        for key, action in default_bindings(tuple(names)).items():
            if action.name == "profile" and (action.arg not in names or action.arg in with_keys):
                continue  # a default for a profile this file lacks or has rebound
            bindings[key] = action
        claimed: dict[str, tuple[str, int]] = {}
        for profile in profiles.values():
            if profile.key is None:
                continue
            line = self.lines.get(f"profiles.{profile.name}.key", 0)
            if profile.key in claimed:
                other, other_line = claimed[profile.key]
                self.problem(line, f"profiles.{profile.name}.key",
                             f"key {profile.key!r} is already bound by {other} (line {other_line})")
                continue
            claimed[profile.key] = (f"profiles.{profile.name}.key", line)
            bindings[profile.key] = Action("profile", profile.name)
        if entry is None:
            return MappingProxyType(bindings)
        items = self.mapping(entry[1], "keys")
        for key_text, key_node, value in items or ():
            keypath = f"keys.{key_text}"
            try:
                key = normalize_key(key_text)
            except ValueError as e:
                self.problem(key_node, keypath, str(e))
                continue
            if key in claimed:
                other, other_line = claimed[key]
                self.problem(key_node, keypath,
                             f"key {key!r} is already bound by {other} (line {other_line})")
                continue
            claimed[key] = (keypath, _line(key_node))
            if isinstance(value, ScalarNode) and value.tag == _NULL:
                text = UNBIND
            else:
                text = self.string(value, keypath, f"an action or {UNBIND!r}")
                if text is None:
                    continue
            if text == UNBIND:   # the key does nothing, not even mpv's default
                bindings[key] = Action(MPV, UNBIND)
                continue
            try:
                action = parse_action(text)
            except ValueError as e:
                self.problem(value, keypath, str(e))
                continue
            if action.name == "profile" and names and action.arg not in names:
                self.problem(value, keypath, f"expected one of the profiles "
                                             f"({', '.join(names)}), got {action.arg!r}")
                continue
            bindings[key] = action
        return MappingProxyType(bindings)


def _describe(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == _NULL:
        return "nothing"
    return repr(node.value)

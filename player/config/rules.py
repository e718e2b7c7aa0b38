"""Profile rules by source: which profile a file starts with, from its width, height and fps.

This module owns the ``rules:`` list of profiles.yaml, what Anime4K users script in mpv
today (a restore+upscale chain for 720p, nothing for 4K):

    rules:
      - if: height <= 720
        profile: Learned-M
      - if: height >= 2160
        profile: Off
      - if: fps > 30 and width < 1280
        profile: Fast

A condition is one or more terms ``VAR OP NUMBER`` joined by ``and``; VAR is width, height
or fps, OP one of <= < >= > == !=. There is no ``or`` and no parentheses on purpose: two
rules say "or", and the first rule that matches wins, so the list reads top to bottom.
The player applies the rules again for each file of a playlist and shows ``describe(rule)``
in the overlay, so a viewer can see why a profile was chosen.

The YAML itself is read by config/profiles.py (which keeps "Off" a name, not a boolean);
``read_rules`` takes its plain values plus a keypath -> line lookup and returns frozen
Rules and ProfileErrors naming file:line, collected rather than raised. Pure: no GL, no
libmpv.
"""
from __future__ import annotations

import math
import operator
import re
from dataclasses import dataclass
from typing import Any, Callable, Collection, Iterable, Mapping

from player.base.errors import ProfileError

VARIABLES = ("width", "height", "fps")
OPERATORS: Mapping[str, Callable[[float, float], bool]] = {
    "<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt,
    "==": operator.eq, "!=": operator.ne,
}
_TERM = re.compile(r"\s*([A-Za-z_]\w*)\s*(<=|>=|==|!=|<|>|=)\s*(\S+)\s*\Z")
_EXPECTED = (f"expected VAR OP NUMBER joined by 'and' (VAR: {', '.join(VARIABLES)}; "
             f"OP: {' '.join(OPERATORS)}), e.g. 'height <= 720'")
_RULE_KEYS = ("if", "profile")

Term = tuple[str, str, float]


def parse_condition(text: str) -> tuple[Term, ...]:
    """'fps > 30 and width < 1280' -> (('fps', '>', 30.0), ('width', '<', 1280.0)).
    ValueError saying what was expected and what was found."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{_EXPECTED}; got nothing")
    if re.search(r"\bor\b|\|\||&&|[()]", text, flags=re.IGNORECASE):
        raise ValueError(f"only 'and' joins terms (no 'or', '&&', parentheses): write one "
                         f"rule per alternative; got {text.strip()!r}")
    terms: list[Term] = []
    for part in re.split(r"\band\b", text, flags=re.IGNORECASE):
        m = _TERM.match(part)
        if m is None:
            raise ValueError(f"{_EXPECTED}; got {part.strip()!r}" if part.strip()
                             else f"{_EXPECTED}; got an empty term in {text.strip()!r}")
        var, op, number = m.group(1).lower(), m.group(2), m.group(3)
        if var not in VARIABLES:
            raise ValueError(f"unknown variable {m.group(1)!r} in {part.strip()!r} "
                             f"(expected one of {', '.join(VARIABLES)})")
        if op == "=":
            raise ValueError(f"write '==' for equality in {part.strip()!r}")
        try:
            value = float(number)
        except ValueError:
            raise ValueError(f"expected a number after {op!r}, got {number!r} in "
                             f"{part.strip()!r}") from None
        if not math.isfinite(value):
            raise ValueError(f"expected a finite number after {op!r}, got {number!r}")
        terms.append((var, op, value))
    return tuple(terms)


@dataclass(frozen=True)
class Rule:
    condition: str                 # as written in profiles.yaml
    profile: str
    line: int                      # of the rule in profiles.yaml (0: unknown)
    terms: tuple = ()              # parsed from `condition` when not given

    def __post_init__(self) -> None:
        if not self.terms:
            object.__setattr__(self, "terms", parse_condition(self.condition))

    def matches(self, width: float | None, height: float | None,
                fps: float | None) -> bool:
        """True when every term holds. A value the source does not have (None, or an fps
        of 0 for a still image / unknown rate) makes the terms about it false."""
        values = {"width": width, "height": height, "fps": fps}
        for var, op, number in self.terms:
            value = values[var]
            if value is None or (var == "fps" and value <= 0) or not math.isfinite(value):
                return False
            if not OPERATORS[op](value, number):
                return False
        return True


def choose(rules: Iterable[Rule], width: float | None, height: float | None,
           fps: float | None) -> Rule | None:
    """The first rule that matches, or None (then the default profile plays)."""
    for rule in rules:
        if rule.matches(width, height, fps):
            return rule
    return None


def format_terms(terms: Iterable[Term]) -> str:
    return " and ".join(f"{var} {op} {number:g}" for var, op, number in terms)


def describe(rule: Rule) -> str:
    """One line for the overlay: 'rule line 12: height <= 720 -> Learned-M'."""
    where = f"rule line {rule.line}" if rule.line else "rule"
    return f"{where}: {format_terms(rule.terms)} -> {rule.profile}"


def read_rules(value: Any, lines: Mapping[str, int] | Callable[[str], int | None],
               path: str, profiles: Collection[str] | None = None,
               keypath: str = "rules") -> tuple[tuple[Rule, ...], list[ProfileError]]:
    """The rules of profiles.yaml from its plain values: `value` is what the ``rules:`` key
    holds (a list of {"if": str, "profile": str}); `lines` gives the line of a keypath
    ("rules", "rules[0]", "rules[0].if", "rules[0].profile"), as a mapping or a function;
    `profiles` the profile names that exist (None: not checked). Returns the valid rules
    and one ProfileError (path, line, hint) per problem; a rule with a problem is left out."""
    def line_of(*keys: str) -> int | None:
        for key in keys:
            found = lines.get(key) if isinstance(lines, Mapping) else lines(key)
            if found:
                return found
        return None

    problems: list[ProfileError] = []

    def problem(message: str, line: int | None, hint: str | None = None) -> None:
        problems.append(ProfileError(message, path=path, line=line, hint=hint))

    if value is None:
        return (), problems
    if not isinstance(value, (list, tuple)):
        problem(f"{keypath}: expected a list of rules ('- if: CONDITION' with 'profile: "
                f"NAME'), got {_describe(value)}", line_of(keypath))
        return (), problems
    rules: list[Rule] = []
    for i, item in enumerate(value):
        here = f"{keypath}[{i}]"
        line = line_of(here, keypath)
        if not isinstance(item, Mapping):
            problem(f"{here}: expected a mapping with 'if' and 'profile', got "
                    f"{_describe(item)}", line)
            continue
        unknown = [k for k in item if k not in _RULE_KEYS]
        for k in unknown:
            problem(f"{here}.{k}: unknown key (expected if, profile)",
                    line_of(f"{here}.{k}", here, keypath))
        missing = [k for k in _RULE_KEYS if k not in item]
        if missing:
            problem(f"{here}: missing {' and '.join(repr(k) for k in missing)}",
                    line, hint="a rule is '- if: height <= 720' with 'profile: NAME' under it")
        if unknown or missing:
            continue
        cond, name = item["if"], item["profile"]
        cond_line = line_of(f"{here}.if", here, keypath)
        name_line = line_of(f"{here}.profile", here, keypath)
        ok = True
        terms: tuple = ()
        if not isinstance(cond, str):
            problem(f"{here}.if: {_EXPECTED}; got {_describe(cond)}", cond_line)
            ok = False
        else:
            try:
                terms = parse_condition(cond)
            except ValueError as e:
                problem(f"{here}.if: {e}", cond_line)
                ok = False
        if isinstance(name, bool):
            problem(f"{here}.profile: expected a profile name, got a YAML boolean",
                    name_line, hint='quote the name, e.g. profile: "Off"')
            ok = False
        elif not isinstance(name, str) or not name.strip():
            problem(f"{here}.profile: expected a profile name, got {_describe(name)}",
                    name_line)
            ok = False
        elif profiles is not None and name.strip() not in profiles:
            problem(f"{here}.profile: expected one of the profiles "
                    f"({', '.join(profiles)}), got {name.strip()!r}", name_line)
            ok = False
        if ok:
            rules.append(Rule(" ".join(cond.split()), name.strip(), line or 0, terms))
    return tuple(rules), problems


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    return repr(value)

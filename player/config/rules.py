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

The YAML itself is read by config/profiles.py (``_Reader.read_rules``: it keeps "Off" a
name, not a boolean, and names file:line for each problem); this module parses a condition
and chooses. Pure: no GL, no libmpv.
"""
from __future__ import annotations

import math
import operator
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping


VARIABLES = ("width", "height", "fps")
OPERATORS: Mapping[str, Callable[[float, float], bool]] = {
    "<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt,
    "==": operator.eq, "!=": operator.ne,
}
_TERM = re.compile(r"\s*([A-Za-z_]\w*)\s*(<=|>=|==|!=|<|>|=)\s*(\S+)\s*\Z")
_EXPECTED = (f"expected VAR OP NUMBER joined by 'and' (VAR: {', '.join(VARIABLES)}; "
             f"OP: {' '.join(OPERATORS)}), e.g. 'height <= 720'")

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

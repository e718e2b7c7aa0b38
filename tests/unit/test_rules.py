"""Profile rules by source: conditions, first match, the overlay line, profiles.yaml errors."""
from __future__ import annotations

import pytest
import yaml

from player.base.errors import ProfileError
from player.config.rules import Rule, choose, describe, parse_condition, read_rules

RULES_YAML = """\
rules:
  - if: height <= 720
    profile: Learned-M
  - if: height >= 2160
    profile: "Off"
  - if: fps > 30 and width < 1280
    profile: Fast
"""


def _rules_and_lines(text: str):
    """Plain values plus a keypath -> line map, as profiles.py's reader gives them."""
    root = yaml.compose(text)
    lines = {}
    for key, value in root.value:
        if key.value == "rules":
            lines["rules"] = key.start_mark.line + 1
            for i, item in enumerate(value.value):
                lines[f"rules[{i}]"] = item.start_mark.line + 1
                if isinstance(item, yaml.MappingNode):
                    for k, _ in item.value:
                        lines[f"rules[{i}].{k.value}"] = k.start_mark.line + 1
    return yaml.safe_load(text)["rules"], lines


@pytest.mark.parametrize("text, terms", [
    ("height <= 720", (("height", "<=", 720.0),)),
    ("height<=720", (("height", "<=", 720.0),)),
    ("fps > 30 and width < 1280", (("fps", ">", 30.0), ("width", "<", 1280.0))),
    ("fps == 23.976", (("fps", "==", 23.976),)),
    ("Width != 1e3 AND fps >= 0", (("width", "!=", 1000.0), ("fps", ">=", 0.0))),
])
def test_parse_condition(text, terms):
    assert parse_condition(text) == terms


@pytest.mark.parametrize("text, message", [
    ("", "expected VAR OP NUMBER"),
    ("heigth <= 720", "unknown variable 'heigth'"),
    ("height <= 720p", "expected a number after '<=', got '720p'"),
    ("height = 720", "write '==' for equality"),
    ("height <= inf", "finite"),
    ("height <= nan", "finite"),
    ("height <= 720 or fps > 30", "only 'and' joins terms"),
    ("(height <= 720)", "only 'and' joins terms"),
    ("height <= 720 and", "got an empty term"),
    ("height", "expected VAR OP NUMBER"),
    ("720 >= height", "expected VAR OP NUMBER"),
])
def test_bad_condition(text, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_condition(text)


def test_first_match_wins():
    rules, lines = _rules_and_lines(RULES_YAML)
    parsed, problems = read_rules(rules, lines, "p.yaml", ["Learned-M", "Off", "Fast"])
    assert problems == []
    assert [r.line for r in parsed] == [2, 4, 6]
    assert choose(parsed, 1280, 720, 23.976).profile == "Learned-M"
    assert choose(parsed, 3840, 2160, 60).profile == "Off"
    assert choose(parsed, 1024, 1000, 60).profile == "Fast"
    assert choose(parsed, 1024, 1000, 24) is None
    assert choose(parsed, 1920, 1080, 60) is None            # width 1920 is not < 1280
    assert choose([], 1280, 720, 24) is None


def test_unknown_values_never_match():
    rule = Rule("fps > 30", "Fast", 3)
    assert rule.terms == (("fps", ">", 30.0),)
    assert not rule.matches(1920, 1080, None)
    assert not rule.matches(1920, 1080, 0)                    # still image / unknown rate
    assert Rule("height <= 720", "X", 1).matches(None, 720, None)
    assert not Rule("height <= 720", "X", 1).matches(1280, None, 24)


def test_describe():
    assert describe(Rule("height   <=720", "Learned-M", 12)) == "rule line 12: height <= 720 -> Learned-M"
    assert describe(Rule("fps > 23.976 and width < 1280", "Fast", 3)) == \
        "rule line 3: fps > 23.976 and width < 1280 -> Fast"


def test_bad_condition_in_a_rule_object():
    with pytest.raises(ValueError, match="unknown variable"):
        Rule("size < 3", "Fast", 1)


def test_problems_name_file_and_line():
    text = """\
rules:
  - if: height <= 720
    profile: Learned-M
  - if: heigth >= 2160
    profile: Fast
  - if: height >= 2160
    profile: Nope
  - if: fps > 30
  - profile: Fast
  - if: fps > 30
    profile: Fast
    extra: 1
  - just a string
  - if: width < 1000
    profile: Off
"""
    rules, lines = _rules_and_lines(text)
    parsed, problems = read_rules(rules, lines, "/c/profiles.yaml", ["Learned-M", "Fast", "Off"])
    assert [r.profile for r in parsed] == ["Learned-M"]
    assert all(isinstance(p, ProfileError) and p.path == "/c/profiles.yaml" for p in problems)
    got = [(p.line, p.message) for p in problems]
    assert got[0][0] == 4 and "rules[1].if: unknown variable 'heigth'" in got[0][1]
    assert got[1][0] == 7 and "expected one of the profiles (Learned-M, Fast, Off), got 'Nope'" in got[1][1]
    assert got[2][0] == 8 and "missing 'profile'" in got[2][1]
    assert got[3][0] == 9 and "missing 'if'" in got[3][1]
    assert got[4][0] == 12 and "rules[5].extra: unknown key" in got[4][1]
    assert got[5][0] == 13 and "expected a mapping" in got[5][1]
    # plain YAML reads Off as false: the message says to quote it
    assert got[6][0] == 15 and "YAML boolean" in got[6][1] and '"Off"' in problems[6].hint
    assert str(problems[0]).startswith("/c/profiles.yaml:4: rules[1].if:")
    assert len(problems) == 7


def test_rules_must_be_a_list_and_lookup_may_be_a_function():
    parsed, problems = read_rules({"if": "height < 3"}, lambda key: 9, "p.yaml")
    assert parsed == () and len(problems) == 1
    assert problems[0].line == 9 and "expected a list of rules" in problems[0].message
    assert read_rules(None, {}, "p.yaml") == ((), [])
    parsed, problems = read_rules([{"if": "height < 3", "profile": "Any"}], {}, "p.yaml")
    assert problems == [] and parsed[0].profile == "Any" and parsed[0].line == 0
    assert describe(parsed[0]) == "rule: height < 3 -> Any"

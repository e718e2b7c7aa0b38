"""Profile rules by source: conditions, first match, the overlay line, profiles.yaml errors."""
from __future__ import annotations

import pytest

from player.base.errors import ProfileError
from player.config.check import check
from player.config.profiles import load_config
from player.config.rules import Rule, choose, describe, parse_condition

RULES_YAML = """\
rules:
  - if: height <= 720
    profile: Learned-M
  - if: height >= 2160
    profile: "Off"
  - if: fps > 30 and width < 1280
    profile: Fast
"""


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


PROFILES = "profiles:\n  Learned-M:\n  Off:\n  Fast:\n"


def test_first_match_wins(tmp_path):
    cfg = tmp_path / "p.yaml"
    cfg.write_text(PROFILES + RULES_YAML)
    parsed = load_config(str(cfg)).rules
    assert [r.line for r in parsed] == [6, 8, 10]
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


def test_problems_name_file_and_line(tmp_path):
    text = PROFILES + """\
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
    cfg = tmp_path / "profiles.yaml"
    cfg.write_text(text)
    got = check(str(cfg))
    at = lambda n: [line for line in got if line.startswith(f"{cfg}:{n}: ")]  # noqa: E731
    assert len(got) == 6, got
    assert "rules[1].if: unknown variable 'heigth'" in at(8)[0]
    assert "expected one of the profiles (Learned-M, Off, Fast), got 'Nope'" in at(11)[0]
    assert "missing profile" in at(12)[0]
    assert "missing if" in at(13)[0]
    assert "rules[5].extra: unknown key" in at(16)[0]
    assert "expected a mapping" in at(17)[0]
    # Off stays a profile name here (plain YAML would read false): the last rule is fine
    with pytest.raises(ProfileError):
        load_config(str(cfg))
    cfg.write_text(PROFILES + "rules:\n  - if: width < 1000\n    profile: Off\n")
    assert load_config(str(cfg)).rules[0].profile == "Off"


def test_rules_must_be_a_list(tmp_path):
    cfg = tmp_path / "profiles.yaml"
    cfg.write_text(PROFILES + "rules:\n  if: height < 3\n")
    got = check(str(cfg))
    assert len(got) == 1 and f"{cfg}:6: rules: expected a list" in got[0]
    assert describe(Rule("height < 3", "Any", 0)) == "rule: height < 3 -> Any"

"""The --stats JSON: exact shape, JSON-safe values, atomic writes."""
from __future__ import annotations

import json
import os

import pytest

from player.base.errors import A4kError
from player.config.governor_settings import GovernorSettings
from player.playback.governor import Decision, Governor
from player.playback.stats import StatsRecorder


def test_writes_exactly_the_issue_format(tmp_path):
    rec = StatsRecorder(video_fps=23.976, budget_ms=35.45)
    rec.add_frame(0.0, "Full", 30.5, False, False, late_ms=0.4,
                  passes=[("mpv: upload frame", 1.5), ("pass a", 10.0), ("pass a", 4.0)])
    rec.add_frame(0.0417, "Full", None, True, True, late_ms=52.0,
                  passes=[("pass b", 2.25), ("pass a", float("nan"))])
    rec.add_decision(Decision(0.0417, "Full", "Fast", "3 late frames"))
    out = tmp_path / "stats.json"
    rec.write(str(out))
    assert json.loads(out.read_text()) == {
        "video_fps": 23.976,
        "budget_ms": 35.45,
        "frames": [
            {"t": 0.0, "tier": "Full", "gpu_ms": 30.5, "late": False, "dropped": False,
             "late_ms": 0.4, "passes": {"mpv: upload frame": 1.5, "pass a": 14.0}},
            {"t": 0.0417, "tier": "Full", "gpu_ms": None, "late": True, "dropped": True,
             "late_ms": 52.0, "passes": {"pass b": 2.25}},
        ],
        "decisions": [{"t": 0.0417, "from": "Full", "to": "Fast", "reason": "3 late frames"}],
        "passes": {"mpv: upload frame": {"frames": 1, "avg_ms": 1.5, "peak_ms": 1.5},
                   "pass a": {"frames": 1, "avg_ms": 14.0, "peak_ms": 14.0},
                   "pass b": {"frames": 1, "avg_ms": 2.25, "peak_ms": 2.25}},
    }
    assert len(rec) == 2


def test_non_finite_numbers_become_null_not_invalid_json(tmp_path):
    rec = StatsRecorder(video_fps=float("nan"), budget_ms=float("inf"))
    rec.add_frame(1.0, "Off", float("nan"), False, False)
    out = tmp_path / "s.json"
    rec.write(str(out))
    text = out.read_text()
    assert "NaN" not in text and "Infinity" not in text
    data = json.loads(text)
    assert data["video_fps"] is None and data["frames"][0]["gpu_ms"] is None


def test_records_a_governor_run(tmp_path):
    gov = Governor(("Full", "Fast"), GovernorSettings(), 24.0, "Full")
    rec = StatsRecorder(gov.fps, gov.budget_ms)
    for n in range(24):
        t = n / 24
        rec.add_frame(t, gov.current, 80.0, True, False)
        gov.observe(t, gov.current, 80.0, True, False)
    rec.add_decisions(gov.decisions)
    out = tmp_path / "run.json"
    rec.write(str(out))
    data = json.loads(out.read_text())
    assert [(d["from"], d["to"]) for d in data["decisions"]] == [("Full", "Fast")]
    assert data["frames"][-1]["tier"] == "Fast"


def test_write_replaces_atomically_and_leaves_no_temp_files(tmp_path):
    out = tmp_path / "stats.json"
    out.write_text("old")
    StatsRecorder(24.0, 35.4).write(str(out))
    assert json.loads(out.read_text())["frames"] == []
    assert os.listdir(tmp_path) == ["stats.json"]


def test_unwritable_path_is_a_clear_error(tmp_path):
    target = tmp_path / "no" / "such" / "dir" / "stats.json"
    with pytest.raises(A4kError, match="cannot write stats") as info:
        StatsRecorder(24.0, 35.4).write(str(target))
    assert info.value.path == str(target)
    assert not target.parent.exists()

"""The governor on this machine, for real: the demo clip at a size where Learned-M (the top
of the shipped ladder) cannot keep up on llvmpipe. Read with the stats JSON; compared with the same run under --no-auto."""
from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli

pytestmark = pytest.mark.media


def play_demo(tmp_path, cache, *extra):
    stats = tmp_path / f"stats{'-'.join(extra)}.json"
    r = run_cli("demo", "--headless", "--size", "960x540", "--profile", "Learned-M",
                "--stats", stats, *extra, env={"XDG_CACHE_HOME": str(cache)}, timeout=300)
    assert r.returncode == 0, r.stderr
    return json.loads(stats.read_text())


def late_share(frames, after):
    later = [f for f in frames if f["t"] > after]
    return sum(f["late"] or f["dropped"] for f in later) / max(1, len(later)), len(later)


def test_governor_steps_down_and_reduces_late_frames(tmp_path_factory, tmp_path):
    cache = tmp_path_factory.mktemp("cache")
    auto = play_demo(tmp_path, cache)
    manual = play_demo(tmp_path, cache, "--no-auto")

    assert auto["video_fps"] == pytest.approx(24.0)
    assert auto["budget_ms"] == pytest.approx(0.85 * 1000 / 24)
    downs = auto["decisions"]
    assert downs and downs[0]["from"] == "Learned-M"
    assert all(("late" in d["reason"] or "p90" in d["reason"]) for d in downs)
    assert manual["decisions"] == []
    assert {f["tier"] for f in manual["frames"]} == {"Learned-M"}

    settled = downs[-1]["t"] + 1.0
    share_auto, n_auto = late_share(auto["frames"], settled)
    share_manual, _ = late_share(manual["frames"], settled)
    assert n_auto > 10
    assert share_auto < share_manual

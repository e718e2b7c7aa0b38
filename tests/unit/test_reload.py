"""The live-reload watcher on real files in tmp_path, with an injected clock.

Each edit uses a different size or an explicit mtime, so the tests do not depend on the
file system's timestamp granularity.
"""
from __future__ import annotations

import os

from player.config.reload import Watcher, signature


def write(path, text: str, mtime_ns: int | None = None) -> None:
    path.write_text(text)
    if mtime_ns is not None:
        os.utime(path, ns=(mtime_ns, mtime_ns))


def polls(watcher: Watcher, times) -> list[float]:
    """The times at which poll() reported a change."""
    return [t for t in times if watcher.poll(t)]


def ticks(start: float, stop: float, step: float = 1 / 60):
    n = int(round((stop - start) / step))
    return [start + i * step for i in range(n + 1)]


def test_unchanged_files_never_report(tmp_path):
    a = tmp_path / "a.glsl"
    write(a, "one")
    w = Watcher([a])
    assert polls(w, ticks(0.0, 3.0)) == []


def test_one_edit_reported_once_after_settle(tmp_path):
    a, b = tmp_path / "a.glsl", tmp_path / "profiles.yaml"
    write(a, "one")
    write(b, "x: 1")
    w = Watcher([a, b], settle=0.25)
    assert not w.poll(0.0)
    write(b, "x: 22")
    hits = polls(w, ticks(0.01, 2.0))
    assert len(hits) == 1
    # seen at the first stat round (0.2 s), reported once stable for >= 0.25 s after it
    assert 0.45 <= hits[0] <= 0.65
    assert w.changed == (str(b),)


def test_stat_is_rate_limited(tmp_path):
    a = tmp_path / "a.glsl"
    write(a, "one")
    w = Watcher([a], settle=0.0, interval=0.2)
    assert not w.poll(10.0)       # first round stats
    write(a, "two!")
    assert not w.poll(10.1)       # inside the interval: the edit is not looked at yet
    assert w.poll(10.2)


def test_rapid_saves_give_one_report_after_the_last(tmp_path):
    a = tmp_path / "a.glsl"
    write(a, "v0", mtime_ns=1_000_000_000)
    w = Watcher([a], settle=0.25)
    t, hits = 0.0, []
    # a save every 0.2 s for 2 s: each stat round sees a new signature, so nothing settles
    for i in range(1, 11):
        write(a, f"v{i}", mtime_ns=1_000_000_000 + i * 1_000_000)
        for t in ticks(t + 1 / 60, t + 0.2):
            if w.poll(t):
                hits.append(t)
    assert hits == []
    hits = polls(w, ticks(t + 1 / 60, t + 2.0))
    assert len(hits) == 1 and hits[0] - t >= 0.25


def test_half_written_file_waits_for_the_writer(tmp_path):
    a = tmp_path / "a.glsl"
    write(a, "//!HOOK MAIN\n")
    w = Watcher([a], settle=0.25)
    w.poll(0.0)
    with open(a, "w") as f:       # truncate, then write in two parts with a pause
        f.write("//!HOOK")
        f.flush()
        assert not any(w.poll(t) for t in ticks(0.01, 0.4))
        f.write(" MAIN\n//!BIND HOOKED\n")
    hits = polls(w, ticks(0.41, 2.0))
    assert len(hits) == 1
    assert a.read_text().endswith("HOOKED\n")


def test_rename_save_is_one_change(tmp_path):
    a = tmp_path / "a.glsl"
    write(a, "same text")
    before = signature(str(a))
    w = Watcher([a], settle=0.25)
    w.poll(0.0)
    tmp = tmp_path / ".a.glsl.swp"
    write(tmp, "same text")       # same size: the new inode is what tells them apart
    os.utime(tmp, ns=(before[0], before[0]))
    os.replace(tmp, a)
    assert signature(str(a)) != before
    assert len(polls(w, ticks(0.01, 2.0))) == 1


def test_missing_then_back_reports_once(tmp_path):
    a = tmp_path / "a.glsl"
    write(a, "one")
    w = Watcher([a], settle=0.25)
    w.poll(0.0)
    a.unlink()
    assert not any(w.poll(t) for t in ticks(0.01, 0.21))   # seen missing at 0.2
    write(a, "two!")                                       # back before settling
    hits = polls(w, ticks(0.22, 2.0))
    assert len(hits) == 1 and hits[0] >= 0.65              # the settle restarted at 0.4


def test_deleted_file_reported_after_settle_and_only_once(tmp_path):
    a, b = tmp_path / "a.glsl", tmp_path / "b.glsl"
    write(a, "one")
    write(b, "two")
    w = Watcher([a, b], settle=0.25)
    w.poll(0.0)
    b.unlink()
    assert len(polls(w, ticks(0.01, 3.0))) == 1
    assert w.changed == (str(b),)
    write(b, "back")              # reappearing later is a new change
    assert len(polls(w, ticks(3.01, 5.0))) == 1


def test_file_missing_from_the_start_reports_when_created(tmp_path):
    a = tmp_path / "later.glsl"
    w = Watcher([a], settle=0.25)
    assert not any(w.poll(t) for t in ticks(0.0, 1.0))
    write(a, "now")
    assert len(polls(w, ticks(1.01, 2.0))) == 1


def test_set_paths_takes_current_state_as_baseline(tmp_path):
    a, b = tmp_path / "a.glsl", tmp_path / "b.glsl"
    write(a, "one")
    write(b, "two")
    w = Watcher([a], settle=0.25)
    w.poll(0.0)
    write(a, "one, edited")       # a reload reads this, then hands over the new set
    w.set_paths([a, str(b), a])
    assert w.paths == (str(a), str(b))
    assert polls(w, ticks(0.01, 2.0)) == []
    write(b, "two, edited")
    assert len(polls(w, ticks(2.01, 4.0))) == 1
    assert w.changed == (str(b),)


def test_paths_dropped_by_set_paths_are_no_longer_watched(tmp_path):
    a, b = tmp_path / "a.glsl", tmp_path / "b.glsl"
    write(a, "one")
    write(b, "two")
    w = Watcher([a, b])
    w.set_paths([b])
    write(a, "one, edited")
    assert polls(w, ticks(0.0, 2.0)) == []

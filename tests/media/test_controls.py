"""mpv's controls in a real headless a4kplay, driven over mpv's JSON IPC socket, as remotes,
syncplay and scrobblers drive mpv: keypresses act exactly like keys in the window, our own
actions run as ``script-message a4kplay ...``, playlists, chapters, tracks, speed and
watch-later resume work as in mpv."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.media.season import Ipc, episode, player_env

pytestmark = pytest.mark.media
EXE = str(Path(sys.executable).with_name("a4kplay"))


@pytest.fixture(scope="module")
def season(tmp_path_factory):
    d = tmp_path_factory.mktemp("season")
    return episode(d, "ep1.mkv"), episode(d, "ep2.mkv", seconds=6)


def start(args, tmp_path, name="sock"):
    sock = str(tmp_path / name)
    proc = subprocess.Popen(
        [EXE, *map(str, args), "--headless", "--no-auto", "--size", "192x108",
         "--mpv", f"input-ipc-server={sock}",
         "--mpv", f"watch-later-directory={tmp_path / 'later'}"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=player_env())
    try:
        ipc = Ipc(sock)
    except BaseException:
        proc.kill()
        raise
    return proc, ipc


def finish(proc, ipc, quit=True, timeout=60):
    if quit:
        try:
            ipc.command("quit")
        except (OSError, RuntimeError, ConnectionError):
            pass
    ipc.close()
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, err


def seek_when_loaded(ipc, seconds: float, timeout: float = 30.0) -> None:
    """mpv refuses a seek while the entry is still loading: ask again until it lands."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            ipc.command("seek", seconds, "absolute")
            break
        except RuntimeError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    ipc.wait_for("time-pos", lambda v: v is not None and abs(v - seconds) < 0.5)


def test_the_controls_of_an_episode_over_ipc(season, tmp_path):
    ep1, ep2 = season
    stats = tmp_path / "stats.json"
    proc, ipc = start([ep1, ep2, "--mpv", "pause=yes", "--profile", "Off",
                       "--stats", stats], tmp_path)
    try:
        assert ipc.wait_for("playlist-count", lambda v: v == 2) == 2
        assert ipc.wait_for("chapter", lambda v: v is not None) == 0
        ipc.command("keypress", "PGUP")                        # mpv: add chapter 1
        ipc.wait_for("chapter", lambda v: v == 1)
        assert ipc.get("sid") == 1                             # the default track
        ipc.command("keypress", "j")                           # mpv: cycle sub
        ipc.wait_for("sid", lambda v: v == 2)
        ipc.command("set_property", "aid", 1)
        ipc.command("keypress", "SHARP")                       # mpv: cycle audio
        ipc.wait_for("aid", lambda v: v == 2)
        ipc.command("keypress", "]")                           # mpv: multiply speed 1.1
        ipc.wait_for("speed", lambda v: v is not None and abs(v - 1.1) < 1e-6)
        ipc.command("keypress", "BS")                          # mpv: set speed 1.0
        ipc.wait_for("speed", lambda v: v == 1.0)

        # our actions over IPC, with frames rendered by each profile
        ipc.command("set_property", "pause", False)
        for name in ("Fast", "Off"):
            ipc.command("script-message", "a4kplay", "profile", name)
            t0 = ipc.get("time-pos")
            ipc.wait_for("time-pos", lambda v, t0=t0: v is not None and v > t0 + 0.3)
        ipc.command("set_property", "pause", True)

        ipc.command("keypress", ">")                           # mpv: playlist-next
        ipc.wait_for("playlist-pos", lambda v: v == 1)
        ipc.command("keypress", "<")                           # mpv: playlist-prev
        ipc.wait_for("playlist-pos", lambda v: v == 0)
        ipc.wait_for("duration", lambda v: v is not None and v > 10)
        seek_when_loaded(ipc, 9)
        ipc.command("keypress", "Q")                           # mpv: quit-watch-later
        code, err = finish(proc, ipc, quit=False)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert code == 0, err
    tiers = {f["tier"] for f in json.loads(stats.read_text())["frames"]}
    assert {"Fast", "Off"} <= tiers

    proc, ipc = start([ep1, "--mpv", "pause=yes", "--profile", "Off"], tmp_path, "sock2")
    try:
        pos = ipc.wait_for("time-pos", lambda v: v is not None and v > 0)
        assert pos >= 8.5                                       # resumed where Q stopped
    finally:
        finish(proc, ipc)


def test_a_keypress_over_ipc_reaches_our_own_bindings(season, tmp_path):
    """c is our compare key: over IPC it must act as in the window (the player says so)."""
    ep1, _ = season
    proc, ipc = start([ep1, "--mpv", "pause=yes", "--profile", "Off"], tmp_path)
    try:
        ipc.wait_for("playlist-count", lambda v: v == 1)
        ipc.command("keypress", "c")
        ipc.command("keypress", "Ctrl+2")                      # profile Fast (Anime4K's keys)
        ipc.command("script-message", "a4kplay", "no-such-action")
        ipc.raw(b"this is not json\n{\"command\": 5}\n")      # garbage: mpv answers, we live
        time.sleep(1.5)
        assert ipc.get("pause") is True
    finally:
        code, err = finish(proc, ipc)
    assert code == 0, err
    assert "compare: split" in err
    assert "profile: Fast" in err
    assert "unknown action" in err


def test_playlist_plays_through_and_reports_a_bad_entry(season, tmp_path):
    ep1, ep2 = season
    bad = tmp_path / "broken.mkv"
    bad.write_bytes(b"\x1a\x45\xdf\xa3" + b"not really matroska" * 100)
    proc, ipc = start([ep2, bad, ep2, "--profile", "Off", "--mpv", "speed=4"], tmp_path)
    try:
        ipc.wait_for("playlist-count", lambda v: v == 3)
        code, err = finish(proc, ipc, quit=False, timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert code == 1                                # some entries failed
    assert "broken.mkv" in err
    assert "1 of 3 files could not be played" in err


def test_a_twenty_file_playlist_leaks_nothing_and_keeps_its_chains(gl, tmp_path):
    """One process, twenty episodes: no thread, GL object or memory growth per file, and
    the chain is compiled once, not per episode."""
    import resource
    import threading

    from player.config.profiles import load_config
    from player.gl import gpu
    from player.media import mediagen
    from player.playback.loop import Player, PlayOptions
    clip = mediagen.make_clip(tmp_path / "short.mkv", w=64, h=36, frames=6).path
    files = []
    for i in range(20):
        f = tmp_path / f"ep{i + 1:02d}.mkv"
        f.symlink_to(clip)
        files.append(str(f))

    def play(paths):
        opts = PlayOptions(paths=paths, size=(96, 54), headless=True, audio=False,
                           mpv_options={"ao": "null", "speed": "4"}, auto=False,
                           profile="Fast")
        p = Player(opts, load_config())
        try:
            deadline = time.monotonic() + 240
            while not p.quit and time.monotonic() < deadline:
                p.step()
            assert p.quit, "the playlist did not end"
            return p.files_started, p.chains.builds
        finally:
            p.close()

    _, one_file = play(files[:1])                     # warm-up: lazy imports, caches
    threads = threading.active_count()
    live = (gpu.stats.live_textures, gpu.stats.live_programs)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started, builds = play(files)
    assert started == 20
    assert builds == one_file      # the ladder from Fast compiled once, not per episode
    assert (gpu.stats.live_textures, gpu.stats.live_programs) == live
    deadline = time.monotonic() + 5
    while threading.active_count() > threads and time.monotonic() < deadline:
        time.sleep(0.05)
    assert threading.active_count() <= threads
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) / 1024
    assert grown_mb < 64, f"peak memory grew {grown_mb:.0f} MB over 20 files"


def test_rules_choose_each_files_profile(tmp_path):
    """A rule by height picks the profile of each file of a playlist; the overlay's notice
    says which rule chose."""
    from player.media import mediagen
    small = mediagen.make_clip(tmp_path / "a-small.mkv", w=64, h=36, frames=12).path
    large = mediagen.make_clip(tmp_path / "b-large.mkv", w=128, h=72, frames=12).path
    cfg = tmp_path / "profiles.yaml"
    cfg.write_text("profiles:\n  Off: {}\n  Bilinear: {scaler: bilinear}\n"
                   "rules:\n  - if: height <= 40\n    profile: Bilinear\n"
                   "  - if: height > 40\n    profile: Off\n")
    r = subprocess.run([EXE, str(small), str(large), "--config", str(cfg), "--headless",
                        "--no-audio", "--size", "128x72"], capture_output=True, text=True,
                       timeout=120, stdin=subprocess.DEVNULL, env=player_env())
    assert r.returncode == 0, r.stderr
    assert "profile: Bilinear (rule line 5: height <= 40 -> Bilinear)" in r.stderr
    assert "profile: Off (rule line 7: height > 40 -> Off)" in r.stderr
    assert r.stderr.index("Bilinear (rule") < r.stderr.index("Off (rule")


def test_save_position_on_quit_resumes_after_a_plain_quit(season, tmp_path):
    ep1, _ = season
    proc, ipc = start([ep1, "--mpv", "pause=yes", "--profile", "Off",
                       "--mpv", "save-position-on-quit=yes"], tmp_path)
    try:
        ipc.wait_for("duration", lambda v: v is not None and v > 10)
        seek_when_loaded(ipc, 7)
        code, err = finish(proc, ipc)                           # q, not Q
    finally:
        if proc.poll() is None:
            proc.kill()
    assert code == 0, err
    proc, ipc = start([ep1, "--mpv", "pause=yes", "--profile", "Off"], tmp_path, "sock2")
    try:
        assert ipc.wait_for("time-pos", lambda v: v is not None and v > 0) >= 6.5
    finally:
        finish(proc, ipc)

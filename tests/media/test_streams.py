"""URLs and media-server clients: a real HTTP server on the loopback address (byte ranges,
and one that stops mid-file), a4kplay given a URL, and IPC clients that change libmpv's
playlist while it plays (loadfile, append, remove) as Jellyfin/Plex clients and syncplay do.
The subtitles, the title and the playlist label follow the entry libmpv plays."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.media.httpserve import MediaServer
from tests.media.season import Ipc, player_env
from tests.subs.conftest import ass_text, ffmpeg

pytestmark = pytest.mark.media
EXE = str(Path(sys.executable).with_name("a4kplay"))
SIZE = "640x480"


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    d = tmp_path_factory.mktemp("streams")
    ffmpeg("-f", "lavfi", "-i", "color=c=gray:s=320x240:d=5:r=10", "-c:v", "libx264",
           "-preset", "ultrafast", d / "plain.mkv")
    (d / "op.ass").write_text(ass_text(lines=[("0:00:00.00", "0:00:05.00", "Opening line"),
                                              ]))
    ffmpeg("-i", d / "plain.mkv", "-i", d / "op.ass", "-map", "0", "-map", "1", "-c", "copy",
           "-disposition:s:0", "default", d / "op.mkv")
    ffmpeg("-f", "lavfi", "-i", "testsrc=s=320x240:d=4:r=10", "-c:v", "libx264",
           "-preset", "ultrafast", d / "other.mkv")
    with MediaServer(d) as srv:
        yield d, srv


def shot(args, out: Path, timeout=240) -> np.ndarray:
    r = subprocess.run([EXE, *map(str, args), "--headless", "--size", SIZE, "--profile", "Off",
                        "--no-auto", "--no-audio", "--start", "1", "--mpv", "pause=yes",
                        "--frames", "1", "--screenshot", str(out)],
                       capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
                       env=player_env())
    assert r.returncode == 0, r.stderr
    return np.asarray(Image.open(out).convert("L"), np.float64)


def start_paused(clip: Path, tmp_path: Path):
    """a4kplay playing ``clip`` paused, small, with an IPC socket: (process, client)."""
    sock = str(tmp_path / "sock")
    proc = subprocess.Popen(
        [EXE, str(clip), "--headless", "--size", "192x144", "--profile", "Off", "--no-auto",
         "--no-audio", "--mpv", f"input-ipc-server={sock}", "--mpv", "pause=yes"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=player_env())
    return proc, Ipc(sock)


def text_psnr(a: np.ndarray, b: np.ndarray, plain: np.ndarray) -> float:
    ys, xs = np.nonzero(np.abs(b - plain) > 40)
    assert len(ys) > 300, "no subtitle drawn in the local reference"
    region = (slice(ys.min(), ys.max() + 1), slice(xs.min(), xs.max() + 1))
    mse = float(np.mean((a[region] - b[region]) ** 2))
    return float("inf") if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)


def test_a_url_plays_with_its_embedded_ass_as_the_local_file(media, tmp_path):
    d, srv = media
    local = shot([d / "op.mkv"], tmp_path / "local.png")
    plain = shot([d / "op.mkv", "--mpv", "sub-visibility=no"], tmp_path / "plain.png")
    url = shot([srv.url("op.mkv")], tmp_path / "url.png")
    score = text_psnr(url, local, plain)
    print(f"URL vs local, text region: {score:.1f} dB")
    assert score >= 30.0


def test_loadfile_of_a_url_over_ipc_then_sid_follows_the_new_entry(media, tmp_path):
    """A local file plays; a client replaces it with a URL and selects its track: the
    subtitle engine reads the URL libmpv plays now, not the file the command line named."""
    d, srv = media
    sock = str(tmp_path / "sock")
    out = tmp_path / "after.png"
    proc = subprocess.Popen(
        [EXE, str(d / "other.mkv"), "--headless", "--size", SIZE, "--profile", "Off",
         "--no-auto", "--no-audio", "--mpv", "pause=yes", "--mpv", f"input-ipc-server={sock}",
         "--screenshot", str(out)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=player_env())
    ipc = Ipc(sock)
    try:
        ipc.wait_for("time-pos", lambda v: v is not None)
        ipc.command("loadfile", srv.url("op.mkv"), "replace", "start=1")
        ipc.wait_for("path", lambda v: v == srv.url("op.mkv"))
        ipc.wait_for("time-pos", lambda v: v is not None and v >= 0.9)
        ipc.command("set_property", "sid", 1)
        assert ipc.get("sid") == 1
        time.sleep(3)                 # the worker reads the track from the server
        ipc.command("quit")
    finally:
        ipc.close()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "no subtitle stream" not in err
    after = np.asarray(Image.open(out).convert("L"), np.float64)
    local = shot([d / "op.mkv"], tmp_path / "local.png")
    plain = shot([d / "op.mkv", "--mpv", "sub-visibility=no"], tmp_path / "plain.png")
    score = text_psnr(after, local, plain)
    print(f"after loadfile over IPC, text region against the local file: {score:.1f} dB")
    assert score >= 30.0


def test_append_and_remove_over_ipc_the_label_follows_libmpvs_playlist(media, tmp_path):
    d, srv = media
    proc, ipc = start_paused(d / "other.mkv", tmp_path)
    try:
        ipc.wait_for("time-pos", lambda v: v is not None)
        ipc.command("loadfile", srv.url("op.mkv"), "append")
        ipc.command("loadfile", str(d / "plain.mkv"), "append")
        ipc.wait_for("playlist-count", lambda v: v == 3)
        ipc.command("playlist-remove", 1)                    # the URL goes
        ipc.wait_for("playlist-count", lambda v: v == 2)
        ipc.command("playlist-next")
        ipc.wait_for("path", lambda v: v == str(d / "plain.mkv"))
        ipc.wait_for("time-pos", lambda v: v is not None)
        time.sleep(1)
        ipc.command("quit")
    finally:
        ipc.close()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "Playlist: [2/2] plain.mkv" in err, err      # headless runs print notices


def test_a_server_that_stops_mid_file_ends_that_entry_not_the_player(media, tmp_path):
    d, srv = media
    srv.cut_after["op.mkv"] = (d / "op.mkv").stat().st_size // 3
    try:
        r = subprocess.run([EXE, srv.url("op.mkv"), str(d / "other.mkv"), "--headless",
                            "--size", "192x144", "--profile", "Off", "--no-auto", "--no-audio",
                            "--mpv", "network-timeout=5"],
                           capture_output=True, text=True, timeout=240, env=player_env(),
                           stdin=subprocess.DEVNULL)
    finally:
        srv.cut_after.pop("op.mkv")
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr, r.stderr
    assert r.returncode in (0, 1), r.stderr


def test_loadlist_move_and_play_index_over_ipc_follow_libmpvs_playlist(media, tmp_path):
    """loadlist appends a list file's entries; playlist-move and playlist-play-index change
    what plays: the label and the subtitle track follow the entry libmpv plays."""
    d, srv = media
    m3u = tmp_path / "list.m3u"
    m3u.write_text(f"{d / 'plain.mkv'}\n{d / 'op.mkv'}\n")
    proc, ipc = start_paused(d / "other.mkv", tmp_path)
    try:
        ipc.wait_for("time-pos", lambda v: v is not None)
        ipc.command("loadlist", str(m3u), "append")
        ipc.wait_for("playlist-count", lambda v: v == 3)
        ipc.command("playlist-move", 2, 1)                  # op.mkv becomes the 2nd entry
        ipc.command("playlist-play-index", 1)
        ipc.wait_for("path", lambda v: v == str(d / "op.mkv"))
        ipc.wait_for("time-pos", lambda v: v is not None)
        assert ipc.get("current-tracks/sub")["codec"] == "ass"
        time.sleep(1)
        ipc.command("quit")
    finally:
        ipc.close()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "Playlist: [2/3] op.mkv" in err, err
    assert "no subtitle stream" not in err and "cannot read" not in err, err

"""The viewer's own mpv set-up, end to end with real libmpv: mpv.conf's track choice
(and --no-config), input.conf's Anime4K-style glsl-shaders key running its shader in our
chain exactly once, `doctor` listing the lines not applied, and mpv's command-line spelling
`--mpv sub-file=` (README's example)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.media.season import Ipc, player_env
from tests.subs.conftest import ass_text, ffmpeg

pytestmark = pytest.mark.media
EXE = str(Path(sys.executable).with_name("a4kplay"))
INVERT = """//!HOOK MAIN
//!BIND HOOKED
//!DESC test invert
vec4 hook() { vec4 c = HOOKED_tex(HOOKED_pos); return vec4(1.0 - c.rgb, c.a); }
"""


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    d = tmp_path_factory.mktemp("mpvconf")
    (d / "en.srt").write_text("1\n00:00:00,000 --> 00:00:09,000\nEnglish\n")
    (d / "ja.srt").write_text("1\n00:00:00,000 --> 00:00:09,000\nJapanese\n")
    ffmpeg("-f", "lavfi", "-i", "testsrc=s=160x120:d=6:r=10", "-i", d / "en.srt",
           "-i", d / "ja.srt", "-map", "0", "-map", "1", "-map", "2", "-c:v", "libx264",
           "-preset", "ultrafast", "-c:s", "srt", "-metadata:s:s:0", "language=eng",
           "-metadata:s:s:1", "language=jpn", "-disposition:s:0", "default",
           "-disposition:s:1", "0", d / "two-subs.mkv")
    home = d / "mpv-home"
    (home / "shaders").mkdir(parents=True)
    (home / "shaders" / "x.glsl").write_text(INVERT)
    (home / "mpv.conf").write_text("slang=jpn\nvo=gpu-next\nosd-font-size=40\n"
                                   "scale=ewa_lanczossharp\n")
    (home / "input.conf").write_text(
        'CTRL+1 no-osd change-list glsl-shaders set "~~/shaders/x.glsl"; '
        'show-text "Mode X"\n')
    return d, home


def start(args, tmp_path, env):
    sock = str(tmp_path / "sock")
    proc = subprocess.Popen([EXE, *map(str, args), "--headless", "--size", "160x120",
                             "--no-auto", "--no-audio", "--mpv", "pause=yes",
                             "--mpv", f"input-ipc-server={sock}"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        ipc = Ipc(sock)
    except BaseException:
        proc.kill()
        raise
    ipc.wait_for("time-pos", lambda v: v is not None)
    return proc, ipc


def stop(proc, ipc) -> str:
    ipc.command("quit")
    ipc.close()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return err


@pytest.mark.parametrize("no_config, lang", [(False, "jpn"), (True, "eng")])
def test_mpv_conf_chooses_the_subtitle_language_unless_no_config(media, tmp_path,
                                                                 no_config, lang):
    d, home = media
    args = [d / "two-subs.mkv", "--profile", "Off"] + (["--no-config"] if no_config else [])
    proc, ipc = start(args, tmp_path, player_env(MPV_HOME=str(home)))
    try:
        track = ipc.wait_for("current-tracks/sub", lambda v: v is not None)
        assert track["lang"] == lang
        assert [v["name"] for v in ipc.get("vo")] == ["libmpv"]   # vo=gpu-next never got there
    finally:
        err = stop(proc, ipc)
    if not no_config:
        assert "not applied as in mpv" in err


def test_an_input_conf_shader_key_runs_in_our_chain_exactly_once(media, tmp_path):
    """The test shader inverts: run once (ours) the picture is the negative of profile
    Off's; run twice (ours and libmpv's) it would be the picture itself."""
    d, home = media
    plain_png, mode_png, stats = tmp_path / "plain.png", tmp_path / "mode.png", \
        tmp_path / "stats.json"
    env = player_env(MPV_HOME=str(home))
    proc, ipc = start([d / "two-subs.mkv", "--profile", "Off", "--screenshot", plain_png,
                       "--mpv", "sub-visibility=no"], tmp_path, env)
    time.sleep(1.5)                  # the paused first frame is presented
    stop(proc, ipc)
    proc, ipc = start([d / "two-subs.mkv", "--profile", "Off", "--screenshot", mode_png,
                       "--stats", stats, "--mpv", "sub-visibility=no"], tmp_path, env)
    try:
        time.sleep(1.5)
        ipc.command("keypress", "CTRL+1")
        deadline = time.monotonic() + 30
        while ipc.get("glsl-shaders") != [] or time.monotonic() < deadline - 25:
            assert time.monotonic() < deadline, "libmpv kept the shader list"
            time.sleep(0.2)
        time.sleep(1.5)
    finally:
        err = stop(proc, ipc)
    assert "profile: Mode X (glsl-shaders from mpv)" in err
    tiers = {f["tier"] for f in json.loads(stats.read_text())["frames"]}
    assert "Mode X" in tiers
    plain = np.asarray(Image.open(plain_png).convert("RGB"), np.float64)
    mode = np.asarray(Image.open(mode_png).convert("RGB"), np.float64)
    # the overlay's notice sits top left: compare the lower half
    low = slice(plain.shape[0] // 2, None)
    assert np.abs((255.0 - plain[low]) - mode[low]).mean() < 8.0
    assert np.abs(plain[low] - mode[low]).mean() > 60.0


def test_doctor_lists_the_lines_not_applied(media, tmp_path):
    d, shared = media
    home = tmp_path / "home"
    shutil.copytree(shared, home)
    with open(home / "mpv.conf", "a") as f:
        f.write("no-such-option=1\n")
    r = subprocess.run([EXE, "doctor", "--no-gl"], capture_output=True, text=True, timeout=120,
                       env=player_env(MPV_HOME=str(home)), stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stdout + r.stderr
    conf = home / "mpv.conf"
    assert f"{conf}:2: vo: not applied" in r.stdout
    assert f"{conf}:4: scale: mapped to our lanczos scaler" in r.stdout
    assert f"{conf}:5: no-such-option: libmpv knows no such option" in r.stdout
    assert "libmpv:" in r.stdout and "mpv 0." in r.stdout
    assert "libass:" in r.stdout and "MISSING" not in r.stdout
    assert "input.conf:" in r.stdout and "1 glsl-shaders modes" in r.stdout


def test_readme_sub_file_example_adds_the_external_track(media, tmp_path):
    """README: --mpv sub-file=episode.en.ass (mpv's command-line spelling)."""
    d, _ = media
    ass = tmp_path / "episode.en.ass"
    ass.write_text(ass_text(lines=[("0:00:00.00", "0:00:09.00", "External line")]))
    proc, ipc = start([d / "two-subs.mkv", "--profile", "Off", "--mpv", f"sub-file={ass}"],
                      tmp_path, player_env())
    try:
        tracks = ipc.get("track-list")
        external = [t for t in tracks if t.get("type") == "sub" and t.get("external")]
        assert [t["external-filename"] for t in external] == [str(ass)]
    finally:
        stop(proc, ipc)


def test_mpv_conf_glsl_shaders_is_the_chain_it_starts_with(media, tmp_path):
    """mpv.conf's glsl-shaders= plays in our chain (not in libmpv) unless --profile chose."""
    d, home = media
    alt = tmp_path / "alt-home"
    (alt / "shaders").mkdir(parents=True)
    (alt / "shaders" / "x.glsl").write_text(INVERT)
    (alt / "mpv.conf").write_text('glsl-shaders="~~/shaders/x.glsl"\n')
    stats = tmp_path / "stats.json"
    proc, ipc = start([d / "two-subs.mkv", "--stats", stats], tmp_path,
                      player_env(MPV_HOME=str(alt)))
    try:
        assert ipc.get("glsl-shaders") == []
        time.sleep(1)
    finally:
        stop(proc, ipc)
    tiers = {f["tier"] for f in json.loads(stats.read_text())["frames"]}
    assert tiers == {"mpv glsl-shaders"}

"""The player through real libmpv on clips generated here, in this process and by its CLI."""
from __future__ import annotations

import threading
import time
import wave

import numpy as np
import pytest

from player.media import mediagen
from tests.conftest import run_cli

pytestmark = pytest.mark.media


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    path = tmp_path_factory.mktemp("clips") / "pattern.mkv"
    return mediagen.make_clip(path, w=320, h=180, fps=24, frames=48, codec="h264")


def open_player(gl, path, size=None, **kw):
    from player.playback.loop import Player, PlayOptions
    from player.config.profiles import load_config
    opts = PlayOptions(paths=[str(path)], size=size, headless=True, audio=False,
                       mpv_options={"pause": "yes", "ao": "null"}, profile="Off", **kw)
    return Player(opts, load_config())


def wait_frame(player, timeout=20.0):
    """Until a frame is on screen and the initial playback-restart has been seen."""
    deadline = time.monotonic() + timeout
    presented = False
    while time.monotonic() < deadline:
        presented = player.step() or presented
        if presented and player.restarts > 0:
            return
    raise AssertionError("no frame presented in time")


def seek(player, t, timeout=20.0, settle=0.3):
    """Exact seek while paused; returns once the seek has completed (playback-restart) and
    no further frame arrived for ``settle`` s: the frame on screen is the target frame."""
    restarts = player.restarts
    player.video.seek_to(t)
    deadline = time.monotonic() + timeout
    quiet_since = None
    while time.monotonic() < deadline:
        if player.step():
            quiet_since = None
        if player.restarts > restarts:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since > settle:
                return
    raise AssertionError("seek did not complete")


def shown(player):
    """The picture on screen, cropped to the video rectangle."""
    img = player.capture(overlay=False)
    r = player._last[2]
    return img[r.y:r.y + r.h, r.x:r.x + r.w]


def test_frame_at_time_matches_generator_and_seek_is_exact(gl, clip):
    player = open_player(gl, clip.path, size=(clip.width, clip.height))
    try:
        wait_frame(player)
        for k in (30, 5, 17, 47, 0):
            seek(player, clip.pts[k])
            img = (shown(player) * 255).astype(np.uint8)
            assert mediagen.read_index(img) == k
            assert mediagen.psnr(img, mediagen.pattern_frame(k, clip.width, clip.height)) > 30
    finally:
        player.close()


def test_resize_keeps_aspect(gl, clip):
    player = open_player(gl, clip.path, size=(640, 360))
    try:
        wait_frame(player)
        for size in ((800, 300), (300, 700), (641, 361)):
            player.window.set_size(*size)
            for _ in range(200):          # until the resize event has been handled
                player.step()
                if player._last and (player._last[0], player._last[1]) == size:
                    break
            fw, fh, rect = player._last[:3]
            assert (fw, fh) == size
            assert abs(rect.w / rect.h - clip.width / clip.height) < 0.02
            img = player.capture(overlay=False)
            # letterbox bars are black, the picture is not
            bars = np.concatenate([img[:rect.y].ravel(), img[rect.y + rect.h:].ravel(),
                                   img[:, :rect.x].ravel(), img[:, rect.x + rect.w:].ravel()])
            assert bars.size == 0 or bars.max() == 0
            assert img[rect.y:rect.y + rect.h, rect.x:rect.x + rect.w].mean() > 0.1
    finally:
        player.close()


def test_minimised_window_does_not_crash(gl, clip, monkeypatch):
    """A minimised window reports a 0x0 framebuffer (Windows, some Wayland compositors;
    X11 keeps the size): playback goes on, nothing is drawn, and restoring draws again."""
    import glfw
    player = open_player(gl, clip.path, size=(320, 180))
    try:
        wait_frame(player)
        glfw.iconify_window(player.window.handle)
        monkeypatch.setattr(player.window, "framebuffer_size", lambda: (0, 0))
        shown_before = player._last
        player.video.seek_to(clip.pts[10])
        for _ in range(50):
            player.redraw = True
            player.step()
        assert player._last is shown_before          # nothing presented at 0x0
        monkeypatch.undo()
        glfw.restore_window(player.window.handle)
        player.video.seek_to(clip.pts[12])
        seek_deadline = time.monotonic() + 20
        while player._last is shown_before and time.monotonic() < seek_deadline:
            player.redraw = True
            player.step()
        assert player._last is not shown_before
    finally:
        player.close()


def test_twenty_players_leak_nothing(gl, clip):
    from player.gl import gpu
    open_player(gl, clip.path, size=(64, 36)).close()  # warm-up: lazy imports, caches
    threads = threading.active_count()
    live = (gpu.stats.live_textures, gpu.stats.live_programs)
    for _ in range(20):
        p = open_player(gl, clip.path, size=(64, 36))
        wait_frame(p)
        p.close()
        p.close()  # idempotent
    assert (gpu.stats.live_textures, gpu.stats.live_programs) == live
    deadline = time.monotonic() + 5
    while threading.active_count() > threads and time.monotonic() < deadline:
        time.sleep(0.05)
    assert threading.active_count() <= threads


CODECS = [
    dict(codec="h264", pix_fmt="yuv420p", suffix=".mp4", w=320, h=180),
    dict(codec="hevc", pix_fmt="yuv420p10le", suffix=".mkv", w=320, h=180),
    dict(codec="vp9", pix_fmt="yuv444p", suffix=".webm", w=320, h=180),
    dict(codec="h264", pix_fmt="yuv444p", suffix=".mkv", w=853, h=480),
    dict(codec="vp9", pix_fmt="yuv420p", suffix=".webm", w=853, h=480),
]


@pytest.mark.parametrize("spec", CODECS, ids=lambda s: f"{s['codec']}-{s['pix_fmt']}-"
                         f"{s['w']}x{s['h']}{s['suffix']}")
def test_codecs_containers_and_sizes(gl, tmp_path, spec):
    spec = dict(spec)
    suffix = spec.pop("suffix")
    if mediagen.available_encoder(spec["codec"]) is None:
        pytest.skip(f"no {spec['codec']} encoder on this machine")
    info = mediagen.make_clip(tmp_path / f"c{suffix}", fps=24, frames=12, **spec)
    player = open_player(gl, info.path, size=(info.width, info.height))
    try:
        wait_frame(player)
        seek(player, info.pts[7])
        img = (shown(player) * 255).astype(np.uint8)
        assert img.shape[:2] == (info.height, info.width)
        assert mediagen.read_index(img) == 7
        assert mediagen.psnr(img, mediagen.pattern_frame(7, info.width, info.height)) > 30
    finally:
        player.close()


# ---- the command line -------------------------------------------------------------------

def test_cli_plays_frames_and_writes_screenshot(clip, tmp_path):
    shot = tmp_path / "shot.png"
    r = run_cli(clip.path, "--headless", "--frames", "6", "--screenshot", shot,
                "--size", "640x360", "--no-audio", "--profile", "Fast")
    assert r.returncode == 0, r.stderr
    from PIL import Image
    with Image.open(shot) as im:
        assert im.size == (640, 360)
        assert np.asarray(im).mean() > 20


def test_cli_headless_without_x_uses_osmesa(clip, tmp_path):
    shot = tmp_path / "shot.png"
    r = run_cli(clip.path, "--headless", "--frames", "3", "--screenshot", shot,
                "--no-audio", "--profile", "Off", env={"DISPLAY": None, "WAYLAND_DISPLAY": None})
    assert r.returncode == 0, r.stderr
    assert shot.stat().st_size > 1000


def one_line_error(r, *words):
    assert r.returncode != 0
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("a4kplay:"), r.stderr
    assert "Traceback" not in r.stderr
    for w in words:
        assert w in lines[0], lines[0]


def test_bad_inputs(tmp_path, clip):
    one_line_error(run_cli("/nonexistent.mkv"), "no such file")
    one_line_error(run_cli(tmp_path), "no media files in this folder")  # a folder is a playlist
    empty = tmp_path / "empty.mkv"
    empty.write_bytes(b"")
    one_line_error(run_cli(empty, "--headless"), "empty")
    junk = mediagen.not_media(tmp_path / "junk.mkv")
    one_line_error(run_cli(junk, "--headless", "--no-audio"), "junk.mkv")
    wav = tmp_path / "tone.wav"
    with wave.open(str(wav), "wb") as w:        # audio only: nothing to upscale
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x10" * 8000)
    one_line_error(run_cli(wav, "--headless"), "no video stream")
    one_line_error(run_cli(clip.path, env={"DISPLAY": None, "WAYLAND_DISPLAY": None}),
                   "no display", "--headless")
    one_line_error(run_cli(clip.path, "--headless", "--mpv", "no-such-option=1"), "option")
    one_line_error(run_cli(clip.path, "--headless", "--size", "big"), "WIDTHxHEIGHT")


def test_undecodable_video(tmp_path, clip):
    """A valid Matroska header whose clusters (the coded frames) are garbage."""
    data = bytearray(clip.path.read_bytes())
    rng = np.random.default_rng(3)
    start = data.find(bytes.fromhex("1F43B675")) + 64  # inside the first Cluster
    assert start > 64
    data[start:] = rng.integers(0, 256, len(data) - start, dtype=np.uint8).tobytes()
    bad = tmp_path / "broken.mkv"
    bad.write_bytes(bytes(data))
    r = run_cli(bad, "--headless", "--no-audio", "--frames", "5", timeout=60)
    one_line_error(r, "broken.mkv")


def test_libmpv_missing(tmp_path, clip):
    """Simulate a system without libmpv: the library lookup finds nothing."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(
        "import ctypes.util\n_orig = ctypes.util.find_library\n"
        "ctypes.util.find_library = lambda n: None if 'mpv' in n else _orig(n)\n")
    r = run_cli(clip.path, "--headless", env={"PYTHONPATH": str(site)})
    one_line_error(r, "libmpv", "apt-get install libmpv2")


def test_paused_start_with_a_heavy_ladder_shows_its_frame(clip, tmp_path):
    """Regression: compiling the ladder's chains after libmpv had started made a paused
    start miss libmpv's update callbacks and never show a frame (it hung)."""
    shot = tmp_path / "paused.png"
    r = run_cli(clip.path, "--headless", "--mpv", "pause=yes", "--frames", "1", "--start",
                "1.0", "--profile", "Full", "--size", "640x360", "--no-audio",
                "--screenshot", shot, timeout=90)
    assert r.returncode == 0, r.stderr
    from PIL import Image
    with Image.open(shot) as im:
        img = np.asarray(im.convert("RGB"))
    assert img.mean() > 20

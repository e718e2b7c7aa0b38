"""Subtitles as mpv draws them: at output resolution, over the upscaled picture.

The issue's measure: a 320x240 clip with a styled ASS track, and one with an SRT beside it,
played at 1280x960 with profile Full, against mpv 0.35's own window with the same shader
file; luma PSNR of the text region must be at least 30 dB (libmpv drawing them at the
source size and our shaders smearing them gave 14.3 and 13.1 dB). The clip is flat grey so
the region compares the subtitles, not two upscalers.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from player.base.paths import SHADERS
from player.media import mediagen
from tests.media.season import mpv_window_shot

pytestmark = pytest.mark.media
EXE = str(Path(sys.executable).with_name("a4kplay"))
W, H, OUT = 320, 240, (1280, 960)
GREY = 96
ASS = """[Script Info]
ScriptType: v4.00+
PlayResX: 320
PlayResY: 240
YCbCr Matrix: TV.601

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Default,DejaVu Sans,22,&H0000FFFF,&H000000FF,&H00402000,&H80000000,1,0,0,0,100,100,0,0,1,2,1,2,10,10,12,1
Style: Sign,DejaVu Serif,18,&H00FFFFFF,&H000000FF,&H000000A0,&H00000000,0,1,0,0,100,100,0,0,1,1.5,0,8,10,10,10,1

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: 0,0:00:00.20,0:00:03.50,Default,,0,0,0,,Styled dialogue, {\\i1}italic{\\i0} too
Dialogue: 0,0:00:00.20,0:00:03.50,Sign,,0,0,0,,{\\pos(160,40)}A sign up here
"""
SRT = "1\n00:00:00,200 --> 00:00:03,500\nA plain SRT line\non two rows\n"


def flat(k, w, h):
    return np.full((h, w, 3), GREY, np.uint8)


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    if not shutil.which("mpv") or not shutil.which("ffmpeg"):
        pytest.skip("needs the mpv and ffmpeg command lines (make test installs them)")
    d = tmp_path_factory.mktemp("subclips")
    base = mediagen.make_clip(d / "base.mkv", w=W, h=H, frames=96, draw=flat).path
    (d / "styled.ass").write_text(ASS)
    styled = d / "styled.mkv"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(base), "-i", str(d / "styled.ass"),
                    "-map", "0", "-map", "1", "-c", "copy", "-disposition:s:0", "default",
                    str(styled)], check=True, timeout=60)
    srt_clip = d / "plain.mkv"
    shutil.copy(base, srt_clip)
    (d / "plain.srt").write_text(SRT)
    art = mediagen.make_clip(d / "art.mkv", w=W, h=H, frames=96,
                             draw=lambda k, w, h: mediagen.lineart_frame(w, h)).path
    over_art = d / "styled-art.mkv"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(art), "-i", str(d / "styled.ass"),
                    "-map", "0", "-map", "1", "-c", "copy", "-disposition:s:0", "default",
                    str(over_art)], check=True, timeout=60)
    return {"styled ASS": styled, "SRT beside the file": srt_clip,
            "styled ASS over line art": over_art}


def ours(clip: Path, out: Path, *extra: str) -> np.ndarray:
    r = subprocess.run([EXE, str(clip), *extra, "--headless", "--size", f"{OUT[0]}x{OUT[1]}",
                        "--profile", "Full", "--no-auto", "--no-audio", "--start", "1.0",
                        "--mpv", "pause=yes", "--frames", "1", "--screenshot", str(out)],
                       capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stderr
    return np.asarray(Image.open(out).convert("RGB"), np.float64)


def mpvs(clip: Path, out: Path, tmp: Path) -> np.ndarray:
    mpv_window_shot(["--start=1.0", "--sub-auto=fuzzy", "--scale=catmull_rom",
                     f"--glsl-shaders={SHADERS / 'anime4k' / 'full.glsl'}", str(clip)],
                    OUT, out, str(tmp / f"mpv-{clip.stem}.sock"),
                    ready=lambda ipc: ipc.wait_for("time-pos",
                                                   lambda v: v is not None and v >= 0.99))
    return np.asarray(Image.open(out).convert("RGB"), np.float64)


def luma(img: np.ndarray) -> np.ndarray:
    return img @ np.array([0.299, 0.587, 0.114])


def text_region(ref: np.ndarray, plain: np.ndarray, pad: int = 6):
    """Where mpv's frame differs from the same frame without subtitles (ours with v)."""
    ys, xs = np.nonzero(np.abs(luma(ref) - luma(plain)) > 40)
    assert len(ys) > 500, "mpv drew no subtitles"
    return (slice(max(0, ys.min() - pad), ys.max() + pad + 1),
            slice(max(0, xs.min() - pad), xs.max() + pad + 1))


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a - b) ** 2))
    return float("inf") if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)


@pytest.mark.parametrize("which", ["styled ASS", "SRT beside the file",
                                   "styled ASS over line art"])
def test_text_region_matches_mpv(clips, tmp_path, which):
    """Flat grey isolates the subtitles; over line art the region also holds two
    upscalers' pixels (ours and mpv's run of the same Full shader), so it is lower."""
    clip = clips[which]
    a = ours(clip, tmp_path / "ours.png")
    b = mpvs(clip, tmp_path / "mpv.png", tmp_path)
    assert a.shape == b.shape == (OUT[1], OUT[0], 3)
    plain = ours(clip, tmp_path / "plain.png", "--mpv", "sub-visibility=no")
    region = text_region(b, plain)
    score = psnr(luma(a[region]), luma(b[region]))
    print(f"{which}: text-region luma PSNR against mpv {score:.1f} dB")
    assert score >= 30.0, f"{which}: {score:.1f} dB"


def test_s_has_the_subtitles_and_S_not(clips, tmp_path):
    """mpv's s / S: the picture at output resolution with and without subtitles."""
    from tests.media.season import Ipc
    cfg = tmp_path / "profiles.yaml"
    cfg.write_text(f"profiles:\n  Off: {{}}\nscreenshot_dir: {tmp_path / 'shots'}\n")
    sock = str(tmp_path / "a.sock")
    proc = subprocess.Popen([EXE, str(clips["styled ASS"]), "--config", str(cfg), "--headless",
                             "--size", "640x480", "--no-audio", "--start", "1.0",
                             "--mpv", "pause=yes", "--mpv", f"input-ipc-server={sock}"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        ipc = Ipc(sock)
        ipc.wait_for("time-pos", lambda v: v is not None and v >= 0.99)
        time.sleep(1.0)                       # the first frame presented
        for key in ("s", "S"):
            ipc.command("keypress", key)
        shots, deadline = tmp_path / "shots", time.monotonic() + 30
        # a name is claimed empty, then the whole PNG is renamed over it
        while (len([f for f in shots.glob("*.png") if f.stat().st_size]) < 2
               and time.monotonic() < deadline):
            time.sleep(0.1)
        ipc.command("quit")
        ipc.close()
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert err.count("saved ") == 2, err
    with_subs, without = (np.asarray(Image.open(p).convert("RGB"), np.float64)
                          for p in sorted((tmp_path / "shots").glob("*.png")))
    assert with_subs.shape == without.shape == (480, 640, 3)
    assert np.abs(without - GREY).max() <= 2                      # the flat picture alone
    assert (np.abs(with_subs - GREY).max(axis=2) > 40).sum() > 2000  # the text is there

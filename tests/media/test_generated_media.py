"""Every codec / pixel format / container the encoders here allow, decoded and measured.

A combination this PyAV build cannot encode (by the encoder's own list of pixel formats,
or x264/x265 with an odd size in a subsampled format) must be refused with MediaError;
every other one must decode to the right frames at > 35 dB against ``pattern_frame``.
"""
from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from player.media.demo import DEMO_FRAMES, DEMO_LOOPS, DEMO_HEIGHT, DEMO_WIDTH, default_cache_dir, demo_clip, demo_frame
from player.base.errors import MediaError
from player.media.mediagen import (AUDIO_ENCODERS, AUDIO_RATE, TONE_HZ, VIDEO_ENCODERS,
                             available_encoder, make_clip, pattern_frame, psnr, read_index)

pytestmark = pytest.mark.media

PIX_FMTS = ("yuv420p", "yuv444p", "yuv420p10le")
SIZES = ((320, 180), (853, 480))
HOME = {"h264": ".mkv", "hevc": ".mkv", "vp9": ".webm", "av1": ".webm", "mpeg4": ".mkv"}
FRAMES = 12


def refusal(codec: str, pix_fmt: str, w: int, h: int) -> str | None:
    """Why this build cannot make the clip, judged from the encoder's advertised formats."""
    encoder = available_encoder(codec)
    if encoder is None:
        return "no encoder"
    if pix_fmt not in [f.name for f in av.Codec(encoder, "w").video_formats]:
        return "cannot encode"
    if encoder in ("libx264", "libx265") and "420" in pix_fmt and (w % 2 or h % 2):
        return "needs even dimensions"
    return None


def check_clip(path, info, pix_fmt):
    with av.open(str(path)) as c:
        frames = list(c.decode(video=0))
    assert len(frames) == info.frames
    for k, frame in enumerate(frames):
        assert (frame.width, frame.height, frame.format.name) == (info.width, info.height,
                                                                   pix_fmt)
        assert float(frame.pts * frame.time_base) == pytest.approx(info.pts[k], abs=0.0006)
        rgb = frame.to_ndarray(format="rgb24")
        assert read_index(rgb) == k
        assert psnr(rgb, pattern_frame(k, info.width, info.height)) > 35


@pytest.mark.parametrize("w,h", SIZES, ids=lambda v: str(v))
@pytest.mark.parametrize("pix_fmt", PIX_FMTS)
@pytest.mark.parametrize("codec", list(VIDEO_ENCODERS))
def test_codec_pix_fmt_size(tmp_path, codec, pix_fmt, w, h):
    path = tmp_path / f"clip{HOME[codec]}"
    reason = refusal(codec, pix_fmt, w, h)
    if reason is not None:
        with pytest.raises(MediaError, match=reason):
            make_clip(path, w=w, h=h, frames=FRAMES, codec=codec, pix_fmt=pix_fmt)
        assert not path.exists()
        return
    info = make_clip(path, w=w, h=h, frames=FRAMES, codec=codec, pix_fmt=pix_fmt)
    check_clip(path, info, pix_fmt)


@pytest.mark.parametrize("suffix", [".mkv", ".mp4", ".webm"])
@pytest.mark.parametrize("codec", list(VIDEO_ENCODERS))
def test_codec_in_each_container(tmp_path, codec, suffix):
    if suffix == ".webm" and codec not in ("vp9", "av1"):
        with pytest.raises(MediaError, match="WebM cannot hold"):
            make_clip(tmp_path / f"c{suffix}", w=320, h=180, frames=4, codec=codec)
        return
    if available_encoder(codec) is None:
        pytest.skip(f"no {codec} encoder in this PyAV build")
    info = make_clip(tmp_path / f"c{suffix}", w=320, h=180, frames=FRAMES, codec=codec)
    check_clip(info.path, info, "yuv420p")


def left_channel(frame) -> np.ndarray:
    samples = frame.to_ndarray()  # planar: (channels, n); packed: (1, n * channels)
    channels = len(frame.layout.channels)
    left = samples[0] if frame.format.is_planar else samples[0, ::channels]
    return left.astype(np.float64)


def dominant_hz(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[np.argmax(spectrum)])


@pytest.mark.parametrize("suffix,audio", [(".mkv", a) for a in AUDIO_ENCODERS]
                         + [(".webm", "opus"), (".webm", "vorbis"), (".mp4", "aac"),
                            (".mp4", "mp3")])
def test_audio_tone(tmp_path, suffix, audio):
    if available_encoder(audio, AUDIO_ENCODERS) is None:
        pytest.skip(f"no {audio} encoder in this PyAV build")
    codec = "vp9" if suffix == ".webm" else "h264"
    info = make_clip(tmp_path / f"a{suffix}", w=160, h=90, frames=24, codec=codec, audio=audio)
    with av.open(str(info.path)) as c:
        stream = c.streams.audio[0]
        assert stream.codec_context.name.startswith(audio[:3]) and stream.rate == AUDIO_RATE
        pcm = np.concatenate([left_channel(f) for f in c.decode(audio=0)])
    # Encoders add priming/padding of up to a few thousand samples.
    assert abs(len(pcm) / AUDIO_RATE - info.duration) < 0.1
    middle = pcm[len(pcm) // 4: 3 * len(pcm) // 4]
    assert dominant_hz(middle, AUDIO_RATE) == pytest.approx(TONE_HZ, abs=5)


# --- the demo clip -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cache")
    return folder, demo_clip(folder)


def test_demo_clip_content(demo):
    folder, path = demo
    assert path.parent == folder and path.suffix == ".mkv" and "-v" in path.name
    assert [p.name for p in folder.iterdir()] == [path.name]  # no temporary left behind
    with av.open(str(path)) as c:
        assert c.streams.video[0].codec_context.name == "h264"
        assert c.streams.audio[0].codec_context.name == "aac"
        frames = list(c.decode(video=0))
    assert len(frames) == DEMO_FRAMES * DEMO_LOOPS
    assert (frames[0].width, frames[0].height, frames[0].format.name) == (DEMO_WIDTH,
                                                                          DEMO_HEIGHT, "yuv420p")
    last = DEMO_FRAMES * DEMO_LOOPS - 1
    assert float(frames[-1].pts * frames[-1].time_base) == pytest.approx(last / 24, abs=0.001)
    for k in (0, 31, 95, 200):
        assert psnr(frames[k].to_ndarray(format="rgb24"), demo_frame(k)) > 35


def test_demo_clip_is_cached(demo):
    folder, path = demo
    before = path.stat()
    assert demo_clip(folder) == path
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns, after.st_size) == (before.st_ino,
                                                                before.st_mtime_ns,
                                                                before.st_size)


def test_demo_cache_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / "a4kplay"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # the spec says: ignore it
    assert default_cache_dir() == Path.home() / ".cache" / "a4kplay"


def test_demo_cache_that_cannot_be_created(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(MediaError, match="cannot create the demo cache"):
        demo_clip(blocker / "cache")

"""Generated ground truth: index patterns, stills, bad inputs, and small clips read back."""
from __future__ import annotations

import io
from fractions import Fraction

import av
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from PIL import Image

from player.media import mediagen
from player.media.demo import DEMO_FRAMES, demo_frame
from player.base.errors import ImageError, MediaError
from player.media.mediagen import (SWATCHES, make_clip, make_image, not_media, pattern_frame, psnr,
                             read_index, read_swatches)

INDICES = [0, 1, 2, 3, 7, 8, 100, 255, 256, 1000, 4095, 12345, 32768, 65534, 65535]


def jpeg_round_trip(img: np.ndarray, quality: int) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, "JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


# --- pattern -------------------------------------------------------------------------------

@pytest.mark.parametrize("w,h", [(320, 180), (853, 480), (96, 54)])
def test_index_round_trips(w, h):
    for k in INDICES:
        assert read_index(pattern_frame(k, w, h)) == k


@settings(max_examples=40, deadline=None)
@given(index=st.integers(0, 2 ** mediagen.INDEX_BITS - 1), w=st.integers(64, 400),
       h=st.integers(36, 240))
def test_any_index_round_trips_at_any_size(index, w, h):
    assert read_index(pattern_frame(index, w, h)) == index


@pytest.mark.parametrize("quality", [50, 90])
def test_index_survives_jpeg(quality):
    for k in INDICES:
        assert read_index(jpeg_round_trip(pattern_frame(k, 320, 180), quality)) == k


def test_index_survives_rescaling_and_levels():
    img = Image.fromarray(pattern_frame(4321, 853, 480))
    for size in [(1920, 1080), (427, 240)]:
        assert read_index(np.asarray(img.resize(size, Image.BICUBIC))) == 4321
    # Limited-range squeeze, as a player with the wrong range would show it.
    squeezed = (16 + pattern_frame(4321, 320, 180).astype(np.float32) * 219 / 255)
    assert read_index(squeezed.astype(np.uint8)) == 4321


def test_index_reads_rgba():
    rgb = pattern_frame(77, 320, 180)
    rgba = np.concatenate([rgb, np.full(rgb.shape[:2] + (1,), 255, np.uint8)], axis=2)
    assert read_index(rgba) == 77


@pytest.mark.parametrize("picture", [np.full((180, 320, 3), 128, np.uint8),
                                     demo_frame(0, 320, 180)])
def test_read_index_rejects_pictures_without_pattern(picture):
    with pytest.raises(MediaError, match="no frame-index pattern"):
        read_index(picture)


def test_read_index_rejects_wrong_shape():
    with pytest.raises(MediaError):
        read_index(np.zeros((180, 320), np.uint8))


@pytest.mark.parametrize("index", [-1, 2 ** mediagen.INDEX_BITS])
def test_pattern_rejects_unencodable_index(index):
    with pytest.raises(ValueError):
        pattern_frame(index, 320, 180)


def test_pattern_is_deterministic_and_shaped():
    a = pattern_frame(5, 321, 181)
    assert a.shape == (181, 321, 3) and a.dtype == np.uint8
    assert np.array_equal(a, pattern_frame(5, 321, 181))


def test_consecutive_frames_differ_across_the_moving_field():
    for k in [0, 10, 36, 47]:
        a, b = pattern_frame(k, 320, 180), pattern_frame(k + 1, 320, 180)
        field = slice(int(0.32 * 180), int(0.78 * 180))
        changed = np.abs(a[field].astype(int) - b[field].astype(int)).max(axis=2) >= 2
        assert changed.mean() > 0.99


def test_swatches_read_back_and_reveal_a_channel_swap():
    img = pattern_frame(0, 320, 180)
    np.testing.assert_allclose(read_swatches(img), SWATCHES, atol=1.5)
    swapped = read_swatches(img[..., ::-1])
    assert np.abs(swapped - np.array(SWATCHES)).max() > 100


def test_pattern_is_smooth_enough_for_chroma_subsampling():
    # Averaging chroma over 2x2 blocks (what 4:2:0 does) must cost little.
    img = pattern_frame(9, 320, 180).astype(np.float64)
    luma = img @ [0.2126, 0.7152, 0.0722]
    chroma = img - luma[..., None]
    pooled = chroma.reshape(90, 2, 160, 2, 3).mean(axis=(1, 3)).repeat(2, 0).repeat(2, 1)
    rebuilt = np.clip(np.rint(luma[..., None] + pooled), 0, 255).astype(np.uint8)
    assert psnr(rebuilt, img.astype(np.uint8)) > 38


def test_psnr():
    a = np.zeros((4, 4, 3), np.uint8)
    assert psnr(a, a) == float("inf")
    assert psnr(a, a + 1) == pytest.approx(48.13, abs=0.01)
    with pytest.raises(ValueError):
        psnr(a, np.zeros((4, 5, 3), np.uint8))


# --- demo pictures -------------------------------------------------------------------------

def test_demo_frame_is_deterministic_and_loops():
    a = demo_frame(17)
    assert a.shape == (360, 640, 3) and a.dtype == np.uint8
    assert np.array_equal(a, demo_frame(17))
    assert np.array_equal(demo_frame(0), demo_frame(DEMO_FRAMES))
    assert not np.array_equal(demo_frame(0), demo_frame(1))


def test_demo_frame_has_dark_outlines_and_flat_colours():
    img = demo_frame(30, 640, 360)
    luma = img.astype(np.float64) @ [0.2126, 0.7152, 0.0722]
    assert (luma < 60).mean() > 0.005       # outlines exist
    colours, counts = np.unique(img.reshape(-1, 3), axis=0, return_counts=True)
    # Flat fills: a few colours cover most of the picture apart from the sky gradient.
    below_horizon = img[int(0.75 * 360):].reshape(-1, 3)
    _, ground_counts = np.unique(below_horizon, axis=0, return_counts=True)
    assert ground_counts.max() / len(below_horizon) > 0.5


@pytest.mark.parametrize("w,h", [(320, 180), (1280, 720)])
def test_demo_frame_other_sizes(w, h):
    assert demo_frame(5, w, h).shape == (h, w, 3)


# --- stills and bad inputs -----------------------------------------------------------------

def test_make_image_png_is_exact(tmp_path):
    pixels = make_image(tmp_path / "a.png", 200, 120)
    assert np.array_equal(np.asarray(Image.open(tmp_path / "a.png")), pixels)
    luma = pixels.astype(np.float64) @ [0.2126, 0.7152, 0.0722]
    assert (luma < 60).any() and len(np.unique(pixels.reshape(-1, 3), axis=0)) > 8


def test_make_image_jpeg_and_pattern_kind(tmp_path):
    pixels = make_image(tmp_path / "b.jpg", 320, 180, kind="pattern")
    decoded = np.asarray(Image.open(tmp_path / "b.jpg").convert("RGB"))
    assert psnr(decoded, pixels) > 35
    assert read_index(decoded) == 0


def test_make_image_rejects_unknown_suffix_and_kind(tmp_path):
    with pytest.raises(ImageError, match="use .png"):
        make_image(tmp_path / "c.gif", 64, 64)
    with pytest.raises(ValueError):
        make_image(tmp_path / "c.png", 64, 64, kind="noise")


@pytest.mark.parametrize("kind", ["random", "text", "empty"])
def test_not_media_is_refused_by_a_demuxer(tmp_path, kind):
    path = not_media(tmp_path / f"bad-{kind}.mkv", kind)
    assert path.exists()
    with pytest.raises(av.FFmpegError):
        with av.open(str(path)) as c:
            next(c.decode(video=0))


# --- clips ---------------------------------------------------------------------------------

def decode(path):
    with av.open(str(path)) as c:
        frames = [(float(f.pts * f.time_base), f.format.name, f.width, f.height,
                   f.to_ndarray(format="rgb24")) for f in c.decode(video=0)]
        kinds = {s.type: s.codec_context.name for s in c.streams if s.codec_context}
        chapters = [ch["metadata"].get("title") for ch in c.chapters()]
    return frames, kinds, chapters


def test_clip_decodes_to_what_info_says(tmp_path):
    info = make_clip(tmp_path / "c.mkv", w=320, h=180, frames=24)
    frames, kinds, _ = decode(info.path)
    assert len(frames) == info.frames == 24
    assert kinds == {"video": "h264"}
    assert info.fps == 24 and info.duration == pytest.approx(1.0)
    for k, (pts, fmt, w, h, rgb) in enumerate(frames):
        assert (fmt, w, h) == ("yuv420p", 320, 180)
        assert pts == pytest.approx(info.pts[k], abs=0.0006)  # Matroska stores milliseconds
        assert pts == pytest.approx(k / 24, abs=0.0006)
        assert read_index(rgb) == k


@pytest.mark.parametrize("suffix,tolerance", [(".mkv", 0.0006), (".mp4", 1e-9)])
def test_vfr_timestamps_are_preserved(tmp_path, suffix, tolerance):
    info = make_clip(tmp_path / f"v{suffix}", w=160, h=90, frames=12, vfr=True)
    expected = [0, 1, 3, 4, 6, 7, 9, 10, 12, 13, 15, 16]
    assert info.pts == pytest.approx([t / 24 for t in expected])
    assert info.duration == pytest.approx(18 / 24)
    frames, _, _ = decode(info.path)
    assert [f[0] for f in frames] == pytest.approx(info.pts, abs=tolerance)
    assert [read_index(f[4]) for f in frames] == list(range(12))


def test_ntsc_rate(tmp_path):
    info = make_clip(tmp_path / "n.mp4", w=160, h=90, frames=6, fps=Fraction(24000, 1001))
    frames, _, _ = decode(info.path)
    assert [f[0] for f in frames] == pytest.approx([k * 1001 / 24000 for k in range(6)])


@pytest.mark.parametrize("suffix,codec,audio,sub_codec", [
    (".mkv", "h264", "aac", "subrip"),
    (".mp4", "h264", "aac", "mov_text"),
    (".webm", "vp9", "opus", "webvtt"),
])
def test_audio_subtitles_and_chapters_are_muxed(tmp_path, suffix, codec, audio, sub_codec):
    info = make_clip(tmp_path / f"m{suffix}", w=160, h=90, frames=30, codec=codec,
                     audio=audio, subtitles=True, chapters=True)
    assert info.subtitles[0] == (0.0, 0.8, "Subtitle line 1") and len(info.subtitles) == 2
    assert info.chapters == ((0.0, "Part A"), (0.625, "Part B"))
    frames, kinds, chapters = decode(info.path)
    assert len(frames) == 30
    assert kinds["audio"] == audio and kinds["subtitle"] in (sub_codec, "srt")
    assert chapters == ["Part A", "Part B"]
    with av.open(str(info.path)) as c:
        # MP4 fills the gaps between cues with empty samples; keep the ones with text.
        texts = [bytes(p).decode(errors="replace") for p in c.demux(subtitles=0)]
    texts = [t for t in texts if "Subtitle" in t]
    assert [t.endswith(f"Subtitle line {n}") for n, t in enumerate(texts, 1)] == [True, True]


@pytest.mark.parametrize("kwargs,match", [
    ({"codec": "theora"}, "unknown video codec"),
    ({"audio": "wma"}, "unknown audio codec"),
    ({"suffix": ".avi"}, "unsupported container"),
    ({"suffix": ".webm", "codec": "h264"}, "WebM cannot hold h264"),
    ({"suffix": ".webm", "codec": "vp9", "audio": "aac"}, "WebM cannot hold vp9 \\+ aac"),
    ({"codec": "mpeg4", "pix_fmt": "yuv444p"}, "cannot encode yuv444p"),
    ({"w": 161}, "needs even dimensions"),
])
def test_make_clip_refuses_clearly_and_leaves_nothing(tmp_path, kwargs, match):
    suffix = kwargs.pop("suffix", ".mkv")
    path = tmp_path / f"bad{suffix}"
    args = {"w": 160, "h": 90, "frames": 2} | kwargs
    with pytest.raises(MediaError, match=match):
        make_clip(path, **args)
    assert not path.exists()


def test_missing_encoder_is_named():
    table = {"h264": ("no-such-encoder", "nor-this-one")}
    assert mediagen.available_encoder("h264", table) is None
    with pytest.raises(MediaError, match="no h264 encoder") as err:
        mediagen._pick_encoder("h264", table, "video")
    assert "no-such-encoder" in str(err.value)


def test_drawing_function_is_pluggable(tmp_path):
    info = make_clip(tmp_path / "d.mkv", w=640, h=360, frames=3, crf=16,
                     draw=lambda k, w, h: demo_frame(k * 10, w, h))
    frames, _, _ = decode(info.path)
    assert len(frames) == 3
    for k, f in enumerate(frames):
        assert psnr(f[4], demo_frame(k * 10, 640, 360)) > 35

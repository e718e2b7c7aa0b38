"""`a4kplay export` end to end on generated clips: what goes in comes out, upscaled.

Each clip is tiny (160x90 or so, <= 24 frames) and exported at 2x, mostly through the Off
profile (the scaler alone) with x264/x265 at their fastest presets, so the file runs in
about a minute on two cores. What is checked is what the issue promises: every frame, at
its own time, with its own picture; audio packets bit-identical; subtitle cues and chapters
kept; refusals that leave nothing behind; Ctrl+C that leaves nothing behind.
"""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from player.tools import export, export_args
from tests.media.season_export import interruptible

from player.media import mediagen
from player.base.errors import MediaError, ProfileError, ShaderError
from player.media.mediagen import make_clip, psnr, read_index
from tests.conftest import run_cli


def export_main(argv):
    from player.cli import build_parser
    return export_args.run(build_parser("export").parse_args(argv))

pytestmark = pytest.mark.media

FAST = ["--preset", "ultrafast", "--profile", "Off"]


# ---- helpers --------------------------------------------------------------------------

def probe(path):
    """Everything the checks compare, read back with PyAV."""
    with av.open(str(path)) as c:
        v = c.streams.video[0]
        cc = v.codec_context
        info = {"size": (cc.width, cc.height), "pix_fmt": cc.pix_fmt,
                "colour": (cc.colorspace, cc.color_range, cc.color_primaries, cc.color_trc),
                "types": sorted(s.type for s in c.streams if s.type != "data"),
                "chapters": [(round(float(ch["start"] * ch["time_base"]), 3),
                              round(float(ch["end"] * ch["time_base"]), 3),
                              ch["metadata"].get("title")) for ch in c.chapters()],
                "audio": [], "subs": []}
        sub_codec = {s.index: export._codec_name(s) for s in c.streams.subtitles}
        for p in c.demux():
            if not p.size or p.pts is None:
                continue
            t = p.pts * p.time_base
            if p.stream.type == "audio":
                info["audio"].append((t, bytes(p)))
            elif p.stream.type == "subtitle":
                end = t + (p.duration or 0) * p.time_base
                text = export.subtitle_text(sub_codec[p.stream.index], bytes(p))
                info["subs"].append((round(float(t), 3), round(float(end), 3), text))
        c.seek(0)
        frames = [(float(f.pts * f.time_base), f.to_ndarray(format="rgb24"))
                  for f in c.decode(video=0)]
    info["times"] = [t for t, _ in frames]
    info["frames"] = [img for _, img in frames]
    return info


def run_export(src, dst, *args) -> int:
    return export_main([str(src), "-o", str(dst), *map(str, args)])


def leftovers(directory) -> list[str]:
    return sorted(n for n in os.listdir(directory) if n.endswith(".part"))


def digest(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# ---- pure decisions -------------------------------------------------------------------

def test_output_size_rounds_to_even_and_says_so():
    assert export.output_size(160, 90, scale=2) == ((320, 180), False)
    assert export.output_size(161, 91, size=(321, 181)) == ((322, 182), True)
    assert export.output_size(161, 91, scale=1.0) == ((162, 92), True)
    with pytest.raises(MediaError, match="larger than"):
        export.output_size(9000, 100, scale=2)


def test_matrix_guess_follows_players_for_untagged_video():
    assert export.matrix_of(2, 1920, 1080) == 1      # unspecified HD: BT.709
    assert export.matrix_of(2, 720, 480) == 6        # unspecified SD: BT.601
    assert export.matrix_of(9, 720, 480) == 9        # a tag is kept as it is


@pytest.mark.parametrize("codec", ["mov_text", "webvtt", "subrip"])
def test_text_subtitles_round_trip(codec):
    payload = export.subtitle_payload(codec, "Line one\nLine two")
    assert export.subtitle_text(codec, payload) == "Line one\nLine two"


def test_ass_events_lose_only_their_styling():
    packet = b"3,0,Default,,0,0,0,,{\\i1}Hello{\\i0}\\Nworld, again"
    assert export.subtitle_text("ass", packet) == "Hello\nworld, again"


# ---- end to end -----------------------------------------------------------------------

CASES = {
    # id: (clip arguments, OUT suffix, extra export arguments)
    "h264-mkv-vfr-opus-subs-chapters": (
        dict(codec="h264", audio="opus", vfr=True, subtitles=True, chapters=True),
        ".mkv", []),
    "h264-mp4-vfr-aac-subs": (
        dict(codec="h264", audio="aac", vfr=True, subtitles=True, chapters=True, suffix=".mp4"),
        ".mp4", []),
    "hevc-10bit-mkv-flac-to-hevc": (
        dict(codec="hevc", pix_fmt="yuv420p10le", audio="flac", subtitles=True),
        ".mkv", ["--codec", "hevc"]),
    "vp9-webm-vorbis-subs-to-vp9": (
        dict(codec="vp9", audio="vorbis", subtitles=True, suffix=".webm"), ".webm",
        ["--preset", "8"]),
    "vp9-odd-size-mp3-subs-to-mp4": (
        dict(codec="vp9", w=161, h=91, audio="mp3", subtitles=True), ".mp4",
        ["--size", "321x181"]),
}


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Each case's clip and its export, made once (IN, OUT, IN's digest before)."""
    root = tmp_path_factory.mktemp("export")
    done = {}

    def get(case):
        if case not in done:
            kw, suffix, extra = CASES[case]
            kw = dict(kw)
            src = root / f"{case}-in{kw.pop('suffix', '.mkv')}"
            kw.setdefault("w", 160)
            kw.setdefault("h", 90)
            info = make_clip(src, frames=12, **kw)
            before = digest(src)
            dst = root / f"{case}-out{suffix}"
            scale = [] if "--size" in extra else ["--scale", 2]
            assert run_export(src, dst, *scale, *FAST, "--crf", 4, *extra) == 0
            done[case] = (info, src, dst, before)
        return done[case]
    return get


@pytest.mark.parametrize("case", list(CASES))
def test_every_frame_keeps_its_time_and_picture(exported, case):
    info, src, dst, _ = exported(case)
    a, b = probe(src), probe(dst)
    assert len(b["times"]) == len(a["times"]) == info.frames
    # Matroska keeps milliseconds, MP4 and WebM their own time bases: equal to that grain.
    assert b["times"] == pytest.approx(a["times"], abs=0.0011)
    if info.vfr:
        assert len({round(t1 - t0, 3) for t0, t1 in zip(b["times"], b["times"][1:])}) == 2
    for k, img in enumerate(b["frames"]):
        assert read_index(img) == k
    odd = "--size" in CASES[case][2]
    assert b["size"] == ((322, 182) if odd else (2 * info.width, 2 * info.height))


@pytest.mark.parametrize("case", list(CASES))
def test_audio_is_bit_identical_and_subtitles_and_chapters_kept(exported, case):
    info, src, dst, before = exported(case)
    a, b = probe(src), probe(dst)
    assert a["audio"] and b["audio"] == a["audio"]
    assert b["types"] == a["types"] == ["audio", "subtitle", "video"]
    assert b["subs"] == a["subs"] and [text for *_, text in b["subs"]] == \
        [text for *_, text in info.subtitles]
    assert b["chapters"] == a["chapters"]
    assert digest(src) == before                  # IN never touched
    assert leftovers(dst.parent) == []


def test_colour_tags_and_bit_depth_carried_over(exported):
    _, src, dst, _ = exported("hevc-10bit-mkv-flac-to-hevc")
    a, b = probe(src), probe(dst)
    assert b["pix_fmt"] == "yuv420p10le"
    assert b["colour"] == a["colour"] == (1, 1, 1, 1)   # BT.709, limited range
    _, _, dst8, _ = exported("h264-mkv-vfr-opus-subs-chapters")
    assert probe(dst8)["pix_fmt"] == "yuv420p"


def test_text_subtitles_are_rewritten_for_a_container_that_needs_it(tmp_path):
    src = tmp_path / "in.mkv"
    info = make_clip(src, w=160, h=90, frames=24, audio="aac", subtitles=True)
    dst = tmp_path / "out.mp4"                    # SubRip cannot go in MP4: mov_text
    assert run_export(src, dst, "--scale", 2, *FAST) == 0
    with av.open(str(dst)) as c:
        assert export._codec_name(c.streams.subtitles[0]) == "mov_text"
    assert probe(dst)["subs"] == probe(src)["subs"]
    assert len(info.subtitles) == 1 and probe(dst)["subs"][0][2] == "Subtitle line 1"


def with_font(src, dst):
    """`src` remuxed into Matroska with a font attachment, as fansub releases carry."""
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        streams = {s.index: out.add_stream_from_template(s) for s in inp.streams}
        out.add_attachment("Font.ttf", "font/ttf", b"\x00\x01\x00\x00 not a real font")
        for p in inp.demux():
            if p.size:
                p.stream = streams[p.stream.index]
                out.mux(p)


def test_attachments_kept_in_matroska_and_dropped_elsewhere_with_a_note(tmp_path, capsys):
    plain = tmp_path / "plain.mkv"
    make_clip(plain, w=160, h=90, frames=4, audio="opus", subtitles=True)
    src = tmp_path / "in.mkv"
    with_font(plain, src)
    assert run_export(src, tmp_path / "out.mkv", "--scale", 2, *FAST) == 0
    with av.open(str(tmp_path / "out.mkv")) as c:
        fonts = [(s.name, s.mimetype, s.data) for s in c.streams if s.type == "attachment"]
    assert fonts == [("Font.ttf", "font/ttf", b"\x00\x01\x00\x00 not a real font")]
    capsys.readouterr()
    assert run_export(src, tmp_path / "out.webm", "--scale", 2, "--profile", "Off",
                      "--preset", "8") == 0
    assert "dropped attachment Font.ttf" in capsys.readouterr().err
    assert probe(tmp_path / "out.webm")["subs"] == probe(src)["subs"]


def test_a_frame_equals_the_still_image_upscale(tmp_path):
    from player.render import offscreen
    from player.config.profiles import load_config
    src = tmp_path / "in.mkv"
    make_clip(src, w=160, h=90, frames=6, codec="h264")
    dst = tmp_path / "out.mkv"
    assert run_export(src, dst, "--scale", 2, "--profile", "Fast", "--crf", 2,
                      "--preset", "ultrafast") == 0
    prof = load_config().profile("Fast")
    a, b = probe(src), probe(dst)
    for k in (0, 4):
        still = offscreen.upscale_array(a["frames"][k], (320, 180), prof.shaders, prof.scaler,
                                        prof.params)
        still = (np.clip(still, 0, 1) * 255 + 0.5).astype(np.uint8)
        assert psnr(b["frames"][k], still) > 35
        assert psnr(b["frames"][k + 1], still) < 30   # it is this frame, not a neighbour


def test_start_end_trims_every_stream_consistently(tmp_path):
    src = tmp_path / "in.mkv"
    make_clip(src, w=160, h=90, frames=24, vfr=True, audio="opus", subtitles=True,
              chapters=True)
    dst = tmp_path / "out.mkv"
    start, end = 0.5, 1.25
    assert run_export(src, dst, "--scale", 2, *FAST, "--start", start, "--end", end) == 0
    a, b = probe(src), probe(dst)
    kept = [k for k, t in enumerate(a["times"]) if start <= t < end]
    assert b["times"] == pytest.approx([a["times"][k] - start for k in kept], abs=0.0011)
    assert [read_index(img) for img in b["frames"]] == kept
    assert b["audio"] == [(t - Fraction(start), data) for t, data in a["audio"]
                          if start <= t < end]
    # The first cue runs 0.0-0.8: it is cut to begin at the start.
    assert b["subs"] == [(0.0, 0.3, "Subtitle line 1"), (0.5, 0.75, "Subtitle line 2")]
    assert b["chapters"] == [(0.0, 0.25, "Part A"), (0.25, 0.75, "Part B")]


def test_mp4_audio_priming_moves_everything_together(tmp_path):
    """AAC in MP4 starts before 0; Matroska cannot, so its muxer shifts every stream."""
    src = tmp_path / "in.mp4"
    make_clip(src, w=160, h=90, frames=12, audio="aac")
    dst = tmp_path / "out.mkv"
    assert run_export(src, dst, "--scale", 2, *FAST) == 0
    a, b = probe(src), probe(dst)
    offset = b["times"][0] - a["times"][0]
    assert b["times"] == pytest.approx([t + offset for t in a["times"]], abs=0.0011)
    assert [d for _, d in b["audio"]] == [d for _, d in a["audio"]]
    assert [float(t) for t, _ in b["audio"]] == pytest.approx(
        [float(t) + offset for t, _ in a["audio"]], abs=0.0011)


# ---- refusals: nothing written, nothing touched ---------------------------------------

@pytest.fixture(scope="module")
def small(tmp_path_factory):
    path = tmp_path_factory.mktemp("small") / "in.mkv"
    make_clip(path, w=160, h=90, frames=4, audio="mp3")
    return path


def test_existing_output_is_refused_without_force(small, tmp_path):
    dst = tmp_path / "out.mkv"
    dst.write_bytes(b"keep me")
    with pytest.raises(MediaError, match="exists.*--force"):
        run_export(small, dst, "--scale", 2, *FAST)
    assert dst.read_bytes() == b"keep me"
    assert run_export(small, dst, "--scale", 2, *FAST, "--force") == 0
    assert len(probe(dst)["times"]) == 4
    assert leftovers(tmp_path) == []


def test_output_equal_to_input_is_refused_even_with_force(small, tmp_path):
    before = digest(small)
    with pytest.raises(MediaError, match="is the input"):
        run_export(small, small, "--scale", 2, *FAST, "--force")
    link = tmp_path / "link.mkv"
    os.link(small, link)                          # the same file under another name
    with pytest.raises(MediaError, match="is the input"):
        run_export(small, link, "--scale", 2, *FAST, "--force")
    assert digest(small) == before


@pytest.mark.parametrize("kind", ["random", "text", "empty"])
def test_bad_input_is_refused(tmp_path, kind):
    bad = mediagen.not_media(tmp_path / "bad.mkv", kind)
    with pytest.raises(MediaError, match="not a media file"):
        run_export(bad, tmp_path / "out.mkv", "--scale", 2, *FAST)
    with pytest.raises(MediaError, match="no such file"):
        run_export(tmp_path / "missing.mkv", tmp_path / "out.mkv", "--scale", 2, *FAST)
    assert sorted(os.listdir(tmp_path)) == ["bad.mkv"]


@pytest.mark.parametrize("args,error,match", [
    (["--profile", "NoSuchTier"], ProfileError, "unknown profile 'NoSuchTier'"),
    (["--shader", "/nonexistent/x.glsl"], ShaderError, "no such shader"),
    (["--codec", "mpeg2", "--profile", "Off"], MediaError, "unknown codec 'mpeg2'"),
    (["--crf", "99", "--profile", "Off"], MediaError, "out of range"),
    (["--codec", "vp9", "--preset", "slow"], MediaError, "not a libvpx-vp9 cpu-used"),
    (["--start", "2", "--end", "1", "--profile", "Off"], MediaError, "not after"),
    (["--start", "5", "--profile", "Off"], MediaError, "no video frames"),
], ids=["profile", "shader", "codec", "crf", "preset", "range", "past-end"])
def test_bad_options_are_refused(small, tmp_path, args, error, match):
    with pytest.raises(error, match=match):
        run_export(small, tmp_path / "out.mkv", "--scale", 2, *args)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("name,args,match", [
    ("out.webm", ["--codec", "h264"], "WebM cannot hold h264 video"),
    ("out.webm", [], "WebM cannot hold mp3 audio"),
    ("out.avi", [], "must end in .mkv, .mp4 or .webm"),
])
def test_what_the_container_cannot_hold_is_refused(small, tmp_path, name, args, match):
    with pytest.raises(MediaError, match=match):
        run_export(small, tmp_path / name, "--scale", 2, "--profile", "Off", *args)
    assert os.listdir(tmp_path) == []


# ---- the command line -----------------------------------------------------------------

def test_cli_writes_one_summary_line(small, tmp_path):
    dst = tmp_path / "out.mkv"
    r = run_cli("export", small, "-o", dst, "--size", "321x181", *FAST, timeout=120)
    assert r.returncode == 0, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "4 frames 160x90 -> 322x182" in lines[0]
    assert "rounded to even from 321x181" in lines[0]
    r = run_cli("export", small, "-o", dst, "--scale", 2, *FAST, timeout=120)
    assert r.returncode == 1
    assert r.stderr.strip().splitlines() == [f"a4kplay: {dst}: the output exists "
                                             "(use --force to overwrite)"]


def test_ctrl_c_leaves_no_output_and_no_temporary_file(tmp_path):
    src = tmp_path / "in.mkv"
    # long enough that the export is still running when the signal lands, on any machine
    # (24 frames were done in about a second on a quiet one)
    make_clip(src, w=160, h=90, frames=480, audio="aac")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    dst = out_dir / "out.mkv"
    exe = Path(sys.executable).with_name("a4kplay")
    # Full at 4x is slow enough on llvmpipe to be caught in the middle.
    proc = subprocess.Popen([str(exe), "export", str(src), "-o", str(dst), "--scale", "4",
                             "--profile", "Full", "--progress"],
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            preexec_fn=interruptible)
    seen = b""
    try:
        while b"export " not in seen:
            chunk = os.read(proc.stderr.fileno(), 4096)
            assert chunk, f"export ended before it was interrupted: {seen!r}"
            seen += chunk
        assert leftovers(out_dir), "no temporary file while writing"
        proc.send_signal(signal.SIGINT)
        rest = proc.stderr.read()
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert code == 130, seen + rest
    last = rest.decode().replace("\x1b[K", "").strip().split("\r")[-1]  # after the bar
    assert last == "a4kplay: export interrupted; nothing written"
    assert os.listdir(out_dir) == []


# ---- --burn-subs: a subtitle track drawn into the frames at the output size ----------

BURN_W, BURN_H, BURN_FPS = 160, 120, 10
CUE = (0.3, 0.7)                       # both tracks' one line shows in [0.3, 0.7)


def burn_ass(text: str, align: int) -> str:
    """One line in a yellow outlined style, \\an`align` (8: top centre, 2: bottom centre)."""
    return (
        "[Script Info]\nScriptType: v4.00+\n"
        f"PlayResX: {BURN_W}\nPlayResY: {BURN_H}\n\n"
        "[V4+ Styles]\n"
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
        "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, "
        "BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\n"
        "Style: Default,DejaVu Sans,16,&H0000FFFF,&H000000FF,&H00000000,&H00000000,"
        f"1,0,0,0,100,100,0,0,1,1.5,0,{align},5,5,6,1\n\n"
        "[Events]\n"
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
        f"Dialogue: 0,0:00:00.30,0:00:00.70,Default,,0,0,0,,{text}\n")


def grey(k, w, h):
    return np.full((h, w, 3), 96, np.uint8)


@pytest.fixture(scope="module")
def burn_media(tmp_path_factory):
    """A grey clip with two ASS tracks (the first flagged default, its line at the top;
    the second's at the bottom), muxed with the ffmpeg CLI; and the clip without them."""
    import shutil
    if not shutil.which("ffmpeg"):
        pytest.skip("ffmpeg is needed to mux the subtitle tracks")
    d = tmp_path_factory.mktemp("burn")
    base = make_clip(d / "base.mkv", w=BURN_W, h=BURN_H, fps=BURN_FPS, frames=12,
                     draw=grey).path
    (d / "top.ass").write_text(burn_ass("Top line", 8), encoding="utf-8")
    (d / "bottom.ass").write_text(burn_ass("Bottom track", 2), encoding="utf-8")
    clip = d / "two-tracks.mkv"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(base), "-i", str(d / "top.ass"),
                    "-i", str(d / "bottom.ass"), "-map", "0", "-map", "1", "-map", "2",
                    "-c", "copy", "-disposition:s:0", "default", "-disposition:s:1", "0",
                    str(clip)], check=True, capture_output=True, timeout=60)
    plain = d / "plain-out.mkv"
    assert run_export(clip, plain, "--scale", 2, *FAST, "--crf", 4) == 0
    return {"dir": d, "clip": clip, "base": base, "top": d / "top.ass",
            "plain": probe(plain)}


def reference_images(src, track, times, size, video):
    """The same engine's own images at the output size (CPU half, no GL), per time."""
    from player.subs import Subtitles
    from tests.subs.conftest import loaded
    subs = Subtitles()
    subs.open(str(src), track)
    try:
        loaded(subs)
        out = []
        for t in times:
            subs.set_time(t)
            subs.frame(size, (0, 0, *size), video)
            out.append(list(subs.last_frame.images))
        return out
    finally:
        subs.close()


def luma(img):
    return np.asarray(img, np.float64) @ np.array([0.299, 0.587, 0.114])


def text_box(images, size, pad=3):
    """The rows and columns the images cover (padded), as slices."""
    xs0 = min(im.x for im in images)
    ys0 = min(im.y for im in images)
    xs1 = max(im.x + im.alpha.shape[1] for im in images)
    ys1 = max(im.y + im.alpha.shape[0] for im in images)
    return (slice(max(0, ys0 - pad), min(size[1], ys1 + pad)),
            slice(max(0, xs0 - pad), min(size[0], xs1 + pad)))


def check_burned(out, plain, src, track):
    """Every frame of `out` is `plain` with the track's images composited at their time."""
    from player.subs import TrackInfo
    size = (2 * BURN_W, 2 * BURN_H)
    assert out["size"] == size and len(out["times"]) == len(plain["times"]) == 12
    refs = reference_images(src, TrackInfo(ff_index=track) if isinstance(track, int) else
                            TrackInfo(external=True, external_filename=str(track)),
                            out["times"], size, (BURN_W, BURN_H))
    shown, boxes = [], []
    for t, img, base, images in zip(out["times"], out["frames"], plain["frames"], refs):
        on = CUE[0] <= t + 1e-6 < CUE[1]
        assert bool(images) == on, f"the engine itself at {t}"
        if not on:
            # Absent outside its time: the picture is the unburned export's.
            assert psnr(img, base) > 40, f"frame at {t:.2f} s is not clean"
            continue
        region = text_box(images, size)
        # The engine's images blended in order over the unburned frame, as libass does.
        expect = base.astype(np.float64) / 255.0
        for im in images:
            ih, iw = im.alpha.shape
            a = im.alpha.astype(np.float64)[:, :, None] / 255.0 * (im.color[3] / 255.0)
            col = np.array(im.color[:3], np.float64) / 255.0
            y0, x0 = im.y, im.x
            expect[y0:y0 + ih, x0:x0 + iw] = expect[y0:y0 + ih, x0:x0 + iw] * (1 - a) + col * a
        expect = expect * 255.0
        ours, want, without = luma(img[region]), luma(expect[region]), luma(base[region])
        mse = float(np.mean((ours - want) ** 2))
        score = 10 * np.log10(255.0 ** 2 / max(mse, 1e-9))
        assert score > 30, f"text at {t:.2f} s: {score:.1f} dB against the engine's images"
        assert float(np.mean(np.abs(ours - without))) > 10, "no text drawn"
        # Nothing drawn outside the engine's images.
        outside = np.ones(img.shape[:2], bool)
        outside[region] = False
        assert np.abs(luma(img) - luma(base))[outside].max() < 24
        shown.append(t)
        boxes.append(region)
    assert shown == pytest.approx([0.3, 0.4, 0.5, 0.6], abs=0.0011)
    return boxes


def sub_texts(info):
    return [text for *_, text in info["subs"]]


def test_burn_subs_draws_the_default_track_at_the_output_size(burn_media, tmp_path):
    dst = tmp_path / "burned.mkv"
    assert run_export(burn_media["clip"], dst, "--scale", 2, *FAST, "--crf", 4,
                      "--burn-subs") == 0
    out = probe(dst)
    boxes = check_burned(out, burn_media["plain"], burn_media["clip"], 1)
    # Where the ASS says: \an8 at the top of the frame, centred.
    rows, cols = boxes[0]
    assert rows.stop < BURN_H * 2 // 3 and rows.start < 30
    assert abs((cols.start + cols.stop) / 2 - BURN_W) < 12
    # The burned track is not copied again; the other one still is.
    assert out["types"] == ["subtitle", "video"]
    assert sub_texts(out) == ["Bottom track"]
    assert leftovers(tmp_path) == []


def test_sid_burns_the_second_track_and_copies_the_first(burn_media, tmp_path):
    dst = tmp_path / "sid2.mkv"
    assert run_export(burn_media["clip"], dst, "--scale", 2, *FAST, "--crf", 4,
                      "--burn-subs", "--sid", 2) == 0
    out = probe(dst)
    boxes = check_burned(out, burn_media["plain"], burn_media["clip"], 2)
    rows, _ = boxes[0]
    assert rows.start > BURN_H * 2 * 2 // 3          # \an2: the bottom of the frame
    assert sub_texts(out) == ["Top line"]


def test_an_external_sub_file_is_burned(burn_media, tmp_path):
    dst = tmp_path / "external.mkv"
    assert run_export(burn_media["base"], dst, "--scale", 2, *FAST, "--crf", 4,
                      "--burn-subs", "--sub-file", burn_media["top"]) == 0
    plain = tmp_path / "plain.mkv"
    assert run_export(burn_media["base"], plain, "--scale", 2, *FAST, "--crf", 4) == 0
    check_burned(probe(dst), probe(plain), burn_media["base"], burn_media["top"])


def test_burn_subs_without_a_subtitle_stream_is_one_line_and_no_output(burn_media, tmp_path):
    dst = tmp_path / "out.mkv"
    r = run_cli("export", burn_media["base"], "-o", dst, "--scale", 2, *FAST, "--burn-subs",
                timeout=120)
    assert r.returncode == 1
    assert r.stderr.strip().splitlines() == [
        f"a4kplay: {burn_media['base']}: no subtitle stream to burn "
        "(give one with --sub-file PATH)"]
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("args,match", [
    (["--burn-subs", "--sid", "3"], r"--sid 3: the file has 2 subtitle streams"),
    (["--burn-subs", "--sid", "0"], r"--sid 0: .*use 1\.\.2"),
    (["--sid", "2"], "--sid needs --burn-subs"),
    (["--burn-subs", "--sub-file", "/nonexistent/x.ass"], "no such subtitle file"),
    (["--burn-subs", "--sid", "1", "--sub-file", "/nonexistent/x.ass"], "give one"),
], ids=["sid-too-big", "sid-zero", "sid-alone", "missing-file", "both"])
def test_bad_burn_options_are_refused_before_any_output(burn_media, tmp_path, args, match):
    with pytest.raises(MediaError, match=match):
        run_export(burn_media["clip"], tmp_path / "out.mkv", "--scale", 2, *FAST, *args)
    assert os.listdir(tmp_path) == []


def test_a_subtitle_file_the_engine_cannot_read_is_refused_before_any_output(
        burn_media, tmp_path):
    bad = tmp_path / "broken.ass"
    bad.write_bytes(b"")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with pytest.raises(MediaError, match="cannot burn subtitles from broken.ass.*empty"):
        run_export(burn_media["base"], out_dir / "out.mkv", "--scale", 2, *FAST,
                   "--burn-subs", "--sub-file", bad)
    assert os.listdir(out_dir) == []


def test_a_missing_font_is_one_notice_and_the_export_goes_on(burn_media, tmp_path):
    script = tmp_path / "nofont.ass"
    script.write_text(burn_ass("Fallback", 2).replace("DejaVu Sans", "Nosuchfont Qq"),
                      encoding="utf-8")
    dst = tmp_path / "out.mkv"
    r = run_cli("export", burn_media["base"], "-o", dst, "--scale", 2, *FAST, "--burn-subs",
                "--sub-file", script, timeout=120)
    assert r.returncode == 0, r.stderr
    lines = r.stderr.strip().splitlines()
    assert lines[0] == ("a4kplay: subtitles: font 'Nosuchfont Qq' not found; "
                        "using a fallback font")
    assert len(lines) == 2 and "12 frames" in lines[1] and "burned subtitles from" in lines[1]
    frames = probe(dst)["frames"]
    assert np.abs(luma(frames[4]) - luma(frames[0])).max() > 100   # drawn with the fallback

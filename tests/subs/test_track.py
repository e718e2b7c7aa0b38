"""The subtitle engine without GL: real libass, real PyAV, files made by the tests."""
from __future__ import annotations

import logging

import numpy as np
import pytest

from player.subs import Params, Subtitles, SubtitleError
from player.subs import libass, textfile
from player.subs.renderer import AssRenderer, Geometry, vsfilter_color

from .conftest import (FRAME, RECT, SRT, TEST_FAMILY, VIDEO, ass_text, composite, display_set,
                       loaded, mux, sup)


def shown(subs, t, params=None, frame=FRAME, rect=RECT):
    """The images showing at t, forced out of the facade even if unchanged."""
    if params is not None:
        subs.params = params
    subs.set_time(t)
    if subs._renderer is not None and hasattr(subs._renderer, "_force"):
        subs._renderer._force = True
    return subs.frame(frame, rect, VIDEO)


def bbox(images):
    xs = [im.x for im in images] + [im.x + im.alpha.shape[1] for im in images]
    ys = [im.y for im in images] + [im.y + im.alpha.shape[0] for im in images]
    return min(xs), min(ys), max(xs), max(ys)


def open_track(path, ff_index=None, external=False, **params):
    subs = Subtitles()
    subs.params = Params(**params)
    subs.open(path, {"ff-index": ff_index, "external": external,
                     "external-filename": str(path) if external else None})
    return loaded(subs)


def notices(subs):
    out = []
    while (n := subs.notice()) is not None:
        out.append(n)
    return out


# -- the binding --------------------------------------------------------------------------

def test_released_objects_raise_and_messages_go_to_logging(caplog, capfd):
    lib = libass.Library()
    track = libass.Track(lib)
    with caplog.at_level(logging.DEBUG, logger="a4kplay.subs.libass"):
        track.process_codec_private(ass_text().encode())
        r = libass.Renderer(lib)
        r.set_frame_size(640, 480)
        track.process_chunk(b"0,0,Default,,0,0,0,,x", 0, 1000)
        images, change = r.render(track, 500)
    assert images and change == 2
    assert any("fontselect" in rec.getMessage() for rec in caplog.records)
    r.release()
    track.release()
    track.release()            # idempotent
    with pytest.raises(SubtitleError):
        track.process_chunk(b"0,0,Default,,0,0,0,,x", 0, 1000)
    with pytest.raises(SubtitleError):
        r.render(track, 0)
    lib.release()
    assert capfd.readouterr().err == ""


# -- embedded ASS with an attached font ----------------------------------------------------

def test_frame_equals_libass_own_rendering_at_output_size(media):
    subs = open_track(media["styled_mkv"], 1)
    got = shown(subs, 1.0).images
    # libass driven directly, as mpv sets it up, at the same output size
    lib = libass.Library()
    lib.add_font("ztest.ttf", media["font"].read_bytes())
    track = libass.Track(lib)
    track.process_codec_private(ass_text(font=TEST_FAMILY).split("Dialogue")[0].encode())
    track.process_chunk(b"0,0,Default,,0,0,0,,First line", 500, 1500)
    r = libass.Renderer(lib)
    r.set_frame_size(*FRAME)
    r.set_storage_size(*VIDEO)
    r.set_hinting(libass.HINTING_NONE)
    r.set_line_position(0.0)
    want, _ = r.render(track, 1000)
    assert len(got) == len(want) > 0
    for g, w in zip(got, want):
        assert (g.x, g.y) == (w.x, w.y)
        np.testing.assert_array_equal(g.alpha, w.alpha)
    # text at 1280x960 is 4x the storage size: tall glyphs, not a 320x240 rendering
    x0, y0, x1, y1 = bbox(got)
    assert y1 - y0 > 60 and y1 > 900
    for o in (r, track, lib):
        o.release()
    subs.close()


def test_attached_font_is_used(media):
    with_font = open_track(media["styled_mkv"], 1)
    without = open_track(media["nofont_mkv"], 1)
    a = composite(shown(with_font, 1.0).images, FRAME)
    b = composite(shown(without, 1.0).images, FRAME)
    assert np.abs(a - b).max() > 0.5          # serif glyphs vs the sans fallback
    assert not any("not found" in n for n in notices(with_font))
    missing = notices(without)
    assert len(missing) == 1 and TEST_FAMILY in missing[0] and "not found" in missing[0]
    assert notices(without) == []              # said once
    with_font.close()
    without.close()


def test_time_seek_delay_and_track_switch(media):
    subs = open_track(media["styled_mkv"], 1)
    first = bbox(shown(subs, 1.0).images)
    second = bbox(shown(subs, 3.0).images)
    assert first[1] > 800 and second[1] < 400    # bottom line, then the \pos sign at the top
    assert shown(subs, 4.5).images == []
    assert bbox(shown(subs, 1.2).images) == first  # a seek back
    # sub-delay +2 s: at t = 3 the first line shows
    assert bbox(shown(subs, 3.0, Params(delay=2.0)).images) == first
    assert bbox(shown(subs, 3.0, Params(delay=0.0, speed=2.0)).images) == first
    # sub-pos moves the bottom line up (line position = 100 - sub-pos)
    moved = bbox(shown(subs, 1.0, Params(pos=50.0)).images)
    assert moved[1] < first[1] - 200
    # sub-scale grows it
    big = bbox(shown(subs, 1.0, Params(scale=2.0)).images)
    assert big[3] - big[1] > 1.5 * (first[3] - first[1])
    # switch to the SRT track of the same file
    subs.open(media["styled_mkv"], {"ff-index": 2})
    loaded(subs)
    srt = shown(subs, 1.0, Params()).images
    assert srt and bbox(srt) != first
    assert shown(subs, 2.2).images == []
    subs.close()


def test_unchanged_dialogue_is_not_changed():
    r = AssRenderer(ass_text().split("Dialogue")[0].encode())
    r.add_event(0, 5000, b"0,0,Default,,0,0,0,,Static")
    geo = Geometry(FRAME, RECT, VIDEO)
    assert r.render(1.0, Params(), geo).changed
    f = r.render(1.04, Params(), geo)
    assert not f.changed and f.images == []
    assert r.render(1.08, Params(), Geometry((1920, 1080), (240, 0, 1440, 1080), VIDEO)).changed
    r.release()


def test_letterbox_margins_keep_ass_inside_the_video():
    r = AssRenderer(ass_text().split("Dialogue")[0].encode())
    r.add_event(0, 5000, b"0,0,Default,,0,0,0,,Bottom")
    geo = Geometry((1920, 1080), (240, 0, 1440, 1080), VIDEO)   # pillarbox bars
    images = r.render(1.0, Params(), geo).images
    x0, _, x1, _ = bbox(images)
    assert x0 > 240 and x1 < 1680 and abs((x0 + x1) / 2 - 960) < 4
    r.release()


def test_vsfilter_colour_compatibility():
    assert vsfilter_color((255, 255, 255)) == (255, 255, 255)
    assert vsfilter_color((0, 0, 0)) == (0, 0, 0)
    y = vsfilter_color((255, 255, 0))
    assert y[0] == 255 and 230 < y[1] < 250          # yellow shifts as VSFilter showed it
    head601 = ass_text(matrix="TV.601").split("Dialogue")[0].encode()
    head709 = ass_text(matrix="TV.709").split("Dialogue")[0].encode()
    geo = Geometry(FRAME, RECT, VIDEO)
    colours = {}
    for name, head in (("601", head601), ("709", head709)):
        r = AssRenderer(head)
        r.add_event(0, 5000, b"0,0,Default,,0,0,0,,Colour")
        colours[name] = {im.color for im in r.render(1.0, Params(), geo).images}
        colours[name + "rgb"] = {im.color for im in
                                 r.render(1.0, Params(matrix="rgb"), geo).images or []}
        r.release()
    assert (255, 255, 0, 255) in colours["709"]
    assert (255, 255, 0, 255) not in colours["601"] and (*y, 255) in colours["601"]


# -- text subtitles ------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252", "shift_jis"])
def test_external_srt_in_any_encoding(media, tmp_path, encoding):
    text = "Caf\u00e9 cr\u00e8me" if encoding != "shift_jis" else "\u65e5\u672c\u8a9e\u3067\u3059"
    path = tmp_path / "clip.srt"
    path.write_bytes(SRT.replace("Hello world", text).encode(encoding))
    decoded, enc = textfile.detect(path.read_bytes())
    assert text in decoded
    subs = open_track(path, external=True)
    assert shown(subs, 1.0).images
    assert notices(subs) == []
    subs.close()


def test_external_ass_file(media):
    subs = open_track(media["plain_ass"], external=True)
    assert bbox(shown(subs, 1.0).images)[1] > 800
    subs.close()


# -- PGS -----------------------------------------------------------------------------------

def pgs_files(d):
    ind = np.zeros((40, 100), np.uint8)
    ind[5:35, 5:95] = 1
    red = {1: (63, 240, 102, 255)}      # BT.709 limited-range red
    # a clearing set at 0 keeps ffmpeg from shifting the stream's start when muxing
    sets = [(0.0, display_set((1920, 1080), [], number=0)),
            (1.0, display_set((1920, 1080), [(910, 960, ind)], red, number=1)),
            (3.0, display_set((1920, 1080), [], number=2, epoch=False))]
    path = d / "t.sup"
    path.write_bytes(sup(sets))
    return path


def test_pgs_track_decoded_and_placed_on_the_video_rect(media, tmp_path):
    sup_path = pgs_files(tmp_path)
    mkv = mux(tmp_path / "pgs.mkv", [sup_path])
    subs = open_track(mkv, 1)
    rect = (0, 60, 1280, 720)          # a 16:9 video letterboxed in 1280x840
    f = shown(subs, 2.0, rect=rect, frame=(1280, 840))
    assert f.canvas is not None and f.canvas.size == (1920, 1080) and f.canvas.rect == rect
    (bm,) = f.canvas.bitmaps
    assert (bm.x, bm.y) == (910, 960)
    r, g, b, a = (int(v) for v in bm.rgba[20, 50])
    assert a == 255 and r > 250 and g < 5 and b < 5
    assert bm.rgba[0, 0, 3] == 0
    assert shown(subs, 3.5, rect=rect, frame=(1280, 840)).canvas is None    # cleared
    assert shown(subs, 0.5, rect=rect, frame=(1280, 840)).canvas is None
    subs.close()
    ext = open_track(sup_path, external=True)
    assert shown(ext, 2.0).canvas is not None
    ext.close()


# -- bad input: one notice, no exception, no stall ----------------------------------------

def test_broken_file(tmp_path):
    bad = tmp_path / "broken.mkv"
    bad.write_bytes(b"\x1aE\xdf\xa3" + bytes(range(256)) * 40)
    subs = open_track(bad, 2)
    assert shown(subs, 1.0).empty
    (n,) = notices(subs)
    assert "broken.mkv" in n
    subs.close()


def test_missing_external_file(tmp_path):
    subs = open_track(tmp_path / "gone.srt", external=True)
    (n,) = notices(subs)
    assert "gone.srt" in n


def test_undecodable_pgs_segment(tmp_path):
    ind = np.ones((10, 10), np.uint8)
    good = display_set((720, 480), [(10, 10, ind)], {1: (235, 128, 128, 255)})
    # an object segment of 0 x 0 pixels (well framed, so the file stays readable)
    body = b"\x00\x00\x00\xc0" + (4).to_bytes(3, "big") + b"\x00\x00\x00\x00"
    broken = [bytes([0x15]) + len(body).to_bytes(2, "big") + body]
    path = tmp_path / "bad.sup"
    path.write_bytes(sup([(0.5, broken), (1.0, good)]))
    subs = open_track(path, external=True)
    f = shown(subs, 1.5)
    assert f.canvas is not None and f.canvas.bitmaps    # the good set after the bad one
    (n,) = notices(subs)
    assert "PGS" in n
    subs.close()


def test_attachment_that_is_not_a_font(media, tmp_path):
    fake = tmp_path / "fake.ttf"
    fake.write_bytes(b"this is not a font at all\n" * 100)
    mkv = mux(tmp_path / "fake.mkv", [media["dir"] / "plain.ass"],
              [(fake, "application/x-truetype-font")])
    subs = open_track(mkv, 1)
    assert shown(subs, 1.0).images                  # still shown, with system fonts
    (n,) = notices(subs)
    assert "fake.ttf" in n and "not a font" in n
    subs.close()


def test_ten_megabyte_styled_script(tmp_path):
    styles = "\n".join(
        f"Style: S{i},DejaVu Sans,{20 + i % 30},&H00{i % 256:02X}FFFF,&H000000FF,&H00000000,"
        f"&H80000000,0,0,0,0,100,100,0,0,1,2,1,{1 + i % 9},10,10,10,1" for i in range(2000))
    lines, n, size = [], 0, 0
    tag = "{\\blur3\\bord4\\fad(100,100)\\t(\\frz30)}"
    while size < 10_000_000:
        s = n * 0.01
        e = s + 0.04                    # a handful of events overlap at any time
        lines.append((f"0:{int(s // 60):02d}:{s % 60:05.2f}", f"0:{int(e // 60):02d}:"
                      f"{e % 60:05.2f}", tag + f"line {n} " + "karaoke {\\k20}x" * 6))
        size += len(lines[-1][2])
        n += 1
    path = tmp_path / "huge.ass"
    path.write_text(ass_text(lines=lines, extra_styles=styles), encoding="utf-8")
    assert path.stat().st_size > 10_000_000
    subs = Subtitles()
    subs.open(path, {"external": True, "external-filename": str(path)})
    for _ in range(5):                 # frames while loading return (the loop goes on)
        subs.set_time(0.5)
        subs.frame(FRAME, RECT, VIDEO)
    loaded(subs, timeout=300)
    assert subs._renderer.n_events == n
    assert shown(subs, 100.0).images
    assert notices(subs) == []
    subs.close()

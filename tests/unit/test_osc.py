"""The on-screen controller's pure parts: layout, hit tests, visibility, drag, wheel, menus,
its profiles.yaml settings. No GL, no window: the real-window tests are
tests/media/test_osc_window.py."""
from __future__ import annotations

import pytest

from player.config.actions import ACTIONS
from player.ui.osc import Controller, Menu
from player.ui.osc_layout import (BUTTONS, OURS, MenuItem, Model, chapter_at, clock,
                                  icon_for, layout, time_text)
from player.ui.osc_icons import ICONS, sheet


def measure(text, size):
    return len(text) * size * 0.6


def ready(ctl=None, w=640, h=360, **kw):
    ctl = ctl or Controller(**kw)
    ctl.resize(w, h, 1.0, measure)
    return ctl


def test_timeline_spans_the_width_at_the_bottom_and_buttons_fit():
    for w, h, scale in ((320, 240, 1.0), (1280, 720, 1.0), (3840, 2160, 2.0), (200, 100, 1)):
        lay = layout(w, h, scale, measure)
        assert lay.timeline.x == 0 and lay.timeline.w == w
        assert lay.timeline.y + lay.timeline.h == h
        assert lay.hit(w * 0.25, h - 4) == ("timeline", pytest.approx(0.25, abs=1 / w))
        boxes = sorted(lay.buttons.values())
        assert len(boxes) == len(BUTTONS)
        for a, b in zip(boxes, boxes[1:]):
            assert a.x + a.w <= b.x                    # no overlap
        assert boxes[0].x >= 0 and boxes[-1].x + boxes[-1].w <= w
        for name, box in lay.buttons.items():
            assert lay.hit(box.x + box.w / 2, box.y + box.h / 2) == ("button", name)
            assert lay.band.y <= box.y and box.y + box.h <= lay.timeline.y
    # HiDPI: twice the pixels at content scale 2
    assert layout(3840, 2160, 2.0).band.h == 2 * layout(3840, 2160, 1.0).band.h


def test_every_button_is_a_command_and_ours_are_rows_of_the_action_table():
    for b in BUTTONS:
        assert b.icon in ICONS and b.click
        if b.click[:2] == OURS:
            assert b.click[2] in ACTIONS
            spec = ACTIONS[b.click[2]]
            assert not spec.choices or b.click[3] in spec.choices
    strip, at = sheet(24)
    assert strip.shape[0] == 24 and set(at) == set(ICONS)
    for name, x in at.items():                          # every icon draws something
        assert strip[:, x:x + 24].max() > 200, name


def test_shown_on_motion_hidden_after_the_timeout_or_on_leaving():
    ctl = ready(timeout=1.0)
    assert not ctl.visible(0.0)
    assert ctl.motion(10, 10, 5.0) == []
    ctl.drawn(ctl.visible(5.0))
    assert ctl.visible(5.5) and not ctl.visible(6.01)
    assert ctl.due(6.01)                     # drawn shown, now hidden: one more frame
    ctl.drawn(False)
    assert not ctl.due(6.02)
    ctl.motion(10, 10, 7.0)                  # no movement: not a motion (X repeats)
    assert not ctl.visible(7.0)
    ctl.motion(11, 10, 7.0)
    ctl.leave(7.1)
    assert not ctl.visible(7.2)


def test_modes_paused_and_keys_never_show_it():
    ctl = ready(show_paused=True)
    assert ctl.key("SPACE") is None and not ctl.visible(1.0)
    ctl.paused = True
    assert ctl.visible(1.0)
    assert ctl.set_mode("cycle", 0) == "always" and ctl.visible(100)
    assert ctl.set_mode("cycle", 0) == "never"
    ctl.paused = False
    assert ctl.motion(5, 5, 1.0) is None and not ctl.visible(1.0)
    assert ctl.press(0, 320, 358, 1.0) is None          # never: clicks go to mpv
    with pytest.raises(ValueError):
        ctl.set_mode("sometimes", 0)


def test_click_seeks_exactly_drag_by_keyframes_release_exactly():
    ctl = ready()
    ctl.motion(160, 350, 0.0)
    assert ctl.press(0, 160, 356, 0.0) == [("seek", "25.0000", "absolute-percent+exact")]
    assert ctl.release(0, 160, 356, 0.1) == []          # a click: sought already
    ctl.press(0, 160, 356, 1.0)
    assert ctl.motion(320, 300, 1.1) == [("seek", "50.0000", "absolute-percent+keyframes")]
    assert ctl.visible(50.0)                            # a drag keeps it
    assert ctl.release(0, 480, 300, 1.2) == [("seek", "75.0000", "absolute-percent+exact")]
    assert not ctl.dragging


def test_buttons_wheel_and_what_is_left_to_mpv():
    ctl = ready()
    lay = ctl.lay
    ctl.motion(1, 1, 0.0)
    play = lay.buttons["play"]
    assert ctl.press(0, play.x + 2, play.y + 2, 0.0) == [("cycle", "pause")]
    vol = lay.buttons["volume"]
    assert ctl.scroll(1, vol.x + 2, vol.y + 2, 0.0) == [("add", "volume", "5")]
    assert ctl.scroll(-1, 10, 358, 0.0) == [("seek", "-5", "relative")]
    assert ctl.press(1, 10, 358, 0.0) is None            # right button: mpv's (pause)
    assert ctl.press(0, 320, 100, 0.0) is None           # the video: mpv's bindings
    assert ctl.scroll(1, 320, 100, 0.0) is None
    assert ctl.press(0, lay.band.x + lay.band.w // 2, lay.band.y + 1, 0.0) == []
    sub = lay.buttons["sub"]
    assert ctl.press(0, sub.x + 2, sub.y + 2, 0.0) == [OURS + ("menu", "sub")]


def test_menus_by_keys_and_pointer():
    items = [MenuItem("Off", ("set", "sid", "no")),
             MenuItem("(1) eng", ("set", "sid", "1"), current=True),
             MenuItem("(2) fra", ("set", "sid", "2"))]
    ctl = ready()
    ctl.open_menu(Menu("sub", "Subtitle tracks", items))
    assert ctl.visible(100.0) and ctl.menu.index == 1
    scene = ctl.scene(Model(duration=20.0), 100.0, measure)
    texts = [s[3] for s in scene if s[0] == "text"]
    assert texts == ["Subtitle tracks", "Off", "(1) eng", "(2) fra"]
    assert ctl.key("DOWN") == [] and ctl.key("x") is None
    assert ctl.key("ENTER") == [("set", "sid", "2")] and ctl.menu is None
    ctl.open_menu(Menu("sub", "Subtitle tracks", items))
    assert ctl.key("ESC") == [] and ctl.menu is None
    ctl.open_menu(Menu("sub", "Subtitle tracks", items))
    ctl.scene(Model(), 0.0, measure)
    i, row = ctl.menu.geometry.rows[0]
    assert ctl.press(0, row.x + 3, row.y + 3, 0.0) == [("set", "sid", "no")]
    ctl.open_menu(Menu("sub", "Subtitle tracks", items))
    ctl.scene(Model(), 0.0, measure)
    assert ctl.press(0, 5, 5, 0.0) == [] and ctl.menu is None     # outside: closes
    ctl.open_menu(Menu("sub", "x", items))
    ctl.open_menu(Menu("sub", "x", items))                          # its button again
    assert ctl.menu is None
    ctl.motion(50, 50, 10.0)
    ctl.open_menu(Menu("sub", "x", items))
    ctl.scene(Model(), 10.0, measure)
    play = ctl.lay.buttons["play"]                                  # another button: runs
    assert ctl.press(0, play.x + 2, play.y + 2, 10.1) == [("cycle", "pause")]
    assert ctl.menu is None and ctl.visible(10.5)


def test_a_long_menu_scrolls_to_its_selection():
    items = [MenuItem(f"item {i}", ("set", "chapter", str(i))) for i in range(60)]
    ctl = ready(h=240)
    ctl.open_menu(Menu("chapter", "Chapters", items))
    ctl.key("END")
    ctl.scene(Model(), 0.0, measure)
    rows = ctl.menu.geometry.rows
    assert rows[-1][0] == 59 and len(rows) < 60
    assert ctl.menu.geometry.box.y >= 0


def test_scene_timeline_parts_and_hover_label():
    ctl = ready(w=400, h=300)
    model = Model(pos=5.0, duration=20.0, chapters=((0, "Opening"), (8, "Ending")),
                  cached=((0.0, 12.0),), paused=True)
    ctl.motion(300, 298, 0.0)                          # over the timeline at 75 %
    scene = ctl.scene(model, 0.5, measure)
    texts = [s[3] for s in scene if s[0] == "text"]
    assert "0:15  Ending" in texts and "0:05 / 0:20" in texts
    boxes = [s[1] for s in scene if s[0] == "box"]
    assert any(b.x == 0 and b.w == 100 for b in boxes)     # played: a quarter
    assert any(b.x == 0 and b.w == 240 for b in boxes)     # cached: 0 to 12 s
    assert any(b.x == 160 - 1 and b.w == 2 for b in boxes) or any(b.x == 159 for b in boxes)
    icons = [s[2] for s in scene if s[0] == "icon"]
    assert "play" in icons                                  # paused: the play icon
    assert not ctl.scene(model, 5.0, measure)               # timed out: nothing


def test_words():
    assert clock(65) == "1:05" and clock(3723) == "1:02:03" and clock(5, hours=True) == "0:00:05"
    assert time_text(Model(pos=5, duration=4000)) == "0:00:05 / 1:06:40"
    assert chapter_at(((0, "A"), (4, "B")), 3.9) == "A" and chapter_at((), 1) == ""
    assert icon_for("volume", Model(mute=True)) == "mute"
    assert icon_for("fullscreen", Model(fullscreen=True)) == "windowed"


def test_profiles_yaml_osc_settings_validated_with_file_and_line(tmp_path):
    from player.base.errors import ProfileError
    from player.config.profiles import load_config
    cfg = tmp_path / "profiles.yaml"
    cfg.write_text("profiles:\n  Off: {}\nosc:\n  visibility: always\n  timeout: 2.5\n"
                   "  size: 1.5\n  show_paused: true\n  thumbnails: false\n")
    osc = load_config(str(cfg)).osc
    assert (osc.visibility, osc.timeout, osc.size, osc.show_paused, osc.thumbnails) == \
        ("always", 2.5, 1.5, True, False)
    assert load_config(str(cfg)).osc is not None
    for text, line, words in (("  visibility: sometimes\n", 4, "osc.visibility"),
                              ("  timeout: -1\n", 4, "osc.timeout"),
                              ("  colour: red\n", 4, "osc.colour: unknown key"),
                              ("  thumbnails: maybe\n", 4, "osc.thumbnails")):
        cfg.write_text("profiles:\n  Off: {}\nosc:\n" + text)
        with pytest.raises(ProfileError) as e:
            load_config(str(cfg))
        assert e.value.line == line and words in str(e.value), str(e.value)


def fake_player(tracks=(), chapters=(), governor=None):
    from types import SimpleNamespace as NS
    from player.config.osc_settings import OscSettings
    props = {"duration": 20.0, "pause": True, "sid": 1, "aid": 1, "chapter": 1,
             "volume": 80.0, "mute": False, "playlist-count": 1}
    video = NS(props=props, paths=["a.mkv"], time_pos=lambda: 5.0, playlist_pos=lambda: 0,
               get=lambda name: {"track-list": list(tracks), "demuxer-cache-state":
                                 {"seekable-ranges": [], "reader-pts": 5.0,
                                  "cache-end": 7.5}}.get(name))
    config = NS(osc=OscSettings(), profile_names=("Full", "Fast", "Off"))
    return NS(config=config, opts=NS(headless=False), video=video, chapters=list(chapters),
              window=NS(fullscreen=False), compare="off", tier="Fast", profile="Full",
              governor=governor, redraw=False, notify=lambda text: None)


def test_the_players_menus_and_model():
    from types import SimpleNamespace as NS
    from player.playback.osc import Osc, cached_ranges
    tracks = [{"type": "sub", "id": 1, "lang": "eng", "codec": "subrip", "selected": True},
              {"type": "sub", "id": 2, "lang": "jpn", "title": "Signs", "codec": "ass"},
              {"type": "audio", "id": 1, "lang": "jpn", "selected": True}]
    osc = Osc(fake_player(tracks, [{"time": 0.0, "title": "Opening"}, {"time": 4.0}],
                          NS(enabled=True)))
    title, items = osc._tracks("sub")
    assert title == "Subtitle tracks"
    assert [i.label for i in items] == ["Off", "(1) eng  [subrip]", "(2) jpn 'Signs'  [ass]"]
    assert [i.current for i in items] == [False, True, False]
    assert items[2].command == ("set", "sid", "2") and items[0].command == ("set", "sid", "no")
    title, items = osc._profile_menu("profile")
    assert title == "Profiles - auto on: playing Fast, ceiling Full"
    assert [i.label for i in items] == ["Full  (chosen, the ceiling)",
                                       "Fast  (playing: the governor's step down)", "Off"]
    assert items[1].current and items[0].command == OURS + ("profile", "Full")
    title, items = osc._chapter_menu("chapter")
    assert [i.label for i in items] == ["0:00  Opening", "0:04  Chapter 2"] and items[1].current
    model = osc.model(100.0)
    assert (model.pos, model.duration, model.paused, model.cached) == (5.0, 20.0, True,
                                                                       ((5.0, 7.5),))
    assert cached_ranges({"seekable-ranges": [{"start": 0, "end": 30}]}) == ((0.0, 30.0),)
    assert cached_ranges(None) == ()
    headless = fake_player()
    headless.opts.headless = True
    assert Osc(headless).ctl.mode == "never"


def test_a_live_reload_configures_the_controller_again():
    from player.config.osc_settings import OscSettings
    from player.playback.osc import Osc
    osc = Osc(fake_player())
    osc.configure(OscSettings(visibility="always", timeout=3.0, size=2.0, show_paused=True))
    ctl = osc.ctl
    assert (ctl.mode, ctl.timeout, ctl.size, ctl.show_paused) == ("always", 3.0, 2.0, True)
    assert ctl.resize(640, 360, 1.0, measure).scale == 2.0

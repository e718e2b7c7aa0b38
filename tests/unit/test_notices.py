"""What mpv would say on its OSD, said by us; and window input routed as mpv names it."""
from __future__ import annotations

import glfw

from player.gl.window import Event
from player.playback.input import Input
from player.playback.notices import Notices, clock, playlist_label, progress_bar, progress_text

TRACKS = [{"type": "sub", "id": 1, "lang": "eng"},
          {"type": "sub", "id": 2, "lang": "fra", "title": "Signs"},
          {"type": "audio", "id": 2, "lang": "eng", "title": "Commentary"}]
CHAPTERS = [{"time": 0.0, "title": "Opening"}, {"time": 90.0, "title": "Part A"}]


def test_the_starting_state_is_not_announced_changes_are():
    n = Notices()
    assert n.change("speed", 1.0) is None and n.change("sid", 1, TRACKS) is None
    assert n.change("speed", 1.1) == "Speed: 1.10"
    assert n.change("sid", 2, TRACKS) == "Subtitles: (2) fra 'Signs'"
    assert n.change("sid", False, TRACKS) == "Subtitles: no"
    assert n.change("aid", 1) is None
    assert n.change("aid", 2, TRACKS) == "Audio: (2) eng 'Commentary'"
    assert n.change("volume", 50) is None and n.change("volume", 52.0) == "Volume: 52%"
    assert n.change("mute", False) is None and n.change("mute", True) == "Mute: yes"
    assert n.change("sub-delay", 0.0) is None and n.change("sub-delay", -0.1) == "Sub delay: -100 ms"
    assert n.change("pause", False) is None and n.change("pause", True) == "Paused"
    assert n.change("time-pos", 3.0) is None and n.change("time-pos", 4.0) is None


def test_a_chapter_is_announced_when_its_seek_lands_not_when_crossed():
    n = Notices()
    n.change("chapter", 0, chapters=CHAPTERS)
    assert n.seeked() is None                      # the start: nothing
    assert n.change("chapter", 1, chapters=CHAPTERS) is None
    assert n.seeked() == "Chapter: (2) Part A"
    assert n.seeked() is None                      # said once


def test_progress_line():
    assert clock(65) == "01:05" and clock(3725) == "1:02:05" and clock(None) == "--:--"
    assert progress_bar(50, 100, (), cells=10) == "[#####-----]"
    assert progress_bar(0, 100, (30,), cells=10) == "[---|------]"
    assert progress_bar(5, None) == ""
    assert playlist_label("/a/ep2.mkv", 1, 2) == "[2/2] ep2.mkv"
    assert playlist_label("http://127.0.0.1:8000/s1/ep3.mkv?token=x", 2, 3) == "[3/3] ep3.mkv"
    assert playlist_label("/a/ep2.mkv", -1, 2) == ""       # libmpv is between entries
    line = progress_text(95, 180, True, 1, CHAPTERS, "[2/2] ep2.mkv")
    assert line.startswith("Paused  01:35 / 03:00  [") and "Chapter: (2) Part A" in line
    assert line.endswith("[2/2] ep2.mkv")


def test_keys_buttons_and_wheel_reach_mpv_by_mpvs_names():
    pressed = []
    inp = Input(pressed.append)
    inp.on_event(Event("key", key=glfw.KEY_3, mods=glfw.MOD_SHIFT))
    inp.on_event(Event("key", key=glfw.KEY_PAGE_UP))
    inp.on_event(Event("button", key=glfw.MOUSE_BUTTON_RIGHT, pressed=True, x=5, y=5))
    inp.on_event(Event("button", key=glfw.MOUSE_BUTTON_RIGHT, pressed=False, x=5, y=5))
    inp.on_event(Event("scroll", x=0, y=-1))
    assert pressed == ["SHARP", "PGUP", "MBTN_RIGHT", "WHEEL_DOWN"]


def test_a_double_click_is_mpvs_double_click():
    pressed = []
    inp = Input(pressed.append)
    for _ in range(2):
        inp.on_event(Event("button", key=glfw.MOUSE_BUTTON_LEFT, pressed=True, x=10, y=10))
        inp.on_event(Event("button", key=glfw.MOUSE_BUTTON_LEFT, pressed=False, x=10, y=10))
    assert pressed == ["MBTN_LEFT", "MBTN_LEFT", "MBTN_LEFT_DBL"]
    inp.on_event(Event("button", key=glfw.MOUSE_BUTTON_LEFT, pressed=True, x=200, y=10))
    assert pressed[-1] == "MBTN_LEFT"              # a third click far away is a new click


def test_in_split_compare_the_left_button_drags_the_divider():
    pressed, moved = [], []
    inp = Input(pressed.append, lambda x: moved.append(x) or True)
    inp.on_event(Event("button", key=glfw.MOUSE_BUTTON_LEFT, pressed=True, x=40, y=10))
    inp.on_event(Event("drag", x=60, y=10))
    inp.on_event(Event("button", key=glfw.MOUSE_BUTTON_LEFT, pressed=False, x=60, y=10))
    inp.on_event(Event("drag", x=80, y=10))        # released: no more moves
    assert moved == [40, 60] and pressed == []

"""The on-screen controller in a real, visible a4kplay window under Xvfb, driven by real
pointer events (xdotool moves and clicks the X pointer; GLFW reports it as to any user):
it appears on motion and hides after the timeout, a click on the timeline seeks, the hover
label, the subtitle, audio and profile menus (by pointer and by keys), and what the
screenshots contain. A headless player never shows it."""
from __future__ import annotations

import json
import shutil
import subprocess
import time

import numpy as np
import pytest

from player.gl.window import Event
from tests.media.season import episode

pytestmark = [pytest.mark.media,
              pytest.mark.skipif(not shutil.which("xdotool"), reason="needs xdotool")]
W, H = 320, 240
SECONDS = 20


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return episode(tmp_path_factory.mktemp("osc"), "ep.mkv", seconds=SECONDS, w=160, h=120)


def config(tmp_path):
    cfg = tmp_path / "profiles.yaml"
    cfg.write_text("profiles:\n  Off: {}\n  Bilinear: {scaler: bilinear}\ndefault: Off\n"
                   f"screenshot_dir: {tmp_path / 'shots'}\nosc:\n  timeout: 1.0\n")
    return cfg


def start(clip, tmp_path, headless=False, **kw):
    from player.config.profiles import load_config
    from player.playback.loop import Player, PlayOptions
    opts = PlayOptions(paths=[str(clip)], size=(W, H), headless=headless, audio=True,
                       mpv_options={"pause": "yes", "ao": "null"}, auto=False, **kw)
    player = Player(opts, load_config(str(config(tmp_path))))
    pump(player, lambda: player.presented > 0 and player.video.props.get("duration"))
    return player


def pump(player, cond=None, seconds=10.0):
    """Turn the loop until ``cond()`` (or for ``seconds`` when there is none)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        player.step()
        if cond is not None and cond():
            return
    if cond is not None:
        raise AssertionError("condition not reached")


class Pointer:
    """The X pointer, moved and clicked by xdotool in the player's window."""

    def __init__(self, player):
        import glfw
        self.player = player
        self.wid = str(glfw.get_x11_window(player.window.handle))

    def xdo(self, *args) -> None:
        subprocess.run(["xdotool", *map(str, args)], check=True, timeout=20,
                       capture_output=True)

    def move(self, x, y, settle=0.3):
        self.xdo("mousemove", "--window", self.wid, round(x), round(y))
        pump(self.player, seconds=settle)

    def away(self):
        self.xdo("mousemove", 1900, 1060)              # outside the window: it leaves
        pump(self.player, seconds=0.3)

    def click(self, x, y, settle=0.5):
        self.move(x, y, 0.1)
        self.xdo("click", "1")
        pump(self.player, seconds=settle)

    def centre(self, box, settle=0.5):
        self.click(box.x + box.w / 2, box.y + box.h / 2, settle)


def band(img, player):
    y = player.osc.ctl.lay.band.y if player.osc.ctl.lay else H - 60
    return img[y:, :, :3]


def shots(player):
    """(Ctrl+s: the window as shown, s: picture and subtitles) as arrays."""
    return player.capture(overlay=True), player.capture(overlay=False)


@pytest.fixture(scope="module")
def session(clip, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("osc-run")
    player = start(clip, tmp, stats=str(tmp / "stats.json"))
    pointer = Pointer(player)
    pointer.away()
    pump(player, seconds=1.2)
    yield player, pointer, tmp
    player.close()


@pytest.fixture
def live(session):
    """The session's player with its own context current (conftest makes the shared
    offscreen context current before every test)."""
    session[0].window.make_current()
    return session


def test_appears_on_motion_hides_after_stillness_and_is_never_in_s_shots(live):
    player, pointer, _ = live
    window, s_hidden = shots(player)
    assert not player.osc.ctl.visible(time.monotonic())
    np.testing.assert_array_equal(band(window, player), band(s_hidden, player))

    pointer.move(W / 2, H - 30)                          # bottom centre
    assert player.osc.ctl.visible(time.monotonic())
    window, s_shown = shots(player)
    assert np.abs(band(window, player) - band(s_shown, player)).max() > 0.2   # drawn
    np.testing.assert_array_equal(s_shown, s_hidden)     # `s` never contains it

    pump(player, seconds=2.0)                            # two seconds without motion
    assert not player.osc.ctl.visible(time.monotonic())
    window, s_after = shots(player)
    np.testing.assert_array_equal(band(window, player), band(s_after, player))

    pointer.move(W / 2, H - 30)
    pointer.away()                                       # leaving the window hides it
    assert not player.osc.ctl.visible(time.monotonic())


def test_a_click_at_a_quarter_of_the_timeline_seeks_to_a_quarter(live):
    player, pointer, _ = live
    pointer.click(0.25 * W, H - 4)
    pump(player, lambda: abs(player.video.time_pos() - 0.25 * SECONDS) < 0.5)
    assert player.video.props.get("pause") is True       # the click did not reach mpv


def test_hover_shows_the_time_and_chapter_under_the_pointer(live):
    player, pointer, _ = live
    lay = player.osc.ctl.lay
    pointer.move(lay.buttons["chapter"].x + 3, lay.buttons["chapter"].y + 3)
    plain = player.capture(overlay=True)
    pointer.move(0.75 * W, H - 4)
    now = time.monotonic()
    scene = player.osc.ctl.scene(player.osc.model(now), now, player.osc.drawer.measure)
    assert "0:15  Ending" in [s[3] for s in scene if s[0] == "text"]
    label = next(s[1] for s in scene if s[0] == "box" and s[2][3] == 0.80)
    hover = player.capture(overlay=True)
    region = (slice(label.y, label.y + label.h), slice(label.x, label.x + label.w))
    assert np.abs(hover[region] - plain[region]).max() > 0.3


def test_hover_shows_a_keyframe_thumbnail(live):
    player, pointer, _ = live
    pointer.move(0.6 * W, H - 4)
    pointer.move(0.6 * W + 1, H - 4)
    pump(player, lambda: player.osc.thumbs is not None and player.osc.thumbs.get(
        0.6 * SECONDS) is not None)
    # the overlay's seek bar and notices (drawn over the controller) gone first
    pump(player, lambda: not player.onscreen.progress_until and not player.onscreen.messages)
    pointer.move(0.6 * W, H - 4, 0.1)
    now = time.monotonic()
    model = player.osc.model(now)
    _, picture = player.osc._thumbnail(model, now, 1.0, H)
    scene = player.osc.ctl.scene(model, now, player.osc.drawer.measure)
    box = next(s[1] for s in scene if s[0] == "thumb")
    assert (box.w, box.h) == player.osc.thumbs.size == picture.shape[1::-1]
    shown = player.capture(overlay=True)[box.y:box.y + box.h, box.x:box.x + box.w]
    np.testing.assert_allclose(shown, picture[:, :, :3] / 255.0, atol=1.5 / 255)
    video = player.capture(overlay=False)
    r = player._last[2]
    frame_mean = video[r.y:r.y + r.h, r.x:r.x + r.w].mean((0, 1))
    assert np.abs(shown.mean((0, 1)) - frame_mean).max() < 0.15    # the same kind of picture


def menu_row(player, command):
    pump(player, lambda: player.osc.ctl.menu is not None
         and player.osc.ctl.menu.geometry is not None)
    menu = player.osc.ctl.menu
    for i, box in menu.geometry.rows:
        if menu.items[i].command == command:
            return box
    raise AssertionError(f"no row runs {command}: {[it.command for it in menu.items]}")


def test_the_subtitle_menu_switches_sid_and_the_audio_menu_takes_keys(live):
    import glfw
    player, pointer, _ = live
    assert player.video.props.get("sid") == 1
    pointer.move(W / 2, H - 30)
    pointer.centre(player.osc.ctl.lay.buttons["sub"])
    assert player.osc.ctl.menu.kind == "sub"
    assert [it.label for it in player.osc.ctl.menu.items] == \
        ["Off", "(1) eng  [subrip]", "(2) fra  [subrip]"]
    pointer.centre(menu_row(player, ("set", "sid", "2")))
    pump(player, lambda: player.video.props.get("sid") == 2)
    assert player.osc.ctl.menu is None

    # the menu action over mpv's IPC path, then arrows and Enter in the window
    player.video.command("script-message", "a4kplay", "menu", "audio")
    pump(player, lambda: player.osc.ctl.menu is not None)
    menu = player.osc.ctl.menu
    assert menu.kind == "audio" and menu.items[menu.index].current
    before = player.video.props.get("aid")
    player._on_event(Event("key", key=glfw.KEY_DOWN))
    player._on_event(Event("key", key=glfw.KEY_ENTER))
    pump(player, lambda: player.video.props.get("aid") not in (before, None))
    assert player.video.props.get("pause") is True       # Enter did not reach mpv
    player._on_event(Event("key", key=glfw.KEY_ESCAPE))  # no menu: ESC is mpv's again


def test_wheel_compare_and_visibility_by_ipc(live):
    player, pointer, _ = live
    pointer.move(W / 2, H - 30)
    lay = player.osc.ctl.lay
    vol = lay.buttons["volume"]
    v0 = float(player.video.props.get("volume"))
    pointer.move(vol.x + vol.w / 2, vol.y + vol.h / 2, 0.05)
    pointer.xdo("click", "4")                             # wheel up over the volume
    pump(player, lambda: float(player.video.props.get("volume")) == v0 + 5)
    t0 = player.video.time_pos()
    pointer.move(W / 2, H - 4, 0.05)
    pointer.xdo("click", "5")                             # wheel down over the timeline
    pump(player, lambda: abs(player.video.time_pos() - (t0 - 5)) < 0.6)
    pointer.centre(lay.buttons["compare"])
    pump(player, lambda: player.compare == "split")
    window, s = shots(player)                             # once, over both sides
    assert np.abs(band(window, player) - band(s, player)).max() > 0.2
    pointer.centre(lay.buttons["compare"])
    pump(player, lambda: player.compare == "off")
    player.video.command("script-message", "a4kplay", "osc-visibility", "never")
    pump(player, lambda: player.osc.ctl.mode == "never")
    pointer.move(W / 3, H - 30)
    assert not player.osc.ctl.visible(time.monotonic())
    player.video.command("script-message", "a4kplay", "osc-visibility", "auto")
    pump(player, lambda: player.osc.ctl.mode == "auto")


def test_the_profile_menu_switches_the_tier_and_stats_time_the_controller(live):
    player, pointer, tmp = live
    pointer.move(W / 2, H - 30)
    pointer.centre(player.osc.ctl.lay.buttons["profile"])
    menu = player.osc.ctl.menu
    assert menu.kind == "profile" and menu.title.startswith("Profiles - auto")
    assert [it.label for it in menu.items] == ["Off", "Bilinear"]
    pointer.centre(menu_row(player, ("script-message", "a4kplay", "profile", "Bilinear")))
    pump(player, lambda: player.tier == "Bilinear")
    lay = player.osc.ctl.lay
    pointer.centre(lay.buttons["play"])                 # play, with the pointer on it
    pump(player, lambda: player.video.props.get("pause") is False)
    t0 = player.video.time_pos()
    pump(player, lambda: player.video.time_pos() > t0 + 0.5)
    pointer.move(lay.buttons["play"].x + 4, lay.buttons["play"].y + 4, 0.05)
    pointer.centre(lay.buttons["play"], 0.2)
    pump(player, lambda: player.video.props.get("pause") is True)
    player.write_stats(str(tmp / "stats.json"))
    stats = json.loads((tmp / "stats.json").read_text())
    assert "Bilinear" in {f["tier"] for f in stats["frames"]}
    assert stats["passes"]["controller"]["frames"] > 0
    assert player.timings.passes["controller"].avg >= 0.0   # the overlay's pass table


def test_a_headless_player_never_shows_it(clip, tmp_path):
    player = start(clip, tmp_path, headless=True)
    try:
        for x in (10, W / 2, W - 10):
            player._on_event(Event("motion", x=x, y=H - 4))
        player._on_event(Event("button", key=0, x=W / 4, y=H - 4, pressed=True))
        pump(player, seconds=0.5)
        assert player.video.time_pos() < 1.0
        window, s = shots(player)
        np.testing.assert_array_equal(window[-60:], s[-60:])
        assert player.osc.drawer is None
    finally:
        player.close()


def test_in_fullscreen_the_pointer_hides_with_the_controller(live):
    import glfw
    player, pointer, _ = live

    def cursor_hidden():
        return glfw.get_input_mode(player.window.handle, glfw.CURSOR) == glfw.CURSOR_HIDDEN
    pointer.move(W / 2, H - 30)
    pointer.centre(player.osc.ctl.lay.buttons["fullscreen"])
    pump(player, lambda: player.window.fullscreen and player.video.props.get("fullscreen"))
    pump(player, seconds=1.5)                            # still: both hide
    assert not player.osc.ctl.visible(time.monotonic()) and cursor_hidden()
    fw, fh = player.window.framebuffer_size()
    pointer.move(fw / 2, fh - 30)                         # motion: both come back
    assert player.osc.ctl.visible(time.monotonic()) and not cursor_hidden()
    pointer.centre(player.osc.ctl.lay.buttons["fullscreen"])
    pump(player, lambda: not player.window.fullscreen)
    assert not cursor_hidden()

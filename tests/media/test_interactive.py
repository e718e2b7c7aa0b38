"""Profiles, keys, A/B compare, screenshots and live reload in a real headless player."""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from player.media import mediagen
from player.gl.window import Event
from tests.media.test_player import seek, wait_frame

pytestmark = pytest.mark.media

SOLID = """//!HOOK SCALED
//!BIND HOOKED
//!DESC solid
vec4 hook() {{ return vec4({r}, {g}, {b}, 1.0); }}
"""


def write_config(tmp: Path, shader: Path, extra: str = "") -> Path:
    cfg = tmp / "profiles.yaml"
    cfg.write_text(f"""profiles:
  Solid:
    shaders: [{shader.name}]
    key: "4"
  Off: {{}}
default: Solid
ladder: [Solid, Off]
screenshot_dir: shots
{extra}""")
    return cfg


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return mediagen.make_clip(tmp_path_factory.mktemp("iclip") / "c.mkv", w=160, h=90,
                              frames=24)


def start(gl, clip, cfg, **kw):
    from player.playback.loop import Player, PlayOptions
    from player.config.profiles import load_config
    opts = PlayOptions(paths=[str(clip.path)], size=(320, 180), headless=True, audio=False,
                       mpv_options={"pause": "yes", "ao": "null"}, auto=False, **kw)
    player = Player(opts, load_config(str(cfg)))
    wait_frame(player)
    return player


def colour(player):
    img = player.capture(overlay=False)
    r = player._last[2]
    return img[r.y:r.y + r.h, r.x:r.x + r.w].reshape(-1, 3).mean(axis=0)


def steps_until(player, cond, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        player.step()
        if cond():
            return
    raise AssertionError("condition not reached")


def test_live_reload_of_shader_and_profiles(gl, clip, tmp_path):
    shader = tmp_path / "solid.glsl"
    shader.write_text(SOLID.format(r=1, g=0, b=0))
    cfg = write_config(tmp_path, shader)
    player = start(gl, clip, cfg)
    try:
        np.testing.assert_allclose(colour(player), [1, 0, 0], atol=0.01)

        shader.write_text(SOLID.format(r=0, g=1, b=0))            # edit: the next frames change
        steps_until(player, lambda: colour(player)[1] > 0.99)

        shader.write_text("//!HOOK SCALED\n//!BIND HOOKED\nvec4 hook() { return oops; }\n")
        steps_until(player, lambda: player.reload_error is not None)
        assert "solid.glsl:3" in player.reload_error               # file:line of the error
        np.testing.assert_allclose(colour(player), [0, 1, 0], atol=0.01)  # last good chain
        seek(player, clip.pts[5])                                   # playback goes on
        np.testing.assert_allclose(colour(player), [0, 1, 0], atol=0.01)

        # rapid successive saves, the first ones half-written: one good chain at the end
        for text in ("//!HOOK SCA", "//!HOOK SCALED\n//!BIND HOO", SOLID.format(r=0, g=0, b=1)):
            shader.write_text(text)
            time.sleep(0.02)
        steps_until(player, lambda: player.reload_error is None and colour(player)[2] > 0.99)

        cfg.write_text(cfg.read_text().replace("default: Solid", "default: [broken"))
        steps_until(player, lambda: player.reload_error is not None)
        assert "profiles.yaml" in player.reload_error
        np.testing.assert_allclose(colour(player), [0, 0, 1], atol=0.01)

        cfg.write_text(cfg.read_text().replace("default: [broken", "default: Solid"))
        steps_until(player, lambda: player.reload_error is None)
    finally:
        player.close()


def key(player, glfw_key, mods=0, until=None):
    """A key press in the window: it goes through libmpv's input system and comes back as
    our action (or an mpv command), a few loop turns later."""
    applied = player.applied
    player._on_event(Event("key", key=glfw_key, mods=mods))
    steps_until(player, until or (lambda: player.applied > applied))


def test_keys_select_profiles_and_compare_split_by_pixels(gl, clip, tmp_path):
    import glfw
    shader = tmp_path / "solid.glsl"
    shader.write_text(SOLID.format(r=1, g=0, b=1))
    cfg = write_config(tmp_path, shader)
    player = start(gl, clip, cfg)
    try:
        key(player, glfw.KEY_0, glfw.MOD_CONTROL)   # Ctrl+0: Off, as in Anime4K's keys
        assert player.profile == "Off"
        key(player, glfw.KEY_4)                # the YAML binds 4 to Solid
        assert player.profile == "Solid"
        key(player, glfw.KEY_TAB)
        assert player.profile == "Off"
        key(player, glfw.KEY_TAB)

        key(player, glfw.KEY_C)
        assert player.compare == "split"
        player.step()
        player._frame(None)
        fw, fh, rect = player._last[:3]
        shot = player.capture(overlay=False)
        video = shot[rect.y:rect.y + rect.h, rect.x:rect.x + rect.w]
        base = player.chains.baseline("bicubic").run(player.src, rect.w, rect.h).read(4)
        base = np.clip(base[:, :, :3], 0, 1)
        cut = int(rect.w * player.split)
        np.testing.assert_allclose(video[:, :cut - 1], base[:, :cut - 1], atol=2 / 255)
        np.testing.assert_allclose(video[:, cut + 1:].reshape(-1, 3).mean(0), [1, 0, 1],
                                   atol=0.01)

        key(player, glfw.KEY_RIGHT_BRACKET, glfw.MOD_ALT)  # Alt+] moves the divider right
        assert player.split > 0.5
        key(player, glfw.KEY_C)
        assert player.compare == "flip"
        player._frame(None)
        np.testing.assert_allclose(colour(player), [1, 0, 1], atol=0.01)
        key(player, glfw.KEY_C, glfw.MOD_SHIFT)  # C flips: the baseline, whole frame
        player._frame(None)
        assert colour(player)[1] > 0.05
        key(player, glfw.KEY_C)
        assert player.compare == "off"
    finally:
        player.close()


def test_screenshots_are_numbered_and_never_overwrite(gl, clip, tmp_path):
    import glfw
    shader = tmp_path / "solid.glsl"
    shader.write_text(SOLID.format(r=0, g=0, b=1))
    cfg = write_config(tmp_path, shader)
    shots = tmp_path / "shots"
    shots.mkdir()
    (shots / "a4kplay-0001.png").write_bytes(b"keep me")
    player = start(gl, clip, cfg)
    try:
        key(player, glfw.KEY_S)
        key(player, glfw.KEY_S)
        key(player, glfw.KEY_S, glfw.MOD_CONTROL | glfw.MOD_SHIFT)   # Ctrl+S: both sides
    finally:
        player.close()
    assert (shots / "a4kplay-0001.png").read_bytes() == b"keep me"
    names = sorted(p.name for p in shots.iterdir())
    assert names == ["a4kplay-0001.png", "a4kplay-0002.png", "a4kplay-0003.png",
                     "a4kplay-0004-baseline.png", "a4kplay-0005-Solid.png"]
    from PIL import Image
    with Image.open(shots / "a4kplay-0002.png") as im:
        assert im.size == (320, 180)
    with Image.open(shots / "a4kplay-0005-Solid.png") as im:
        assert np.asarray(im)[90, 160].tolist() == [0, 0, 255]


def test_overlay_keys_compare_flag_fullscreen_and_editor(gl, clip, tmp_path, monkeypatch):
    import glfw
    shader = tmp_path / "solid.glsl"
    shader.write_text(SOLID.format(r=0, g=1, b=0))
    cfg = write_config(tmp_path, shader)
    marker = tmp_path / "edited.txt"
    editor = tmp_path / "editor.sh"
    editor.write_text(f"#!/bin/sh\necho \"$1\" > {marker}\n")
    editor.chmod(0o755)
    monkeypatch.setenv("VISUAL", str(editor))
    player = start(gl, clip, cfg, compare=True)
    try:
        assert player.compare == "split"                     # --compare starts split
        player._frame(None)
        assert {"label0", "label1"} <= set(player.overlay.boxes)   # both sides labelled
        assert "panel" not in player.overlay.boxes
        key(player, glfw.KEY_I, glfw.MOD_SHIFT)             # I: overlay on
        player._frame(None)
        assert {"panel", "graph"} <= set(player.overlay.boxes)
        key(player, glfw.KEY_I, glfw.MOD_SHIFT)             # I again: off
        player._frame(None)
        assert "panel" not in player.overlay.boxes
        key(player, glfw.KEY_I)                             # i: shown for a while
        player._frame(None)
        assert "panel" in player.overlay.boxes

        key(player, glfw.KEY_F, until=lambda: player.video.props.get("fullscreen"))
        steps_until(player, lambda: player._last is not None)     # mpv's f, then back
        key(player, glfw.KEY_F, until=lambda: not player.video.props.get("fullscreen"))
        seek(player, clip.pts[3])                           # still playing
        assert player._last[2].w > 0

        key(player, glfw.KEY_E, glfw.MOD_CONTROL)           # Ctrl+e: $VISUAL on profiles.yaml
        deadline = time.monotonic() + 10
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.read_text().strip() == str(cfg)
    finally:
        player.close()


def test_edit_key_copies_the_shipped_profiles_first(gl, clip, tmp_path, monkeypatch):
    """e never edits the shipped default: it copies it to the user's config folder, opens
    the copy, and the copy is what plays and reloads from then on."""
    import glfw
    from player.playback.loop import Player, PlayOptions
    from player.config.profiles import SHIPPED_CONFIG, load_config
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    marker = tmp_path / "edited.txt"
    editor = tmp_path / "editor.sh"
    editor.write_text(f"#!/bin/sh\necho \"$1\" > {marker}\n")
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))
    monkeypatch.delenv("VISUAL", raising=False)
    shipped = SHIPPED_CONFIG.read_bytes()
    opts = PlayOptions(paths=[str(clip.path)], size=(320, 180), headless=True, audio=False,
                       mpv_options={"pause": "yes", "ao": "null"}, auto=False, profile="Off")
    player = Player(opts, load_config())
    try:
        wait_frame(player)
        key(player, glfw.KEY_E, glfw.MOD_CONTROL)
        user = tmp_path / "xdg" / "a4kplay" / "profiles.yaml"
        assert user.read_bytes() == shipped
        assert player.config.path == str(user)
        assert str(user) in player.watcher.paths
        deadline = time.monotonic() + 10
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.read_text().strip() == str(user)
    finally:
        player.close()
    assert SHIPPED_CONFIG.read_bytes() == shipped


def test_a_failing_action_is_reported_not_fatal(gl, clip, tmp_path):
    """A screenshot into a folder that cannot be made: a message, and playback goes on."""
    import glfw
    shader = tmp_path / "solid.glsl"
    shader.write_text(SOLID.format(r=1, g=1, b=0))
    blocker = tmp_path / "shots"
    blocker.write_text("a file where the screenshot folder should be")
    cfg = write_config(tmp_path, shader)
    player = start(gl, clip, cfg)
    try:
        key(player, glfw.KEY_S)
        assert any("screenshot" in m for _, m in player.onscreen.messages)
        seek(player, clip.pts[4])
        np.testing.assert_allclose(colour(player), [1, 1, 0], atol=0.01)
    finally:
        player.close()

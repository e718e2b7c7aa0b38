"""Where resume positions go unless --mpv watch-later-directory says otherwise."""
from __future__ import annotations

from player.playback.mpv_options import watch_later_dir


def test_watch_later_folder_follows_xdg_state_home(monkeypatch, tmp_path):
    assert watch_later_dir({"XDG_STATE_HOME": "/s"}) == "/s/a4kplay/watch_later"
    monkeypatch.setenv("HOME", str(tmp_path))
    assert watch_later_dir({}) == str(tmp_path / ".local" / "state" / "a4kplay" / "watch_later")

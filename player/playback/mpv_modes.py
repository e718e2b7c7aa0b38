"""libmpv's ``glsl-shaders``, whoever sets it, played as a profile of ours at output size.

An Anime4K user's input.conf binds keys to ``change-list glsl-shaders set "~~/shaders/..."``;
IPC clients and mpv.conf set the list too. libmpv would run those shaders on the native-size
frame, under our chain. This object owns turning each such list into a profile (its name is
the binding's ``show-text`` when input.conf has one, config/mpv_conf.py reads them) that
the loop plays like any other (governor, overlay, compare, live reload, the plane split),
and remembering which profile to return to when the list is cleared. The loop then hands
libmpv back its own plane passes only, so every shader runs exactly once.

Only the resulting list is seen, so ``set`` and ``clr`` act exactly; ``append`` and
``toggle`` act on what libmpv holds, which is our plane passes (usually nothing): an
append adds to nothing, a second toggle of the same file turns it on again.
"""
from __future__ import annotations

import os
from pathlib import Path

from player.config.mpv_conf import MODE_NAME, MpvSetup
from player.config.mpv_import import mpv_config_dir, resolve_path
from player.config.profiles import Profile

class MpvShaderModes:
    def __init__(self, setup: MpvSetup | None = None):
        self.setup = setup
        self.names: set[str] = set()      # profiles this object made
        self.before: str | None = None    # the profile that played before the first mode

    def profile_for(self, items: list[str], plane_file: str | None,
                    scaler: str) -> Profile | None:
        """The profile that plays ``items`` (libmpv's new list), or None when the list
        holds nothing of the user's (cleared)."""
        items = [i for i in items if i and i != plane_file]
        if not items:
            return None
        folder = Path(self.setup.folder) if self.setup and self.setup.folder \
            else mpv_config_dir()
        home = Path(os.path.expanduser("~"))
        paths = tuple(os.path.abspath(resolve_path(i, folder, home)[0]) for i in items)
        name = (self.setup.modes.get(paths) if self.setup else None) or MODE_NAME
        if self.setup and self.setup.scaler:
            scaler = self.setup.scaler
        self.names.add(name)
        return Profile(name=name, shaders=paths, scaler=scaler)

    def entering(self, current: str) -> None:
        """A mode starts while ``current`` plays: the profile `clr` returns to."""
        if current not in self.names:
            self.before = current

    def leaving(self, current: str) -> str | None:
        """The list was cleared: the profile to return to (None: a mode was not playing)."""
        return self.before if current in self.names else None

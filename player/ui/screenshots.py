"""Screenshot files: numbered names in the screenshot folder, never overwriting one.

The picture itself is composed by the presenter (offscreen, at output resolution); this
module owns only where it goes. A name is claimed with O_EXCL before anything is written,
so two players sharing a folder cannot overwrite each other's pictures; a write that fails
gives the name back (no empty file is left in the user's folder).
"""
from __future__ import annotations

import os
from pathlib import Path


class ShotNames:
    def __init__(self, folder: str):
        self.folder = folder
        self._index = 0

    def next(self, suffix: str = "") -> Path:
        d = Path(self.folder).expanduser()
        d.mkdir(parents=True, exist_ok=True)
        while True:
            self._index += 1
            p = d / f"a4kplay-{self._index:04d}{suffix}.png"
            try:
                fd = os.open(p, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)  # never overwrite
            except FileExistsError:
                continue
            os.close(fd)
            return p

    def save(self, image, suffix: str = "") -> Path:
        """Write ``image`` (H x W x 3) as the next numbered PNG; the claimed name is removed
        again when the write fails."""
        from player.render.offscreen import write_png
        p = self.next(suffix)
        try:
            write_png(p, image)
        except BaseException:
            p.unlink(missing_ok=True)
            raise
        return p

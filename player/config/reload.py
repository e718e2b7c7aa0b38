"""Noticing that profiles.yaml or a shader of the live chain was edited on disk.

Pure (no GL, no threads): the play loop calls ``Watcher.poll(now)`` once per frame and
rebuilds the chain when it returns True. Editors save in ways that a naive watcher turns
into several rebuilds or into reading a half-written file: many small writes, a truncate
then a write, or writing a temporary file and renaming it over the original (the file is
briefly missing). So a change is only reported once every watched file has kept the same
signature for ``settle`` seconds, and then exactly once per burst of saves.

A file's signature is (mtime_ns, size, inode) from ``os.stat``, or None when it is missing;
a missing file is a change like any other. Stat calls are rate-limited to one round every
``interval`` seconds, so polling every frame costs a float comparison most of the time.
"""
from __future__ import annotations

import os
from typing import Iterable

Signature = tuple[int, int, int] | None


def signature(path: str) -> Signature:
    """(mtime_ns, size, inode) of ``path``, or None when it cannot be stat'ed."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size, st.st_ino


class Watcher:
    """Reports, once, that a set of files changed and has since been left alone.

    ``poll(now)`` returns True when the files differ from the state last reported (or from
    the state at construction / ``set_paths``) and no file has changed for ``settle``
    seconds. ``changed`` then names the files that differ. ``now`` is any monotonic clock
    in seconds (``time.monotonic()`` in the player; an injected value in tests).
    """

    def __init__(self, paths: Iterable[str | os.PathLike], settle: float = 0.25,
                 interval: float = 0.2):
        self.settle = float(settle)
        self.interval = float(interval)
        self.changed: tuple[str, ...] = ()
        self.set_paths(paths)

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(self._base)

    def set_paths(self, paths: Iterable[str | os.PathLike]) -> None:
        """Watch exactly ``paths`` from now on; their current state becomes the baseline.

        Call it right after a reload has read the files, so the reload's own reads are the
        reference and an edit that lands later is still noticed.
        """
        unique = dict.fromkeys(os.fspath(p) for p in paths)
        self._base: dict[str, Signature] = {p: signature(p) for p in unique}
        self._seen = dict(self._base)   # the state at the latest stat round
        self._seen_since: float | None = None  # when _seen last changed; None = matches base
        self._next_stat = float("-inf")

    def poll(self, now: float) -> bool:
        if now < self._next_stat:
            return False
        self._next_stat = now + self.interval
        current = {p: signature(p) for p in self._base}
        if current != self._seen:
            self._seen = current
            self._seen_since = now
        if self._seen_since is None:
            return False
        if current == self._base:
            # Edited and put back (e.g. an undo before the settle time): nothing to rebuild.
            self._seen_since = None
            return False
        if now - self._seen_since < self.settle:
            return False
        self.changed = tuple(p for p in self._base if current[p] != self._base[p])
        self._base = current
        self._seen_since = None
        return True

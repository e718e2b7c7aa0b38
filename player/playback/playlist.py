"""The command line's files, folders and URLs -> the playlist, in the order a viewer expects.

This module owns what ``a4kplay ep01.mkv ep02.mkv`` and ``a4kplay Season1/`` play: files
and URLs pass through in the order given; a folder becomes its media files, chosen by
extension (not recursive, hidden files skipped) and sorted naturally, so ep2 comes before
ep10 as a file manager shows them (a plain string sort puts ep10 first). The order is
decided here, once, and handed to libmpv as the playlist.

Bad entries never raise: each becomes a one-line problem ("PATH: no such file") beside the
entries that are fine, so the caller decides whether a partly bad command line plays what
it can (with a notice and a non-zero exit status at the end) or stops. Whether a file is
really playable is libmpv's call when it opens it, not this module's. Pure: no libmpv.
"""
from __future__ import annotations

import os
import re
from typing import Iterable

from player.base.paths import is_url

MEDIA_EXTENSIONS = ("mkv", "mp4", "webm", "avi", "mov", "m4v", "ts", "m2ts", "flv", "wmv", "ogv",
                    "mpg", "mpeg", "3gp")
_DIGITS = re.compile(r"([0-9]+)")


def natural_key(name: str) -> tuple:
    """Sort key: case-insensitive, runs of digits compared as numbers (ep2 < ep10);
    names that compare equal that way (ep02, ep2; Ep1, ep1) are ordered by the exact
    name, so the order never depends on the order the folder listed them in."""
    parts = _DIGITS.split(name)
    # split() alternates text, digits, text...: even places are text, odd are numbers,
    # so two keys always compare str with str and int with int
    key = tuple(int(p) if i % 2 else p.casefold() for i, p in enumerate(parts))
    return key, name




def is_media_name(name: str) -> bool:
    ext = name.rpartition(".")[2] if "." in name else ""
    return ext.lower() in MEDIA_EXTENSIONS


def folder_entries(folder: str) -> list[str]:
    """The media files directly in `folder`, naturally sorted, as paths joined to it.
    OSError if the folder cannot be listed."""
    names = []
    with os.scandir(folder) as it:
        for entry in it:
            if entry.name.startswith(".") or not is_media_name(entry.name):
                continue
            try:
                if entry.is_file():  # follows symlinks: a link to an episode counts
                    names.append(entry.name)
            except OSError:
                continue
    names.sort(key=natural_key)
    return [os.path.join(folder, name) for name in names]


def expand(args: Iterable[str]) -> tuple[list[str], list[str]]:
    """(entries, problems): the playlist for the command line's arguments, and one line
    per argument that adds nothing to it ("PATH: no such file", "FOLDER: no media files
    in this folder"). Files are kept as given (even without a media extension: the user
    named them), URLs and "-" (standard input) pass through untouched."""
    entries: list[str] = []
    problems: list[str] = []
    for arg in args:
        if is_url(arg):
            entries.append(arg)
        elif os.path.isdir(arg):
            try:
                found = folder_entries(arg)
            except OSError as e:
                problems.append(f"{arg}: cannot read this folder: {e.strerror or e}")
                continue
            if found:
                entries.extend(found)
            else:
                problems.append(f"{arg}: no media files in this folder (by extension: "
                                f"{' '.join(MEDIA_EXTENSIONS)})")
        elif os.path.exists(arg):
            entries.append(arg)
        elif os.path.islink(arg):
            problems.append(f"{arg}: broken symbolic link")
        else:
            problems.append(f"{arg}: no such file")
    return entries, problems

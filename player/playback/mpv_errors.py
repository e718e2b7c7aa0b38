"""libmpv's failures in our words, at the boundary: a missing libmpv, a path it would report
only vaguely, an option it rejected, the end-file error codes of client.h (``mpv_error``),
and a quit while the first entry was still opening.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

from player.base.errors import MediaError
from player.base.paths import is_url

# client.h, enum mpv_error: what an end-file error means for the user
END_FILE_ERRORS = {
    -12: "a command libmpv ran for this file failed",
    -13: "the file could not be loaded",
    -14: "the audio output could not be opened (try --no-audio or --mpv ao=null)",
    -15: "the video output could not be opened",
    -16: "no audio or video stream libmpv can play in this file",
    -17: "not a media file libmpv can read (unrecognised format)",
    -18: "this file needs something this system does not support",
}


def import_mpv():
    """python-mpv, or a MediaError saying how to install libmpv."""
    try:
        import mpv
    except OSError:
        raise MediaError("libmpv is not installed or cannot be loaded",
                         hint="install it: apt-get install libmpv2 (make demo does this)") from None
    return mpv


class QuitWhileOpening(Exception):
    """libmpv shut down (the user quit) before the first entry showed its video: not an
    error, the command line exits 0."""


def check_path(path: str | os.PathLike) -> str:
    """Fail early, with a clear message, on a path libmpv would only report vaguely; the
    path to hand libmpv (a URL untouched)."""
    if is_url(str(path)):
        return str(path)
    p = Path(path).expanduser()
    if not p.exists():
        raise MediaError("no such file", path=str(path), hint="check the path")
    if p.is_dir():
        raise MediaError("is a directory, not a media file", path=str(path))
    if not os.access(p, os.R_OK):
        raise MediaError("permission denied: the file is not readable", path=str(path))
    if p.stat().st_size == 0:
        raise MediaError("the file is empty", path=str(path))
    return str(p)


def bad_option(err, options: Mapping[str, str]) -> str:
    text = str(err)
    for k in options:
        if k in text or k.replace("-", "_") in text:
            return f" ({k})"
    return ""

"""Where things are: the files the player ships, and whether a name is a URL.

The shipped profiles.yaml and our tiers' shaders are package data of ``player.shipped``,
found through importlib.resources, so the same code finds them in a checkout, in an
installed wheel and under pipx. Nothing here knows the checkout: a user-facing command
never reads a file beside the source tree (developer tools find the repository root from
their own location).
"""
from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


def is_url(name: str) -> bool:
    """What libmpv opens as a stream, not a file: ``proto://...`` (http, https, file,
    rtmp, ytdl, ...) or ``-`` (standard input). Such a name goes to libmpv exactly as
    given (a Path would fold its ``//``), and PyAV opens it with timeouts."""
    return name == "-" or bool(_SCHEME.match(name))


def _shipped() -> Path:
    where = resources.files("player.shipped")
    if not isinstance(where, Path):   # a zipped install: libmpv and GL need real files
        raise ImportError("a4kplay must be installed unzipped (its shaders are read as files "
                          f"by libmpv and OpenGL); found {where!r}")
    return where


SHIPPED = _shipped()
SHADERS = SHIPPED / "shaders"
SHIPPED_CONFIG = SHIPPED / "profiles.yaml"

"""Where the files the player ships are: the one place that knows where they live.

The shipped profiles.yaml and our tiers' shaders are package data of ``player.shipped``,
found through importlib.resources, so the same code finds them in a checkout, in an
installed wheel and under pipx. Nothing here knows the checkout: a user-facing command
never reads a file beside the source tree (developer tools find the repository root from
their own location).
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path


def _shipped() -> Path:
    where = resources.files("player.shipped")
    if not isinstance(where, Path):   # a zipped install: libmpv and GL need real files
        raise ImportError("a4kplay must be installed unzipped (its shaders are read as files "
                          f"by libmpv and OpenGL); found {where!r}")
    return where


SHIPPED = _shipped()
SHADERS = SHIPPED / "shaders"
SHIPPED_CONFIG = SHIPPED / "profiles.yaml"

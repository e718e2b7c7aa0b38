"""The subtitle engine's one exception type.

Everything that goes wrong below the facade (libass missing, a track that cannot be read, a
bitmap segment that cannot be decoded, an object used after release) is raised as a
SubtitleError; the facade turns it into a single notice for the screen, never a traceback.
"""
from __future__ import annotations

from player.base.errors import A4kError


class SubtitleError(A4kError):
    """A subtitle track, file, font or bitmap that cannot be used; libass missing."""

"""Project exceptions: the one place where failures get a user-facing shape.

Native errors (GL compile logs, libmpv error codes, YAML and OS errors) are translated
into these at the module boundary that sees them. Each carries the file and line it is
about, when there is one, so the command line can print one clear line
(``path:line: message``) and the player can show the same text on screen.
"""
from __future__ import annotations


class A4kError(Exception):
    """Base class: an error whose message is meant for the user, not a traceback."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None,
                 source: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.source = source  # the failing source text (a shader line, a YAML line), if any
        self.hint = hint      # what the user can do about it

    def location(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}" if self.line is not None else str(self.path)

    def __str__(self) -> str:
        loc = self.location()
        text = f"{loc}: {self.message}" if loc else self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class ShaderError(A4kError):
    """A user shader file that cannot be parsed, compiled or run."""


class ProfileError(A4kError):
    """An invalid profiles.yaml (or a profile naming something that does not exist)."""


class MediaError(A4kError):
    """A media file that cannot be opened, decoded or written; libmpv missing."""


class DisplayError(A4kError):
    """No display / no OpenGL context could be created."""


class ImageError(A4kError):
    """An input image that cannot be read, or an output that must not be written."""

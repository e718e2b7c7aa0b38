"""Writing the user's files safely: a temporary file beside the target, renamed over it.

A reader (or a crash half-way) never sees half a file, and a failure removes the temporary
file and raises A4kError naming the target. Every output file of the project goes through
here: ``atomic_write`` for what Python writes (stats, quality and bench JSON, PNG
screenshots and upscales), ``atomic_path`` for what a library writes to a path of its own
(PyAV's encoded videos: the demo clip, exports).
"""
from __future__ import annotations

import json
import math
import os
import tempfile
from contextlib import contextmanager
from typing import Any, Callable, IO, Iterator

from player.base.errors import A4kError


def atomic_write(path: str | os.PathLike, write: Callable[[IO[bytes]], None],
                 what: str = "the file") -> str:
    """Call ``write(f)`` on a temporary binary file beside ``path``, then rename it over."""
    path = os.path.abspath(os.path.expanduser(os.fspath(path)))
    try:
        with atomic_path(path) as tmp:
            with open(tmp, "wb") as f:
                write(f)
                f.flush()
                os.fsync(f.fileno())
    except OSError as e:
        raise A4kError(f"cannot write {what}: {e.strerror or e}", path=path) from None
    return path


@contextmanager
def atomic_path(path: str | os.PathLike, suffix: str = ".part") -> Iterator[str]:
    """A temporary path beside ``path`` for a writer that needs a file name; renamed over
    ``path`` when the block ends normally, removed on any error or interruption. The file
    gets ordinary permissions (umask applied), not mkstemp's private ones."""
    path = os.path.abspath(os.path.expanduser(os.fspath(path)))
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=suffix,
                               dir=os.path.dirname(path))
    os.close(fd)
    try:
        yield tmp
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, path)
        tmp = None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def check_output(src: str | os.PathLike, dst: str | os.PathLike, force: bool,
                 error: type[A4kError] = A4kError) -> None:
    """Refuse, before any work, an output that would lose something: the input itself (also
    through a link), a directory, an existing file without ``force``, a missing folder."""
    s, d = os.path.expanduser(os.fspath(src)), os.path.expanduser(os.fspath(dst))
    if os.path.exists(d) and os.path.exists(s) and (
            os.path.realpath(d) == os.path.realpath(s) or os.path.samefile(s, d)):
        raise error("the output is the input file; a4kplay never writes to its input", path=d)
    if os.path.isdir(d):
        raise error("the output is a directory", path=d)
    if os.path.exists(d) and not force:
        raise error("the output exists", path=d, hint="use --force to overwrite")
    if not os.path.isdir(os.path.dirname(os.path.abspath(d))):
        raise error("the output's directory does not exist", path=d)


def finite(value: Any) -> Any:
    """NaN/inf -> None, recursively, so the JSON written is valid JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def write_json(path: str | os.PathLike, data: Any, what: str = "the JSON file") -> str:
    text = json.dumps(finite(data), allow_nan=False, indent=1) + "\n"
    return atomic_write(path, lambda f: f.write(text.encode("utf-8")), what)

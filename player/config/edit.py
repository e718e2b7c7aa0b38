"""Editing profiles.yaml from the player: which file to open, and opening it.

The shipped default is never edited in place: it is copied to the user's config folder
first, which from then on wins the search order (and is what live reload watches). The
editor is $VISUAL, else $EDITOR, else xdg-open, started detached so the player keeps
playing. Failures come back as one line for the screen, never an exception.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from player.config.profiles import SHIPPED_CONFIG, user_config_path


def editable_path(path: str) -> tuple[str | None, str | None]:
    """(the file to edit, None) or (None, why not); copies the shipped file when needed."""
    if Path(path) != SHIPPED_CONFIG:
        return path, None
    user = user_config_path()
    try:
        if not user.exists():
            user.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(SHIPPED_CONFIG, user)
    except OSError as e:
        return None, f"cannot copy the profiles to {user}: {e}"
    return str(user), None


def open_editor(path: str) -> str | None:
    """Start the user's editor on ``path``; None, or one line saying what went wrong."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    cmd = [*editor.split(), path] if editor else (
        ["xdg-open", path] if shutil.which("xdg-open") else None)
    if cmd is None:
        return "no editor: set $VISUAL or $EDITOR"
    try:
        subprocess.Popen(cmd, stdin=subprocess.DEVNULL, start_new_session=True)
    except OSError as e:
        return f"cannot start the editor: {e}"
    return None

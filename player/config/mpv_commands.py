"""mpv's command vocabulary and its flat command syntax (input.conf), read without libmpv.

This module owns two facts about libmpv 0.35 that the rest of a4kplay checks text
against before any libmpv exists: the names of its input commands (``COMMANDS``, as its
``command-list`` property lists them, and ``PREFIXES``, the words that may stand before a
command), and how a command string of input.conf is split into words. profiles.yaml
bindings that name an mpv command are checked with ``check_command`` (so a typo is a
file:line error at load, not a silent no-op at the key press), and the input.conf
importer (config/mpv_import.py) splits lines with ``split_commands``.

The splitting follows mpv's "Flat command syntax" (mpv(1), input.conf): arguments are
separated by whitespace; a word that *starts* with ``"`` is a double-quoted string with
JSON/C-style backslash escapes, one that starts with ``'`` is taken literally up to the
next ``'``, one that starts with a back-quote and a character X is taken literally up to
the pair "X`"; an unquoted word ends at whitespace, ``;`` or ``#``; ``;`` separates
commands and ``#`` outside quotes starts a comment. Quotes inside an unquoted word are
ordinary characters, as in mpv. An empty command (``a ; ; b``, a trailing ``;``) is
dropped. Pure: no libmpv, no GL.
"""
from __future__ import annotations

import difflib

COMMANDS: frozenset[str] = frozenset("""
    ab-loop ab-loop-align-cache ab-loop-dump-cache add af af-command ao-reload apply-profile
    audio-add audio-reload audio-remove change-list cycle cycle-values define-section
    delete-watch-later-config disable-section drop-buffers dump-cache enable-section
    expand-path expand-text frame-back-step frame-step ignore keybind keydown keypress keyup
    load-script loadfile loadlist mouse multiply osd-overlay overlay-add overlay-remove
    playlist-clear playlist-move playlist-next playlist-play-index playlist-prev
    playlist-remove playlist-shuffle playlist-unshuffle print-text quit quit-watch-later
    rescan-external-files revert-seek run screenshot screenshot-raw screenshot-to-file
    script-binding script-message script-message-to seek set show-progress show-text stop
    sub-add sub-reload sub-remove sub-seek sub-step subprocess vf vf-command video-add
    video-reload video-remove write-watch-later-config
""".split())

PREFIXES: frozenset[str] = frozenset(
    "no-osd osd-auto osd-bar osd-msg osd-msg-bar raw expand-properties repeatable async sync"
    .split())

_WHITESPACE = " \t\r\n\f\v"
_UNQUOTED_END = _WHITESPACE + ";#"
_SIMPLE_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "'": "'", "b": "\b", "f": "\f",
                   "n": "\n", "r": "\r", "t": "\t", "v": "\v", "a": "\a", "e": "\x1b"}


def split_commands(text: str) -> list[list[str]]:
    """The commands of one input.conf command string, each as its list of words (any
    prefixes first, then the command name, then its arguments, quotes removed).
    ValueError saying what is wrong for an unterminated quote or a broken escape."""
    commands: list[list[str]] = []
    words: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in _WHITESPACE:
            i += 1
        elif c == "#":
            break
        elif c == ";":
            if words:
                commands.append(words)
            words = []
            i += 1
        elif c == '"':
            word, i = _double_quoted(text, i)
            words.append(word)
        elif c == "'":
            end = text.find("'", i + 1)
            if end < 0:
                raise ValueError(f"unterminated single quote: {_excerpt(text, i)}")
            words.append(text[i + 1:end])
            i = end + 1
        elif c == "`" and i + 1 < n:
            closing = text[i + 1] + "`"
            end = text.find(closing, i + 2)
            if end < 0:
                raise ValueError(f"unterminated custom quote {text[i:i + 2]}: {_excerpt(text, i)}")
            words.append(text[i + 2:end])
            i = end + 2
        else:
            start = i
            while i < n and text[i] not in _UNQUOTED_END:
                i += 1
            words.append(text[start:i])
    if words:
        commands.append(words)
    return commands


def _double_quoted(text: str, start: int) -> tuple[str, int]:
    out: list[str] = []
    i, n = start + 1, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            return "".join(out), i + 1
        if c != "\\":
            out.append(c)
            i += 1
            continue
        if i + 1 >= n:
            break
        e = text[i + 1]
        if e in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[e])
            i += 2
        elif e in "xu":
            digits = 2 if e == "x" else 4
            code = text[i + 2:i + 2 + digits]
            if len(code) != digits or any(d not in "0123456789abcdefABCDEF" for d in code):
                raise ValueError(f"broken escape \\{e}{code} in quoted string: {_excerpt(text, start)}")
            out.append(chr(int(code, 16)))
            i += 2 + digits
        else:
            raise ValueError(f"unknown escape \\{e} in quoted string: {_excerpt(text, start)}")
    raise ValueError(f"unterminated double quote: {_excerpt(text, start)}")


def _excerpt(text: str, start: int, width: int = 40) -> str:
    rest = text[start:]
    return rest if len(rest) <= width else rest[:width] + "..."


def command_words(words: list[str]) -> tuple[list[str], list[str]]:
    """One command's words split into (prefixes, [name, args...])."""
    k = 0
    while k < len(words) and words[k] in PREFIXES:
        k += 1
    return words[:k], words[k:]


def check_command(text: str) -> str | None:
    """None when `text` is a valid input.conf command string whose every command names
    an mpv 0.35 command; else one line saying what is wrong ("unknown command 'foo'")."""
    try:
        commands = split_commands(text)
    except ValueError as e:
        return str(e)
    if not commands:
        return "expected an mpv command, got nothing"
    for words in commands:
        prefixes, rest = command_words(words)
        if not rest:
            return f"expected a command after {' '.join(prefixes)}"
        if rest[0] not in COMMANDS:
            return f"unknown command {rest[0]!r}" + _suggest(rest[0])
    return None


def _suggest(name: str) -> str:
    close = difflib.get_close_matches(name, sorted(COMMANDS), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""

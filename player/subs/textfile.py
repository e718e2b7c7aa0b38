"""External subtitle files in any text encoding -> UTF-8 bytes FFmpeg's demuxers can read.

libmpv loads external files (sub-auto, ``sub-file``) and detects their encoding; we read the
same file ourselves, so we must agree. Order: an explicit codepage (mpv's ``sub-codepage``)
wins; a byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE) decides; strict UTF-8 is tried;
otherwise the legacy code page whose decoding looks most like text is taken (Windows-1252,
Shift-JIS, GB18030, Big5, EUC-KR, Windows-1251), Latin-1 as the last resort (never fails).
Binary subtitle formats (PGS .sup) are passed through untouched.
"""
from __future__ import annotations

import codecs
import unicodedata

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]
_LEGACY = ["cp1252", "shift_jis", "gb18030", "big5", "euc_kr", "cp1251"]
_BINARY_EXT = {".sup", ".idx", ".sub"}
# FFmpeg demuxer names by file extension (content probing decides for the rest)
FORMATS = {".ass": "ass", ".ssa": "ass", ".srt": "srt", ".vtt": "webvtt", ".sup": "sup"}


def is_binary(name: str, data: bytes) -> bool:
    ext = name[name.rfind("."):].lower() if "." in name else ""
    return ext in _BINARY_EXT or data[:2] == b"PG"


def _score(text: str) -> float:
    """Share of the non-ASCII characters that are letters (not symbols, controls, marks)."""
    odd = [c for c in text if ord(c) > 127]
    if not odd:
        return 1.0
    good = sum(1 for c in odd if unicodedata.category(c)[0] == "L")
    return good / len(odd)


def detect(data: bytes, codepage: str | None = None) -> tuple[str, str]:
    """(decoded text, encoding name) of subtitle file bytes."""
    if codepage and codepage.lower() not in ("auto", ""):
        try:
            return data.decode(codepage, "replace"), codepage
        except LookupError:
            pass  # an unknown codec name: detect as usual
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(enc, "replace"), enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best, best_enc, best_score = None, None, -1.0
    for enc in _LEGACY:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        score = _score(text)
        if score > best_score + 0.02:          # earlier (more common) wins a near tie
            best, best_enc, best_score = text, enc, score
    if best is None:
        return data.decode("latin-1"), "latin-1"
    return best, best_enc


def to_utf8(name: str, data: bytes, codepage: str | None = None) -> tuple[bytes, str]:
    """(UTF-8 bytes, encoding found) for a text file; binary formats are returned as they are."""
    if is_binary(name, data):
        return data, "binary"
    text, enc = detect(data, codepage)
    return text.replace("\r\n", "\n").encode("utf-8"), enc

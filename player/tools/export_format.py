"""The pure decisions of `a4kplay export`: sizes, codecs, colour matrices, subtitle
payloads, tags and the progress line. No PyAV objects, no GL: tested on their own, and the
export job (tools/export.py) asks them everything it decides.
"""
from __future__ import annotations

import re
from fractions import Fraction
from typing import Mapping

from player.base.errors import MediaError

CONTAINERS = {".mkv": "matroska", ".mp4": "mp4", ".webm": "webm"}
ENCODERS = {"h264": ("libx264",), "hevc": ("libx265",), "vp9": ("libvpx-vp9",),
            "av1": ("libsvtav1", "libaom-av1")}
DEFAULT_CRF = {"h264": 18, "hevc": 20, "vp9": 30, "av1": 28}
CRF_RANGE = {"h264": (0, 51), "hevc": (0, 51), "vp9": (0, 63), "av1": (0, 63)}
# The container's own text subtitle format, used when a text track must be rewritten.
TEXT_SUBTITLE = {".mkv": "subrip", ".mp4": "mov_text", ".webm": "webvtt"}
_TEXT_CODECS = {"subrip", "srt", "ass", "ssa", "webvtt", "mov_text", "text"}
_CONTAINER_NAMES = {".mkv": "Matroska", ".mp4": "MP4", ".webm": "WebM"}
# Decoder names that differ from the codec's own name (for messages and decisions).
_DECODER_ALIASES = {"srt": "subrip", "pgssub": "hdmv_pgs_subtitle", "dvdsub": "dvd_subtitle",
                    "mp3float": "mp3", "libopus": "opus", "libvorbis": "vorbis",
                    "libdav1d": "av1", "libaom-av1": "av1", "aac_fixed": "aac"}
MAX_SIDE = 16384
# Stream tags that describe the old encode, not the content: not carried over.
_STALE_TAGS = {"encoder", "duration", "bps", "number_of_frames", "number_of_bytes",
               "_statistics_writing_app", "_statistics_writing_date_utc", "_statistics_tags",
               "major_brand", "minor_version", "compatible_brands", "vendor_id"}
# After --end, demuxing goes on this long to collect packets that were muxed late.
_END_MARGIN = 10.0


def output_size(w: int, h: int, scale: float | None = None,
                size: tuple[int, int] | None = None) -> tuple[tuple[int, int], bool]:
    """The encoded size for a w x h input, and whether it was rounded to even sides."""
    want = size if size is not None else (max(1, round(w * scale)), max(1, round(h * scale)))
    even = tuple(v + (v % 2) for v in want)
    if max(even) > MAX_SIDE:
        raise MediaError(f"output size {want[0]}x{want[1]} is larger than {MAX_SIDE} per side")
    return even, even != tuple(want)


def pick_codec(codec: str | None, suffix: str) -> tuple[str, str]:
    """Our codec name and the encoder this PyAV build has for it."""
    import av
    if codec is None:
        codec = "vp9" if suffix == ".webm" else "h264"
    if codec not in ENCODERS:
        raise MediaError(f"unknown codec {codec!r}", hint="choose " + ", ".join(ENCODERS))
    encoder = next((e for e in ENCODERS[codec] if e in av.codecs_available), None)
    if encoder is None:
        raise MediaError(f"no {codec} encoder in this PyAV build",
                         hint="tried " + ", ".join(ENCODERS[codec]))
    return codec, encoder


_X26X_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow",
                 "slower", "veryslow", "placebo")
# encoder -> (what --preset sets, its allowed values)
PRESETS = {"libx264": ("preset", _X26X_PRESETS), "libx265": ("preset", _X26X_PRESETS),
           "libvpx-vp9": ("cpu-used", tuple(str(n) for n in range(-8, 9))),
           "libsvtav1": ("preset", tuple(str(n) for n in range(-1, 14))),
           "libaom-av1": ("cpu-used", tuple(str(n) for n in range(0, 9)))}


def check_preset(encoder: str, preset: str | None) -> None:
    if preset is None:
        return
    option, allowed = PRESETS[encoder]
    if preset not in allowed:
        raise MediaError(f"--preset {preset!r} is not a {encoder} {option}",
                         hint=f"use {allowed[0]} .. {allowed[-1]}")


def encoder_options(encoder: str, crf: int, preset: str | None) -> dict[str, str]:
    """Constant-quality settings; `preset` is the encoder's own speed knob."""
    if encoder == "libx264":
        return {"crf": str(crf), "preset": preset or "medium"}
    if encoder == "libx265":
        return {"crf": str(crf), "preset": preset or "medium", "x265-params": "log-level=error"}
    if encoder == "libvpx-vp9":
        return {"crf": str(crf), "b": "0", "deadline": "good", "cpu-used": preset or "4",
                "row-mt": "1"}
    if encoder == "libsvtav1":
        return {"crf": str(max(crf, 1)), "preset": preset or "8"}
    return {"crf": str(crf), "b": "0", "cpu-used": preset or "6"}  # libaom-av1


def matrix_of(colorspace: int, w: int, h: int) -> int:
    """The AVColorSpace to convert with: IN's own, or the size-based guess players make."""
    if colorspace in (1, 4, 5, 6, 7, 9, 10):
        return colorspace
    return 1 if w >= 1280 or h > 576 else 6   # BT.709 for HD, else SMPTE 170M (BT.601)


def sws_matrix(colorspace: int) -> int:
    """swscale's colourspace constant for an AVColorSpace (they share values except 601)."""
    return {1: 1, 4: 4, 5: 5, 6: 5, 7: 7, 9: 9, 10: 9}[colorspace]


def sar_for(sar: Fraction | None, in_size: tuple[int, int],
            out_size: tuple[int, int]) -> Fraction | None:
    """Sample aspect ratio keeping IN's display aspect; None for square-pixel input."""
    if not sar or sar == 1:
        return None
    (w, h), (ow, oh) = in_size, out_size
    return (sar * Fraction(w, h) * Fraction(oh, ow)).limit_denominator(65535)


def subtitle_text(codec: str, data: bytes) -> str:
    """The plain text of one subtitle packet of a text codec."""
    if codec == "mov_text":
        n = int.from_bytes(data[:2], "big")
        return data[2:2 + n].decode("utf-8", "replace")
    text = data.decode("utf-8", "replace")
    if codec in ("ass", "ssa"):
        # Matroska ASS packets: ReadOrder,Layer,Style,Name,MarginL,MarginR,MarginV,Effect,Text
        text = text.split(",", 8)[-1]
        text = re.sub(r"\{[^}]*\}", "", text).replace("\\N", "\n").replace("\\n", "\n")
        text = text.replace("\\h", "\u00a0")
    return text


def subtitle_payload(codec: str, text: str) -> bytes:
    """One packet of `codec` (mov_text, webvtt, subrip) carrying `text`."""
    if codec == "mov_text":
        data = re.sub(r"<[^>]+>", "", text).encode()  # mov_text has no inline markup
        return len(data).to_bytes(2, "big") + data
    return text.encode()


def clean_tags(tags: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in tags.items() if k.split("-")[0].lower() not in _STALE_TAGS}


def format_progress(done: int, total: int | None, elapsed: float) -> str:
    fps = done / elapsed if elapsed > 0 else 0.0
    if total and total >= done:
        eta = (total - done) / fps if fps > 0 else None
        eta_text = f"{int(eta) // 60}:{int(eta) % 60:02d}" if eta is not None else "?"
        return (f"export {done}/{total} frames {100 * done / total:5.1f}%  {fps:5.1f} fps  "
                f"ETA {eta_text}")
    return f"export {done} frames  {fps:5.1f} fps"

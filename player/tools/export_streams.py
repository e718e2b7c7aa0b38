"""The streams `a4kplay export` copies: audio, subtitles (text ones rewritten for a
container that needs it), attachments and chapters, packet by packet, trimmed and shifted
as --start/--end say. tools/export.py decides what is copied; this module does it, for the
one-process export and for the join of a cluster's segments alike.
"""
from __future__ import annotations

from fractions import Fraction

from player.tools.export_format import (
    _DECODER_ALIASES,
    clean_tags,
    subtitle_payload,
    subtitle_text)


def ticks(seconds: float | None, tb: Fraction) -> int | None:
    return None if seconds is None else round(Fraction(seconds) / tb)


def add_other_streams(out, plan, copied: dict, notes: list) -> dict:
    """OUT's streams for every stream of ``plan`` (input stream, action, detail) that is
    copied or converted; attachments are attached. Counts into ``copied``."""
    streams = {}
    for s, action, detail in plan:
        if action == "attach":
            out.add_attachment(s.metadata.get("filename", f"attachment{s.index}"),
                               s.metadata.get("mimetype", "application/octet-stream"),
                               s.data)
            copied["attachment"] += 1
            continue
        if action == "copy":
            o = out.add_stream_from_template(s)
        else:
            o = out.add_mux_stream(detail[1])
            o.time_base = s.time_base
            notes.append(f"subtitle #{s.index} converted {detail[0]} -> {detail[1]}")
        o.metadata.update(clean_tags(s.metadata))
        kind = "cover" if s.type == "video" else s.type
        copied[kind] = copied.get(kind, 0) + 1
        streams[s.index] = (o, action, detail)
    return streams


def copy_packet(out, packet, target, start: float | None, end: float | None) -> None:
    """One packet of a copied stream into OUT, trimmed to [start, end) and shifted by -start."""
    o, action, detail = target
    tb = packet.time_base
    pts = packet.pts if packet.pts is not None else packet.dts
    if pts is None:
        if start or end is not None:
            return   # untimed packets cannot be placed in a trimmed range
    else:
        t = float(pts * tb)
        dur = float(packet.duration * tb) if packet.duration else 0.0
        if end is not None and t >= end:
            return
        if start and t < start:
            # Only a subtitle cue still showing at `start` survives, cut to begin there.
            if packet.stream.type != "subtitle" or t + dur <= start:
                return
            cut = ticks(start, tb) - pts
            packet.duration = packet.duration - cut
            packet.pts = pts + cut
            if packet.dts is not None:
                packet.dts = packet.pts
            pts = packet.pts
        if end is not None and packet.stream.type == "subtitle" and t + dur > end:
            packet.duration = ticks(end, tb) - pts
    if action == "convert":
        packet = converted(packet, o, *detail)
    shift = ticks(start, tb) if start else 0
    if shift:
        if packet.pts is not None:
            packet.pts -= shift
        if packet.dts is not None:
            packet.dts -= shift
    if packet.dts is None and packet.pts is not None:
        packet.dts = packet.pts
    packet.stream = o
    out.mux(packet)


def copy_chapters(inp, out, start: float | None, end: float | None) -> int:
    """IN's chapters within [start, end) into OUT, shifted by -start; how many."""
    try:
        chapters = inp.chapters()
    except (AttributeError, ValueError):
        return 0
    lo, kept = start or 0.0, []
    for c in chapters:
        tb = c["time_base"]
        a, b = float(c["start"] * tb), float(c["end"] * tb)
        if b <= lo or (end is not None and a >= end):
            continue
        a, b = max(a, lo), min(b, end) if end is not None else b
        kept.append({**c, "id": len(kept) + 1, "start": round((a - lo) / tb),
                     "end": round((b - lo) / tb)})
    if kept:
        out.set_chapters(kept)
    return len(kept)


def codec_name(stream) -> str:
    """The codec's canonical (descriptor) name: 'subrip' for the decoder called 'srt'."""
    cc = stream.codec_context
    if cc is None:
        return "?"
    return _DECODER_ALIASES.get(cc.codec.name, cc.codec.name)


def converted(packet, stream, src_codec: str, dst_codec: str):
    """A text subtitle packet rewritten in another text codec, same times."""
    import av
    new = av.Packet(subtitle_payload(dst_codec, subtitle_text(src_codec, bytes(packet))))
    new.stream = stream
    new.time_base = packet.time_base
    new.pts, new.dts, new.duration = packet.pts, packet.dts, packet.duration
    return new


__all__ = ["add_other_streams", "copy_packet", "copy_chapters", "codec_name", "converted",
           "ticks"]

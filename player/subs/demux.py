"""The worker that reads one subtitle track with PyAV and hands its events to the play loop.

Only the selected stream is demuxed (by its stream index in the file, libmpv's ``ff-index``,
or an external file), plus the file's font attachments. Everything arrives through a
thread-safe queue as plain records, so the play loop never waits on the file:

- ``Header(kind, header, fonts)``: first; kind is "ass" (embedded or external ASS/SSA:
  the header is the stream's extradata), "text" (SRT, WebVTT, mov_text, ...: lines are
  decoded here to ASS, the header is ours, mpv's default look) or "bitmap" (PGS);
- ``Event(start_ms, duration_ms, line)``: one ASS event in Matroska form;
- ``Bitmaps(DisplaySet)``: a decoded PGS display set;
- ``Notice(text)``: something the user should hear about once (the worker keeps going when
  it can); ``Done()``: the whole track has been read.

With ``on_header`` and ``on_events`` callbacks, the header and batches of events are handed
to them in this worker instead (the facade builds and feeds libass here, under its lock), and
``on_header``'s result travels in ``Header.prepared``.

Times are rebased by the container's start time, as mpv does. The stream is read once from
the start; ``hint(t)`` (after a seek past what has been read) makes the worker jump there and
fill the gap afterwards. Packets are keyed by (pts, position) and never handed out twice, so
events keep unique ReadOrder numbers in libass.
"""
from __future__ import annotations

import io
import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from player.base.paths import is_url

from .errors import SubtitleError
from . import pgs, textfile

log = logging.getLogger("a4kplay.subs")

FONT_MIMETYPES = {
    "application/x-truetype-font", "application/vnd.ms-opentype", "application/x-font-ttf",
    "application/x-font", "application/x-font-otf", "application/font-sfnt", "font/ttf",
    "font/otf", "font/sfnt", "font/collection", "application/x-font-opentype",
}
FONT_EXTENSIONS = (".ttf", ".otf", ".ttc", ".otc")
_FONT_MAGIC = (b"\x00\x01\x00\x00", b"OTTO", b"true", b"ttcf", b"typ1")

# mpv's default subtitle look (sub-font sans-serif, size 55, border 3, margins 25/22 at a
# 720-line reference), expressed at PlayResY 288 like FFmpeg's converted text subtitles.
TEXT_HEADER = (
    "[Script Info]\n"
    "ScriptType: v4.00+\n"
    "PlayResX: 384\n"
    "PlayResY: 288\n"
    "ScaledBorderAndShadow: yes\n"
    "YCbCr Matrix: None\n"
    "\n"
    "[V4+ Styles]\n"
    "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
    "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, "
    "BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\n"
    "Style: Default,sans-serif,22,&H00FFFFFF,&H00FFFFFF,&H00000000,&H7FF0F0F0,0,0,0,0,"
    "100,100,0,0,1,1.2,0,2,10,10,8,1\n"
    "\n"
    "[Events]\n"
    "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
).encode()


@dataclass
class Header:
    kind: str                                  # "ass", "text" or "bitmap"
    header: bytes = b""
    fonts: list[tuple[str, bytes]] = field(default_factory=list)
    prepared: object = None                    # what on_header made of it, if anything


@dataclass
class Event:
    start_ms: int
    duration_ms: int
    line: bytes


@dataclass
class Bitmaps:
    display: pgs.DisplaySet


@dataclass
class Notice:
    text: str


@dataclass
class Done:
    pass


def _codec_ids():
    import av
    ids = {}
    for name in ("ass", "ssa", "hdmv_pgs_subtitle", "dvd_subtitle", "dvb_subtitle"):
        try:
            ids[name] = av.codec.Codec(name, "r").id
        except Exception:  # a decoder this FFmpeg lacks
            pass
    return ids


def is_font(name: str, mimetype: str | None) -> bool:
    """Does an attachment claim to be a font (by MIME type or file name)?"""
    return (mimetype or "").lower() in FONT_MIMETYPES or name.lower().endswith(FONT_EXTENSIONS)


def font_data_ok(data: bytes) -> bool:
    """Does the data start like a TrueType/OpenType font or collection?"""
    return data[:4] in _FONT_MAGIC or data[:4] == b"wOFF"


URL_OPEN_S = 10.0        # a stream's server must answer within this (PyAV, urllib)
URL_READ_S = 15.0        # and go on sending within this, or the track says so once
MAX_SUBTITLE_BYTES = 64 << 20


class Demuxer(threading.Thread):
    """Reads one track in a daemon thread; results in ``self.queue``."""

    BATCH = 64          # events handed to on_events at once (or sooner, after BATCH_S)
    BATCH_S = 0.02

    def __init__(self, path: str, ff_index: int | None = None, external: bool = False,
                 codepage: str | None = None, on_header=None, on_events=None):
        super().__init__(name="a4kplay-subs-demux", daemon=True)
        self.path = str(path)
        self.ff_index = ff_index
        self.external = external
        self.codepage = codepage
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self._stop = threading.Event()
        self._hint: float | None = None
        self._lock = threading.Lock()
        self.on_header, self.on_events = on_header, on_events
        self._batch: list[Event] = []
        self._batch_t = 0.0

    def stop(self) -> None:
        self._stop.set()

    def hint(self, t: float) -> None:
        """The play position jumped to ``t`` seconds (track time): read from there first."""
        with self._lock:
            self._hint = t

    def emit(self, ev: Event) -> None:
        if self.on_events is None:
            self.queue.put(ev)
            return
        if not self._batch:
            self._batch_t = time.monotonic()
        self._batch.append(ev)
        if len(self._batch) >= self.BATCH or time.monotonic() - self._batch_t > self.BATCH_S:
            self.flush()

    def flush(self) -> None:
        if self._batch:
            batch, self._batch = self._batch, []
            self.on_events(batch)

    def _take_hint(self):
        with self._lock:
            h, self._hint = self._hint, None
        return h

    # -- the thread -----------------------------------------------------------------------

    def run(self) -> None:
        try:
            self._run()
        except SubtitleError as e:
            self.queue.put(Notice(str(e)))
        except Exception as e:  # PyAV/FFmpeg errors, broken files: one notice, no traceback
            log.debug("subtitle demux failed", exc_info=True)
            self.queue.put(Notice(f"{self.path}: cannot read the subtitle track ({_short(e)})"))
        finally:
            self.queue.put(Done())

    def _open(self):
        import av
        stream = is_url(self.path)
        if self.path == "-":
            raise SubtitleError("subtitles of standard input cannot be read a second time "
                                "(libmpv reads it); play the file or a URL to see them")
        if not self.external:
            if stream:   # a server that stalls or vanishes ends this worker, not the player
                return av.open(self.path, "r", timeout=(URL_OPEN_S, URL_READ_S))
            return av.open(self.path, "r")
        name = self.path.split("?", 1)[0].rsplit("/", 1)[-1] if stream else Path(self.path).name
        fmt = textfile.FORMATS.get(Path(name).suffix.lower())
        if stream and not self.path.startswith(("http://", "https://", "file://")):
            # another protocol FFmpeg speaks: it reads the file itself (UTF-8 assumed)
            return av.open(self.path, "r", format=fmt, timeout=(URL_OPEN_S, URL_READ_S))
        raw = self._read_bytes(stream)
        if not raw.strip():
            raise SubtitleError("the subtitle file is empty", path=self.path)
        data, enc = textfile.to_utf8(name, raw, self.codepage)
        log.debug("%s: encoding %s", self.path, enc)
        return av.open(io.BytesIO(data), "r", format=fmt)

    def _read_bytes(self, stream: bool) -> bytes:
        """The whole external subtitle file: from disk, or from an http(s)/file URL with
        timeouts (a subtitle file is small; a server that stops gives one notice)."""
        try:
            if not stream:
                return Path(self.path).read_bytes()
            import urllib.request
            with urllib.request.urlopen(self.path, timeout=URL_READ_S) as r:
                return r.read(MAX_SUBTITLE_BYTES)
        except OSError as e:    # urllib's URLError and socket timeouts are OSErrors too
            why = getattr(e, "reason", None) or e.strerror or e
            raise SubtitleError(f"cannot read the subtitle file ({why})", path=self.path)

    def _run(self) -> None:
        c = self._open()
        try:
            subs = [s for s in c.streams if s.type == "subtitle"]
            if self.external:
                stream = subs[0] if subs else None
            else:
                stream = next((s for s in c.streams if s.index == self.ff_index), None)
            if stream is None or stream.type != "subtitle":
                raise SubtitleError(f"no subtitle stream #{self.ff_index} in the file",
                                    path=self.path)
            fonts = [] if self.external else self._fonts(c)
            self._read(c, stream, fonts)
        finally:
            c.close()

    def _fonts(self, c) -> list[tuple[str, bytes]]:
        fonts = []
        for s in c.streams:
            if s.type != "attachment":
                continue
            name, mime = s.name or f"attachment{s.index}", s.mimetype
            if not is_font(name, mime):
                continue
            data = bytes(s.data or b"")
            if not font_data_ok(data):
                self.queue.put(Notice(f"{self.path}: attachment '{name}' is not a font; ignored"))
                continue
            fonts.append((name, data))
        return fonts

    def _read(self, c, stream, fonts) -> None:
        ids = _codec_ids()
        cid = stream.codec_context.codec.id if stream.codec_context else None
        start = (c.start_time or 0) / 1_000_000.0
        if cid in (ids.get("ass"), ids.get("ssa")):
            kind = "ass"
            header = bytes(stream.codec_context.extradata or b"")
            if not header.strip():
                header = TEXT_HEADER
        elif cid == ids.get("hdmv_pgs_subtitle"):
            kind, header = "bitmap", b""
        elif cid in (ids.get("dvd_subtitle"), ids.get("dvb_subtitle")):
            raise SubtitleError("bitmap subtitles of this kind (VobSub/DVB) are not supported "
                                "yet; only PGS", path=self.path)
        else:
            kind, header = "text", TEXT_HEADER
        head = Header(kind, header, fonts)
        if self.on_header is not None:
            head.prepared = self.on_header(head)
        self.queue.put(head)
        reader = _Reader(self, c, stream, kind, start)
        reader.run()
        self.flush()


class _Reader:
    """The packet loop of one open stream, with the seek hint and de-duplication."""

    def __init__(self, owner: Demuxer, container, stream, kind: str, start: float):
        self.owner, self.c, self.stream, self.kind, self.start = owner, container, stream, \
            kind, start
        self.seen: set[tuple] = set()
        self.pgs = pgs.PgsDecoder() if kind == "bitmap" else None
        self.pending: Event | None = None      # text event waiting for its end time
        self.pgs_failed = False
        self.text_failed = False

    def run(self) -> None:
        resume = None     # the position (s) to come back to after a jump ahead
        reading_from = 0.0
        while True:
            jumped = self._pass(reading_from)
            if self.owner._stop.is_set():
                return
            if jumped is not None:
                if resume is None:
                    resume = self._last_t
                reading_from = jumped
                continue
            if resume is not None:          # fill the gap that the jump skipped
                reading_from, resume = resume, None
                continue
            break
        self._flush_pending(None)

    _last_t = 0.0

    def _pass(self, from_t: float):
        """Demux from ``from_t`` to the end; returns a hinted time to jump to, or None."""
        tb = self.stream.time_base
        if from_t > 0:
            try:
                self.c.seek(int(max(0.0, from_t - 1.0 + self.start) / tb), stream=self.stream,
                            backward=True)
            except Exception:
                log.debug("subtitle seek failed", exc_info=True)
            self.pending = None
            if self.pgs is not None:
                self.pgs = pgs.PgsDecoder()
        for packet in self.c.demux(self.stream):
            if self.owner._stop.is_set():
                return None
            hint = self.owner._take_hint()
            if hint is not None and hint > self._last_t + 2.0:
                self.owner.flush()
                return hint
            if packet.pts is None or packet.size == 0:
                continue
            ptb = packet.time_base or tb
            t = float(packet.pts * ptb) - self.start
            dur = float((packet.duration or 0) * ptb)
            self._last_t = max(self._last_t, t)
            key = (packet.pts, packet.pos)
            if key in self.seen:
                continue
            self.seen.add(key)
            self._packet(packet, t, dur)
        return None

    def _packet(self, packet, t: float, dur: float) -> None:
        q = self.owner.queue
        if self.kind == "ass":
            self.owner.emit(Event(round(t * 1000), round(dur * 1000), bytes(packet)))
        elif self.kind == "bitmap":
            try:
                for ds in self.pgs.feed(bytes(packet), t):
                    q.put(Bitmaps(ds))
            except SubtitleError as e:
                self.pgs = pgs.PgsDecoder()
                if not self.pgs_failed:
                    self.pgs_failed = True
                    q.put(Notice(f"{self.owner.path}: a PGS subtitle could not be decoded "
                                 f"({e.message}); skipped"))
        else:
            try:
                lines = [s.ass for s in self.stream.codec_context.decode(packet)
                         if getattr(s, "ass", None)]
            except Exception as e:
                if not self.text_failed:
                    self.text_failed = True
                    q.put(Notice(f"{self.owner.path}: a subtitle line could not be decoded "
                                 f"({_short(e)}); skipped"))
                return
            self._flush_pending(t)
            for line in lines:
                ev = Event(round(t * 1000), round(dur * 1000), bytes(line))
                if dur > 0:
                    self.owner.emit(ev)
                else:
                    self.pending = ev        # ends where the next one starts

    def _flush_pending(self, next_t: float | None) -> None:
        if self.pending is None:
            return
        ev, self.pending = self.pending, None
        end_ms = round(next_t * 1000) if next_t is not None else ev.start_ms + 5000
        ev.duration_ms = max(1, end_ms - ev.start_ms)
        self.owner.emit(ev)


def _short(e: Exception) -> str:
    text = str(e).strip() or type(e).__name__
    return text.splitlines()[0][:160]

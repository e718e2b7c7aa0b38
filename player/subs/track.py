"""The facade the play loop calls: the selected subtitle track, shown at output resolution.

libmpv stays in charge of the selection and the timing options; the loop mirrors them here:

    subs = Subtitles()
    subs.open(path, track_info(mpv["current-tracks/sub"]))  # on start and on every sid change
    subs.params = Params(delay=..., speed=..., scale=..., pos=..., visible=..., ...)
    subs.set_time(time_pos)         # time-pos read just before the frame is rendered
    subs.draw(fb_w, fb_h, video_rect, video_size, bottom_up=True, timer=gpu_timer)
    notice = subs.notice()          # a message for the screen, once, or None
    subs.close(); subs.release()    # track switch off / exit (release needs the GL context)

Everything slow happens in the demux worker: reading the file, decoding, building libass
(library, fonts, header) and feeding it events in batches. The libass objects are shared
with that worker under a lock: the loop's render waits for it at most ``LOCK_WAIT_S`` and
otherwise draws the last picture again, so the loop never stalls on a big script. Any
failure (broken file, bad bitmap segment, an attachment that is not a font, a missing font,
libass missing) becomes one notice; the loop goes on without (or with fewer) subtitles.
"""
from __future__ import annotations

import logging
import os
import queue
import threading
import time
from dataclasses import dataclass
from typing import Mapping

from .demux import Bitmaps, Demuxer, Done, Header, Notice
from .errors import SubtitleError
from .renderer import EMPTY, AssRenderer, BitmapRenderer, Frame, Geometry, Params

log = logging.getLogger("a4kplay.subs")


@dataclass(frozen=True)
class TrackInfo:
    """What libmpv says about the selected track (``current-tracks/sub``)."""
    ff_index: int | None = None
    external: bool = False
    external_filename: str | None = None
    codec: str | None = None
    id: int | None = None


def track_info(current: Mapping | None) -> TrackInfo | None:
    """TrackInfo from libmpv's ``current-tracks/sub`` node (None: no track selected)."""
    if not current:
        return None
    ff = current.get("ff-index")
    return TrackInfo(ff_index=int(ff) if ff is not None else None,
                     external=bool(current.get("external", False)),
                     external_filename=current.get("external-filename"),
                     codec=current.get("codec"), id=current.get("id"))


class Subtitles:
    """The selected track: demux worker, libass or PGS renderer, and the GL layer."""

    LOCK_WAIT_S = 0.004
    PUMP = 256            # queue records handled per call at most

    def __init__(self):
        self.params = Params()
        self._time = 0.0
        self._demux: Demuxer | None = None
        self._renderer: AssRenderer | BitmapRenderer | None = None
        self._lock = threading.Lock()
        self._notices: list[str] = []
        self._said: set[str] = set()
        self._layer = None
        self._key = None
        self._holder: dict = {}
        self.done = False           # the whole track has been read
        self.last_frame: Frame = EMPTY

    # -- track ------------------------------------------------------------------------

    def open(self, path: str | os.PathLike | None, track: TrackInfo | Mapping | None,
             codepage: str | None = None) -> None:
        """Follow libmpv's selection: start reading ``track`` of ``path`` (None: no track).
        Re-opening the same track is a no-op."""
        if isinstance(track, Mapping):
            track = track_info(track)
        key = None
        if path is not None and track is not None:
            src = track.external_filename if track.external else str(path)
            key = (src, None if track.external else track.ff_index, bool(track.external))
        if key == self._key:
            return
        self.close()
        self._key = key
        if key is None:
            return
        src, ff_index, external = key
        if not src:
            self._say("subtitles: libmpv names no file for the external track")
            return
        holder: dict = {}
        demux = Demuxer(src, ff_index, external, codepage,
                        on_header=lambda head: self._prepare(head, demux, holder),
                        on_events=lambda events: self._feed(events, holder))
        self._demux, self._holder = demux, holder
        demux.start()

    def _prepare(self, head: Header, demux: Demuxer, holder: dict):
        """In the worker: the renderer for the track (libass set-up is the slow part)."""
        if head.kind == "bitmap":
            r = BitmapRenderer()
        else:
            r = AssRenderer(head.header, head.fonts, converted=head.kind == "text")
        with self._lock:
            if demux is not self._demux:          # closed meanwhile
                r.release()
                raise SubtitleError("track closed while opening")
            holder["r"] = r
        return r

    def _feed(self, events, holder: dict) -> None:
        """In the worker: a batch of events into libass, under the lock."""
        with self._lock:
            r = holder.get("r")
            if isinstance(r, AssRenderer) and r.library.alive:
                for ev in events:
                    r.add_event(ev.start_ms, ev.duration_ms, ev.line)

    def close(self) -> None:
        """Stop reading and forget the track (the layer stays for the next one)."""
        if self._demux is not None:
            self._demux.stop()
        with self._lock:
            r = self._holder.pop("r", None)
            if r is not None:
                r.release()
            self._renderer = None
            self._demux = None
        self._key = None
        self.done = False
        self.last_frame = EMPTY
        if self._layer is not None:
            self._layer.clear()

    @property
    def ready(self) -> bool:
        """The track is open and its renderer built (lines can be drawn)."""
        return self._renderer is not None

    @property
    def reading(self) -> bool:
        """The worker is still reading the track (False once closed or failed)."""
        return self._demux is not None

    def settle(self, timeout: float) -> None:
        """Wait (at most ``timeout`` s) until the whole track has been read: for a
        screenshot asked for on the command line, whose exit must not beat a worker reading
        from a server. Never called while playing."""
        deadline = time.monotonic() + timeout
        while self._demux is not None and not self.done and time.monotonic() < deadline:
            self._pump()
            time.sleep(0.02)

    # -- per frame -----------------------------------------------------------------------

    def set_time(self, t: float) -> None:
        """The playback time (time-pos, read just before rendering the frame). A jump
        beyond what has been read makes the worker read from there first."""
        if self._demux is not None and abs(t - self._time) > 2.0 and not self.done:
            self._demux.hint(self.params.track_ms(t) / 1000.0)
        self._time = float(t)

    def _pump(self) -> None:
        demux = self._demux
        if demux is None:
            return
        for _ in range(self.PUMP):
            try:
                rec = demux.queue.get_nowait()
            except queue.Empty:
                return
            if isinstance(rec, Header):
                self._renderer = rec.prepared
            elif isinstance(rec, Bitmaps):
                if isinstance(self._renderer, BitmapRenderer):
                    self._renderer.add(rec.display)
            elif isinstance(rec, Notice):
                self._say(rec.text)
            elif isinstance(rec, Done):
                self.done = True

    def frame(self, frame_size: tuple[int, int], video_rect: tuple[int, int, int, int],
              video_size: tuple[int, int]) -> Frame:
        """The CPU half of a frame (no GL): the subtitle images at the current time."""
        self._pump()
        r = self._renderer
        if r is None:
            f = Frame([], None, not self.last_frame.empty)
            self.last_frame = EMPTY
            return f
        geo = Geometry(tuple(frame_size), tuple(video_rect), tuple(video_size))
        if not self._lock.acquire(timeout=self.LOCK_WAIT_S):
            return Frame([], None, False)        # the worker is feeding: last picture
        try:
            if self._renderer is not r:
                return Frame([], None, False)
            f = r.render(self._time, self.params, geo)
        except SubtitleError as e:
            self._say(str(e))
            self._renderer = None
            f = Frame([], None, True)
        except Exception as e:   # numpy/ctypes surprises: one notice, never a traceback
            log.debug("subtitle render failed", exc_info=True)
            self._say(f"subtitles: rendering failed ({e}); switched off")
            self._renderer = None
            f = Frame([], None, True)
        finally:
            self._lock.release()
        if isinstance(r, AssRenderer):
            for name in r.missing_fonts:
                self._say(f"subtitles: font '{name}' not found; using a fallback font")
            if r.slow_renders >= 3:
                self._say("subtitles: this track takes too long to render; switched off")
                self.close()
                return Frame([], None, True)
        if f.changed:
            self.last_frame = f
        return f

    def draw(self, target_w: int, target_h: int, video_rect, video_size,
             bottom_up: bool = True, timer=None) -> None:
        """Render, upload when changed and draw into the bound framebuffer (GL context
        current). ``video_rect`` is (x, y, w, h) from the top left, as presented."""
        if self._layer is None:
            from .layer import SubtitleLayer
            self._layer = SubtitleLayer()
        rect = tuple(getattr(video_rect, k) for k in "xywh") \
            if hasattr(video_rect, "w") else tuple(video_rect)
        f = self.frame((target_w, target_h), rect, video_size)
        self._layer.update(f)
        self._layer.draw(target_w, target_h, bottom_up, timer)

    # -- notices -------------------------------------------------------------------------

    def _say(self, text: str) -> None:
        if text not in self._said:
            self._said.add(text)
            self._notices.append(text)
            log.warning("%s", text)

    def notice(self) -> str | None:
        """The next message for the screen (each said once), or None."""
        return self._notices.pop(0) if self._notices else None

    def release(self) -> None:
        """close() and the GL objects (the context must be current)."""
        self.close()
        if self._layer is not None:
            self._layer.release()
            self._layer = None

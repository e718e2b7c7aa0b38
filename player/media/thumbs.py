"""Thumbnails for the timeline's hover: keyframes decoded by PyAV in one worker thread, cached.

thumbfast's idea for mpv, done here without a second player: the worker opens the file once,
and for each asked time seeks to the keyframe at or before it and decodes only that frame
(the decoder skips every other frame), scaled to the thumbnail's size as RGBA. Times are
asked in buckets (``step`` seconds, about 1/200 of the duration), the newest ask wins
(moving along the timeline never queues a backlog), and the last ``CACHE`` pictures are
kept. ``get`` never waits: it answers what is cached (or None) and asks for the rest; the
``ready`` callback says when a new picture is there. Pure of GL, libmpv and windows.
"""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from typing import Callable

import numpy as np

log = logging.getLogger(__name__)
CACHE = 200


class Thumbnailer:
    def __init__(self, path: str, height: int = 90, duration: float | None = None,
                 ready: Callable[[], None] | None = None):
        self.path = str(path)
        self.height = max(16, int(height))
        self.step = max(1.0, (duration or 0.0) / 200.0)
        self.size: tuple[int, int] | None = None        # (w, h), known once opened
        self.failed = False
        self._ready = ready
        self._cache: OrderedDict[int, np.ndarray] = OrderedDict()
        self._want: int | None = None
        self._cv = threading.Condition()
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="a4kplay-thumbnails",
                                        daemon=True)
        self._thread.start()

    def bucket(self, t: float) -> int:
        return max(0, int(t // self.step))

    def get(self, t: float) -> tuple[int, np.ndarray] | None:
        """(bucket, H x W x 4 uint8) for ``t`` if decoded, else None (and it is asked for)."""
        b = self.bucket(t)
        with self._cv:
            image = self._cache.get(b)
            if image is not None:
                self._cache.move_to_end(b)
                return b, image
            if not self.failed and self._want != b:
                self._want = b
                self._cv.notify()
        return None

    def close(self) -> None:
        with self._cv:
            self._stop = True
            self._cv.notify()
        self._thread.join(timeout=5)

    # ---- the worker --------------------------------------------------------------------
    def _run(self) -> None:
        try:
            import av
            container = av.open(self.path, timeout=5)
        except Exception as e:        # noqa: BLE001 - no thumbnails, playback goes on
            log.info("thumbnails: cannot open %s: %s", self.path, e)
            self.failed = True
            return
        try:
            stream = container.streams.video[0]
            stream.codec_context.skip_frame = "NONKEY"      # keyframes only: cheap
            w, h = stream.codec_context.width, stream.codec_context.height
            sar = stream.sample_aspect_ratio or 1
            aspect = (w * float(sar)) / max(1, h)
            self.size = (max(2, round(self.height * aspect / 2) * 2), self.height)
            while True:
                with self._cv:
                    while self._want is None and not self._stop:
                        self._cv.wait()
                    if self._stop:
                        return
                    b, self._want = self._want, None
                image = self._decode(container, stream, b * self.step)
                if image is None:
                    continue
                with self._cv:
                    self._cache[b] = image
                    while len(self._cache) > CACHE:
                        self._cache.popitem(last=False)
                if self._ready is not None:
                    self._ready()
        except Exception as e:        # noqa: BLE001
            log.info("thumbnails of %s stopped: %s", self.path, e)
            self.failed = True
        finally:
            container.close()

    def _decode(self, container, stream, t: float) -> np.ndarray | None:
        base = stream.time_base
        target = int(t / base) + (stream.start_time or 0) if base else 0
        container.seek(target, stream=stream, backward=True, any_frame=False)
        for frame in container.decode(stream):
            w, h = self.size
            return frame.to_ndarray(width=w, height=h, format="rgba")
        return None

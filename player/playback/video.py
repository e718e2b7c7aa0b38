"""libmpv and its render context: a decoded frame -> our source texture, at native size.

This module owns the mpv core and the render context and nothing else of the GPU but the
source texture it renders into. mpv decodes, converts to RGB and keeps audio and video in
sync; it does not scale (the texture has the video's own display size, so mpv's rectangle
is the whole texture). libmpv's errors are translated here into MediaError.

Threading rules (libmpv): the update callback runs on an mpv thread and only sets a flag and
wakes the window loop; every mpv and GL call happens on the main thread. Teardown frees the
render context before the core is terminated (the reverse aborts the process).
"""
from __future__ import annotations

import collections
import os
import threading
import time
from pathlib import Path
from typing import Callable, Mapping

from player.base.errors import MediaError

# mpv's end-file error codes worth a specific message
_MPV_ERRORS = {
    -13: "not a media file libmpv can read (unrecognised format)",
    -12: "no audio or video stream libmpv can play in this file",
    -17: "the file could not be opened",
    -14: "the file could not be loaded",
    -16: "the video could not be decoded or shown",
    -15: "no supported audio/video stream",
}


def import_mpv():
    """python-mpv, or a MediaError saying how to install libmpv."""
    try:
        import mpv
    except OSError:
        raise MediaError("libmpv is not installed or cannot be loaded",
                         hint="install it: apt-get install libmpv2 (make demo does this)") from None
    return mpv


def check_path(path: str | os.PathLike) -> Path:
    """Fail early, with a clear message, on a path libmpv would only report vaguely."""
    p = Path(path).expanduser()
    if "://" in str(path):
        return Path(str(path))
    if not p.exists():
        raise MediaError("no such file", path=str(path), hint="check the path")
    if p.is_dir():
        raise MediaError("is a directory, not a media file", path=str(path))
    if not os.access(p, os.R_OK):
        raise MediaError("permission denied: the file is not readable", path=str(path))
    if p.stat().st_size == 0:
        raise MediaError("the file is empty", path=str(path))
    return p


class Video:
    """One media file played by libmpv, rendering into a texture we own."""

    def __init__(self, path: str | os.PathLike, get_proc_address: Callable[[str], int],
                 wake: Callable[[], None], *, audio: bool = True, start: float | None = None,
                 paused: bool = False, options: Mapping[str, str] | None = None,
                 open_timeout: float = 20.0):
        self.path = check_path(path)
        mpv = import_mpv()
        self._mpv_mod = mpv
        self._events: collections.deque = collections.deque(maxlen=256)
        self._loaded = threading.Event()
        self._failed: list[str] = []
        self._dirty = False
        self._wake = wake
        self.ended = False
        self.ctx = None
        self.player = None
        opts = {"vo": "libmpv", "hwdec": "no", "dither_depth": "no", "osc": "no",
                "input_default_bindings": "no", "input_vo_keyboard": "no", "idle": "yes",
                "keep_open": "no", "sub_auto": "fuzzy", "audio_display": "no"}
        user = {k.replace("-", "_") for k in (options or {})}
        if "hwdec" not in user and "gpu_hwdec_interop" not in user:
            # software decoding: no hardware interop to probe (the probe prints a
            # misleading "Cannot load libcuda.so.1" on machines without NVIDIA drivers)
            opts["gpu_hwdec_interop"] = "no"
        if not audio:
            opts["audio"] = "no"
        if paused:
            opts["pause"] = "yes"
        if start is not None:
            opts["start"] = str(start)
        for k, v in (options or {}).items():
            opts[k.replace("-", "_")] = v
        try:
            self.player = mpv.MPV(**opts)
        except (AttributeError, TypeError, ValueError, SystemError, RuntimeError) as e:
            bad = _bad_option(e, options or {})
            raise MediaError(f"libmpv rejected an option{bad}: {e}",
                             hint="check the --mpv KEY=VALUE arguments") from None
        self._props = {"time-pos": 0.0, "frame-drop-count": 0}
        try:
            self.player.register_event_callback(self._on_event)
            for name in self._props:   # pushed by libmpv: no per-frame round trips
                self.player.observe_property(name, self._on_property)
            self._proc = mpv.MpvGlGetProcAddressFn(
                lambda _ctx, name: get_proc_address(name.decode()))
            self.ctx = mpv.MpvRenderContext(self.player, "opengl",
                                            opengl_init_params={"get_proc_address": self._proc})
            self.ctx.update_cb = self._on_update
            self.player.loadfile(str(self.path))
            self._wait_loaded(open_timeout)
        except BaseException:
            self.close()
            raise

    # ---- callbacks (mpv threads: flags and wake-ups only) -------------------------------
    def _on_update(self) -> None:
        self._dirty = True
        self._wake()

    def _on_property(self, name, value) -> None:
        if value is not None:
            self._props[name] = value

    def _on_event(self, event) -> None:
        try:
            name = event.event_id.value
            eid = int(name)
            if eid == self._mpv_mod.MpvEventID.FILE_LOADED:
                self._loaded.set()
            elif eid == self._mpv_mod.MpvEventID.END_FILE:
                data = event.data
                if data.reason == data.ERROR:
                    self._failed.append(_MPV_ERRORS.get(data.error,
                                                        f"libmpv error {data.error}"))
                self._events.append(("end-file", data.reason))
                self._loaded.set()
            elif eid == self._mpv_mod.MpvEventID.PLAYBACK_RESTART:
                self._events.append(("playback-restart", None))
            elif eid == self._mpv_mod.MpvEventID.VIDEO_RECONFIG:
                self._events.append(("video-reconfig", None))
            self._wake()
        except Exception:  # never let an exception die inside a C callback
            pass

    # ---- open ------------------------------------------------------------------------
    def _wait_loaded(self, timeout: float) -> None:
        if not self._loaded.wait(timeout):
            raise MediaError(f"libmpv did not open the file within {timeout:.0f} s",
                             path=str(self.path))
        if self._failed:
            raise MediaError(self._failed[0], path=str(self.path))
        deadline = time.monotonic() + timeout
        while True:
            if self._failed:
                raise MediaError(self._failed[0], path=str(self.path))
            w, h = self.player.dwidth, self.player.dheight
            if w and h:
                self.size = (int(w), int(h))
                self.fps = self._read_fps()
                return
            tracks = self.player.track_list or []
            if tracks and not any(t.get("type") == "video" for t in tracks):
                raise MediaError("the file has no video stream", path=str(self.path),
                                 hint="a4kplay plays video files")
            if any(e[0] == "end-file" for e in self._events):
                raise MediaError("libmpv could not decode any video frame from this file",
                                 path=str(self.path))
            if time.monotonic() > deadline:
                raise MediaError("libmpv opened the file but produced no video",
                                 path=str(self.path))
            time.sleep(0.005)

    # ---- per frame (main thread) ---------------------------------------------------------
    def frame_due(self) -> bool:
        """True when libmpv has a new frame to render (consumes the update flag)."""
        if not self._dirty:
            return False
        self._dirty = False
        return self.ctx.update()

    def render(self, fbo: int, w: int, h: int, block: bool = True) -> None:
        self.ctx.render(flip_y=False, opengl_fbo={"w": w, "h": h, "fbo": fbo},
                        block_for_target_time=block)

    def report_swap(self) -> None:
        self.ctx.report_swap()

    def poll_events(self) -> list[tuple[str, object]]:
        out = []
        while self._events:
            ev = self._events.popleft()
            if ev[0] == "end-file":
                self.ended = True
            out.append(ev)
        return out

    def refresh(self) -> tuple[int, int]:
        """Re-read size and frame rate (after a video-reconfig event, not per frame: each
        property read is a round trip into libmpv)."""
        w, h = self.player.dwidth, self.player.dheight
        if w and h:
            self.size = (int(w), int(h))
        self.fps = self._read_fps()
        return self.size

    def _read_fps(self) -> float:
        for prop in ("container_fps", "estimated_vf_fps"):
            try:
                v = getattr(self.player, prop)
            except Exception:
                v = None
            if v:
                return float(v)
        return 24.0

    def time_pos(self) -> float:
        return float(self._props["time-pos"])

    def drop_count(self) -> int:
        return int(self._props["frame-drop-count"])

    # ---- commands ----------------------------------------------------------------------
    def command(self, *args) -> None:
        try:
            self.player.command(*args)
        except Exception:
            pass  # e.g. seeking past the end: mpv refuses, playback goes on

    def toggle_pause(self) -> None:
        self.command("cycle", "pause")

    def seek(self, seconds: float, exact: bool = False) -> None:
        self.command("seek", str(seconds), "relative+exact" if exact else "relative")

    def seek_to(self, seconds: float) -> None:
        self.command("seek", str(seconds), "absolute+exact")

    def frame_step(self, direction: int) -> None:
        self.command("frame-step" if direction > 0 else "frame-back-step")

    def add_volume(self, delta: float) -> None:
        self.command("add", "volume", str(delta))

    def toggle_mute(self) -> None:
        self.command("cycle", "mute")

    def close(self) -> None:
        """Free the render context, then terminate the core (idempotent; GL current)."""
        if self.ctx is not None:
            try:
                self.ctx.update_cb = None
            except Exception:
                pass
            self.ctx.free()
            self.ctx = None
        if self.player is not None:
            self.player.terminate()
            self.player = None


def _bad_option(err, options: Mapping[str, str]) -> str:
    text = str(err)
    for k in options:
        if k in text or k.replace("-", "_") in text:
            return f" ({k})"
    return ""

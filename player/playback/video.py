"""libmpv: the playlist, mpv's input system, properties and commands; decoded frames reach
our source texture at native size through its render thread (playback/mpv_render.py).

This module owns the mpv core and starts the render thread. mpv decodes, converts to RGB, keeps
audio and video in sync and walks the playlist; it does not scale (the texture has the
video's own display size, so mpv's rectangle is the whole texture). Its OSD is off
(``osd-level=0``): what mpv would say on screen, our overlay says at output resolution.

Input: every key, button and wheel step of our window is handed to libmpv as
``keypress NAME`` (see playback/input.py), so mpv's default bindings act as in mpv, and a
``keypress`` over mpv's IPC acts exactly like the key in our window. Our own bindings are
one input section (``define-section a4kplay ... force``) whose commands are mpv commands or
``script-message a4kplay ACTION [ARGS]``; script messages arrive here as client messages
and are queued for the loop, as are property changes and playlist events.

libmpv's error codes are named once, in ``END_FILE_ERRORS`` (client.h's mpv_error values),
and translated here, at this boundary, into MediaError or a queued notice.

Threading rules (libmpv): callbacks run on mpv threads and only append to a deque and wake
the window loop; mpv commands and properties are the main thread's; the render context is
its own thread's (playback/mpv_render.py: it never waits for the core, render.h's advanced
control). Teardown frees the render context before the core is terminated (the reverse
aborts the process). The core's options are decided in playback/mpv_options.py.
"""
from __future__ import annotations

import collections
import logging
import os
import re
import shutil
import threading
import time
from pathlib import Path
from typing import Callable, Mapping, Sequence

from player.base.errors import MediaError
from player.playback.mpv_errors import (END_FILE_ERRORS, QuitWhileOpening, bad_option,
                                         check_path, import_mpv)
from player.playback.mpv_options import core_options
from player.playback.mpv_render import MpvRenderThread, named_passes

log = logging.getLogger(__name__)
_COMPILE_ERROR = re.compile(r"\d+:\d+\(\d+\): error:")   # a GLSL compiler's "0:54(12): error:"

# pushed by libmpv when they change: read by the loop without a round trip per frame
OBSERVED = ("time-pos", "frame-drop-count", "duration", "pause", "speed", "volume", "mute",
            "sub-delay", "sid", "aid", "chapter", "playlist-pos", "playlist-count",
            "fullscreen", "sub-visibility", "idle-active", "media-title", "sub-scale",
            "sub-pos", "sub-speed", "secondary-sid", "current-tracks/sub", "sub-ass-override",
            "video-params", "playlist", "glsl-shaders")
SECTION = "a4kplay"
PASSES_REPLY = 0xA4C0001    # our reply_userdata for the vo-passes request


class Video:
    """A playlist played by libmpv, rendering into a texture we own."""

    def __init__(self, paths: Sequence[str | os.PathLike] | str | os.PathLike,
                 context, get_proc_address: Callable[[str], int], wake: Callable[[], None], *,
                 audio: bool = True, start: float | None = None, paused: bool = False,
                 options: Mapping[str, str] | None = None, open_timeout: float = 20.0,
                 bindings: str = "", setup=None,
                 display: tuple[str, int] | None = None):
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        # what the command line asked for; libmpv's playlist (which IPC clients and
        # scripts change) is the truth once playing: see current_file() and the props
        self.paths = [check_path(p) for p in paths]
        self.path = self.paths[0]
        mpv = import_mpv()
        self._mpv_mod = mpv
        self._events: collections.deque = collections.deque(maxlen=1024)
        self._loaded = threading.Event()
        self.failures: list[tuple[str, str]] = []   # (file, why) of entries that failed
        self._entry = 0                              # libmpv's id of the entry playing now
        self.loaded_entry = -1                       # the entry whose file-loaded came last
        self._names: dict[int, str] = {}             # entry id -> its file, from "playlist"
        self._scratch: str | None = None             # our folder for the mpv.conf include
        self._planes_value: list[str] = []           # glsl-shaders as we last set it
        self._wake = wake
        self.ended = False
        self.quit_asked = False     # libmpv shut down (a quit command), not end of playlist
        self.renderer = None        # libmpv's render context, on its thread (mpv_render.py)
        self.render_passes: list[tuple[str, float]] = []   # libmpv's, newest reply
        self._passes_asked = False
        self.player = None
        self.display = None          # "x11" | "wayland": the handle libmpv's interop got
        self.size = (0, 0)
        self.size_known = False
        self.fps = 24.0
        core = core_options(options, setup, audio=audio, start=start, paused=paused)
        self._scratch = core.scratch
        self.sub_visibility = core.sub_visibility
        opts = core.options
        try:
            self.player = mpv.MPV(log_handler=self._on_log, loglevel="error", **opts)
        except (AttributeError, TypeError, ValueError, SystemError, RuntimeError) as e:
            self.close()
            bad = bad_option(e, options or {})
            if not bad and setup is not None and setup.include_text:
                raise MediaError(f"libmpv rejected an option of {setup.files[0]}: {e}",
                                 hint="fix that line, or play with --no-config") from None
            raise MediaError(f"libmpv rejected an option{bad}: {e}",
                             hint="check the --mpv KEY=VALUE arguments") from None
        if setup is not None and setup.applied:
            from player.config.mpv_conf import mark_unknown
            for line in mark_unknown(setup, self.knows_option):
                self._events.append(("notice", line))
        self.props: dict[str, object] = {"time-pos": 0.0, "frame-drop-count": 0,
                                         "playlist-pos": 0, "playlist-count": len(self.paths)}
        try:
            self.player.register_event_callback(self._on_event)
            for name in OBSERVED:
                self.player.observe_property(name, self._on_property)
            self.player.register_message_handler(SECTION, self._on_message)
            # the window's display lets libmpv's hwdec interop map frames on the GPU
            # (VAAPI over EGL/GLX) instead of copying them back through system memory
            self.display = display[0] if display else None
            self.renderer = MpvRenderThread(mpv, self.player, context, get_proc_address,
                                            wake, display)
            self.renderer.start()
            self.set_bindings(bindings)
            for i, p in enumerate(self.paths):
                self.command("loadfile", p, "replace" if i == 0 else "append")
            self._wait_loaded(open_timeout)
        except BaseException:
            self.close()
            raise

    # ---- callbacks (mpv threads: deque appends and wake-ups only) -----------------------
    def _on_property(self, name, value) -> None:
        if name == "glsl-shaders":
            # someone else set libmpv's shader list (an input.conf key, an IPC client):
            # the loop runs it in our chain instead (playback/mpv_modes.py)
            if isinstance(value, list) and value != self._planes_value:
                self._events.append(("glsl-shaders", [str(v) for v in value]))
                self._wake()
            return
        if name == "playlist" and isinstance(value, list):
            for item in value:   # kept for end-file, which names its entry by id only
                if isinstance(item, dict) and item.get("id") is not None:
                    self._names[int(item["id"])] = str(item.get("filename", ""))
        if value is not None or name in ("sid", "aid", "chapter", "duration",
                                         "current-tracks/sub"):
            self.props[name] = value
            self._events.append(("property", (name, value)))
            self._wake()

    def _on_log(self, level: str, prefix: str, text: str) -> None:
        """libmpv's errors: its renderer's compile errors (a plane pass libmpv runs for us,
        render/planes.py, that this driver cannot compile: mpv skips it and plays on) become
        one event each, for the loop to show; the rest goes to our log."""
        text = text.strip()
        if prefix.startswith(("vo", "libmpv_render")) and _COMPILE_ERROR.search(text):
            self._events.append(("renderer-error", text))
            self._wake()
        elif text:
            log.debug("libmpv %s: %s: %s", level, prefix, text)

    def _on_message(self, *args) -> None:
        self._events.append(("message", [a.decode("utf-8", "replace")
                                         if isinstance(a, bytes) else str(a) for a in args]))
        self._wake()

    def _on_event(self, event) -> None:
        try:
            eid = int(event.event_id.value)
            ids = self._mpv_mod.MpvEventID
            if eid == ids.START_FILE:
                # libmpv's entry id: new for every entry added, whoever added it
                self._entry = int(event.data.playlist_entry_id)
            elif eid == ids.FILE_LOADED:
                self.loaded_entry = self._entry
                self._events.append(("file-loaded", None))
                self._loaded.set()
            elif eid == ids.END_FILE:
                data = event.data
                why = None
                if data.reason == data.ERROR:
                    why = END_FILE_ERRORS.get(data.error, f"libmpv error {data.error}")
                    entry = int(data.playlist_entry_id)
                    self.failures.append((self._names.get(entry) or self.current_name(), why))
                self._events.append(("end-file", why))
            elif eid == ids.PLAYBACK_RESTART:
                self._events.append(("playback-restart", None))
            elif eid == ids.VIDEO_RECONFIG:
                self._events.append(("video-reconfig", None))
            elif eid == ids.GET_PROPERTY_REPLY and event.reply_userdata == PASSES_REPLY:
                self._passes_asked = False
                self.render_passes = named_passes(event.data.value if event.error >= 0
                                                  else None)
            elif eid == ids.SHUTDOWN:
                self._events.append(("shutdown", None))
                self._loaded.set()
            self._wake()
        except Exception as e:  # never let an exception die inside a C callback
            log.debug("mpv event callback: %s", e)

    # ---- open ------------------------------------------------------------------------
    def _wait_loaded(self, timeout: float) -> None:
        """Until the first playable entry shows its video size; MediaError when none does."""
        deadline = time.monotonic() + timeout
        pending: list = []
        while True:
            while self._events:
                ev = self._events.popleft()
                pending.append(ev)
                if ev[0] == "shutdown":   # a quit (q, IPC, Ctrl+C) while still opening
                    raise QuitWhileOpening()
            # get(): a quit racing these reads gives None, then the shutdown event above
            w, h = self.get("dwidth"), self.get("dheight")
            if w and h:
                self.size = (int(w), int(h))
                self.renderer.want(self.size, 0)   # until the frame path says the bridge's
                self.fps = self._read_fps()
                # what belongs to opening the first entry stays here; the rest is the loop's
                self._events.extendleft(reversed([
                    e for e in pending
                    if e[0] not in ("end-file", "file-loaded", "video-reconfig")]))
                return
            if self.props.get("idle-active") and pending and any(
                    e[0] == "end-file" for e in pending):
                self._no_video()
            if any(e[0] == "file-loaded" for e in pending):
                tracks = self.get("track-list") or []
                if tracks and not any(t.get("type") == "video" for t in tracks):
                    if len(self.paths) == 1:
                        raise MediaError("the file has no video stream", path=str(self.path),
                                         hint="a4kplay plays video files")
                    self.failures.append((self.current_file(), "the file has no video stream"))
                    pending = [e for e in pending if e[0] != "file-loaded"]
                    if not self.command("playlist-next", "force"):
                        self._no_video()
            if time.monotonic() > deadline:
                if self.failures:
                    self._no_video()
                raise MediaError("libmpv opened the file but produced no video",
                                 path=str(self.path))
            time.sleep(0.005)

    def _no_video(self) -> None:
        if len(self.paths) == 1 and self.failures:
            raise MediaError(self.failures[0][1], path=str(self.path))
        if len(self.paths) == 1:
            raise MediaError("libmpv could not decode any video frame from this file",
                             path=str(self.path))
        raise MediaError(f"none of the {len(self.paths)} files could be played: "
                         + "; ".join(f"{Path(f).name}: {w}" for f, w in self.failures))

    # ---- per frame (main thread) ---------------------------------------------------------
    def now_us(self) -> int:
        """libmpv's clock (mpv_get_time_us): what target times are given in; after the
        core shut down (a quit), the same clock read by Python (both are monotonic)."""
        try:
            return int(self._mpv_mod._mpv_get_time_us(self.player.handle))
        except (self._mpv_mod.ShutdownError, SystemError, RuntimeError, AttributeError):
            return time.monotonic_ns() // 1000

    def ask_render_passes(self) -> None:
        """Ask libmpv for its passes' GPU times (``vo-passes``) without waiting: the render
        thread answers it between frames; the reply lands in ``render_passes``. One request
        at a time (a synchronous read would hold the frame for the round trip: 25 ms here)."""
        if self._passes_asked or self.player is None:
            return
        mpv, core = self._mpv_mod, self.player
        try:
            # on python-mpv's event handle: the reply comes to the handle that asked, and
            # python-mpv's event thread reads that one (our _on_event). Under its lock: that
            # thread destroys the handle after a shutdown, which it marks under the lock.
            with core._event_handler_lock:
                if core.core_shutdown:
                    return
                mpv._mpv_get_property_async(core._event_handle, PASSES_REPLY,
                                            b"vo-passes", mpv.MpvFormat.NODE)
            self._passes_asked = True
        except (mpv.ShutdownError, SystemError, RuntimeError, AttributeError) as e:
            log.debug("vo-passes: %s", e)


    def poll_events(self) -> list[tuple[str, object]]:
        out = []
        while self._events:
            ev = self._events.popleft()
            if ev[0] == "shutdown":
                self.ended = True   # quit: nothing after it can be asked of libmpv
                self.quit_asked = True
                self._events.clear()
                out.append(ev)
                break
            elif (ev[0] == "property" and ev[1][0] == "idle-active"
                  and self.props.get("idle-active") is True):
                self.ended = True   # the playlist is over (a stale event does not count)
            out.append(ev)
        return out

    def refresh(self) -> tuple[int, int]:
        """Re-read size and frame rate (after a video-reconfig event, not per frame: each
        property read is a round trip into libmpv)."""
        w, h = self.get("dwidth"), self.get("dheight")
        self.size_known = bool(w and h)   # False while a new entry's video is not up yet
        if self.size_known:
            self.size = (int(w), int(h))
        self.fps = self._read_fps()
        return self.size

    def _read_fps(self) -> float:
        for prop in ("container_fps", "estimated_vf_fps"):
            v = self.get(prop)
            if v:
                return float(v)
        return 24.0

    def time_pos(self) -> float:
        return float(self.props.get("time-pos") or 0.0)

    def drop_count(self) -> int:
        return int(self.props.get("frame-drop-count") or 0)

    def playlist_pos(self) -> int:
        """libmpv's id of the entry playing now (from its start-file event: never stale);
        an identity, not an index: libmpv's playlist changes under IPC and scripts."""
        return self._entry

    def current_file(self) -> str:
        """The file or URL libmpv plays now, as its ``path`` property says (a round trip:
        on file and track changes, not per frame)."""
        path = self.get("path")
        return str(path) if path else self.current_name()

    def current_name(self) -> str:
        """The playing entry's file from the last playlist libmpv sent (no round trip)."""
        return self._names.get(self._entry) or self.paths[0]

    def playlist_place(self) -> tuple[int, int]:
        """(position, count) in libmpv's playlist now: [2/12]."""
        pos, count = self.props.get("playlist-pos"), self.props.get("playlist-count")
        return (pos if isinstance(pos, int) else -1), (count if isinstance(count, int) else 0)

    # ---- properties and commands ----------------------------------------------------------
    def get(self, name: str):
        """A property read (a round trip: not per frame); None when unavailable."""
        try:
            return getattr(self.player, name.replace("-", "_"))
        except (AttributeError, RuntimeError, SystemError, ValueError) as e:
            log.debug("mpv property %s: %s", name, e)
            return None

    def knows_option(self, name: str) -> bool:
        """libmpv has an option of that name (``option-info/NAME`` exists)."""
        try:
            return self.player._get_property(f"option-info/{name}") is not None
        except (AttributeError, RuntimeError, SystemError, ValueError):
            return False

    def set(self, name: str, value) -> None:
        try:
            self.player[name] = value
        except (AttributeError, RuntimeError, SystemError, ValueError, TypeError) as e:
            log.info("mpv refused %s=%r: %s", name, value, e)

    def command(self, *args) -> bool:
        """Run an mpv command; False (and logged) when mpv refuses it, e.g. a seek past
        the end or a track that does not exist: playback goes on."""
        try:
            self.player.command(*args)
            return True
        except self._mpv_mod.ShutdownError:
            return False
        except (SystemError, RuntimeError, ValueError, TypeError) as e:
            log.info("mpv refused %s: %s", " ".join(map(str, args)), e)
            return False

    def keypress(self, name: str) -> None:
        """A key, button or wheel step of our window, into mpv's input system."""
        self.command("keypress", name)

    def set_plane_file(self, path: str | None) -> None:
        """libmpv's glsl-shaders: our file of plane passes (planes_bridge.py), or none."""
        self._planes_value = [path] if path else []
        if path:
            self.command("change-list", "glsl-shaders", "set", path)
        else:
            self.command("change-list", "glsl-shaders", "clr", "")

    def plane_file(self) -> str | None:
        """The file of plane passes we handed libmpv (None: none)."""
        return self._planes_value[0] if self._planes_value else None

    def set_bindings(self, section_text: str) -> None:
        """Our bindings as the one forced input section over mpv's defaults."""
        self.command("define-section", SECTION, section_text or "\n", "force")
        self.command("enable-section", SECTION)

    def seek(self, seconds: float, exact: bool = False) -> None:
        self.command("seek", str(seconds), "relative+exact" if exact else "relative")

    def seek_to(self, seconds: float) -> None:
        self.command("seek", str(seconds), "absolute+exact")

    def close(self) -> None:
        """Free the render context (its thread), then terminate the core (idempotent)."""
        if self.renderer is not None:
            self.renderer.close()      # frees the render context on its thread
            self.renderer = None
        if self.player is not None:
            self.player.terminate()
            self.player = None
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

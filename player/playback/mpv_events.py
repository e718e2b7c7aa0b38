"""What libmpv tells the play loop, turned into the loop's state: a mixin of Player.

libmpv's events arrive on its threads and wait in playback/video.py's queue; the loop drains
them here once per turn, on the main thread: our ``script-message a4kplay`` actions are
queued for ``_apply``; property changes become notices (playback/notices.py), the window's
fullscreen state and the subtitle layer's parameters; playlist events start the next file.
Kept apart from loop.py so that the frame order there stays readable.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from types import MappingProxyType

from player.config.actions import ACTIONS
from player.config.keymap import parse_action
from player.playback.notices import NEEDS_TRACKS
from player.subs import Params, track_info


class MpvEvents:
    """Mixin of Player: needs its video, subtitles, notices, queue and notify()."""

    def _mpv_events(self) -> None:
        v = self.video
        for kind, data in v.poll_events():
            if kind == "message":
                self._on_message(data)
            elif kind == "property":
                self._on_property(*data)
            elif kind == "end-file":
                self._settling = True    # track and chapter changes of a file boundary
            elif kind == "playback-restart":
                if not self._settling:
                    self.show_progress()   # a seek: mpv shows its bar
                self._settling = False
                self.restarts += 1   # a seek has completed (or a file started)
                line = self.notices.seeked()
                if line:
                    self.notify(line)
            elif kind == "video-reconfig":
                self._reconfigured()
            elif kind == "notice":
                self.notify(data)
            elif kind == "glsl-shaders":
                self._mpv_shaders(data)
            elif kind == "renderer-error":
                self._renderer_error(data)
            elif kind == "shutdown":
                self.quit = True
                return
        shown, self._failures_shown = self._failures_shown, len(v.failures)
        for path, why in v.failures[shown:self._failures_shown]:
            self.notify(f"cannot play {Path(path).name}: {why}")
        if v.ended:
            self.quit = True

    def _mpv_shaders(self, items: list[str]) -> None:
        """Someone set libmpv's glsl-shaders (an input.conf key, IPC, a script): that list
        plays in our chain as a profile (playback/mpv_modes.py); libmpv gets back only our
        plane passes, so no shader runs twice; an empty list returns to the profile."""
        self.bridge.resend()                   # libmpv gets our plane passes back
        self.redraw = True
        scaler = self.config.profile(self.profile).scaler
        prof = self.modes.profile_for(items, self.video.plane_file(), scaler)
        if prof is None:
            back = self.modes.leaving(self.profile)
            if back is not None and back in self.config.profiles:
                self.select_profile(back, why="glsl-shaders cleared")
            return
        self.modes.entering(self.profile)
        self.tiers.add_profile(dataclasses.replace(
            self.config, profiles=MappingProxyType({**self.config.profiles, prof.name: prof})),
            prof.name)
        self.select_profile(prof.name, why="glsl-shaders from mpv")

    def _renderer_error(self, text: str) -> None:
        """libmpv could not compile a pass we gave it: planes_bridge.py decides; said once,
        playback goes on."""
        line = self.bridge.compile_failed(self.tier, text)
        if line:
            self.notify(line)

    def _on_message(self, args: list[str]) -> None:
        """``script-message a4kplay ACTION [ARGS]`` from a binding or an IPC client."""
        text = " ".join(args).strip()
        if not args or args[0] not in ACTIONS:
            self.notify(f"script-message a4kplay: unknown action {text!r} "
                        f"(expected one of {', '.join(ACTIONS)})")
            return
        try:
            self.queue.append(parse_action(text))
        except ValueError as e:
            self.notify(f"script-message a4kplay {text}: {e}")

    def _on_property(self, name: str, value) -> None:
        if name == "fullscreen":
            self.window.set_fullscreen(bool(value))
            self.redraw = True
            return
        if name == "sub-visibility" and value:
            # libmpv must never draw subtitles into the native-size frame: the flag is ours
            self.video.set("sub-visibility", False)
            self.set_sub_visibility(True)
            return
        if name == "current-tracks/sub":
            self.subtitles.open(self.video.current_file(), track_info(value))
            self.redraw = True
            return
        if name in ("sub-delay", "sub-speed", "sub-scale", "sub-pos", "sub-ass-override",
                    "video-params"):
            self._sub_params()
        if name == "time-pos" and self.video.props.get("pause"):
            self.redraw = True       # paused after a seek: the subtitle of the new time
        tracks = self.video.get("track-list") if name in NEEDS_TRACKS else None
        chapters = self.chapters if name == "chapter" else None     # read once per file
        line = self.notices.change(name, value, tracks, chapters)
        if line and not self._settling:
            self.notify(line)
        if name in ("pause", "volume", "mute", "speed"):
            self.redraw = True

    def _sub_params(self) -> None:
        """libmpv's subtitle options and the video's colour matrix -> the subtitle layer."""
        p = self.video.props
        vp = p.get("video-params") or {}
        self.subtitles.params = Params(
            delay=float(p.get("sub-delay") or 0.0), speed=float(p.get("sub-speed") or 1.0),
            scale=float(p.get("sub-scale") or 1.0),
            pos=float(p.get("sub-pos") if p.get("sub-pos") is not None else 100.0),
            visible=self.sub_visible, override=str(p.get("sub-ass-override") or "yes"),
            matrix=str(vp.get("colormatrix") or "bt.709"),
            levels=str(vp.get("colorlevels") or "limited"))
        self.redraw = True

"""The play loop: owns the order of one turn, the one path of state changes, start-up and
shutdown.

One turn, on the main thread with the window's context current:
1. poll window events; keys, buttons and wheel go to the controller first, then to
   libmpv's input system (input.py);
2. drain libmpv's events: our script messages become queued actions, property changes
   become notices, playlist events start the next file (mpv_events.py);
3. apply every queued action (keys, IPC, governor, reload) through one path, ``_apply``;
4. take the newest frame libmpv's render thread rendered (mpv_render.py), if any, and draw
   it through the frame path (frame.py: chain, compose, subtitles, controller, overlay,
   present at libmpv's target time);
5. collect GPU timings that finished earlier; the governor may queue a tier change.

The parts, each with one job: which profile plays and the governor (tiers.py), what libmpv
runs for us (planes_bridge.py), libmpv's core (video.py) and its render thread
(mpv_render.py), the frame path (frame.py). Long-lived state is apart from what a frame
needs; a frame allocates no GL object. Shutdown: our GL objects, then libmpv's render
thread (it frees the render context), then the core, then the contexts and the window.
What libmpv says is handled in mpv_events.py, what is drawn over the picture and the
screenshots in screen.py (mixins of Player, still); the play command's run in play.py.
"""
from __future__ import annotations

import collections
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from player.base.errors import A4kError
from player.config import edit
from player.config.keymap import Action, input_section
from player.config.profiles import Config, load_config
from player.config.reload import Watcher
from player.gl.window import open_window
from player.playback import commands
from player.playback.chainset import ChainSet
from player.playback.compare import Compare
from player.playback.frame import FramePath, View
from player.playback.input import Input
from player.playback.mpv_events import MpvEvents
from player.playback.mpv_modes import MpvShaderModes
from player.playback.notices import Notices, entry_name, playlist_label
from player.playback.onscreen import OnScreen
from player.playback.osc import Osc
from player.playback.planes_bridge import PlaneBridge
from player.playback.screen import Screen
from player.playback.stats import StatsRecorder
from player.playback.tiers import Tiers
from player.playback.video import Video
from player.render.chain import Timings
from player.subs import Subtitles
from player.ui.hud import HudState
from player.ui.overlay import Overlay
from player.ui.present import Presenter
from player.ui.screenshots import ShotNames


@dataclass
class PlayOptions:
    paths: list[str]
    size: tuple[int, int] | None = None
    fullscreen: bool = False
    start: float | None = None
    frames: int | None = None
    headless: bool = False
    screenshot: str | None = None
    mpv_options: dict = field(default_factory=dict)
    audio: bool = True
    profile: str | None = None        # the user's explicit choice (rules do not override)
    compare: bool = False
    auto: bool = True
    stats: str | None = None
    # re-reads the configuration on live reload (the CLI adds --shader profiles to it)
    reload_config: Callable[[], Config] | None = None
    mpv_setup: object = None          # config/mpv_conf.MpvSetup: the viewer's mpv folder


class Player(MpvEvents, Screen):
    def __init__(self, opts: PlayOptions, config: Config):
        self.opts = opts
        self.queue: collections.deque = collections.deque()
        self.chains = ChainSet(config)          # built on first use (GL from then on)
        # which profile plays (ProfileError now, before any window opens): tiers.py
        self.tiers = Tiers(config, self.chains, opts.profile, opts.auto, self.notify)
        self.stats = None
        self.timings = Timings()
        self.frames = None                      # the frame path and its state (frame.py)
        self.reload_error: str | None = None   # shown on screen until a reload succeeds
        self.overlay = None
        self.onscreen = OnScreen()              # messages, panel, progress: until when
        self.sub_visible = True                 # our flag (libmpv's sub-visibility stays off)
        self.subtitles = Subtitles()            # drawn at output resolution, over the chain
        self.modes = MpvShaderModes(opts.mpv_setup)   # libmpv's glsl-shaders as profiles
        self.hud = HudState()
        self.notices = Notices()
        self.watcher = Watcher(config.source_paths())
        self.comparing = Compare(opts.compare)  # live A/B compare (compare.py)
        self.quit = False
        self.restarts = 0
        self.files_started = 0
        self.applied = 0                        # actions applied so far
        self.bridge = None                      # what libmpv runs for us (planes_bridge.py)
        self.chapters: list = []                # the file's chapter list (progress marks)
        self.redraw = False
        self._wake = threading.Event()
        self._shots = ShotNames(config.screenshot_dir)
        self._entry_set_up = -1         # the playlist entry _new_file last set up
        self._failures_shown = 0        # playlist entries that failed, said on screen
        self._settling = True           # between files: libmpv's changes are not the user's
        self.window = self.video = self.presenter = None
        self._render_context = None
        w, h = opts.size or (1280, 720)
        self.window = open_window(w, h, f"a4kplay - {Path(opts.paths[0]).name}",
                                  visible=False)
        self.osc = Osc(self)                    # the on-screen controller (not headless)
        self.input = Input(lambda name: self.video.keypress(name), self._divider_at,
                           self.osc)
        try:
            # Everything slow (compiling chains) happens before libmpv starts: once it has,
            # the loop must answer its update callbacks promptly, or libmpv stops sending
            # them (seen: a paused start never showed its first frame).
            self.presenter = Presenter()
            self.overlay = Overlay()
            self.chains.get(self.profile, False)
            self.tiers.warm_ladder()
            mpv_options = dict(opts.mpv_options)
            if opts.fullscreen:
                mpv_options.setdefault("fullscreen", "yes")
            self._render_context = self.window.shared_context()   # libmpv's thread's
            self.video = Video(opts.paths, self._render_context,
                               self.window.get_proc_address, self._wakeup,
                               audio=opts.audio, start=opts.start, options=mpv_options,
                               bindings=input_section(config.bindings), setup=opts.mpv_setup,
                               display=self.window.native_display())
            vw, vh = self.video.size
            if opts.size is None:
                self.window.set_size(*_default_window_size(vw, vh))
            if not opts.headless:
                import glfw
                glfw.show_window(self.window.handle)
                if opts.fullscreen:
                    self.window.toggle_fullscreen()
            self.bridge = PlaneBridge(self.video, self.chains)
            self.frames = FramePath(self.window, self.video, self.chains, self.bridge,
                                    self.presenter, self.subtitles, self.osc,
                                    self._draw_overlay, self.notify)
            self.sub_visible = self.video.sub_visibility
            self._sub_params()
            if opts.stats:
                self.stats = StatsRecorder(self.video.fps, self.budget_ms())
            self._new_file()
        except BaseException:
            self.close()
            raise

    # ---- files of the playlist ------------------------------------------------------------
    def _new_file(self) -> None:
        """A playlist entry started: the source rules choose its profile, the governor
        starts a new window for it, the title says which file of how many."""
        self.files_started += 1
        self._entry_set_up = self.video.playlist_pos()
        self.chapters = self.video.get("chapter-list") or []   # once per file
        pos, count = self.video.playlist_place()
        label = playlist_label(self.video.current_file(), pos, count)
        name = entry_name(self.video.current_file())
        self.window.set_title(f"a4kplay - {label if count > 1 else name}")
        if count > 1 and self.files_started > 1:
            self.notify(f"Playlist: {label}")
        self.tiers.new_file(self.video.size, self.video.fps, self.bridge.whole)

    # ---- wake-ups from mpv's thread ------------------------------------------------------
    def _wakeup(self) -> None:
        self._wake.set()
        if self.window is not None and self.window.platform == "native":
            self.window.post_empty_event()

    # ---- the loop --------------------------------------------------------------------
    def run(self) -> int:
        while not self.quit:
            self.step()
        return 0

    def step(self) -> bool:
        """One turn of the loop; True when a new video frame was presented."""
        if self.window.platform == "native":
            events = self.window.poll(0.0 if self.redraw else 0.1)
        else:
            self._wake.wait(0.0 if self.redraw else 0.05)
            events = self.window.poll(0.0)
        self._wake.clear()
        for ev in events:
            self._on_event(ev)
        self._mpv_events()
        if self.watcher.poll(time.monotonic()):
            self.queue.append(Action("reload"))
        while self.queue:
            action = self.queue.popleft()
            try:
                self._apply(action)
            except (A4kError, OSError) as e:   # e.g. an unwritable screenshot folder
                self.notify(f"{action}: {e}")
        if self.quit:
            return False
        frame = self.video.renderer.take()
        if frame is not None:
            before = self.presented
            self._frame(frame)
            return self.presented > before
        if (self.redraw or self.onscreen.expired() or self.osc.due()) and self.presented:
            self._frame(None)   # before the first video frame there is nothing to show
        return False

    def _on_event(self, ev) -> None:
        if ev.kind == "close":
            self.quit = True
        elif ev.kind == "resize":
            self.redraw = True
        else:
            self.input.on_event(ev)

    def _reconfigured(self) -> None:
        """The video's size or frame rate changed (a new file, or mid-stream): new source
        texture, budget; a new playlist entry also gets its rules and governor."""
        before = self.video.size
        if self.video.refresh() != before:
            self.redraw = True       # the source texture follows in bridge.update
        entry = self.video.playlist_pos()
        if (entry == self.video.loaded_entry and entry != self._entry_set_up
                and self.video.size_known):
            self._new_file()         # a new entry's own video: its size is known now
        elif self.governor is not None and self.governor.fps != self.video.fps:
            self.governor.set_fps(self.video.fps)

    def budget_ms(self) -> float:
        return self.tiers.budget_ms(self.video.fps)

    # ---- one frame -----------------------------------------------------------------------
    def _frame(self, frame) -> None:
        """One frame through the frame path (frame.py), with what the play state shows:
        the render thread's newest (mpv_render.Frame), or None for ours again."""
        self.redraw = False
        self.frames.read_mpv_passes = self.stats is not None or self.onscreen.panel_shown()
        tag = self.frames.draw(frame, View(
            tier=self.tier, scaler=self.config.profile(self.tier).scaler,
            compare=self.compare, split=self.comparing.split,
            show_baseline=self.comparing.show_baseline,
            subtitles=self.sub_visible))
        if tag is not None and self.opts.frames is not None \
                and self.presented >= self.opts.frames:
            self.quit = True
        self._collect_timings()

    def _collect_timings(self) -> None:
        """Frames whose GPU time is known (never waiting): timings, governor, stats."""
        for total, passes, tag in self.frames.collect():
            if tag is None or tag["tier"] == self.tier:   # not frames of a replaced chain
                self.timings.add(total, passes)
            self.hud.gpu.append(total)
            if tag is None or "late" not in tag:
                continue
            if self.stats is not None:
                self.stats.add_frame(tag["t"], tag["tier"], total, tag["late"], tag["dropped"],
                                     passes, late_ms=tag["late_ms"])
            if self.governor is not None:
                target = self.governor.observe(tag["t"], tag["tier"], total, tag["late"],
                                               tag["dropped"])
                if target is not None:
                    self.queue.append(Action("governor", target))

    # which profile plays (tiers.py), read by the overlay, the controller and the tests
    config = property(lambda self: self.tiers.config)
    profile = property(lambda self: self.tiers.profile)
    tier = property(lambda self: self.tiers.tier)
    rule = property(lambda self: self.tiers.rule)
    governor = property(lambda self: self.tiers.governor)
    compare = property(lambda self: self.comparing.mode)
    split = property(lambda self: self.comparing.split)
    flip_show_baseline = property(lambda self: self.comparing.show_baseline)
    # the frame path's state, read by the overlay, screenshots, bench and the tests
    presented = property(lambda self: self.frames.presented if self.frames else 0)
    src = property(lambda self: self.frames.src if self.frames else None)
    timer = property(lambda self: self.frames.timer if self.frames else None)
    _last = property(lambda self: self.frames.last if self.frames else None)
    cpu_ms = property(lambda self: self.frames.cpu_ms if self.frames else 0.0)
    foreign_cpu_s = property(lambda self: self.frames.foreign_cpu_s if self.frames else 0.0)
    late_frames = property(lambda self: self.frames.late_frames if self.frames else 0)
    dropped_frames = property(lambda self: self.frames.dropped_frames if self.frames else 0)

    # ---- state changes: the one path -------------------------------------------------------
    def _apply(self, action: Action) -> None:
        """Every state change (our bindings, IPC script messages, governor, reload)."""
        self.applied += 1
        if action.name == "governor":
            if self.tiers.step_to(str(action.arg), self.bridge.whole):
                self.timings = Timings()
                self.redraw = True
        else:
            commands.run(self, action)

    def select_profile(self, name: str, why: str = "") -> None:
        """The user's choice (or a source rule's): plays now, and is the governor's ceiling."""
        if self.tiers.select(name, why, self.bridge.whole if self.bridge else False,
                             self.video.time_pos() if self.video else 0.0):
            self.timings = Timings()   # per-pass figures of the old chain no longer apply
            self.redraw = True

    def reload(self) -> None:
        """profiles.yaml or a shader changed: build the new chains beside the live ones and
        swap on success; on failure keep playing the last good chains and show the error."""
        try:
            config = (self.opts.reload_config or self._default_reload)()
            self.chains.rebuild(config)
        except A4kError as e:
            self.reload_error = str(e)
            self.notify(f"reload failed, still playing the last good chain: {e}")
            if e.path and Path(e.path).exists():
                self.watcher.set_paths(set(self.watcher.paths) | {e.path})
            return
        changed = [Path(p).name for p in self.watcher.changed]
        self.tiers.reloaded(config, self.video.fps)
        self._shots.folder = config.screenshot_dir
        self.osc.configure(config.osc)
        self.watcher.set_paths(config.source_paths())
        self.video.set_bindings(input_section(config.bindings))
        self.reload_error = None
        self.notify("reloaded " + ", ".join(changed))
        self.redraw = True

    def _default_reload(self) -> Config:
        """Re-read the same file; for the shipped default, the search order again (the
        user may have made their own copy meanwhile, e.g. with the edit key)."""
        from player.config.profiles import SHIPPED_CONFIG
        return load_config(None if Path(self.config.path) == SHIPPED_CONFIG
                           else self.config.path)

    def show_progress(self) -> None:
        self.onscreen.show_progress()
        self.redraw = True

    def set_sub_visibility(self, on: bool) -> None:
        self.sub_visible = bool(on)
        self._sub_params()
        self.notify(f"Subtitles visibility: {'yes' if on else 'no'}")
        self.redraw = True

    def notify(self, text: str) -> None:
        self.onscreen.say(text)
        if self.opts.headless:
            print(text, file=sys.stderr)

    # ---- screenshots and the editor -----------------------------------------------------
    def edit_config(self) -> None:
        path, problem = edit.editable_path(self.config.path)
        if problem:
            self.notify(problem)
            return
        if path != self.config.path:
            self.reload()
        problem = edit.open_editor(path)
        if problem:
            self.notify(problem)

    def write_stats(self, path: str) -> None:
        from OpenGL import GL
        GL.glFinish()
        self._collect_timings()   # the last frames' timings are ready now
        self.stats.add_decisions(self.tiers.decisions())
        self.stats.write(path)

    # ---- teardown ----------------------------------------------------------------------
    def close(self) -> None:
        """Release in the order that does not abort: GL objects, render context, mpv, window."""
        if self.window is None:
            return
        if self.window.handle:
            self.window.make_current()
        for obj in (self.subtitles, self.chains, self.presenter, self.overlay, self.frames,
                    getattr(self, "osc", None), self.bridge):
            if obj is not None:
                obj.release()
        self.subtitles = self.chains = self.presenter = self.overlay = self.frames = None
        self.osc = None
        if self.video is not None:
            self.video.close()
            self.video = None
        if self._render_context is not None:
            self._render_context.release()
            self._render_context = None
        self.window.release()
        self.window = None


def _default_window_size(vw: int, vh: int) -> tuple[int, int]:
    """Twice the video's size for small videos, fitted into 1920x1080, aspect kept."""
    scale = min(2.0, 1920 / vw, 1080 / vh)
    scale = max(scale, min(1.0, 1920 / vw, 1080 / vh))
    return max(1, round(vw * scale)), max(1, round(vh * scale))

"""The play loop: owns the order of one frame and the order of shutdown.

One frame, on the main thread with the context current:
1. poll window events; turn keys into actions; apply every queued action (keys, governor,
   reload) through one path, ``_apply``;
2. if libmpv has a frame due, render it into the source texture at native size;
3. run the live chain to the video rectangle's size (A/B compare runs the baseline too);
4. present (letterboxed, split or flipped), draw the overlay, swap, report the swap;
5. collect GPU timings that finished earlier; the governor may queue a tier change.

Shutdown: chains and textures, then the render context, then mpv, then the window.
"""
from __future__ import annotations

import collections
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from player.gl import gpu
from player.render.chain import Chain, Timings
from player.base.errors import A4kError, MediaError
from player.playback.governor import Governor
from player.ui.hud import MESSAGE_SECONDS, SHOW_SECONDS, HudState, panel
from player.config.keymap import Action, key_name
from player.ui.overlay import Alert, Graph, Overlay
from player.ui.text import font_size
from player.ui.present import Presenter, Rect, letterbox
from player.config.profiles import Config, load_config
from player.config.reload import Watcher
from player.playback.stats import StatsRecorder
from player.playback.video import Video
from player.gl.window import Window

COMPARE_MODES = ("off", "split", "flip")


@dataclass
class PlayOptions:
    path: str
    size: tuple[int, int] | None = None
    fullscreen: bool = False
    start: float | None = None
    frames: int | None = None
    headless: bool = False
    screenshot: str | None = None
    mpv_options: dict = field(default_factory=dict)
    audio: bool = True
    profile: str | None = None
    compare: bool = False
    auto: bool = True
    stats: str | None = None
    # re-reads the configuration on live reload (the CLI adds --shader profiles to it)
    reload_config: Callable[[], Config] | None = None


class ChainSet:
    """The built chains by profile name (built on first use, kept for instant switching)."""

    def __init__(self, config: Config):
        self.config = config
        self._chains: dict[str, Chain] = {}
        self._baselines: dict[str, Chain] = {}
        self.builds = 0  # chains compiled so far (a frame that compiles one is not 'late')

    def _build(self, config: Config, name: str) -> Chain:
        from player.render.offscreen import load_shaders
        profile = config.profile(name)
        chain = Chain(load_shaders(profile.shaders), profile.scaler, profile.params, label=name)
        self.builds += 1
        return chain

    def get(self, name: str) -> Chain:
        chain = self._chains.get(name)
        if chain is None:
            chain = self._chains[name] = self._build(self.config, name)
        return chain

    def baseline(self, scaler: str) -> Chain:
        chain = self._baselines.get(scaler)
        if chain is None:
            self.builds += 1
            chain = self._baselines[scaler] = Chain([], scaler, label=f"baseline {scaler}")
        return chain

    def rebuild(self, config: Config) -> None:
        """Build, beside the live chains, every chain that is live now (by profile name, as
        ``config`` now defines it); swap them in only when all build. On error the live
        chains stay and the error propagates."""
        new: dict[str, Chain] = {}
        try:
            for name in self._chains:
                if name in config.profiles:
                    new[name] = self._build(config, name)
        except BaseException:
            for chain in new.values():
                chain.release()
            raise
        for chain in self._chains.values():
            chain.release()
        self.config = config
        self._chains = new

    def release(self) -> None:
        for chain in list(self._chains.values()) + list(self._baselines.values()):
            chain.release()
        self._chains.clear()
        self._baselines.clear()


class Player:
    def __init__(self, opts: PlayOptions, config: Config, video_path: str):
        self.opts = opts
        self.config = config
        self.queue: collections.deque = collections.deque()
        self.messages: list[tuple[float, str]] = []
        self.profile = opts.profile or config.default  # the user's choice: the ceiling
        config.profile(self.profile)  # ProfileError now, before any window opens
        self.tier = self.profile                        # what plays now (governor may lower)
        self.governor = None
        self.stats = None
        self.timings = Timings()
        self.timer = None
        self.cpu_ms = 0.0
        self.late_frames = 0
        self.dropped_frames = 0
        self._drops = 0
        self.reload_error: str | None = None   # shown on screen until a reload succeeds
        self._past_decisions: list = []        # of governors replaced by a reload
        self.overlay = None
        self.overlay_on = False                 # I toggles
        self.overlay_until = 0.0                # i shows it until then
        self.hud = HudState()
        self.watcher = Watcher(config.source_paths())
        self.compare = "split" if opts.compare else "off"
        self.flip_show_baseline = False
        self.split = 0.5
        self.quit = False
        self.presented = 0
        self.restarts = 0
        self.redraw = False
        self._wake = threading.Event()
        self._shot_index = 0
        self.window = None
        self.video = None
        self.src = None
        self.presenter = None
        self.chains = None
        self._last = None  # (rect, left, right, split) of the last presented frame
        w, h = opts.size or (1280, 720)
        self.window = Window(w, h, f"a4kplay - {Path(video_path).name}", visible=False)
        try:
            # Everything slow (compiling chains) happens before libmpv starts: once it has,
            # the loop must answer its update callbacks promptly, or libmpv stops sending
            # them (seen: a paused start never showed its first frame).
            self.presenter = Presenter()
            self.overlay = Overlay()
            self.chains = ChainSet(config)
            self.chains.get(self.profile)
            self._warm_ladder()
            self.timer = gpu.GpuTimer()
            self.video = Video(video_path, self.window.get_proc_address, self._wakeup,
                               audio=opts.audio, start=opts.start, options=opts.mpv_options)
            vw, vh = self.video.size
            if opts.size is None:
                self.window.set_size(*_default_window_size(vw, vh))
            if not opts.headless:
                import glfw
                glfw.show_window(self.window.handle)
                if opts.fullscreen:
                    self.window.toggle_fullscreen()
            self.src = gpu.Texture(vw, vh, 4, "f16")
            self._start_governor()
        except BaseException:
            self.close()
            raise

    def _warm_ladder(self) -> None:
        """Build, and run once on a small frame, the tiers the governor may step down to:
        drivers finish compiling on the first draw, and a switch must not stall on that."""
        ladder = self.config.ladder
        if self.profile not in ladder:
            return
        dummy = gpu.Texture(64, 36, 4, "f16")
        try:
            for name in ladder[ladder.index(self.profile):]:
                self.chains.get(name).run(dummy, 128, 72)
        finally:
            dummy.release()

    def _start_governor(self, stats: bool = True) -> None:
        fps = self.video.fps
        ladder = self.config.ladder
        if self.profile in ladder:
            self.governor = Governor(ladder, self.config.governor, fps, start=self.profile)
            self.governor.enabled = self.opts.auto and self.config.governor.enabled
        if self.opts.stats and stats:
            self.stats = StatsRecorder(fps, self.budget_ms())

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
        if self.watcher.poll(time.monotonic()):
            self.queue.append(Action("reload"))
        while self.queue:
            action = self.queue.popleft()
            try:
                self._apply(action)
            except (A4kError, OSError) as e:   # e.g. an unwritable screenshot folder
                self.notify(f"{action}: {e}")
        for kind, _ in self.video.poll_events():
            if kind == "end-file":
                self.quit = True
            elif kind == "playback-restart":
                self.restarts += 1   # a seek has completed
            elif kind == "video-reconfig":
                self._reconfigured()
        if self.quit:
            return False
        if self.video.frame_due():
            before = self.presented
            self._frame(new=True)
            return self.presented > before
        if self.redraw or self._overlay_expired():
            self._frame(new=False)
        return False

    def _reconfigured(self) -> None:
        """The video's size or frame rate changed (mid-stream): new source texture, budget."""
        size = self.video.refresh()
        if size != self.src.size:
            self.src.release()
            self.src = gpu.Texture(size[0], size[1], 4, "f16")
            self.redraw = True
        if self.governor is not None and self.governor.fps != self.video.fps:
            self.governor.set_fps(self.video.fps)

    def budget_ms(self) -> float:
        if self.governor is not None:
            return self.governor.budget_ms
        return self.config.governor.headroom * 1000.0 / self.video.fps

    def _overlay_expired(self) -> bool:
        """Something on screen timed out (a message, the `i` panel): draw once more."""
        now = time.monotonic()
        due = [t + MESSAGE_SECONDS for t, _ in self.messages]
        if self.overlay_until:
            due.append(self.overlay_until)
        if any(now >= d for d in due):
            if self.overlay_until and now >= self.overlay_until:
                self.overlay_until = 0.0
            return True
        return False

    def _frame(self, new: bool) -> None:
        self.redraw = False
        builds = self.chains.builds
        tag = {"t": self.video.time_pos(), "tier": self.tier} if new else None
        self.timer.begin(tag)
        if new:
            self.video.render(self.src.fbo, *self.src.size)  # returns at the frame's due time
        due = time.perf_counter()
        self.timer.stamp("mpv render")
        fw, fh = self.window.framebuffer_size()
        rect = letterbox(*self.src.size, fw, fh)
        if rect.w == 0:
            self.timer.end()
            return  # minimised: keep decoding, draw nothing
        left, right, split = self._compose(rect)
        self.presenter.draw(0, fw, fh, rect, left, right, split)
        self._last = (fw, fh, rect, left, right, split)
        self._draw_overlay(fw, fh, rect)
        self.timer.stamp("present")
        self.timer.end()
        self.cpu_ms = (time.perf_counter() - due) * 1000.0
        self.window.swap()
        if new:
            self.video.report_swap()
            self.presented += 1
            drops = self.video.drop_count()
            tag["dropped"] = drops > self._drops
            self._drops = drops
            # late: presented more than a frame interval after its due time, not counting
            # a frame that had to compile a chain first
            tag["late"] = (self.chains.builds == builds and
                           time.perf_counter() - due > 1.0 / self.video.fps)
            self.late_frames += tag["late"]
            self.dropped_frames += tag["dropped"]
            if self.opts.frames is not None and self.presented >= self.opts.frames:
                self.quit = True
        self._collect_timings()

    def _draw_overlay(self, fw: int, fh: int, rect: Rect, bottom_up: bool = True) -> None:
        """Messages, compare labels and (when shown) the stats panel, at output resolution."""
        now = time.monotonic()
        self.messages = [(t, m) for t, m in self.messages if now - t < MESSAGE_SECONDS]
        messages = [m for _, m in self.messages]
        if self.reload_error:
            messages.append(Alert(self.reload_error))
        margin = max(8, fh // 60)
        y = rect.y + rect.h - margin - 2 * font_size(fh)   # labels at the bottom corners
        if self.compare == "split":
            scaler = self.config.profile(self.tier).scaler
            self.overlay.label(scaler, rect.x + margin, y)
            self.overlay.label(self.tier, rect.x + rect.w - margin, y, "right")
        elif self.compare == "flip":
            side = self.config.profile(self.tier).scaler if self.flip_show_baseline else self.tier
            self.overlay.label(side, rect.x + rect.w - margin, y, "right")
        panel_lines = graph = None
        if self.overlay_on or now < self.overlay_until:
            self._update_hud(rect)
            panel_lines = panel(self.hud, self.timings)
            graph = Graph(self.hud.gpu, self.hud.budget_ms, "GPU ms per frame")
        self.overlay.draw(fw, fh, bottom_up, messages, panel_lines, graph)

    def _update_hud(self, rect: Rect) -> None:
        h = self.hud
        h.profile, h.tier = self.profile, self.tier
        h.video_size, h.output_size = self.src.size, (rect.w, rect.h)
        h.fps = self.video.fps
        h.budget_ms = self.budget_ms()
        h.cpu_ms, h.late, h.dropped = self.cpu_ms, self.late_frames, self.dropped_frames
        h.presented = self.presented
        if self.governor is not None:
            h.governor = self.governor.status()
            d = self.governor.last_decision
            h.decision = f"{d.from_} -> {d.to}: {d.reason}" if d else ""
        else:
            h.governor, h.decision = f"auto: {self.tier} is not on the ladder", ""

    def _collect_timings(self) -> None:
        """Timer results of earlier frames (never waiting): timings, governor, stats."""
        for total, passes, tag in self.timer.collect(with_tags=True):
            if tag is None or tag["tier"] == self.tier:   # not frames of a replaced chain
                self.timings.add(total, passes)
            self.hud.gpu.append(total)
            if tag is None or "late" not in tag:
                continue
            if self.stats is not None:
                self.stats.add_frame(tag["t"], tag["tier"], total, tag["late"], tag["dropped"])
            if self.governor is not None:
                target = self.governor.observe(tag["t"], tag["tier"], total, tag["late"],
                                               tag["dropped"])
                if target is not None:
                    self.queue.append(Action("governor", target))

    def _compose(self, rect: Rect):
        """Run the chain(s) for this frame: (left texture, right texture or None, split)."""
        profile = self.config.profile(self.tier)
        out = self.chains.get(self.tier).run(self.src, rect.w, rect.h, self.timer)
        if self.compare == "off":
            return out, None, 1.0
        base = self.chains.baseline(profile.scaler).run(self.src, rect.w, rect.h, self.timer)
        if self.compare == "split":
            return base, out, self.split
        return (base if self.flip_show_baseline else out), None, 1.0

    # ---- input -> actions ------------------------------------------------------------
    def _on_event(self, ev) -> None:
        if ev.kind == "close":
            self.quit = True
        elif ev.kind == "resize":
            self.redraw = True
        elif ev.kind == "key":
            action = self.config.action_for(key_name(ev.key, ev.mods))
            if action is not None:
                self.queue.append(action)
        elif ev.kind in ("mouse", "drag") and self.compare == "split" and self._last:
            fw, _, rect = self._last[0], self._last[1], self._last[2]
            if rect.w:
                self.split = min(1.0, max(0.0, (ev.x * fw / max(1, self.window.window_size()[0])
                                                - rect.x) / rect.w))
                self.redraw = True

    def _apply(self, action: Action) -> None:
        """The one path for every state change (keys, governor, reload)."""
        name, arg = action.name, action.arg
        v = self.video
        if name == "quit":
            self.quit = True
        elif name == "pause":
            v.toggle_pause()
        elif name == "seek":
            v.seek(float(arg))
        elif name == "frame-step":
            v.frame_step(int(arg))
        elif name == "mute":
            v.toggle_mute()
        elif name == "volume":
            v.add_volume(float(arg))
        elif name == "fullscreen":
            self.window.toggle_fullscreen()
            self.redraw = True
        elif name == "profile":
            self._select_profile(str(arg))
        elif name == "governor":
            self._governor_switch(str(arg))
        elif name == "reload":
            self._reload()
        elif name == "auto-toggle":
            if self.governor is None:
                self.notify("auto quality: this profile is not on the ladder")
            else:
                self.governor.enabled = not self.governor.enabled
                self.notify("auto quality: " + ("on" if self.governor.enabled else "off"))
        elif name == "cycle-profile":
            names = self.config.profile_names
            self._select_profile(names[(names.index(self.profile) + 1) % len(names)])
        elif name == "compare-cycle":
            self.compare = COMPARE_MODES[(COMPARE_MODES.index(self.compare) + 1) % 3]
            self.flip_show_baseline = False
            self.notify(f"compare: {self.compare}")
            self.redraw = True
        elif name == "flip":
            if self.compare == "flip":
                self.flip_show_baseline = not self.flip_show_baseline
                self.notify("showing " + ("baseline" if self.flip_show_baseline else self.tier))
                self.redraw = True
        elif name == "divider":
            self.split = min(1.0, max(0.0, self.split + float(arg)))
            self.redraw = True
        elif name == "screenshot":
            self.notify("saved " + str(self.screenshot()))
        elif name == "screenshot-both":
            self.notify("saved " + ", ".join(map(str, self.screenshot_both())))
        elif name == "edit-config":
            self.edit_config()
        elif name == "overlay-show":
            self.overlay_until = time.monotonic() + SHOW_SECONDS
            self.redraw = True
        elif name == "overlay-toggle":
            self.overlay_on = not self.overlay_on
            self.redraw = True

    def _select_profile(self, name: str) -> None:
        """The user's choice: plays now, and is the governor's ceiling."""
        try:
            self.config.profile(name)
            self.chains.get(name)
        except A4kError as e:
            self.notify(f"cannot switch to {name}: {e}")
            return
        self.profile = self.tier = name
        self.timings = Timings()   # per-pass figures of the old chain no longer apply
        if self.governor is not None and name in self.governor.ladder:
            self.governor.set_ceiling(name, self.video.time_pos())
        self.notify(f"profile: {name}")
        self.redraw = True

    def _reload(self) -> None:
        """profiles.yaml or a shader changed: build the new chains beside the live ones and
        swap on success; on failure keep playing the last good chains and show the error."""
        try:
            config = (self.opts.reload_config or self._default_reload)()
            self.chains.rebuild(config)
        except A4kError as e:
            self.reload_error = str(e)
            self.notify(f"reload failed, still playing the last good chain: {e}")
            self.watcher.set_paths(set(self.watcher.paths) | set(self._paths_of_error(e)))
            return
        old_ladder = self.config.ladder
        changed = [Path(p).name for p in self.watcher.changed]
        self.config = config
        self.watcher.set_paths(config.source_paths())
        self.reload_error = None
        if self.profile not in config.profiles:
            self.notify(f"profile {self.profile} is gone; playing {config.default}")
            self.profile = self.tier = config.default
        if self.tier not in config.profiles:
            self.tier = self.profile
        if config.ladder != old_ladder or self.governor is None:
            auto = self.governor.enabled if self.governor else self.opts.auto
            if self.governor is not None:
                self._past_decisions += self.governor.decisions
            self.governor = None
            self._start_governor(stats=False)
            if self.governor is not None:
                self.governor.enabled = auto and config.governor.enabled
        self.notify("reloaded " + ", ".join(changed))
        self.redraw = True

    def _default_reload(self) -> Config:
        """Re-read the same file; for the shipped default, the search order again (the
        user may have made their own copy meanwhile, e.g. with the e key)."""
        from player.config.profiles import SHIPPED_CONFIG
        return load_config(None if Path(self.config.path) == SHIPPED_CONFIG
                           else self.config.path)

    @staticmethod
    def _paths_of_error(e: A4kError) -> list[str]:
        return [e.path] if e.path and Path(e.path).exists() else []

    def _governor_switch(self, tier: str) -> None:
        try:
            self.chains.get(tier)
        except A4kError as e:
            self.notify(f"auto quality cannot use {tier}: {e}")
            self.governor.set_ceiling(self.tier)   # stay: the governor must not wait for it
            return
        reason = self.governor.last_decision.reason if self.governor.last_decision else ""
        self.notify(f"auto: {self.tier} -> {tier} ({reason})")
        self.tier = tier
        self.timings = Timings()
        self.redraw = True

    def notify(self, text: str) -> None:
        self.messages.append((time.monotonic(), text))
        if self.opts.headless:
            print(text, file=sys.stderr)

    # ---- screenshots and the editor -----------------------------------------------------
    def _next_shot(self, suffix: str = "") -> Path:
        d = Path(self.config.screenshot_dir).expanduser()
        d.mkdir(parents=True, exist_ok=True)
        while True:
            self._shot_index += 1
            p = d / f"a4kplay-{self._shot_index:04d}{suffix}.png"
            try:
                fd = os.open(p, os.O_CREAT | os.O_EXCL | os.O_WRONLY)  # never overwrite
            except FileExistsError:
                continue
            os.close(fd)
            return p

    def capture(self, overlay: bool = True):
        """The screen as the user sees it, overlay included, as an array."""
        if self._last is None:
            raise MediaError("no frame has been shown yet")
        fw, fh, rect, left, right, split = self._last
        after = (lambda bottom_up: self._draw_overlay(fw, fh, rect, bottom_up)) if overlay \
            else None
        return self.presenter.capture(fw, fh, rect, left, right, split, after)

    def screenshot(self, path: str | None = None) -> Path:
        from player.render.offscreen import write_png
        p = Path(path) if path else self._next_shot()
        write_png(p, self.capture())
        return p

    def screenshot_both(self) -> list[Path]:
        from player.render.offscreen import write_png
        fw, fh, rect = self._last[0], self._last[1], self._last[2]
        profile = self.config.profile(self.tier)
        out = self.chains.get(self.tier).run(self.src, rect.w, rect.h)
        base = self.chains.baseline(profile.scaler).run(self.src, rect.w, rect.h)
        paths = []
        for suffix, tex in (("-baseline", base), (f"-{self.tier}", out)):
            p = self._next_shot(suffix)
            write_png(p, self.presenter.capture(fw, fh, rect, tex))
            paths.append(p)
        self.redraw = True
        return paths

    def edit_config(self) -> None:
        """Open the profiles file in $VISUAL/$EDITOR (else xdg-open). The shipped default is
        never edited in place: it is copied to the user's config folder first, which from
        then on wins (and is what live reload watches)."""
        from player.config.profiles import SHIPPED_CONFIG, user_config_path
        path = self.config.path
        if Path(path) == SHIPPED_CONFIG:
            user = user_config_path()
            try:
                if not user.exists():
                    user.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(SHIPPED_CONFIG, user)
            except OSError as e:
                self.notify(f"cannot copy the profiles to {user}: {e}")
                return
            path = str(user)
            self._reload()
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        cmd = [*editor.split(), path] if editor else (
            ["xdg-open", path] if shutil.which("xdg-open") else None)
        if cmd is None:
            self.notify("no editor: set $VISUAL or $EDITOR")
            return
        try:
            subprocess.Popen(cmd, stdin=subprocess.DEVNULL, start_new_session=True)
        except OSError as e:
            self.notify(f"cannot start the editor: {e}")

    def write_stats(self, path: str) -> None:
        from OpenGL import GL
        GL.glFinish()
        self._collect_timings()   # the last frames' timings are ready now
        self.stats.add_decisions(self._past_decisions)
        if self.governor is not None:
            self.stats.add_decisions(self.governor.decisions)
        self.stats.write(path)

    # ---- teardown ----------------------------------------------------------------------
    def close(self) -> None:
        """Release in the order that does not abort: GL objects, render context, mpv, window."""
        if self.window is None:
            return
        if self.window.handle:
            self.window.make_current()
        for obj in (self.chains, self.presenter, self.overlay, self.src, self.timer):
            if obj is not None:
                obj.release()
        self.chains = self.presenter = self.overlay = self.src = self.timer = None
        if self.video is not None:
            self.video.close()
            self.video = None
        self.window.release()
        self.window = None


def _default_window_size(vw: int, vh: int) -> tuple[int, int]:
    """Twice the video's size for small videos, fitted into 1920x1080, aspect kept."""
    scale = min(2.0, 1920 / vw, 1080 / vh)
    scale = max(scale, min(1.0, 1920 / vw, 1080 / vh))
    return max(1, round(vw * scale)), max(1, round(vh * scale))


def play(opts: PlayOptions, config: Config) -> int:
    player = Player(opts, config, opts.path)
    try:
        code = player.run()
        if opts.stats:
            player.write_stats(opts.stats)
        if player.presented == 0 and player.video.ended:
            raise MediaError("libmpv could not decode any video frame from this file",
                             path=opts.path)
        if opts.screenshot:
            if player.presented == 0 and player._last is None:
                raise MediaError("no frame was presented, so no screenshot was written",
                                 path=opts.screenshot)
            player.screenshot(opts.screenshot)
        return code
    finally:
        player.close()

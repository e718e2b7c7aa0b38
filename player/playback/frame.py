"""One frame, top to bottom: the rendered frame -> chain -> compose -> subtitles -> controls
-> overlay -> present. The per-frame state lives here, apart from the session's long-lived
parts.

    libmpv's render thread (playback/mpv_render.py) has already rendered the decoded frame
        into a texture of its own, at the size the plane bridge gives
        (playback/planes_bridge.py; a new size is asked here and re-rendered there), and
        read its target time first (render.h's timing for an API user with work of its own);
    our chain runs to the video rectangle (straight into the window when nothing is
        composed; with the baseline into textures in A/B compare, composed by ui/present.py);
    subtitles, the controller and the overlay are drawn at output resolution;
    glFinish, a wait until the target time, swap; the render thread reports the swap.

What to show comes in a ``View`` from the play state (tier, compare mode, subtitles on);
what happened goes back as the frame's tag (time, tier, libmpv's pass times, late_ms, late,
dropped), which the loop hands to its statistics and the governor once the GPU timer has
the frame's time. Owned here: the GPU timer of our part, the last frame's geometry
(screenshots redraw it), the CPU and lateness counters. A frame allocates no GL object.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from player.gl import gpu
from player.render.chain import Target
from player.ui.present import letterbox


@dataclass(frozen=True)
class View:
    """What this frame shows, as the play state has it now."""
    tier: str
    scaler: str              # the tier's profile scaler: compare's baseline
    compare: str             # off | split | flip
    split: float             # split compare: the divider, 0..1 of the picture
    show_baseline: bool      # flip compare: the baseline side is shown
    subtitles: bool


class FramePath:
    def __init__(self, window, video, chains, bridge, presenter, subtitles, controls,
                 draw_overlay: Callable, notify: Callable[[str], None]):
        self.window, self.video, self.chains, self.bridge = window, video, chains, bridge
        self.presenter, self.subtitles, self.controls = presenter, subtitles, controls
        self._draw_overlay, self._notify = draw_overlay, notify
        self.mpv = video.renderer      # libmpv's render thread: frames and swap reports
        self.timer = gpu.GpuTimer()
        self.src = None          # the texture of the frame shown (the render thread's slot)
        self.shown_gen = -1      # and what it was rendered for (mpv_render.Frame.gen)
        self.last = None         # (fw, fh, rect, left, right, split) of the last frame shown
        self.cpu_ms = 0.0        # our CPU per frame (compose to overlay)
        # main-thread CPU seconds spent in the buffer swap: work the loop does not own
        # (bench subtracts it to report the loop's own cost; libmpv renders on its thread)
        self.foreign_cpu_s = 0.0
        self.presented = 0
        self.late_frames = self.dropped_frames = 0
        self.read_mpv_passes = False   # ask libmpv for its passes' times (stats, overlay)
        self._drops = 0
        self._owed = False       # a stale frame of libmpv's was shown: its re-render counts

    def draw(self, frame, view: View) -> dict | None:
        """One frame: ``frame`` is the render thread's newest (libmpv's next one, or the
        one shown again at a new size), None to draw ours again over the last. The tag of a
        presented frame of libmpv's, else None."""
        builds = self.chains.builds
        fw, fh = self.window.framebuffer_size()
        rect = letterbox(*self.video.size, fw, fh)
        if rect.w:   # libmpv renders at the size its passes give (a change re-renders)
            size = self.bridge.update(view.tier, view.compare != "off", rect.w, rect.h)
            self.mpv.want(size, self.bridge.sent_count)
        if frame is not None:
            self.src, self.shown_gen = frame.tex, frame.gen
        if self.src is None:
            return None
        owes_swap = frame is not None and frame.new    # libmpv waits for its swap report
        new = self._counts(frame)
        t = self.video.time_pos()
        tag = {"t": t, "tier": view.tier, "mpv": self._mpv_passes(frame)} if new else None
        self.subtitles.set_time(t)
        self.timer.begin(tag)
        if rect.w == 0:
            self.timer.end()
            if owes_swap:
                self.mpv.swapped()   # minimised: libmpv keeps its pace, nothing is drawn
            return None
        t0 = time.perf_counter()
        left, right, split = self._compose(rect, fw, fh, view)
        if left is not None:                 # compare: composed by the presenter
            self.presenter.draw(gpu.screen_framebuffer(), fw, fh, rect, left, right, split)
            self.timer.stamp("present")
        self.last = (fw, fh, rect, left, right, split)
        if view.subtitles:
            self.subtitles.draw(fw, fh, rect, self.video_size(), True, self.timer)
        self.controls.draw(fw, fh, True, self.timer)   # the controller, once over the window
        self._draw_overlay(fw, fh, rect)
        self.timer.stamp("overlay")
        self.timer.end()
        self.cpu_ms = (time.perf_counter() - t0) * 1000.0
        target = frame.target_us if new else 0
        if target:
            self._present_at(target)
        c = time.thread_time()
        self.window.swap()
        swapped_us = self.video.now_us()
        self.foreign_cpu_s += time.thread_time() - c
        if owes_swap:
            self.mpv.swapped()
        if not new:
            return None
        self.presented += 1
        drops = self.video.drop_count()
        tag["dropped"] = drops > self._drops
        self._drops = drops
        # late: from libmpv's target time to the end of the swap; a frame that had to
        # compile a chain first is not counted late
        tag["late_ms"] = max(0.0, (swapped_us - target) / 1000.0) if target else 0.0
        tag["late"] = (self.chains.builds == builds and
                       tag["late_ms"] > 1000.0 / self.video.fps)
        self.late_frames += tag["late"]
        self.dropped_frames += tag["dropped"]
        return tag

    def _counts(self, frame) -> bool:
        """Whether this frame counts as libmpv's next one (a tag, ``presented``): a frame
        of libmpv's rendered before the passes or size it runs with changed is shown but
        owed, and the re-render that follows counts in its place."""
        if frame is None:
            return False
        if frame.gen != self.mpv.gen:
            self._owed = self._owed or frame.new
            return False
        counts = frame.new or self._owed
        self._owed = False
        return counts

    def _mpv_passes(self, frame) -> list[tuple[str, float]]:
        """libmpv's GPU time for this frame, the render thread's timer around its render
        call; named by libmpv's own passes (``vo-passes``, asked without waiting, so the
        names and shares are those of the frame before) when statistics or the overlay
        want them. The governor counts the total."""
        if frame.mpv_ms is None:
            return []
        if self.read_mpv_passes:
            self.video.ask_render_passes()
            named = self.video.render_passes
            total = sum(ms for _, ms in named)
            if named and total > 0:   # libmpv's shares of the measured time
                return [(name, frame.mpv_ms * ms / total) for name, ms in named]
        return [(self.bridge.label, frame.mpv_ms)]

    def collect(self) -> list[tuple]:
        """Frames whose GPU times are in, oldest first (never waits): (total ms, passes,
        tag); libmpv's part (measured on its thread, in the tag) counted in both."""
        out = []
        for total, passes, tag in self.timer.collect(with_tags=True):
            if tag is not None and tag.get("mpv"):
                passes = tag["mpv"] + passes
                total += sum(ms for _, ms in tag["mpv"])
            out.append((total, passes, tag))
        return out

    def _present_at(self, target_us: int) -> None:
        """Wait until libmpv's target time for this frame, our work done first (glFinish:
        a software renderer runs queued commands only when flushed), so that the swap,
        not our chain, is what lands at the target."""
        from OpenGL import GL
        GL.glFinish()
        # never longer than two frame intervals: a target further away is not a frame
        # to hold back (a clock jump, a pause), and the window must stay responsive
        end = time.monotonic() + 2.0 / max(1.0, self.video.fps)
        while True:
            left = (target_us - self.video.now_us()) / 1e6
            if left <= 0.0002 or time.monotonic() >= end:
                return
            time.sleep(min(left, 0.004))

    def _compose(self, rect, fw: int, fh: int, view: View):
        """Run the chain(s) for this frame: (left texture, right texture or None, split).
        Without compare the chain's last pass draws straight into the window (left None):
        no full-size copy."""
        chain = self.chains.get(view.tier, self.bridge.whole)
        if view.compare == "off":
            screen = gpu.screen_framebuffer()
            self.presenter.clear(screen, fw, fh)
            chain.run(self.src, rect.w, rect.h, self.timer,
                      target=Target.letterboxed(screen, fh, rect.x, rect.y, rect.w, rect.h))
            self._show_warnings(chain)
            return None, None, 1.0
        out = chain.run(self.src, rect.w, rect.h, self.timer)
        self._show_warnings(chain)
        base = self.chains.baseline(view.scaler).run(self.src, rect.w, rect.h, self.timer)
        if view.compare == "split":
            return base, out, view.split
        return (base if view.show_baseline else out), None, 1.0

    def _show_warnings(self, chain) -> None:
        """A pass the chain skipped (a hook point that does not exist, a bad size), or a
        subtitle notice: said once on screen, and playback goes on."""
        for text in chain.new_warnings():
            self._notify(text)
        while (line := self.subtitles.notice()) is not None:
            self._notify(line)

    def video_size(self) -> tuple[int, int]:
        """The video's own size (libmpv's video-params), for the subtitle layer."""
        vp = self.video.props.get("video-params") or {}
        w, h = vp.get("w"), vp.get("h")
        if w and h:
            return int(w), int(h)
        return self.src.size if self.src is not None else self.video.size

    def release(self) -> None:
        self.timer.release()     # the source textures are the render thread's

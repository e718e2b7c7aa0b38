"""One frame, top to bottom: render -> chain -> compose -> subtitles -> controls -> overlay ->
present. The per-frame state lives here, apart from the session's long-lived parts.

    libmpv renders the decoded frame into our source texture at once (its target time read
        first, render.h's timing for an API user with work of its own), at the size the
        plane bridge gives (playback/planes_bridge.py);
    our chain runs to the video rectangle (straight into the window when nothing is
        composed; with the baseline into textures in A/B compare, composed by ui/present.py);
    subtitles, the controller and the overlay are drawn at output resolution;
    glFinish, a wait until the target time, swap, report_swap.

What to show comes in a ``View`` from the play state (tier, compare mode, subtitles on);
what happened goes back as the frame's tag (time, tier, late_ms, late, dropped), which the
loop hands to its statistics and the governor once the GPU timer has the frame's time.
Owned here: the source texture, the GPU timer, the last frame's geometry (screenshots redraw
it), the CPU and lateness counters. A frame allocates no GL object: the source texture is
made again only when libmpv's render size changes.
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
        self.timer = gpu.GpuTimer()
        self.src = gpu.Texture(*video.size, 4, "f16")
        self.last = None         # (fw, fh, rect, left, right, split) of the last frame shown
        self.cpu_ms = 0.0        # our CPU per frame (compose to overlay)
        # main-thread CPU seconds spent in libmpv's render and the buffer swap: work the
        # loop does not own (bench subtracts it to report the loop's own cost)
        self.foreign_cpu_s = 0.0
        self.presented = 0
        self.late_frames = self.dropped_frames = 0
        self._drops = 0

    def draw(self, new: bool, view: View) -> dict | None:
        """One frame (``new``: libmpv's next one, else ours again over the last); the tag
        of a presented new frame, else None."""
        builds = self.chains.builds
        fw, fh = self.window.framebuffer_size()
        rect = letterbox(*self.video.size, fw, fh)
        if rect.w:
            size = self.bridge.update(view.tier, view.compare != "off", rect.w, rect.h)
            if size != self.src.size:         # libmpv renders at the size its passes give
                self.src.release()
                self.src = gpu.Texture(size[0], size[1], 4, "f16")
        t = self.video.time_pos()          # read before rendering (mpv's advice)
        tag = {"t": t, "tier": view.tier} if new else None
        self.subtitles.set_time(t)
        target = self.video.frame_target_us() if new else 0
        self.timer.begin(tag)
        if new:
            c = time.thread_time()
            self.video.render(self.src.fbo, *self.src.size)
            self.foreign_cpu_s += time.thread_time() - c
        self.timer.stamp(self.bridge.label)
        if rect.w == 0:
            self.timer.end()
            return None   # minimised: keep decoding, draw nothing
        t0 = time.perf_counter()
        left, right, split = self._compose(rect, fw, fh, view)
        if left is not None:                 # compare: composed by the presenter
            self.presenter.draw(0, fw, fh, rect, left, right, split)
            self.timer.stamp("present")
        self.last = (fw, fh, rect, left, right, split)
        if view.subtitles:
            self.subtitles.draw(fw, fh, rect, self.video_size(), True, self.timer)
        self.controls.draw(fw, fh, True, self.timer)   # the controller, once over the window
        self._draw_overlay(fw, fh, rect)
        self.timer.stamp("overlay")
        self.timer.end()
        self.cpu_ms = (time.perf_counter() - t0) * 1000.0
        if target:
            self._present_at(target)
        c = time.thread_time()
        self.window.swap()
        self.foreign_cpu_s += time.thread_time() - c
        if not new:
            return None
        self.video.report_swap()
        self.presented += 1
        drops = self.video.drop_count()
        tag["dropped"] = drops > self._drops
        self._drops = drops
        # late: from libmpv's target time to the end of the swap; a frame that had to
        # compile a chain first is not counted late
        tag["late_ms"] = max(0.0, (self.video.now_us() - target) / 1000.0) if target else 0.0
        tag["late"] = (self.chains.builds == builds and
                       tag["late_ms"] > 1000.0 / self.video.fps)
        self.late_frames += tag["late"]
        self.dropped_frames += tag["dropped"]
        return tag

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
            self.presenter.clear(0, fw, fh)
            chain.run(self.src, rect.w, rect.h, self.timer,
                      target=Target.letterboxed(0, fh, rect.x, rect.y, rect.w, rect.h))
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
        return (int(w), int(h)) if w and h else self.src.size

    def release(self) -> None:
        for obj in (self.src, self.timer):
            obj.release()

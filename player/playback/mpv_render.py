"""libmpv's render context on a thread of its own: decoded frames -> textures we own.

render.h's way for an API user with work of its own: the render context is created with
``advanced_control`` (so libmpv hands its render thread the requests only it may answer:
``vo-passes``, direct rendering, GPU screenshots) on a thread that never waits for the mpv
core; the main thread (window, mpv commands and properties, our chain) never renders for
libmpv. What the two threads share is a ``Handover``: a few fields under one lock, held for
a few assignments, never across a libmpv or GL call:

    render thread                                 main thread
    update callback -> ctx.update()                take(): the newest rendered frame
    a frame: next_frame_info's target, render     want(size): the size libmpv renders at
      at once into a free slot, glFinish,         swapped(): the frame's swap happened
      its GPU time; published as ``Frame``          (the thread calls report_swap)

Three texture slots (made in the shared context, so the main context samples them): the
one the main thread shows, the newest ready one, the one being written. The thread writes
only a slot nobody holds; a frame the main thread did not take in time is replaced (a
drop), never waited for. Slots are made again only when the wanted size changes; a change
of size or of the passes libmpv runs for us re-renders the current frame (libmpv redraws
its last frame), and frames begun before the change carry an older ``gen``.
Render.h's threading rules, kept here: only mpv_render_* calls for this context and
mpv_get_time_us on this thread; the update callback only sets a flag and wakes the thread.
"""
from __future__ import annotations

import ctypes
import logging
import threading
from dataclasses import dataclass, replace
from typing import Callable

from player.base.errors import MediaError

log = logging.getLogger(__name__)
FRAME_INFO_PRESENT = 1      # render.h: mpv_render_frame_info_flag
FIRST_SIZE = (64, 64)       # before the main thread says a size (the video's is not known)
SLOTS = 3


@dataclass(frozen=True)
class Frame:
    """One rendered frame, ready for the main thread."""
    tex: object              # gpu.Texture in the shared context (its fbo is the thread's)
    slot: int
    target_us: int           # libmpv's target time (mpv_get_time_us clock); 0: at once
    mpv_ms: float | None     # GPU time of libmpv's render call (its own timer query)
    new: bool                # libmpv's frame (swap to report); False: our re-render
    gen: int                 # what it was rendered for (want()'s count when it began)


def named_passes(vo_passes) -> list[tuple[str, float]]:
    """libmpv's ``vo-passes`` value -> [("mpv: its name", GPU ms of the newest frame)] for
    the passes of a fresh frame (not a redraw), in its order; [] for anything else."""
    fresh = vo_passes.get("fresh") if isinstance(vo_passes, dict) else None
    out = []
    for p in fresh if isinstance(fresh, list) else ():
        if isinstance(p, dict) and isinstance(p.get("last"), (int, float)):
            out.append((f"mpv: {p.get('desc') or '?'}", p["last"] / 1e6))
    return out


class Handover:
    """What the two threads share, under one lock held for a few assignments (pure: no GL,
    no libmpv). The render thread waits here for work; the main thread never waits."""

    def __init__(self, slots: int = SLOTS):
        self._cv = threading.Condition()
        self._slots = slots
        self._updates = False       # libmpv called the update callback
        self._swaps = 0             # swaps of libmpv frames to report
        self._rerender = False      # want() changed: the last frame again
        self._stop = False
        self.size = FIRST_SIZE
        self._version = None
        self.gen = 0                # want() changes so far: a frame of an older one is stale
        self._held: int | None = None     # the slot the main thread shows
        self._ready: Frame | None = None  # rendered, not taken yet
        self._rendered = False      # a frame was rendered at least once

    # ---- main thread and libmpv's threads ------------------------------------------------
    def want(self, size: tuple[int, int], version=None) -> None:
        size = (max(1, int(size[0])), max(1, int(size[1])))
        with self._cv:
            if (size, version) == (self.size, self._version):
                return
            self.size, self._version = size, version
            self.gen += 1
            self._rerender = self._rendered
            self._cv.notify()

    def take(self) -> Frame | None:
        with self._cv:
            frame, self._ready = self._ready, None
            if frame is not None:
                self._held = frame.slot
            return frame

    def swapped(self) -> None:
        with self._cv:
            self._swaps += 1
            self._cv.notify()

    def updated(self) -> None:
        with self._cv:
            self._updates = True
            self._cv.notify()

    def stop(self) -> None:
        with self._cv:
            self._stop = True
            self._cv.notify()

    # ---- the render thread ------------------------------------------------------------------
    def wait(self) -> tuple[bool, int, bool] | None:
        """Until there is work: (libmpv updated, swaps to report, re-render); None: stop."""
        with self._cv:
            while not (self._updates or self._swaps or self._rerender or self._stop):
                self._cv.wait()
            if self._stop:
                return None
            work = (self._updates, self._swaps, self._rerender)
            self._updates, self._swaps, self._rerender = False, 0, False
            return work

    def begin(self) -> tuple[tuple[int, int], int, int]:
        """(size, gen, slot) for the frame about to be rendered: a slot nobody holds."""
        with self._cv:
            busy = {self._held, self._ready.slot if self._ready else None}
            return self.size, self.gen, next(i for i in range(self._slots) if i not in busy)

    def publish(self, frame: Frame) -> Frame:
        """The newest frame; one not taken yet is dropped, unless ``frame`` re-renders it
        (then ``frame`` stands in for libmpv's, its swap still owed)."""
        with self._cv:
            old = self._ready
            if old is not None and old.new and not frame.new:
                frame = replace(frame, new=True, target_us=old.target_us)
            self._ready = frame
            self._rendered = True
            return frame


class MpvRenderThread:
    def __init__(self, mpv_mod, core, context, get_proc_address: Callable[[str], int],
                 wake: Callable[[], None], display: tuple[str, int] | None = None):
        self._mpv, self._core, self._context = mpv_mod, core, context
        self._wake, self._display = wake, display
        self._box = Handover()
        self._error: BaseException | None = None
        self._started = threading.Event()
        self._tex: list = [None] * SLOTS
        self._info = None        # next_frame_info's structs (the render thread's)
        self._proc = mpv_mod.MpvGlGetProcAddressFn(
            lambda _ctx, name: get_proc_address(name.decode()))
        self._thread = threading.Thread(target=self._run, name="a4kplay-mpv-render",
                                        daemon=True)

    # ---- main thread --------------------------------------------------------------------
    def start(self) -> None:
        """Start the thread; returns once the render context exists (raises its error)."""
        self._thread.start()
        self._started.wait()
        if self._error is not None:
            self._thread.join()
            raise self._error

    @property
    def gen(self) -> int:
        return self._box.gen

    def want(self, size: tuple[int, int], version=None) -> None:
        """The size libmpv renders at from now on and the version of what it runs for us
        (the plane bridge's, already set in libmpv); a change renders the current frame
        again, and frames begun before it are stale (``Frame.gen < gen``)."""
        self._box.want(size, version)

    def take(self) -> Frame | None:
        """The newest frame rendered since the last take (never waits); its slot is the
        main thread's until the next frame is taken. MediaError when the thread stopped
        on an error (playing on would show a frozen picture and say nothing)."""
        if self._error is not None and not self._thread.is_alive():
            raise MediaError(f"libmpv's renderer stopped: {self._error}",
                             hint="run `a4kplay doctor`; try --mpv vd-lavc-dr=no or hwdec=no")
        return self._box.take()

    def swapped(self) -> None:
        """The frame taken last (libmpv's) reached the screen: report_swap, on the thread."""
        self._box.swapped()

    def close(self) -> None:
        """Stop the thread: it frees the render context (before the core is terminated:
        the reverse aborts) and its textures, and lets go of its context."""
        if not self._thread.is_alive():
            return
        self._box.stop()
        self._thread.join()

    # ---- mpv threads ----------------------------------------------------------------------
    def _on_update(self) -> None:
        self._box.updated()

    # ---- the render thread ------------------------------------------------------------------
    def _run(self) -> None:
        self._context.make_current()
        ctx = timer = None
        try:
            from player.gl import gpu
            handle = {f"{self._display[0]}_display": self._display[1]} if self._display else {}
            ctx = self._mpv.MpvRenderContext(
                self._core, "opengl", opengl_init_params={"get_proc_address": self._proc},
                advanced_control=True, **handle)
            ctx.update_cb = self._on_update   # at once: the core may already wait for it
            timer = gpu.GpuTimer()
        except BaseException as e:   # noqa: BLE001 - handed to start()'s caller
            self._error = e
        self._started.set()
        try:
            if self._error is None:
                self._loop(ctx, timer)
        except self._mpv.ShutdownError:
            pass                     # the core quit first (q): nothing more to render
        except BaseException as e:   # noqa: BLE001 - said by take() on the main thread
            log.debug("libmpv's render thread stopped: %r", e)
            self._error = e
            self._wake()
        finally:
            if ctx is not None:
                # Not ``update_cb = None``: python-mpv drops the old ctypes callback before
                # it tells libmpv, and a libmpv thread still inside it then crashes. After
                # free() libmpv calls it no more; ctx keeps it alive until then.
                ctx.free()
            for tex in self._tex:
                if tex is not None:
                    tex.release()
            if timer is not None:
                timer.release()
            self._context.done_current()

    def _loop(self, ctx, timer) -> None:
        while (work := self._box.wait()) is not None:
            updates, swaps, rerender = work
            for _ in range(swaps):
                ctx.report_swap()
            if updates and ctx.update():     # also answers libmpv's queued requests
                self._render(ctx, timer, new=True)
            elif rerender:
                self._render(ctx, timer, new=False)

    def _render(self, ctx, timer, new: bool) -> None:
        from OpenGL import GL
        size, gen, slot = self._box.begin()
        tex = self._tex[slot]
        if tex is None or tex.size != size:     # only when the wanted size changes
            from player.gl import gpu
            if tex is not None:
                tex.release()
            tex = self._tex[slot] = gpu.Texture(size[0], size[1], 4, "f16")
        target = self._target(ctx) if new else 0
        timer.begin()
        ctx.render(flip_y=False, opengl_fbo={"w": size[0], "h": size[1], "fbo": tex.fbo},
                   block_for_target_time=False)
        timer.stamp("mpv")
        timer.end()
        GL.glFinish()             # done before the main context samples it
        done = timer.collect()
        self._box.publish(Frame(tex, slot, target, done[-1][0] if done else None, new, gen))
        self._wake()

    def _target(self, ctx) -> int:
        """libmpv's target time for the frame about to be rendered (``next_frame_info``,
        asked before rendering it; python-mpv has no wrapper: by value, render.h); 0 when
        it has none (a redraw while paused: at once). The query's two structs are made on
        the first frame and reused."""
        mpv = self._mpv
        if self._info is None:
            info = mpv.MpvRenderFrameInfo()
            param = mpv.MpvRenderParam("invalid")
            param.type_id = mpv.MpvRenderParam.TYPES["next_frame_info"][0]
            param.data = ctypes.cast(ctypes.pointer(info), ctypes.c_void_p)
            self._info = (info, param)
        info, param = self._info
        info.flags = info.target_time = 0
        try:
            mpv._mpv_render_context_get_info(ctx.handle, param)
        except (mpv.ShutdownError, SystemError, RuntimeError):
            return 0     # quitting: present at once
        return int(info.target_time) if info.flags & FRAME_INFO_PRESENT else 0

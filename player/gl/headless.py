"""The player's window where there is no window system: an EGL context (gl/egl.py) and a
framebuffer object standing in for the window's framebuffer.

Chosen by ``gl/window.open_window`` when the platform is 'egl' (headless on a machine with
a GPU EGL device, or A4KPLAY_GL=egl): GLFW cannot make a context there (its null platform
only has OSMesa's, software). It has the window's interface the play loop uses: sizes,
events (none: a headless player is driven by --frames, IPC and signals), a second context
sharing its objects for libmpv's render thread, the swap (a flush: nothing to show), and
it makes its framebuffer object the screen (``gpu.set_screen_framebuffer``), where the
frame path draws and screenshots read.
"""
from __future__ import annotations

from player.gl import egl


class HeadlessWindow:
    platform = "egl"
    fullscreen = False

    def __init__(self, width: int, height: int, title: str = "a4kplay", **_):
        from player.gl import gpu
        self._gpu = gpu
        self._context = egl.Context()
        self.handle = self._context          # truthy while open (the loop checks it)
        self.events: list = []
        self._tex = None
        self.set_size(width, height)

    def set_size(self, w: int, h: int) -> None:
        """A new screen framebuffer of that size (the window's resize)."""
        w, h = max(1, int(w)), max(1, int(h))
        if self._tex is not None and self._tex.size == (w, h):
            return
        if self._tex is not None:
            self._tex.release()
        self._tex = self._gpu.Texture(w, h, 4, "u8")
        self._gpu.set_screen_framebuffer(self._tex.fbo)

    def framebuffer_size(self) -> tuple[int, int]:
        return self._tex.size

    def window_size(self) -> tuple[int, int]:
        return self._tex.size

    def content_scale(self) -> float:
        return 1.0

    def poll(self, timeout: float | None = None) -> list:
        out, self.events = self.events, []
        return out

    def post_empty_event(self) -> None:
        """Nothing to wake: the loop waits on its own event on this platform."""

    def native_display(self) -> None:
        return None                          # no X11/Wayland display for libmpv's hwdec

    def shared_context(self) -> egl.Context:
        """A second context sharing this one's objects, for libmpv's render thread."""
        return egl.Context(share=self._context)

    def get_proc_address(self, name: str) -> int:
        return egl.proc_address(name) or 0

    def swap(self) -> None:
        from OpenGL import GL
        GL.glFlush()

    def make_current(self) -> None:
        self._context.make_current()

    def set_title(self, title: str) -> None:
        pass

    def set_cursor_hidden(self, hidden: bool) -> None:
        pass

    def set_fullscreen(self, on: bool) -> None:
        pass

    def toggle_fullscreen(self) -> None:
        pass

    def release(self) -> None:
        if self.handle is None:
            return
        self._context.make_current()
        if self._tex is not None:
            self._tex.release()
            self._tex = None
        self._gpu.set_screen_framebuffer(0)
        self._context.release()
        self.handle = None

"""GLFW: platform choice, the window and its GL context, callbacks turned into events.

This module draws nothing. It owns the GLFW library state and the one window of the process;
input callbacks only append plain event tuples to a list the play loop drains, so no
exception can die inside a C callback and every state change goes through the loop's queue.

Platform choice must happen before PyOpenGL is first imported (PyOpenGL picks its back end
at import): ``setup_platform()`` is called by the command line and by the tests first.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from player.base.errors import DisplayError

_platform: str | None = None
_glfw_users = 0
# Mesa's GLSL compiler rejects an #extension line after the first declaration, and libmpv
# (in our process: it runs the passes on YUV planes, render/planes.py) pastes a pass body
# after its own declarations: CuNNy's passes, which enable float16 mid-body with an #ifdef
# fallback, would be dropped. Mesa's driconf option, read from the environment when the
# first context is made, accepts such lines; it changes nothing else, and other drivers
# (NVIDIA's) accept them anyway. Set unless the user set it; and unless the user set
# MESA_DEBUG, Mesa is told not to print that an option was overridden (MESA_DEBUG=silent
# silences only such notices in release builds of Mesa).
MESA_ENV = {"allow_glsl_extension_directive_midshader": "true"}
_MESA_QUIET = {"MESA_DEBUG": "silent"}  # windows alive: GLFW is terminated only when the last one goes


def _egl_gpu() -> bool:
    from player.gl import egl
    return egl.has_gpu()


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def setup_platform(headless: bool) -> str:
    """Decide how GL contexts are made in this process: 'native' (X11/Wayland, visible or
    hidden windows), 'egl' (headless on a GPU, no window: player/gl/egl.py; offscreen work
    only) or 'osmesa' (GLFW's null platform, no X server at all).

    Raises DisplayError when there is no display and headless was not asked for.
    """
    global _platform
    if _platform is not None:
        return _platform
    for key, value in {**MESA_ENV, **_MESA_QUIET}.items():
        os.environ.setdefault(key, value)
    if has_display():
        _platform = "native"
    elif headless:
        # No display: EGL on a GPU (or when A4KPLAY_GL=egl asks), else OSMesa on the CPU.
        want = os.environ.get("A4KPLAY_GL", "").lower()
        if want == "egl" or (want != "osmesa" and _egl_gpu()):
            choice = "egl"
        else:
            choice = "osmesa"
        if "OpenGL" in sys.modules and os.environ.get("PYOPENGL_PLATFORM") != choice:
            raise DisplayError("internal: OpenGL was imported before the platform was chosen")
        os.environ["PYOPENGL_PLATFORM"] = choice
        _platform = choice
    else:
        raise DisplayError("no display found (DISPLAY is not set)",
                           hint="run with --headless, or start the player inside an X session")
    return _platform


def _context_hints(glfw, platform: str, visible: bool) -> None:
    """A GL 3.3 core context (OSMesa's on the null platform), visible or hidden."""
    glfw.default_window_hints()
    glfw.window_hint(glfw.CONTEXT_VERSION_MAJOR, 3)
    glfw.window_hint(glfw.CONTEXT_VERSION_MINOR, 3)
    glfw.window_hint(glfw.OPENGL_PROFILE, glfw.OPENGL_CORE_PROFILE)
    if platform == "osmesa":
        glfw.window_hint(glfw.CONTEXT_CREATION_API, glfw.OSMESA_CONTEXT_API)
    else:
        glfw.window_hint(glfw.OPENGL_FORWARD_COMPAT, True)
    glfw.window_hint(glfw.VISIBLE, bool(visible))


class SharedContext:
    """A context sharing the window's objects, current on one other thread at a time."""

    def __init__(self, glfw, handle):
        self._glfw, self.handle = glfw, handle

    def make_current(self) -> None:
        """On the thread that renders with it (any thread: GLFW allows it)."""
        self._glfw.make_context_current(self.handle)

    def done_current(self) -> None:
        """That thread lets go of it (before the window is destroyed)."""
        self._glfw.make_context_current(None)

    def release(self) -> None:
        """Destroy it (main thread; no thread has it current any more)."""
        global _glfw_users
        if self.handle:
            self._glfw.destroy_window(self.handle)
            self.handle = None
            _glfw_users -= 1


@dataclass(frozen=True)
class Event:
    kind: str          # "key", "button", "scroll", "motion", "drag", "leave", "resize", "close"
    key: int = 0       # the GLFW key code, or the mouse button of "button"
    mods: int = 0
    x: float = 0.0
    y: float = 0.0
    w: int = 0
    h: int = 0
    pressed: bool = False
    px: float = 0.0    # "scroll": where the pointer is (x, y are the wheel's steps)
    py: float = 0.0


def open_window(width: int, height: int, title: str = "a4kplay", *, visible: bool = True,
                fullscreen: bool = False):
    """The player's window: GLFW's (a window system, or OSMesa headless), or, headless on
    EGL, a framebuffer object of an EGL context (gl/headless.py)."""
    if setup_platform(headless=not visible) == "egl":
        from player.gl.headless import HeadlessWindow
        return HeadlessWindow(width, height, title)
    return Window(width, height, title, visible=visible, fullscreen=fullscreen)


class Window:
    """One GLFW window with a current GL 3.3+ core context (hidden when headless)."""

    def __init__(self, width: int, height: int, title: str = "a4kplay", *,
                 visible: bool = True, fullscreen: bool = False):
        import glfw
        self._glfw = glfw
        self.handle = None
        self.events: list[Event] = []
        self._callbacks = []  # keep every ctypes callback alive while registered
        platform = setup_platform(headless=not visible)
        if platform == "osmesa":
            glfw.init_hint(glfw.PLATFORM, glfw.PLATFORM_NULL)
        global _glfw_users
        if not glfw.init():
            raise DisplayError("GLFW could not initialise the window system",
                               hint="check DISPLAY, or run with --headless")
        _context_hints(glfw, platform, visible)
        glfw.window_hint(glfw.SCALE_TO_MONITOR, False)
        self._windowed = (width, height)
        self._windowed_pos = (64, 64)
        monitor = glfw.get_primary_monitor() if (fullscreen and visible) else None
        if monitor:
            mode = glfw.get_video_mode(monitor)
            width, height = mode.size.width, mode.size.height
        self.handle = glfw.create_window(int(width), int(height), title, monitor, None)
        if not self.handle:
            if _glfw_users == 0:
                glfw.terminate()
            raise DisplayError("could not create an OpenGL 3.3 core window",
                               hint="the GL driver may be too old; try --headless (software GL)")
        _glfw_users += 1
        glfw.make_context_current(self.handle)
        glfw.swap_interval(1)
        self.fullscreen = bool(monitor)
        self._cursor_hidden = False
        self.platform = platform
        self._fb_size = tuple(glfw.get_framebuffer_size(self.handle))
        self._install_callbacks()

    def _install_callbacks(self) -> None:
        glfw = self._glfw

        def on_key(_w, key, _scancode, action, mods):
            if action in (glfw.PRESS, glfw.REPEAT):
                self.events.append(Event("key", key=key, mods=mods))

        def on_size(_w, w, h):
            self._fb_size = (w, h)
            self.events.append(Event("resize", w=w, h=h))

        def on_button(_w, button, action, mods):
            x, y = glfw.get_cursor_pos(self.handle)
            self.events.append(Event("button", key=button, x=x, y=y,
                                     pressed=action == glfw.PRESS, mods=mods))

        def on_scroll(_w, dx, dy):
            px, py = glfw.get_cursor_pos(self.handle)
            self.events.append(Event("scroll", x=dx, y=dy, px=px, py=py))

        def on_cursor(_w, x, y):
            self.events.append(Event("motion", x=x, y=y))
            if glfw.get_mouse_button(self.handle, glfw.MOUSE_BUTTON_LEFT) == glfw.PRESS:
                self.events.append(Event("drag", x=x, y=y))

        def on_enter(_w, entered):
            if not entered:
                self.events.append(Event("leave"))

        def on_close(_w):
            self.events.append(Event("close"))

        for setter, fn in ((glfw.set_key_callback, on_key),
                           (glfw.set_framebuffer_size_callback, on_size),
                           (glfw.set_mouse_button_callback, on_button),
                           (glfw.set_scroll_callback, on_scroll),
                           (glfw.set_cursor_pos_callback, on_cursor),
                           (glfw.set_cursor_enter_callback, on_enter),
                           (glfw.set_window_close_callback, on_close)):
            setter(self.handle, fn)
            self._callbacks.append(fn)

    def framebuffer_size(self) -> tuple[int, int]:
        """The size GLFW last reported (kept from its callback: asking the window system
        every frame is a round trip to the X server)."""
        return self._fb_size

    def window_size(self) -> tuple[int, int]:
        return self._glfw.get_window_size(self.handle)

    def content_scale(self) -> float:
        """The window's content scale (2.0 on a HiDPI screen): what the controller and
        other drawn controls are sized by."""
        try:
            return float(self._glfw.get_window_content_scale(self.handle)[0]) or 1.0
        except Exception:   # noqa: BLE001 - the null platform may not answer
            return 1.0

    def set_cursor_hidden(self, hidden: bool) -> None:
        """Hide the pointer over the window (fullscreen, controller hidden), or show it."""
        if hidden != self._cursor_hidden:
            self._cursor_hidden = hidden
            self._glfw.set_input_mode(self.handle, self._glfw.CURSOR,
                                      self._glfw.CURSOR_HIDDEN if hidden
                                      else self._glfw.CURSOR_NORMAL)

    def set_size(self, w: int, h: int) -> None:
        self._glfw.set_window_size(self.handle, w, h)

    def set_fullscreen(self, on: bool) -> None:
        if bool(on) != self.fullscreen:
            self.toggle_fullscreen()

    def toggle_fullscreen(self) -> None:
        glfw = self._glfw
        if self.fullscreen:
            w, h = self._windowed
            x, y = self._windowed_pos
            glfw.set_window_monitor(self.handle, None, x, y, w, h, 0)
            self.fullscreen = False
            return
        monitor = glfw.get_primary_monitor()
        if not monitor:
            return  # hidden/null platform: nothing to go fullscreen on
        self._windowed = self.window_size()
        self._windowed_pos = glfw.get_window_pos(self.handle)
        mode = glfw.get_video_mode(monitor)
        glfw.set_window_monitor(self.handle, monitor, 0, 0, mode.size.width, mode.size.height,
                                mode.refresh_rate)
        self.fullscreen = True

    def get_proc_address(self, name: str) -> int:
        return self._glfw.get_proc_address(name) or 0

    def poll(self, timeout: float | None = None) -> list[Event]:
        """Process window events (waiting up to ``timeout`` s) and return the new ones."""
        if timeout is None or timeout <= 0:
            self._glfw.poll_events()
        else:
            self._glfw.wait_events_timeout(timeout)
        if self.handle and self._glfw.window_should_close(self.handle):
            self._glfw.set_window_should_close(self.handle, False)
            self.events.append(Event("close"))
        out, self.events = self.events, []
        return out

    def post_empty_event(self) -> None:
        """Thread-safe wake-up of ``poll`` (called from libmpv's update callback)."""
        self._glfw.post_empty_event()

    def native_display(self) -> tuple[str, int] | None:
        """("x11" | "wayland", the display pointer GLFW uses), for libmpv's hardware
        decoding interop (render.h's X11_DISPLAY / WL_DISPLAY); None headless (OSMesa)."""
        g = self._glfw
        if self.platform == "osmesa":
            return None
        platform = g.get_platform() if hasattr(g, "get_platform") else None
        try:
            if platform == getattr(g, "PLATFORM_WAYLAND", -1):
                import ctypes
                fn = getattr(g._glfw, "glfwGetWaylandDisplay", None)
                if fn is None:
                    return None
                fn.restype = ctypes.c_void_p
                ptr = fn()
                return ("wayland", int(ptr)) if ptr else None
            ptr = g.get_x11_display()
        except Exception:   # a GLFW without that platform: no handle, software copy
            return None
        return ("x11", int(ptr)) if ptr else None

    def shared_context(self) -> "SharedContext":
        """A second GL context sharing this window's textures (a hidden 1x1 window), for a
        thread of its own: libmpv's render thread (playback/mpv_render.py). Made here, on
        the main thread, as GLFW requires; made current on the thread that uses it."""
        glfw = self._glfw
        _context_hints(glfw, self.platform, False)
        handle = glfw.create_window(1, 1, "a4kplay render", None, self.handle)
        if not handle:
            raise DisplayError("could not create a second OpenGL context sharing the window's",
                               hint="the GL driver may not share contexts; try --headless")
        global _glfw_users
        _glfw_users += 1
        glfw.make_context_current(self.handle)   # creating it may have changed the current one
        return SharedContext(glfw, handle)

    def swap(self) -> None:
        self._glfw.swap_buffers(self.handle)

    def set_title(self, title: str) -> None:
        self._glfw.set_window_title(self.handle, title)

    def make_current(self) -> None:
        self._glfw.make_context_current(self.handle)

    def release(self) -> None:
        global _glfw_users
        if self.handle:
            self._glfw.destroy_window(self.handle)
            self.handle = None
            self._callbacks.clear()
            _glfw_users -= 1
            if _glfw_users == 0:
                self._glfw.terminate()

"""A headless OpenGL 3.3 core context through EGL, for machines with a GPU and no display.

This module owns EGL: finding a device (``EGL_EXT_platform_device``: a GPU needs neither X
nor a window), making a surfaceless context current, releasing it. It is used where the
player works headless with no display (export workers on GPU nodes, `upscale`, `bench`):
``player.gl.window.setup_platform`` chooses it when a hardware EGL device exists, or when
A4KPLAY_GL=egl asks for it (then Mesa's software device serves too, which is how it is
tested on a machine without a GPU). Everything is called through ctypes on libEGL, so
choosing the platform imports no PyOpenGL (PyOpenGL fixes its back end at import).
"""
from __future__ import annotations

import ctypes
import os

from player.base.errors import DisplayError

_PLATFORM_DEVICE = 0x313F
_EXTENSIONS = 0x3055
_SURFACE_TYPE, _PBUFFER_BIT = 0x3033, 0x0001
_RENDERABLE_TYPE, _OPENGL_BIT = 0x3040, 0x0008
_RED, _GREEN, _BLUE, _ALPHA = 0x3024, 0x3023, 0x3022, 0x3021
_NONE = 0x3038
_OPENGL_API = 0x30A2
_MAJOR, _MINOR, _PROFILE, _CORE = 0x3098, 0x30FB, 0x30FD, 0x1

_lib = None


def _egl():
    global _lib
    if _lib is None:
        try:
            lib = ctypes.CDLL("libEGL.so.1")
        except OSError:
            return None
        lib.eglGetProcAddress.restype = ctypes.c_void_p
        lib.eglGetProcAddress.argtypes = [ctypes.c_char_p]
        lib.eglInitialize.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
        lib.eglChooseConfig.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int),
                                        ctypes.POINTER(ctypes.c_void_p), ctypes.c_int,
                                        ctypes.POINTER(ctypes.c_int)]
        lib.eglCreateContext.restype = ctypes.c_void_p
        lib.eglCreateContext.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p,
                                         ctypes.POINTER(ctypes.c_int)]
        lib.eglMakeCurrent.argtypes = [ctypes.c_void_p] * 4
        lib.eglDestroyContext.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        lib.eglTerminate.argtypes = [ctypes.c_void_p]
        lib.eglBindAPI.argtypes = [ctypes.c_uint]
        _lib = lib
    return _lib


def _proc(name: str, restype, *argtypes):
    lib = _egl()
    address = lib.eglGetProcAddress(name.encode()) if lib is not None else None
    return ctypes.CFUNCTYPE(restype, *argtypes)(address) if address else None


def proc_address(name: str) -> int | None:
    """A GL or EGL entry point's address (what glfw.get_proc_address is elsewhere)."""
    lib = _egl()
    return lib.eglGetProcAddress(name.encode()) if lib is not None else None


def devices() -> list[tuple[int, bool]]:
    """(handle, is a GPU) of every EGL device; [] without libEGL or the extension."""
    query = _proc("eglQueryDevicesEXT", ctypes.c_uint, ctypes.c_int,
                  ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_int))
    describe = _proc("eglQueryDeviceStringEXT", ctypes.c_char_p, ctypes.c_void_p,
                     ctypes.c_int)
    if query is None or describe is None:
        return []
    found = (ctypes.c_void_p * 16)()
    n = ctypes.c_int(0)
    if not query(16, found, ctypes.byref(n)):
        return []
    out = []
    for handle in found[:n.value]:
        ext = (describe(handle, _EXTENSIONS) or b"").decode(errors="replace")
        out.append((handle, "EGL_EXT_device_drm" in ext and "device_software" not in ext))
    return out


def has_gpu() -> bool:
    try:
        return any(gpu for _, gpu in devices())
    except (OSError, ValueError, ctypes.ArgumentError):
        return False


class Context:
    """A surfaceless GL 3.3 core context on an EGL device, current once made (a shared one,
    ``Context(share=first)``, is made current by the thread that uses it). Rendering goes
    to framebuffer objects (there is no window)."""

    def __init__(self, share: "Context | None" = None):
        lib = _egl()
        if lib is None:
            raise DisplayError("no libEGL on this machine (EGL was asked for)")
        self._owner = share is None    # the first context initialised the display
        if share is not None:          # a context sharing ``share``'s objects (not current)
            self.lib, self.display, self.config = lib, share.display, share.config
            self.context = lib.eglCreateContext(self.display, self.config, share.context,
                                                _context_attrs())
            if not self.context:
                raise DisplayError("EGL could not create a second context sharing the first")
            return
        found = devices()
        gpus = [h for h, gpu in found if gpu]
        # Ray gives a GPU task one device: take the same one where the numbering tells.
        visible = os.environ.get("CUDA_VISIBLE_DEVICES", "")
        pick = gpus[int(visible)] if visible.isdigit() and int(visible) < len(gpus) else \
            (gpus or [h for h, _ in found] or [None])[0]
        display = _proc("eglGetPlatformDisplayEXT", ctypes.c_void_p, ctypes.c_uint,
                        ctypes.c_void_p, ctypes.c_void_p)
        if pick is None or display is None:
            raise DisplayError("no EGL device found", hint="unset A4KPLAY_GL to use OSMesa")
        self.lib, self.display = lib, display(_PLATFORM_DEVICE, pick, None)
        if not self.display or not lib.eglInitialize(self.display, None, None):
            raise DisplayError("EGL could not initialise its device")
        lib.eglBindAPI(_OPENGL_API)
        attrs = (ctypes.c_int * 13)(_SURFACE_TYPE, _PBUFFER_BIT, _RENDERABLE_TYPE, _OPENGL_BIT,
                                    _RED, 8, _GREEN, 8, _BLUE, 8, _ALPHA, 8, _NONE)
        config, n = ctypes.c_void_p(), ctypes.c_int(0)
        if not lib.eglChooseConfig(self.display, attrs, ctypes.byref(config), 1,
                                   ctypes.byref(n)) or n.value < 1:
            raise DisplayError("EGL has no OpenGL configuration on this device")
        self.config = config
        self.context = lib.eglCreateContext(self.display, config, None, _context_attrs())
        if not self.context:
            raise DisplayError("EGL could not create an OpenGL 3.3 core context")
        self.make_current()

    def make_current(self) -> None:
        if not self.lib.eglMakeCurrent(self.display, None, None, self.context):
            raise DisplayError("EGL could not make its context current (no "
                               "EGL_KHR_surfaceless_context?)")

    def done_current(self) -> None:
        """The calling thread lets go of it."""
        self.lib.eglMakeCurrent(self.display, None, None, None)

    def release(self) -> None:
        if self.context:
            if self._owner:
                self.lib.eglMakeCurrent(self.display, None, None, None)
            self.lib.eglDestroyContext(self.display, self.context)
            if self._owner:
                self.lib.eglTerminate(self.display)
            self.context = None


def _context_attrs():
    return (ctypes.c_int * 7)(_MAJOR, 3, _MINOR, 3, _PROFILE, _CORE, _NONE)


__all__ = ["Context", "devices", "has_gpu", "proc_address"]

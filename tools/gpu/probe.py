"""What GL the bench will get: the platform chosen, the EGL devices and the EGL and GL
strings of the context that `player.render.offscreen` makes (tools/gpu/measure.sh runs it
before the bench, so a run that fails shows where)."""
from __future__ import annotations

import ctypes
import os


def main() -> None:
    from player.gl.window import setup_platform
    platform = setup_platform(headless=True)
    print("platform:", platform, "| PYOPENGL_PLATFORM:", os.environ.get("PYOPENGL_PLATFORM"))
    for key in ("A4KPLAY_GL", "__EGL_VENDOR_LIBRARY_FILENAMES", "EGL_PLATFORM",
                "LD_LIBRARY_PATH", "DISPLAY"):
        print(f"{key}: {os.environ.get(key, '(unset)')}")
    if platform == "egl":
        from player.gl import egl
        found = egl.devices()
        print(f"EGL devices: {len(found)} ({sum(g for _, g in found)} with a DRM node)")
    from player.render import offscreen
    ctx = offscreen.context()
    if platform == "egl":
        query = ctx.lib.eglQueryString
        query.restype, query.argtypes = ctypes.c_char_p, [ctypes.c_void_p, ctypes.c_int]
        for name, enum in (("EGL_VENDOR", 0x3053), ("EGL_VERSION", 0x3054)):
            print(f"{name}: {(query(ctx.display, enum) or b'?').decode(errors='replace')}")
    from OpenGL import GL
    for name in ("GL_VENDOR", "GL_RENDERER", "GL_VERSION", "GL_SHADING_LANGUAGE_VERSION"):
        value = GL.glGetString(getattr(GL, name))
        print(f"{name}: {value.decode(errors='replace') if value else '?'}")
    offscreen.close()


if __name__ == "__main__":
    main()

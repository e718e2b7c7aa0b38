"""Small owners of GL objects: Texture (with its framebuffer), Program, Buffer,
VertexArray, TexturePool, GpuTimer, and the one table of texture formats (``FORMATS``).

Every GL object the player makes is made here (the chain, the presenter, the overlay, the
tools go through these classes), so there is one place that counts allocations and one
release rule: every object has exactly one owner and an idempotent ``release()``; a
released object raises ReleasedError on use instead of silently binding GL name 0 (as
moderngl's InvalidObject does); ``__del__`` never calls GL (a finaliser may run on another
thread or after the context is gone). The module counts GL allocations (``stats``) so tests
can check that a chain at steady size allocates nothing per frame. All calls assume the
caller's context is current. It is over 500 lines on purpose: it is the one place GL
objects are made, and splitting the object types apart would scatter that rule.

PyOpenGL's per-call error checking is switched off (it costs a glGetError per call, which
matters at dozens of calls per pass); ``check_error()`` is called at the points where errors
are meaningful (after building a chain, in tests before and after work).
"""
from __future__ import annotations

import ctypes
import os
from dataclasses import dataclass

import OpenGL

OpenGL.ERROR_CHECKING = False  # must precede the first OpenGL.GL import
from OpenGL import GL  # noqa: E402

from player.base.errors import A4kError, ShaderError  # noqa: E402


class ReleasedError(A4kError):
    """A GL object was used after ``release()`` (its GL name is gone; binding 0 instead
    would draw nothing, silently)."""


@dataclass
class GLStats:
    """Process-wide counters of GL object creations (for the 'no allocations per frame' checks)."""
    textures: int = 0
    framebuffers: int = 0
    programs: int = 0
    queries: int = 0
    buffers: int = 0
    vertex_arrays: int = 0
    live_textures: int = 0
    live_programs: int = 0

    def allocations(self) -> int:
        return (self.textures + self.framebuffers + self.programs + self.queries
                + self.buffers + self.vertex_arrays)


stats = GLStats()
# The framebuffer that is the screen: 0 (the window's) unless a headless window renders into
# a framebuffer object of its own (gl/headless.py); where a frame ends up after our passes.
_screen_fbo = 0


def screen_framebuffer() -> int:
    return _screen_fbo


def set_screen_framebuffer(fbo: int) -> None:
    global _screen_fbo
    _screen_fbo = int(fbo)


@dataclass(frozen=True)
class Format:
    """One texture format: GL internal format, pixel format and type of its data, bytes per
    texel of that data, channels."""
    internal: int
    pixel: int
    type: int
    bytes: int
    components: int


def _format_table() -> dict[str, Format]:
    """mpv's/libplacebo's FORMAT names (r8 .. rgba32f, 16hf = 16f) -> Format: the one table
    for TEXTURE blocks and for the chain's own textures (``format_name``)."""
    table = {}
    for n, c, pf in (("r", 1, GL.GL_RED), ("rg", 2, GL.GL_RG), ("rgb", 3, GL.GL_RGB),
                     ("rgba", 4, GL.GL_RGBA)):
        up = n.upper()
        table[f"{n}8"] = Format(getattr(GL, f"GL_{up}8"), pf, GL.GL_UNSIGNED_BYTE, c, c)
        table[f"{n}16"] = Format(getattr(GL, f"GL_{up}16"), pf, GL.GL_UNSIGNED_SHORT, 2 * c, c)
        table[f"{n}16f"] = Format(getattr(GL, f"GL_{up}16F"), pf, GL.GL_HALF_FLOAT, 2 * c, c)
        table[f"{n}16hf"] = table[f"{n}16f"]
        table[f"{n}32f"] = Format(getattr(GL, f"GL_{up}32F"), pf, GL.GL_FLOAT, 4 * c, c)
    return table


FORMATS = _format_table()
_PRECISION_SUFFIX = {"u8": "8", "f16": "16f", "f32": "32f"}


def format_name(components: int, precision: str = "f16") -> str:
    """The FORMATS name of a renderable texture of ``components`` channels at ``precision``
    ("u8", "f16", "f32"); 3 channels get RGBA (RGB16F need not be renderable)."""
    return ("r", "rg", "rgba", "rgba")[components - 1] + _PRECISION_SUFFIX[precision]


def check_error(what: str = "GL") -> None:
    """Raise A4kError if the GL error flag is set (drains all pending errors)."""
    errors = []
    while True:
        err = GL.glGetError()
        if err == GL.GL_NO_ERROR:
            break
        errors.append(hex(int(err)))
        if len(errors) > 16:
            break
    if errors:
        raise A4kError(f"{what}: OpenGL error {', '.join(errors)}")


class GLObject:
    """One GL name with one owner. ``id`` raises ReleasedError once released; ``release()``
    is idempotent. Subclasses delete their name in ``_delete``."""

    _id = 0
    kind = "GL object"

    @property
    def id(self) -> int:
        if not self._id:
            raise ReleasedError(f"{self.kind} used after release()")
        return self._id

    @property
    def released(self) -> bool:
        return not self._id

    def release(self) -> None:
        if self._id:
            self._delete(self._id)
            self._id = 0

    def _delete(self, name: int) -> None:
        raise NotImplementedError


_TARGETS = {1: GL.GL_TEXTURE_1D, 2: GL.GL_TEXTURE_2D, 3: GL.GL_TEXTURE_3D}


class Texture(GLObject):
    """A 1D, 2D or 3D texture and, for 2D, lazily, the framebuffer that renders into it.

    Made by ``(w, h, components, precision)`` for the chain's own textures, or by a FORMATS
    ``format`` name (TEXTURE blocks; ``depth`` and ``dims`` for 1D/3D). ``data`` is uploaded
    as ``data_type`` (the format's own type when ``format`` is given).
    """

    kind = "texture"

    def __init__(self, w: int, h: int, components: int = 4, precision: str = "f16",
                 filter: int = GL.GL_LINEAR, wrap: int = GL.GL_CLAMP_TO_EDGE,
                 data=None, data_type: int = GL.GL_FLOAT, *, format: str | None = None,
                 depth: int = 1, dims: int = 2):
        if w < 1 or h < 1 or depth < 1:
            raise A4kError(f"texture size must be positive, got {w}x{h}")
        if format is None:
            fmt = FORMATS[format_name(components, precision)]
            pixel, dtype = fmt.pixel, data_type
        else:
            fmt = FORMATS[format]
            pixel, dtype = fmt.pixel, fmt.type
            components = fmt.components
        self.w, self.h, self.depth = int(w), int(h), int(depth)
        self.components, self.precision = components, precision
        self.format = fmt
        self.internal_format = fmt.internal
        self.target = _TARGETS[dims]
        self._fbo = 0
        self._id = int(GL.glGenTextures(1))
        stats.textures += 1
        stats.live_textures += 1
        t = self.target
        GL.glBindTexture(t, self._id)
        for p, v in ((GL.GL_TEXTURE_MIN_FILTER, filter), (GL.GL_TEXTURE_MAG_FILTER, filter),
                     (GL.GL_TEXTURE_WRAP_S, wrap), (GL.GL_TEXTURE_WRAP_T, wrap),
                     (GL.GL_TEXTURE_WRAP_R, wrap)):
            GL.glTexParameteri(t, p, v)
        GL.glPixelStorei(GL.GL_UNPACK_ALIGNMENT, 1)
        if dims == 1:
            GL.glTexImage1D(t, 0, fmt.internal, self.w, 0, pixel, dtype, data)
        elif dims == 2:
            GL.glTexImage2D(t, 0, fmt.internal, self.w, self.h, 0, pixel, dtype, data)
        else:
            GL.glTexImage3D(t, 0, fmt.internal, self.w, self.h, self.depth, 0, pixel, dtype,
                            data)
        GL.glBindTexture(t, 0)

    @property
    def size(self) -> tuple[int, int]:
        return self.w, self.h

    @property
    def fbo(self) -> int:
        """The framebuffer object rendering into this texture (made on first use)."""
        if not self._fbo:
            tid = self.id
            self._fbo = int(GL.glGenFramebuffers(1))
            stats.framebuffers += 1
            GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, self._fbo)
            GL.glFramebufferTexture2D(GL.GL_FRAMEBUFFER, GL.GL_COLOR_ATTACHMENT0,
                                      GL.GL_TEXTURE_2D, tid, 0)
            status = GL.glCheckFramebufferStatus(GL.GL_FRAMEBUFFER)
            if status != GL.GL_FRAMEBUFFER_COMPLETE:
                raise A4kError(f"framebuffer incomplete ({hex(int(status))}) for a "
                               f"{self.w}x{self.h} texture")
        return self._fbo

    def upload(self, array, x: int = 0, y: int = 0) -> None:
        """Upload a numpy array (H x W x C, uint8, uint16 or float; row 0 = top)."""
        import numpy as np
        a = np.ascontiguousarray(array)
        h, w = a.shape[:2]
        c = a.shape[2] if a.ndim == 3 else 1
        fmt = {1: GL.GL_RED, 2: GL.GL_RG, 3: GL.GL_RGB, 4: GL.GL_RGBA}[c]
        typ = {np.dtype(np.uint8): GL.GL_UNSIGNED_BYTE,
               np.dtype(np.uint16): GL.GL_UNSIGNED_SHORT}.get(a.dtype, GL.GL_FLOAT)
        if typ == GL.GL_FLOAT and a.dtype != np.float32:
            a = a.astype(np.float32)
        GL.glBindTexture(GL.GL_TEXTURE_2D, self.id)
        GL.glPixelStorei(GL.GL_UNPACK_ALIGNMENT, 1)
        GL.glTexSubImage2D(GL.GL_TEXTURE_2D, 0, x, y, w, h, fmt, typ, a)
        GL.glBindTexture(GL.GL_TEXTURE_2D, 0)

    def read(self, components: int = 4):
        """Read the texture back as float32 H x W x components (row 0 = top)."""
        import numpy as np
        out = np.empty((self.h, self.w, components), np.float32)
        return self.read_into(out)

    def read_into(self, out):
        """Read into a preallocated numpy array H x W x C (C 1, 3 or 4; uint8 and uint16
        read as unsigned normalised, so GL clamps and rounds; float32 as is); returns it."""
        import numpy as np
        c = out.shape[2] if out.ndim == 3 else 1
        fmt = {1: GL.GL_RED, 3: GL.GL_RGB, 4: GL.GL_RGBA}[c]
        typ = {np.dtype(np.uint8): GL.GL_UNSIGNED_BYTE,
               np.dtype(np.uint16): GL.GL_UNSIGNED_SHORT,
               np.dtype(np.float32): GL.GL_FLOAT}[out.dtype]
        if not out.flags.c_contiguous or out.shape[:2] != (self.h, self.w):
            raise A4kError(f"read_into needs a contiguous {self.h}x{self.w} array")
        GL.glBindFramebuffer(GL.GL_READ_FRAMEBUFFER, self.fbo)
        GL.glPixelStorei(GL.GL_PACK_ALIGNMENT, 1)
        GL.glReadPixels(0, 0, self.w, self.h, fmt, typ, out)
        GL.glBindFramebuffer(GL.GL_READ_FRAMEBUFFER, 0)
        return out

    def release(self) -> None:
        if self._fbo:
            GL.glDeleteFramebuffers(1, [self._fbo])
            self._fbo = 0
        if self._id:
            GL.glDeleteTextures(1, [self._id])
            self._id = 0
            stats.live_textures -= 1


class Buffer(GLObject):
    """A GL buffer object (vertex data: GL_ARRAY_BUFFER)."""

    kind = "buffer"

    def __init__(self, target: int = GL.GL_ARRAY_BUFFER, nbytes: int = 0,
                 usage: int = GL.GL_DYNAMIC_DRAW):
        self.target, self.usage, self.nbytes = target, usage, 0
        self._id = int(GL.glGenBuffers(1))
        stats.buffers += 1
        if nbytes:
            self.bind()
            self.allocate(nbytes)
            GL.glBindBuffer(target, 0)

    def bind(self) -> None:
        GL.glBindBuffer(self.target, self.id)

    def allocate(self, nbytes: int) -> None:
        """Give the (bound) buffer fresh storage of ``nbytes``."""
        GL.glBufferData(self.target, nbytes, None, self.usage)
        self.nbytes = nbytes

    def write(self, array, nbytes: int | None = None) -> None:
        """Copy the first ``nbytes`` (default all) of a numpy array into the bound buffer."""
        GL.glBufferSubData(self.target, 0, array.nbytes if nbytes is None else nbytes, array)

    def _delete(self, name: int) -> None:
        GL.glDeleteBuffers(1, [name])


_UNIFORM_FNS = {"i": (GL.glUniform1i, GL.glUniform2i, GL.glUniform3i, GL.glUniform4i),
                "f": (GL.glUniform1f, GL.glUniform2f, GL.glUniform3f, GL.glUniform4f)}


class Program(GLObject):
    """A linked GLSL program with a cache of uniform locations and last-set values.

    Redundant uniform uploads are skipped: per frame most sizes do not change, and every
    PyOpenGL call costs microseconds of CPU.
    """

    def __init__(self, vertex: str | None, fragment: str, path: str = "<builtin>",
                 kind: int = GL.GL_FRAGMENT_SHADER):
        """Compile and link ``vertex`` + ``fragment`` (or, with ``kind`` GL_COMPUTE_SHADER
        and ``vertex`` None, one compute shader). Errors name ``path`` and its line."""
        self.path = path
        self._locations: dict[str, int] = {}
        self._values: dict[int, tuple] = {}
        shaders = []
        try:
            if vertex is not None:
                shaders.append(_compile(GL.GL_VERTEX_SHADER, vertex, "<a4kplay vertex shader>"))
            shaders.append(_compile(kind, fragment, path))
        except Exception:
            for sh in shaders:
                GL.glDeleteShader(sh)
            raise
        prog = GL.glCreateProgram()
        for sh in shaders:
            GL.glAttachShader(prog, sh)
        GL.glLinkProgram(prog)
        for sh in shaders:
            GL.glDeleteShader(sh)
        if GL.glGetProgramiv(prog, GL.GL_LINK_STATUS) != GL.GL_TRUE:
            log = _text(GL.glGetProgramInfoLog(prog))
            GL.glDeleteProgram(prog)
            raise ShaderError(f"link failed: {log.strip()}", path=path)
        self._id = int(prog)
        stats.programs += 1
        stats.live_programs += 1

    def location(self, name: str) -> int:
        loc = self._locations.get(name)
        if loc is None:
            loc = int(GL.glGetUniformLocation(self.id, name))
            self._locations[name] = loc
        return loc

    def set(self, name: str, *values, kind: str = "f") -> None:
        """Set a uniform (the program must be in use); skipped when unchanged or unused."""
        loc = self.location(name)
        if loc >= 0:
            self.upload(loc, values, kind)

    def upload(self, loc: int, values: tuple, kind: str = "f") -> None:
        """Set the uniform at a known location (program in use), skipped when unchanged."""
        if self._values.get(loc) == values:
            return
        self._values[loc] = values
        _UNIFORM_FNS[kind][len(values) - 1](loc, *values)

    def use(self) -> None:
        GL.glUseProgram(self.id)

    def _delete(self, name: int) -> None:
        GL.glDeleteProgram(name)
        stats.live_programs -= 1


def _text(log) -> str:
    return log.decode("utf-8", "replace") if isinstance(log, bytes) else str(log)


def _compile(kind: int, source: str, path: str) -> int:
    """Compile one stage; the `#line` the chain emits makes the driver's line numbers the
    shader file's own, so an error names the user's file and line directly."""
    shader = GL.glCreateShader(kind)
    GL.glShaderSource(shader, source)
    GL.glCompileShader(shader)
    if GL.glGetShaderiv(shader, GL.GL_COMPILE_STATUS) == GL.GL_TRUE:
        return shader
    log = _text(GL.glGetShaderInfoLog(shader))
    GL.glDeleteShader(shader)
    line, message = _first_error(log)
    raise ShaderError(f"GLSL compile error: {message}", path=path,
                      line=line, source=log.strip())


def _first_error(log: str) -> tuple[int | None, str]:
    """(line, message) of the first error in a driver log (Mesa "0:12(3): error: ...",
    NVIDIA "0(12) : error ...")."""
    import re
    for raw in log.splitlines():
        m = re.match(r"\s*(?:ERROR:\s*)?\d+[:(](\d+)\)?(?:\(\d+\))?\s*:?\s*(.*)", raw)
        if m and "error" in raw.lower():
            msg = re.sub(r"^(error|ERROR)\s*:?\s*", "", m.group(2)).strip()
            return int(m.group(1)), msg or raw.strip()
    first = next((ln.strip() for ln in log.splitlines() if ln.strip()), "unknown error")
    return None, first


FULLSCREEN_VERTEX = """
out vec2 a4k_pos;
void main() {
    vec2 p = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
    a4k_pos = p;
    gl_Position = vec4(p * 2.0 - 1.0, 0.0, 1.0);
}
"""


# Instanced textured quads (the overlay's glyphs and boxes, the subtitle layer's bitmaps):
# one instance per quad, attributes rect (x0, y0, x1, y1 in target pixels, y down),
# uv (atlas texels, row 0 = top) and colour; uv is divided by `atlas_size` (1.0 for
# texelFetch users). `flip` is 1.0 for a bottom-up (window) framebuffer.
QUADS_VERTEX = """
layout(location = 0) in vec4 rect;
layout(location = 1) in vec4 uv;
layout(location = 2) in vec4 color;
uniform vec2 target;
uniform vec2 atlas_size;
uniform float flip;
out vec2 v_uv;
out vec4 v_color;
void main() {
    vec2 corner = vec2(float(gl_VertexID & 1), float(gl_VertexID >> 1));
    vec2 ndc = mix(rect.xy, rect.zw, corner) / target * 2.0 - 1.0;
    ndc.y = mix(ndc.y, -ndc.y, flip);
    v_uv = mix(uv.xy, uv.zw, corner) / atlas_size;
    v_color = color;
    gl_Position = vec4(ndc, 0.0, 1.0);
}
"""


class TexturePool:
    """Reuses intermediate textures by (size, format) so a steady chain allocates nothing.

    ``take`` hands out a free texture or makes one; ``give`` returns it. The owner of the
    pool releases every texture it ever made with ``release()``.
    """

    def __init__(self):
        self._free: dict[tuple, list[Texture]] = {}
        self._all: list[Texture] = []

    @staticmethod
    def key(w: int, h: int, components: int = 4, precision: str = "f16") -> tuple:
        return (w, h, FORMATS[format_name(components, precision)].internal, precision)

    def take(self, w: int, h: int, components: int = 4, precision: str = "f16") -> Texture:
        key = self.key(w, h, components, precision)
        free = self._free.get(key)
        if free:
            return free.pop()
        tex = Texture(w, h, components, precision)
        tex.pool_key = key
        self._all.append(tex)
        return tex

    def give(self, tex: Texture) -> None:
        key = getattr(tex, "pool_key", None)
        if key is not None:
            self._free.setdefault(key, []).append(tex)

    def trim(self, keep) -> None:
        """Release free textures whose key is not in ``keep`` (sizes that stopped being used)."""
        for key in [k for k in self._free if k not in keep]:
            for tex in self._free.pop(key):
                tex.release()
                self._all.remove(tex)

    def __len__(self) -> int:
        return len(self._all)

    def release(self) -> None:
        for tex in self._all:
            tex.release()
        self._all.clear()
        self._free.clear()


class _QueryFns:
    """Timer-query entry points loaded through the window system with ctypes.

    PyOpenGL's bindings break here: glGetQueryObjectui64v raises KeyError on GLX and the
    query functions are NULL under OSMesa (docs/platform-notes)."""

    def __init__(self):
        if os.environ.get("PYOPENGL_PLATFORM") == "egl":   # no GLFW under EGL
            from player.gl.egl import proc_address as get_proc_address
        else:
            from glfw import get_proc_address
        u, pu, pu64 = ctypes.c_uint, ctypes.POINTER(ctypes.c_uint), ctypes.POINTER(ctypes.c_uint64)
        protos = {
            "glGenQueries": ctypes.CFUNCTYPE(None, ctypes.c_int, pu),
            "glDeleteQueries": ctypes.CFUNCTYPE(None, ctypes.c_int, pu),
            "glQueryCounter": ctypes.CFUNCTYPE(None, u, u),
            "glGetQueryObjectui64v": ctypes.CFUNCTYPE(None, u, u, pu64),
        }
        self.ok = True
        for name, proto in protos.items():
            addr = get_proc_address(name)
            if not addr:
                self.ok = False
                return
            setattr(self, name, proto(addr))

    def gen(self) -> int:
        q = ctypes.c_uint(0)
        self.glGenQueries(1, ctypes.byref(q))
        return q.value

    def delete(self, ids) -> None:
        arr = (ctypes.c_uint * len(ids))(*ids)
        self.glDeleteQueries(len(ids), arr)

    def result(self, qid: int, what: int) -> int:
        v = ctypes.c_uint64(0)
        self.glGetQueryObjectui64v(qid, what, ctypes.byref(v))
        return v.value


class GpuTimer:
    """Per-pass GPU time from GL_TIMESTAMP queries, read a few frames late.

    Each frame uses one slot of a ring; ``stamp(label)`` writes a timestamp after a pass.
    ``collect()`` returns the frames whose results are available, oldest first:
    [(frame_total_ms, [(label, ms), ...]), ...]. It never waits. Only when every slot of
    the ring still holds an unread frame does ``begin`` wait for the oldest one's results
    (the GPU is then RING frames behind) and keep them for the next ``collect``, so no
    frame's timing is lost however slow the frames are. Timestamps between passes of a
    whole chain are right on llvmpipe where lone per-pass elapsed queries are not.
    """

    RING = 8

    def __init__(self):
        self._fn = _QueryFns()
        self._slots = [[] for _ in range(self.RING)]   # query ids per slot
        self._labels = [[] for _ in range(self.RING)]  # labels of the stamps written
        self._tags = [None] * self.RING                # caller's tag per frame (e.g. tier, t)
        self._pending: list[int] = []                  # slots written, oldest first
        self._ready: list[tuple] = []                  # frames read by begin(), not collected
        self._slot = 0
        self._used = 0
        self.enabled = self._fn.ok

    def begin(self, tag=None) -> None:
        if not self.enabled:
            return
        if self._slot in self._pending:  # ring full: read the oldest frame (it is this slot)
            self._pending.remove(self._slot)
            self._ready.append(self._read(self._slot))
        self._labels[self._slot] = []
        self._tags[self._slot] = tag
        self._used = 0
        self.stamp(None)

    def stamp(self, label) -> None:
        if not self.enabled:
            return
        ids = self._slots[self._slot]
        if self._used == len(ids):
            ids.append(self._fn.gen())
            stats.queries += 1
        self._fn.glQueryCounter(ids[self._used], GL.GL_TIMESTAMP)
        self._labels[self._slot].append(label)
        self._used += 1

    def end(self) -> None:
        if not self.enabled:
            return
        self._pending.append(self._slot)
        self._slot = (self._slot + 1) % self.RING

    def _read(self, slot: int) -> tuple:
        """(total_ms, passes, tag) of a written slot; waits if the GPU has not finished it."""
        labels = self._labels[slot]
        ids = self._slots[slot][:len(labels)]
        times = [self._fn.result(qid, GL.GL_QUERY_RESULT) for qid in ids]
        passes = [(labels[i], (times[i] - times[i - 1]) / 1e6) for i in range(1, len(times))]
        total = (times[-1] - times[0]) / 1e6 if times else 0.0
        return total, passes, self._tags[slot]

    def collect(self, with_tags: bool = False) -> list[tuple]:
        """Finished frames, oldest first: (total_ms, [(label, ms), ...]) or, with_tags,
        (total_ms, passes, tag). Never waits."""
        out, self._ready = self._ready, []
        while self._pending:
            slot = self._pending[0]
            ids = self._slots[slot][:len(self._labels[slot])]
            if ids and not self._fn.result(ids[-1], GL.GL_QUERY_RESULT_AVAILABLE):
                break
            self._pending.pop(0)
            out.append(self._read(slot))
        return out if with_tags else [(total, passes) for total, passes, _ in out]

    def release(self) -> None:
        for ids in self._slots:
            if ids:
                self._fn.delete(ids)
                ids.clear()
        self._pending.clear()
        self._ready.clear()


class VertexArray(GLObject):
    """A vertex array object: the empty one a core profile needs bound to draw the
    full-screen triangle, or one holding attribute bindings (the overlay's)."""

    kind = "vertex array"

    def __init__(self):
        self._id = int(GL.glGenVertexArrays(1))
        stats.vertex_arrays += 1

    def bind(self) -> None:
        GL.glBindVertexArray(self.id)

    def draw(self) -> None:
        GL.glBindVertexArray(self.id)
        GL.glDrawArrays(GL.GL_TRIANGLES, 0, 3)

    def _delete(self, name: int) -> None:
        GL.glDeleteVertexArrays(1, [name])


def glsl_version() -> str:
    """'450 core' on GL >= 4.5, else '330 core'."""
    ver = _text(GL.glGetString(GL.GL_VERSION) or b"3.3")
    import re
    m = re.match(r"(\d+)\.(\d+)", ver)
    major, minor = (int(m.group(1)), int(m.group(2))) if m else (3, 3)
    return "450 core" if (major, minor) >= (4, 5) else "330 core"


def renderer() -> str:
    return _text(GL.glGetString(GL.GL_RENDERER) or b"unknown")


def extensions() -> frozenset[str]:
    """The GLSL/GL extensions the current context advertises (GL_EXTENSIONS, by index)."""
    n = int(GL.glGetIntegerv(GL.GL_NUM_EXTENSIONS))
    return frozenset(_text(GL.glGetStringi(GL.GL_EXTENSIONS, i)) for i in range(n))

"""The one primitive drawn over the picture: instanced quads, premultiplied alpha.

Each instance is ``FLOATS`` floats: a screen rectangle (x0, y0, x1, y1 in pixels from the top
left), an atlas rectangle in texels, and a colour. ``Quads`` gathers a frame's instances into
a growing numpy array (boxes, glyph runs, single rows); ``QuadBatch`` owns the GL side made
once (program from ``gpu.QUADS_VERTEX`` and the caller's fragment shader, VAO, instance VBO)
and uploads and draws them: the storage grows only when a frame outgrows every earlier one,
so steady frames allocate nothing. The overlay (ui/overlay.py) and the controller
(ui/osc_draw.py) draw through it; ``stats`` objects passed in count buffer creations and
uploads for their tests.
"""
from __future__ import annotations

import ctypes
from dataclasses import dataclass, field

import numpy as np
from OpenGL import GL

from player.gl import gpu

FLOATS = 12            # per instance: rect 4, atlas rect 4, colour 4


@dataclass
class Quads:
    """The instances of one frame, appended in painter's order."""
    data: np.ndarray
    n: int = 0
    boxes: dict = field(default_factory=dict)   # named boxes the layout placed (hit tests)

    def reserve(self, k: int) -> np.ndarray:
        """The next ``k`` instance rows (the array grows by doubling)."""
        end = self.n + k
        if end > len(self.data):
            grown = np.zeros((max(end, 2 * len(self.data)), FLOATS), np.float32)
            grown[:self.n] = self.data[:self.n]
            self.data = grown
        rows = self.data[self.n:end]
        self.n = end
        return rows

    def quad(self, box, solid_uv, color) -> None:
        """A filled box (x, y, w, h) sampling the atlas's solid block."""
        row = self.reserve(1)[0]
        row[:] = (box.x, box.y, box.x + box.w, box.y + box.h, *solid_uv, *solid_uv, *color)

    def glyphs(self, laid: np.ndarray, x: float, y: float, color) -> None:
        """A laid-out line (rows of rect and atlas rect) at (x, y) in one colour."""
        rows = self.reserve(len(laid))
        rows[:, 0:4] = laid[:, 0:4] + (x, y, x, y)
        rows[:, 4:8] = laid[:, 4:8]
        rows[:, 8:12] = color


class QuadBatch:
    """The GL objects of one kind of quad drawing, made once."""

    def __init__(self, fragment: str, name: str, capacity: int, stats):
        head = f"#version {gpu.glsl_version()}\n"
        self.program = gpu.Program(head + gpu.QUADS_VERTEX, head + fragment, path=name)
        self.program.use()
        self.program.set("atlas", 0, kind="i")
        self.program.set("atlas_size", 1.0, 1.0)       # uv in texels: texelFetch
        self._stats = stats
        self._vao = gpu.VertexArray()
        stats.vertex_arrays += 1
        self._vbo = gpu.Buffer(GL.GL_ARRAY_BUFFER, usage=GL.GL_DYNAMIC_DRAW)
        stats.buffers += 1
        self._vao.bind()
        self._vbo.bind()
        self._vbo.allocate(capacity * FLOATS * 4)
        self.capacity = capacity
        for loc in range(3):
            GL.glEnableVertexAttribArray(loc)
            GL.glVertexAttribDivisor(loc, 1)
        self._point(0)
        GL.glBindVertexArray(0)
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, 0)

    def upload(self, data: np.ndarray, n: int) -> None:
        """The first ``n`` rows of ``data`` into the VBO (storage grows to len(data) only
        when n outgrows it)."""
        self._vao.bind()
        self._vbo.bind()
        if n > self.capacity:
            self.capacity = len(data)
            self._vbo.allocate(self.capacity * FLOATS * 4)
            self._stats.buffers += 1
        self._vbo.write(data, n * FLOATS * 4)
        GL.glBindVertexArray(0)
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, 0)

    def begin(self, w: int, h: int, bottom_up: bool) -> None:
        """Target state for drawing into the bound framebuffer (w x h): viewport, blending
        that keeps the target's alpha (a compositor may use it), the program."""
        GL.glViewport(0, 0, w, h)
        GL.glEnable(GL.GL_BLEND)
        GL.glBlendFuncSeparate(GL.GL_ONE, GL.GL_ONE_MINUS_SRC_ALPHA, GL.GL_ZERO, GL.GL_ONE)
        self.program.use()
        self.program.set("target", float(w), float(h))
        self.program.set("flip", 1.0 if bottom_up else 0.0)
        GL.glActiveTexture(GL.GL_TEXTURE0)
        self._vao.bind()
        self._vbo.bind()

    def draw(self, texture_id: int, count: int, first: int = 0) -> None:
        """``count`` uploaded instances from row ``first``, sampling ``texture_id``."""
        GL.glBindTexture(GL.GL_TEXTURE_2D, texture_id)
        if first:
            self._point(first)        # GL 3.3 has no base instance
        GL.glDrawArraysInstanced(GL.GL_TRIANGLE_STRIP, 0, 4, count)
        if first:
            self._point(0)

    def end(self) -> None:
        GL.glDisable(GL.GL_BLEND)
        GL.glBindVertexArray(0)
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, 0)

    @staticmethod
    def _point(first: int) -> None:
        """The bound VAO's attributes at instance row ``first``."""
        for loc in range(3):
            GL.glVertexAttribPointer(loc, 4, GL.GL_FLOAT, GL.GL_FALSE, FLOATS * 4,
                                     ctypes.c_void_p(first * FLOATS * 4 + loc * 16))

    def release(self) -> None:
        self.program.release()
        self._vbo.release()
        self._vao.release()

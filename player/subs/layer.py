"""The subtitle layer on the GPU: one frame's subtitle images drawn into the bound framebuffer.

Drawn at output resolution after the chain and the A/B composition, before the overlay.
When a ``Frame`` says ``changed``, its images are shelf-packed (numpy) into one staging
array and uploaded with one glTexSubImage2D per kind: libass images as 8-bit alpha into an R8
atlas (their colour travels per quad), PGS bitmaps as premultiplied RGBA into an RGBA8 atlas
with a transparent texel around each, so plain linear filtering fades their edges as they are
scaled onto the video rectangle (never through the upscaling shaders). An unchanged frame
re-uploads nothing and costs one instanced draw per kind.

Blending is premultiplied alpha (ONE, ONE_MINUS_SRC_ALPHA; the target's alpha is kept), in
the images' order, as libass composites them. GL objects (program, VAO, VBO, two atlases)
are made once and grow only when a frame outgrows every earlier one: steady frames allocate
nothing (``gpu.stats`` and ``stats`` count it). With a ``gpu.GpuTimer`` the layer's GPU time
is stamped as the pass "subtitles".
"""
from __future__ import annotations

import ctypes
from dataclasses import dataclass

import numpy as np
from OpenGL import GL

from player.gl import gpu

from .renderer import Frame

_FRAGMENT = """
uniform sampler2D atlas;
uniform int rgba;                     // 1: premultiplied RGBA bitmaps, 0: alpha + colour
in vec2 v_uv;
in vec4 v_color;
out vec4 a4k_out;
void main() {
    if (rgba == 1) {
        a4k_out = texture(atlas, v_uv);
    } else {
        float a = v_color.a * texture(atlas, v_uv).r;
        a4k_out = vec4(v_color.rgb * a, a);
    }
}
"""

_FLOATS = 12
_PAD = 1


@dataclass
class LayerStats:
    """Creations of the layer's own GL buffers (textures are counted in ``gpu.stats``)."""
    buffers: int = 0
    vertex_arrays: int = 0
    uploads: int = 0

    def allocations(self) -> int:
        return self.buffers + self.vertex_arrays


stats = LayerStats()


def _pow2(n: int, floor: int) -> int:
    v = floor
    while v < n:
        v *= 2
    return v


class _Atlas:
    """A staging array and the texture it is uploaded to; grows, never shrinks."""

    def __init__(self, components: int):
        self.components = components
        self.texture: gpu.Texture | None = None
        self.staging = np.zeros((0, 0) if components == 1 else (0, 0, 4), np.uint8)

    def pack(self, sizes: list[tuple[int, int]], width_hint: int) -> tuple[list, int]:
        """Shelf placement of (w, h) sizes (with padding); returns (places, used height)."""
        width = max(width_hint, max((w for w, _ in sizes), default=1) + 2 * _PAD)
        places, x, y, shelf = [], _PAD, _PAD, 0
        for w, h in sizes:
            if x + w + _PAD > width:
                x, y, shelf = _PAD, y + shelf + 2 * _PAD, 0
            places.append((x, y))
            x += w + 2 * _PAD
            shelf = max(shelf, h)
        return places, y + shelf + _PAD, width

    def reserve(self, w: int, h: int) -> np.ndarray:
        """The staging array, at least w x h (zeroed over w x h)."""
        sh, sw = self.staging.shape[:2]
        if w > sw or h > sh:
            nw, nh = _pow2(max(w, sw), 256), _pow2(max(h, sh), 64)
            shape = (nh, nw) if self.components == 1 else (nh, nw, 4)
            self.staging = np.zeros(shape, np.uint8)
        else:
            self.staging[:h, :w] = 0
        return self.staging

    def upload(self, used_w: int, used_h: int) -> None:
        sh, sw = self.staging.shape[:2]
        tex = self.texture
        if tex is None or tex.w < sw or tex.h < sh:
            if tex is not None:
                tex.release()
            filt = GL.GL_LINEAR
            self.texture = tex = gpu.Texture(sw, sh, self.components, "u8", filter=filt,
                                             data=None, data_type=GL.GL_UNSIGNED_BYTE)
        # full rows of the used height: one contiguous upload
        tex.upload(self.staging[:used_h, :max(used_w, 1)])
        stats.uploads += 1

    def release(self) -> None:
        if self.texture is not None:
            self.texture.release()
            self.texture = None


class SubtitleLayer:
    """Owns the layer's program, VAO, instance VBO and atlases; draws Frames."""

    def __init__(self, capacity: int = 256):
        head = f"#version {gpu.glsl_version()}\n"
        self._program = gpu.Program(head + gpu.QUADS_VERTEX, head + _FRAGMENT, path="<subtitles>")
        self._program.use()
        self._program.set("atlas", 0, kind="i")
        self._alpha = _Atlas(1)
        self._rgba = _Atlas(4)
        self._rows = np.zeros((capacity, _FLOATS), np.float32)
        self._n_alpha = 0
        self._n_rgba = 0
        self._capacity = 0
        self._vao = gpu.VertexArray()
        stats.vertex_arrays += 1
        self._vbo = gpu.Buffer()
        stats.buffers += 1
        self._vao.bind()
        self._vbo.bind()
        self._allocate(capacity)
        for loc in range(3):
            GL.glEnableVertexAttribArray(loc)
            GL.glVertexAttribPointer(loc, 4, GL.GL_FLOAT, GL.GL_FALSE, _FLOATS * 4,
                                     ctypes.c_void_p(loc * 16))
            GL.glVertexAttribDivisor(loc, 1)
        GL.glBindVertexArray(0)
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, 0)

    def _allocate(self, capacity: int) -> None:
        self._vbo.allocate(capacity * _FLOATS * 4)
        self._capacity = capacity

    @property
    def empty(self) -> bool:
        return self._n_alpha + self._n_rgba == 0

    # -- upload (only for changed frames) ----------------------------------------------

    def update(self, frame: Frame) -> None:
        """Pack and upload a changed frame; an unchanged one keeps what is uploaded."""
        if not frame.changed:
            return
        rows = []
        self._n_alpha = self._pack_alpha(frame, rows)
        self._n_rgba = self._pack_rgba(frame, rows)
        n = len(rows)
        if n:
            if n > len(self._rows):
                self._rows = np.zeros((max(n, 2 * len(self._rows)), _FLOATS), np.float32)
            self._rows[:n] = rows
            self._vbo.bind()
            if n > self._capacity:
                self._allocate(len(self._rows))
                stats.buffers += 1
            self._vbo.write(self._rows, n * _FLOATS * 4)
            GL.glBindBuffer(GL.GL_ARRAY_BUFFER, 0)

    def _pack_alpha(self, frame: Frame, rows: list) -> int:
        images = frame.images
        if not images:
            return 0
        sizes = [(im.alpha.shape[1], im.alpha.shape[0]) for im in images]
        places, used_h, width = self._alpha.pack(sizes, 1024)
        staging = self._alpha.reserve(width, used_h)
        for im, (u, v), (w, h) in zip(images, places, sizes):
            staging[v:v + h, u:u + w] = im.alpha
            r, g, b, a = im.color
            rows.append((im.x, im.y, im.x + w, im.y + h, u, v, u + w, v + h,
                         r / 255.0, g / 255.0, b / 255.0, a / 255.0))
        self._alpha.upload(staging.shape[1], used_h)
        return len(images)

    def _pack_rgba(self, frame: Frame, rows: list) -> int:
        canvas = frame.canvas
        if canvas is None or not canvas.bitmaps:
            return 0
        bitmaps = canvas.bitmaps
        sizes = [(bm.rgba.shape[1], bm.rgba.shape[0]) for bm in bitmaps]
        places, used_h, width = self._rgba.pack(sizes, 1024)
        staging = self._rgba.reserve(width, used_h)
        cw, ch = canvas.size
        rx, ry, rw, rh = canvas.rect
        sx, sy = rw / max(1, cw), rh / max(1, ch)
        for bm, (u, v), (w, h) in zip(bitmaps, places, sizes):
            staging[v:v + h, u:u + w] = bm.rgba
            # one transparent texel around the bitmap is drawn too: the filtered edge
            x0, y0 = rx + (bm.x - _PAD) * sx, ry + (bm.y - _PAD) * sy
            x1, y1 = rx + (bm.x + w + _PAD) * sx, ry + (bm.y + h + _PAD) * sy
            rows.append((x0, y0, x1, y1, u - _PAD, v - _PAD, u + w + _PAD, v + h + _PAD,
                         1.0, 1.0, 1.0, 1.0))
        self._rgba.upload(staging.shape[1], used_h)
        return len(bitmaps)

    # -- draw (every frame) ----------------------------------------------------------------

    def draw(self, target_w: int, target_h: int, bottom_up: bool = True, timer=None) -> None:
        """Draw the uploaded images into the bound framebuffer (target_w x target_h);
        leaves blending disabled. ``timer`` (gpu.GpuTimer) gets the stamp "subtitles"."""
        if not self.empty and target_w > 0 and target_h > 0:
            GL.glViewport(0, 0, target_w, target_h)
            GL.glEnable(GL.GL_BLEND)
            GL.glBlendFuncSeparate(GL.GL_ONE, GL.GL_ONE_MINUS_SRC_ALPHA, GL.GL_ZERO, GL.GL_ONE)
            p = self._program
            p.use()
            p.set("target", float(target_w), float(target_h))
            p.set("flip", 1.0 if bottom_up else 0.0)
            GL.glActiveTexture(GL.GL_TEXTURE0)
            self._vao.bind()
            first = 0
            for atlas, n, mode in ((self._alpha, self._n_alpha, 0),
                                   (self._rgba, self._n_rgba, 1)):
                if n:
                    p.set("rgba", mode, kind="i")
                    p.set("atlas_size", float(atlas.texture.w), float(atlas.texture.h))
                    GL.glBindTexture(GL.GL_TEXTURE_2D, atlas.texture.id)
                    self._draw_from(first, n)
                    first += n
            GL.glBindVertexArray(0)
            GL.glDisable(GL.GL_BLEND)
        if timer is not None:
            timer.stamp("subtitles")

    def _draw_from(self, first: int, n: int) -> None:
        """Instanced draw of rows first..first+n (GL 3.3 has no base instance: the
        attributes are pointed at row ``first``, no allocation)."""
        self._vbo.bind()
        for loc in range(3):
            GL.glVertexAttribPointer(loc, 4, GL.GL_FLOAT, GL.GL_FALSE, _FLOATS * 4,
                                     ctypes.c_void_p(first * _FLOATS * 4 + loc * 16))
        GL.glDrawArraysInstanced(GL.GL_TRIANGLE_STRIP, 0, 4, n)
        if first:
            for loc in range(3):
                GL.glVertexAttribPointer(loc, 4, GL.GL_FLOAT, GL.GL_FALSE, _FLOATS * 4,
                                         ctypes.c_void_p(loc * 16))
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, 0)

    def clear(self) -> None:
        self._n_alpha = self._n_rgba = 0

    def release(self) -> None:
        self._program.release()
        self._alpha.release()
        self._rgba.release()
        self._vbo.release()
        self._vao.release()

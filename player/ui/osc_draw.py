"""Drawing the controller: a scene of boxes, text and icons -> one instanced draw.

One job: turn ``ui/osc.py``'s scene into quads and draw them into the bound framebuffer at
output resolution (after subtitles, before the overlay; never through the shaders). The
primitive is gl/quads.py's, shared with the overlay (an instanced quad: screen rectangle,
atlas rectangle, colour, premultiplied alpha), sampling one R8 atlas per (text size, icon
size): the font's glyphs
with the icon strip (``ui/osc_icons.py``) below them. A hover thumbnail is one more quad
drawn from an RGBA texture made once per thumbnail size and uploaded when the picture
changes.

Costs: the GL objects (program, VAO, VBO, atlas) are made once; the staging arrays are
preallocated and grow only when a scene outgrows every earlier one; a frame whose quads
equal the last uploaded ones uploads nothing (a paused or still controller), as the
subtitle layer does. ``stats`` counts buffer creations and uploads for the tests.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from OpenGL import GL

from player.gl import gpu
from player.gl.quads import FLOATS, QuadBatch, Quads
from player.ui import osc_icons
from player.ui.text import GlyphSet


_FRAGMENT = """
uniform sampler2D atlas;
uniform int rgba;                     // 1: the thumbnail (RGBA, opaque), 0: coverage x colour
in vec2 v_uv;
in vec4 v_color;
out vec4 a4k_out;
void main() {
    if (rgba == 1) {
        a4k_out = vec4(texelFetch(atlas, ivec2(v_uv), 0).rgb, 1.0);
    } else {
        float a = v_color.a * texelFetch(atlas, ivec2(v_uv), 0).r;
        a4k_out = vec4(v_color.rgb * a, a);   // premultiplied
    }
}
"""


@dataclass
class DrawStats:
    buffers: int = 0
    vertex_arrays: int = 0
    uploads: int = 0
    draws: int = 0

    def allocations(self) -> int:
        return self.buffers + self.vertex_arrays


stats = DrawStats()


class _Atlas:
    """Glyphs of one text size and icons of one size in one R8 texture."""

    def __init__(self, font: int, icon: int):
        self.glyphs = GlyphSet(font)
        strip, self.icon_x = osc_icons.sheet(icon)
        gh, gw = self.glyphs.bitmap.shape
        w = max(gw, strip.shape[1])
        bitmap = np.zeros((gh + 1 + icon, w), np.uint8)
        bitmap[:gh, :gw] = self.glyphs.bitmap
        bitmap[gh + 1:, :strip.shape[1]] = strip
        self.icon_y = gh + 1
        self.icon = icon
        self.texture = gpu.Texture(w, bitmap.shape[0], 1, "u8", filter=GL.GL_NEAREST,
                                   data=bitmap, data_type=GL.GL_UNSIGNED_BYTE)
        self.lines: dict[str, tuple[np.ndarray, float]] = {}

    def line(self, text: str) -> np.ndarray:
        hit = self.lines.get(text)
        if hit is None:
            if len(self.lines) > 512:
                self.lines.clear()
            hit = self.lines[text] = self.glyphs.layout(text)
        return hit[0]

    def release(self) -> None:
        self.texture.release()


class OscDraw:
    """Owns the controller's program, VAO, VBO and atlases."""

    def __init__(self, capacity: int = 512):
        self._batch = QuadBatch(_FRAGMENT, "<controller>", capacity, stats)
        self._batch.program.set("rgba", 0, kind="i")
        self._thumb: gpu.Texture | None = None
        self._thumb_key = None
        self._atlases: dict[tuple[int, int], _Atlas] = {}
        self._glyphsets: dict[int, GlyphSet] = {}
        self._staging = np.zeros((capacity, FLOATS), np.float32)
        self._uploaded = np.zeros((capacity, FLOATS), np.float32)
        self._n_uploaded = -1

    def measure(self, text: str, size: int) -> float:
        """Width of ``text`` at ``size`` pixels (for the layout)."""
        glyphs = self._glyphsets.get(size)
        if glyphs is None:
            atlas = next((a for (f, _), a in self._atlases.items() if f == size), None)
            glyphs = atlas.glyphs if atlas else GlyphSet(size)
            if len(self._glyphsets) > 3:
                self._glyphsets.clear()
            self._glyphsets[size] = glyphs
        return glyphs.measure(text)

    def _atlas(self, font: int, icon: int) -> _Atlas:
        atlas = self._atlases.get((font, icon))
        if atlas is None:
            if len(self._atlases) >= 2:           # a window being resized: keep the newest
                self._atlases.pop(next(iter(self._atlases))).release()
            atlas = self._atlases[(font, icon)] = _Atlas(font, icon)
        return atlas

    def draw(self, scene, w: int, h: int, font: int, icon: int, bottom_up: bool = True,
             thumb=None) -> bool:
        """Draw ``scene`` into the bound framebuffer (w x h); False when it is empty.
        ``thumb`` is (key, H x W x 4 uint8) for the scene's "thumb" box, drawn last.
        Leaves blending disabled."""
        if not scene or w < 1 or h < 1:
            return False
        atlas = self._atlas(font, icon)
        solid = atlas.glyphs.solid_uv
        frame = Quads(self._staging)
        for item in scene:
            kind = item[0]
            if kind == "box":
                frame.quad(item[1], solid, item[2])
            elif kind == "text":
                frame.glyphs(atlas.line(item[3]), item[1], item[2], item[4])
            elif kind == "icon":
                box, name, colour = item[1], item[2], item[3]
                u = atlas.icon_x[name]
                row = frame.reserve(1)[0]
                row[:] = (box.x, box.y, box.x + atlas.icon, box.y + atlas.icon, u,
                          atlas.icon_y, u + atlas.icon, atlas.icon_y + atlas.icon, *colour)
        n_main = frame.n
        box = next((item[1] for item in scene if item[0] == "thumb"), None)
        if box is not None and thumb is not None:
            th, tw = thumb[1].shape[:2]
            row = frame.reserve(1)[0]
            row[:] = (box.x, box.y, box.x + tw, box.y + th, 0, 0, tw, th, 1, 1, 1, 1)
            self._upload_thumb(thumb)
        self._staging = frame.data
        n = frame.n
        if n != self._n_uploaded or not np.array_equal(self._staging[:n], self._uploaded[:n]):
            if len(self._uploaded) < len(self._staging):
                self._uploaded = np.zeros_like(self._staging)
            self._batch.upload(self._staging, n)   # a still controller uploads nothing
            self._uploaded[:n] = self._staging[:n]
            self._n_uploaded = n
            stats.uploads += 1
        b = self._batch
        b.begin(w, h, bottom_up)
        b.draw(atlas.texture.id, n_main)
        if n > n_main:                            # the thumbnail: its row, its texture
            b.program.set("rgba", 1, kind="i")
            b.draw(self._thumb.id, 1, first=n_main)
            b.program.set("rgba", 0, kind="i")
        b.end()
        stats.draws += 1
        return True

    def _upload_thumb(self, thumb) -> None:
        """The picture into the thumbnail texture (made once per size), when it changed."""
        key, image = thumb
        h, w = image.shape[:2]
        tex = self._thumb
        if tex is None or tex.size != (w, h):
            if tex is not None:
                tex.release()
            self._thumb = gpu.Texture(w, h, 4, "u8", filter=GL.GL_NEAREST, data=None,
                                      data_type=GL.GL_UNSIGNED_BYTE)
            self._thumb_key = None
        if key != self._thumb_key:
            self._thumb.upload(image)
            self._thumb_key = key
            stats.uploads += 1

    def release(self) -> None:
        self._batch.release()
        if self._thumb is not None:
            self._thumb.release()
            self._thumb = None
        for atlas in self._atlases.values():
            atlas.release()
        self._atlases.clear()

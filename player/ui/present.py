"""Putting the chain's output on a target: letterboxing, A/B split or flip, y-flip.

The presenter owns two tiny programs and draws into whatever framebuffer it is given: the
window's (bottom-up, so flipped) every frame, or an offscreen texture when a screenshot is
taken, so screenshots cost nothing per frame and never read a hidden window's buffer.
"""
from __future__ import annotations

from dataclasses import dataclass

from OpenGL import GL

from player.gl import gpu

_COMPOSE = """
uniform sampler2D left_tex;
uniform sampler2D right_tex;
uniform float split;      // in [0,1] of the rectangle: left_tex left of it, right_tex right
uniform float flip_y;     // 1.0 when drawing into a bottom-up framebuffer
in vec2 a4k_pos;
out vec4 a4k_out;
void main() {
    vec2 p = vec2(a4k_pos.x, mix(a4k_pos.y, 1.0 - a4k_pos.y, flip_y));
    vec4 c = p.x < split ? texture(left_tex, p) : texture(right_tex, p);
    a4k_out = vec4(clamp(c.rgb, 0.0, 1.0), 1.0);
}
"""

@dataclass(frozen=True)
class Rect:
    x: int
    y: int
    w: int
    h: int


def letterbox(video_w: int, video_h: int, win_w: int, win_h: int) -> Rect:
    """The largest rectangle of the video's aspect centred in the window (y from the top)."""
    if video_w <= 0 or video_h <= 0 or win_w <= 0 or win_h <= 0:
        return Rect(0, 0, 0, 0)
    scale = min(win_w / video_w, win_h / video_h)
    w = max(1, min(win_w, round(video_w * scale)))
    h = max(1, min(win_h, round(video_h * scale)))
    return Rect((win_w - w) // 2, (win_h - h) // 2, w, h)


class Presenter:
    """Draws output textures into a target framebuffer; owns its programs and a VAO."""

    def __init__(self):
        vert = f"#version {gpu.glsl_version()}\n" + gpu.FULLSCREEN_VERTEX
        head = f"#version {gpu.glsl_version()}\n"
        self._compose = gpu.Program(vert, head + _COMPOSE)
        self._vao = gpu.VertexArray()
        self._compose.use()
        self._compose.set("left_tex", 0, kind="i")
        self._compose.set("right_tex", 1, kind="i")

    @staticmethod
    def clear(fbo: int, target_w: int, target_h: int) -> None:
        """Black target (the letterbox bars) for a chain that draws straight into it."""
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, fbo)
        GL.glViewport(0, 0, target_w, target_h)
        GL.glDisable(GL.GL_BLEND)
        GL.glClearColor(0.0, 0.0, 0.0, 1.0)
        GL.glClear(GL.GL_COLOR_BUFFER_BIT)

    def draw(self, fbo: int, target_w: int, target_h: int, rect: Rect, left: gpu.Texture,
             right: gpu.Texture | None = None, split: float = 1.0,
             bottom_up: bool = True) -> None:
        """Clear the target to black and draw ``left`` (and ``right`` beyond ``split``) into
        ``rect`` (y measured from the top)."""
        self.clear(fbo, target_w, target_h)
        if rect.w > 0 and rect.h > 0:
            y = target_h - rect.y - rect.h if bottom_up else rect.y
            GL.glViewport(rect.x, y, rect.w, rect.h)
            self._compose.use()
            self._compose.set("split", float(split) if right is not None else 2.0)
            self._compose.set("flip_y", 1.0 if bottom_up else 0.0)
            GL.glActiveTexture(GL.GL_TEXTURE0)
            GL.glBindTexture(GL.GL_TEXTURE_2D, left.id)
            GL.glActiveTexture(GL.GL_TEXTURE1)
            GL.glBindTexture(GL.GL_TEXTURE_2D, (right or left).id)
            self._vao.draw()
        GL.glActiveTexture(GL.GL_TEXTURE0)

    def capture(self, target_w: int, target_h: int, rect: Rect, left, right=None,
                split: float = 1.0, after=None):
        """Compose into an offscreen texture and read it back (H x W x 3 float, top row
        first). ``after(bottom_up=False)`` draws more (the overlay) on top first."""
        tex = gpu.Texture(target_w, target_h, 4, "u8")
        try:
            self.draw(tex.fbo, target_w, target_h, rect, left, right, split, bottom_up=False)
            if after is not None:
                after(bottom_up=False)
            return tex.read(4)[:, :, :3]
        finally:
            tex.release()
            GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, gpu.screen_framebuffer())

    def release(self) -> None:
        self._compose.release()
        self._vao.release()

"""The controller drawn on a real llvmpipe context into a texture: where it draws, that a
still controller uploads nothing again and that steady frames allocate nothing."""
from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.gl

GREY = 0.5


@pytest.fixture(scope="module")
def drawer(gl):
    from player.ui.osc_draw import OscDraw
    d = OscDraw()
    yield d
    d.release()


def render(drawer, ctl, model, w, h, now=0.5, bottom_up=False):
    from OpenGL import GL
    from player.gl import gpu
    lay = ctl.resize(w, h, 1.0, drawer.measure, model)
    scene = ctl.scene(model, now, drawer.measure)
    tex = gpu.Texture(w, h, 4, "u8")
    try:
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, tex.fbo)
        GL.glClearColor(GREY, GREY, GREY, 1.0)
        GL.glClear(GL.GL_COLOR_BUFFER_BIT)
        drawer.draw(scene, w, h, lay.font, lay.icon, bottom_up)
        img = tex.read(4)
        return img if not bottom_up else img[::-1]
    finally:
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, 0)
        tex.release()


def test_drawn_in_the_band_only_with_timeline_and_icons(glcheck, drawer):
    from player.ui.osc import Controller
    from player.ui.osc_layout import Model
    ctl = Controller()
    model = Model(pos=5.0, duration=20.0, chapters=((0, "A"), (10, "B")), paused=True)
    ctl.motion(10, 10, 0.0)                                   # shown, pointer above it
    img = render(drawer, ctl, model, 480, 270)
    band = ctl.lay.band
    rgb = img[:, :, :3]
    assert np.allclose(rgb[:band.y], GREY, atol=1 / 255)      # nothing above the band
    tl = ctl.lay.timeline
    played = rgb[tl.y + 2:tl.y + tl.h - 2, 2:tl.w // 4 - 3]
    rest = rgb[tl.y + 2:tl.y + tl.h - 2, tl.w // 2 + 3:tl.w - 3]
    assert played.mean() > 0.85 and rest.mean() < played.mean() - 0.2
    mark = rgb[tl.y + tl.h // 2, tl.w // 2 - 2:tl.w // 2 + 2]    # the chapter at 10 s
    assert (mark[:, 0] - mark[:, 2]).max() > 0.3              # yellow
    for name, box in ctl.lay.buttons.items():                 # icon ink (dim: prev, next)
        assert rgb[box.y:box.y + box.h, box.x:box.x + box.w].max() > 0.6, name
    flipped = render(drawer, ctl, model, 480, 270, bottom_up=True)
    np.testing.assert_allclose(flipped, img, atol=1 / 255)


def test_a_still_controller_uploads_nothing_and_allocates_nothing(glcheck, drawer):
    from player.gl import gpu
    from player.ui import osc_draw
    from player.ui.osc import Controller
    from player.ui.osc_layout import Model
    ctl = Controller()
    ctl.motion(100, 260, 0.0)
    model = Model(pos=3.0, duration=20.0)
    render(drawer, ctl, model, 480, 270)                       # warm: atlas, sizes
    uploads, allocs = osc_draw.stats.uploads, osc_draw.stats.allocations()
    textures = gpu.stats.textures
    render(drawer, ctl, model, 480, 270)
    assert osc_draw.stats.uploads == uploads                  # same quads: no upload
    model.pos = 4.0
    render(drawer, ctl, model, 480, 270)
    assert osc_draw.stats.uploads == uploads + 1              # it moved: one upload
    assert osc_draw.stats.allocations() == allocs
    assert gpu.stats.textures - textures == 2                 # the test's own targets only

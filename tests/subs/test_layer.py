"""The subtitle layer on a real llvmpipe context: pixels against libass's own images."""
from __future__ import annotations

import numpy as np
import pytest

from player.subs import Params, Subtitles

from .conftest import FRAME, RECT, VIDEO, composite, loaded, mux
from .test_track import pgs_files

pytestmark = pytest.mark.gl

GREY = 0.5


def draw(subs, size, rect, t, params=None):
    """Clear a texture to grey, draw the subtitles at t into it, read back (row 0 = top)."""
    from OpenGL import GL
    from player.gl import gpu
    w, h = size
    tex = gpu.Texture(w, h, 4, "u8")
    try:
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, tex.fbo)
        GL.glClearColor(GREY, GREY, GREY, 1.0)
        GL.glClear(GL.GL_COLOR_BUFFER_BIT)
        if params is not None:
            subs.params = params
        subs.set_time(t)
        subs.draw(w, h, rect, VIDEO, bottom_up=False)
        return tex.read(4)[:, :, :3]
    finally:
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, 0)
        tex.release()


def test_layer_equals_libass_images_composited(glcheck, media):
    subs = Subtitles()
    subs.open(media["styled_mkv"], {"ff-index": 1})
    loaded(subs)
    subs.set_time(1.0)
    subs._renderer._force = True
    want = composite(subs.frame(FRAME, RECT, VIDEO).images, FRAME, GREY)
    subs._renderer._force = True
    got = draw(subs, FRAME, RECT, 1.0)
    assert np.abs(got - want).max() <= 2.5 / 255
    assert (np.abs(got - GREY) > 0.1).sum() > 2000          # text was drawn
    # the next frame: unchanged, nothing uploaded, same picture
    from player.subs import layer
    uploads = layer.stats.uploads
    again = draw(subs, FRAME, RECT, 1.05)
    assert layer.stats.uploads == uploads
    np.testing.assert_array_equal(again, got)
    # hidden: nothing drawn
    hidden = draw(subs, FRAME, RECT, 1.1, Params(visible=False))
    assert np.abs(hidden - GREY).max() < 1 / 255
    shown = draw(subs, FRAME, RECT, 1.15, Params(visible=True))
    np.testing.assert_array_equal(shown, got)
    subs.release()


def test_steady_frames_allocate_nothing(glcheck, media):
    from player.gl import gpu
    from player.subs import layer
    subs = Subtitles()
    subs.open(media["styled_mkv"], {"ff-index": 1})
    loaded(subs)
    for t in (1.0, 3.0, 1.0):       # grow to the largest frame once
        draw(subs, FRAME, RECT, t)
    before = (gpu.stats.textures, gpu.stats.programs, layer.stats.allocations())
    for i in range(12):
        draw(subs, FRAME, RECT, 0.6 + i * 0.25)   # lines come and go
    after = (gpu.stats.textures, gpu.stats.programs, layer.stats.allocations())
    # draw() makes one target texture per call itself (12); the layer makes none
    assert after[0] - before[0] == 12 and after[1:] == before[1:]
    subs.release()


def test_pgs_drawn_onto_the_video_rectangle(glcheck, tmp_path):
    sup_path = pgs_files(tmp_path)
    mkv = mux(tmp_path / "pgs.mkv", [sup_path])
    subs = Subtitles()
    subs.open(mkv, {"ff-index": 1})
    loaded(subs)
    size, rect = (1280, 840), (0, 60, 1280, 720)     # canvas 1920x1080 -> 2/3 scale
    img = draw(subs, size, rect, 2.0)
    red = (img[:, :, 0] > 0.9) & (img[:, :, 1] < 0.1) & (img[:, :, 2] < 0.1)
    ys, xs = np.nonzero(red)
    # object at (910, 960) + (5..95, 5..35) on the canvas, scaled by 2/3 into the rect
    assert abs(xs.min() - (910 + 5) * 2 / 3) <= 2 and abs(xs.max() - (910 + 95) * 2 / 3) <= 2
    assert abs(ys.min() - (60 + (960 + 5) * 2 / 3)) <= 2
    assert abs(ys.max() - (60 + (960 + 35) * 2 / 3)) <= 2
    outside = np.ones(red.shape, bool)
    outside[ys.min() - 3:ys.max() + 4, xs.min() - 3:xs.max() + 4] = False
    assert np.abs(img[outside] - GREY).max() < 1 / 255
    cleared = draw(subs, size, rect, 3.5)
    assert np.abs(cleared - GREY).max() < 1 / 255
    subs.release()

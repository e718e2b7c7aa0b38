"""The overlay drawn on a real llvmpipe context into a texture, checked by its pixels."""
from __future__ import annotations

import time

import numpy as np
import pytest

pytestmark = pytest.mark.gl

GREY = 0.5
PANEL = [f"{name:<9}{value:>9}" for name, value in [
    ("profile", "Full"), ("tier", "Fast"), ("video", "1280x720"), ("output", "3840x2160"),
    ("fps", "23.976"), ("budget", "37.5 ms"), ("GPU last", "12.34"), ("GPU avg", "11.02"),
    ("GPU peak", "19.80"), ("pass 1", "3.2 28%"), ("pass 2", "4.1 36%"), ("pass 3", "4.0 35%"),
    ("dropped", "0"), ("late", "3"), ("governor", "hold")]]


@pytest.fixture(scope="module")
def overlay(gl):
    from player.ui.overlay import Overlay
    ov = Overlay()
    yield ov
    ov.release()


def render(ov, w, h, bottom_up=False, background=GREY, **kw):
    """Clear a w x h RGBA8 texture to grey, draw the overlay, read back (row 0 = top)."""
    from OpenGL import GL
    from player.gl import gpu
    tex = gpu.Texture(w, h, 4, "u8")
    try:
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, tex.fbo)
        GL.glClearColor(background, background, background, 1.0)
        GL.glClear(GL.GL_COLOR_BUFFER_BIT)
        ov.draw(w, h, bottom_up, **kw)
        return tex.read(4)
    finally:
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, 0)
        tex.release()


def inside(img, box, inset=0):
    return img[box.y + inset:box.y + box.h - inset, box.x + inset:box.x + box.w - inset]


def outside_mask(img, *boxes):
    mask = np.ones(img.shape[:2], bool)
    for b in boxes:
        mask[b.y:b.y + b.h, b.x:b.x + b.w] = False
    return mask


def test_panel_text_inside_a_dark_box_and_nothing_outside(glcheck, overlay):
    img = render(overlay, 480, 360, panel=PANEL)
    box = overlay.boxes["panel"]
    assert set(overlay.boxes) == {"panel"}
    assert box.x + box.w < 480 and box.x > 240          # on the right side
    assert box.y + box.h < 360
    rgb = img[:, :, :3]
    # nothing drawn outside the box
    np.testing.assert_allclose(rgb[outside_mask(img, box)], GREY, atol=1 / 255)
    # inside: the box darkens the grey, and the text is bright on it
    region = inside(rgb, box)
    assert np.median(region) < 0.25
    bright = region.min(axis=2) > 0.8
    assert bright.sum() > 300
    # the text keeps clear of the box edges (padding)
    pad = 3
    assert not bright[:pad].any() and not bright[-pad:].any() and not bright[:, :pad].any()
    # one row of text per panel line: bright rows fall into 15 separate bands
    rows = bright.any(axis=1).astype(np.int8)
    assert int((np.diff(rows) == 1).sum()) == len(PANEL)


def test_message_height_scales_with_output_height(glcheck, overlay):
    heights = {}
    for h in (720, 2160):
        img = render(overlay, 400, h, messages=["HIH"])
        box = overlay.boxes["message0"]
        assert box.x < 100 and box.y < 100                  # top left
        bright = inside(img[:, :, :3], box).min(axis=2) > 0.8
        ys = np.flatnonzero(bright.any(axis=1))
        heights[h] = ys[-1] - ys[0] + 1
        assert box.h > heights[h]
    assert heights[720] >= 10                               # legible at 720p
    assert 2.6 < heights[2160] / heights[720] < 3.4


def test_error_messages_are_red_and_wrap_within_the_output(glcheck, overlay):
    from player.ui.overlay import Alert
    long_error = ("shaders/tier_full.glsl:12: GLSL compile error: 'luma_x' undeclared "
                  "identifier in the expression that was being compiled here")
    img = render(overlay, 640, 360,
                 messages=["profile: Full", long_error, Alert("profiles.yaml: not found")])
    rgb = img[:, :, :3]
    plain, error, alert = (overlay.boxes[f"message{i}"] for i in range(3))
    assert plain.y + plain.h <= error.y and error.y + error.h <= alert.y   # stacked
    assert error.x + error.w <= 640 and error.h > 2 * plain.h              # wrapped
    for box, red in ((plain, False), (error, True), (alert, True)):
        region = inside(rgb, box).reshape(-1, 3)
        ink = region[region.max(axis=1) > 0.7]
        assert len(ink) > 50
        if red:
            assert np.median(ink[:, 0] - ink[:, 1]) > 0.3
        else:
            assert np.abs(ink[:, 0] - ink[:, 2]).max() < 0.05


def test_graph_bars_over_budget_rise_above_the_line_in_the_over_colour(glcheck, overlay):
    from player.ui.overlay import BAR, BAR_OVER, BUDGET, GRAPH_BARS, Graph
    budget = 40.0
    values = [0.5 * budget] * (GRAPH_BARS // 2) + [1.5 * budget] * (GRAPH_BARS // 2)
    img = render(overlay, 960, 540, background=0.0, graph=Graph(values, budget))
    plot = overlay.boxes["graph_plot"]
    rgb = inside(img[:, :, :3], plot)
    line_rows = np.flatnonzero((np.abs(rgb - BUDGET[:3]) < 0.05).all(axis=2).sum(axis=1)
                               > 0.9 * plot.w)
    assert len(line_rows) >= 1
    line = int(line_rows.min())
    assert abs(line - plot.h // 2) <= 2                      # budget at mid height
    half = plot.w // 2
    left, right = rgb[:, 4:half - 4], rgb[:, half + 4:-4]

    def colour(region, rgba):
        # drawn over black with alpha a: premultiplied colour
        return (np.abs(region - np.array(rgba[:3]) * rgba[3]) < 0.04).all(axis=2)

    # under-budget bars: the "ok" colour, only below the line, half the budget tall
    ok = colour(left, BAR)
    assert ok[line + 2:].any() and not ok[:line].any()
    assert not colour(left, BAR_OVER).any()
    bar_top = np.flatnonzero(ok.any(axis=1))[0]
    assert abs((plot.h - bar_top) - plot.h / 4) <= 2
    # over-budget bars: the "over" colour, reaching above the budget line
    over = colour(right, BAR_OVER)
    assert over[:line - 2].any() and over[line + 2:].any()
    assert not colour(right, BAR).any()


def test_labels_are_placed_by_alignment(glcheck, overlay):
    overlay.label("bicubic", 10, 200)
    overlay.label("Full", 630, 200, align="right")
    img = render(overlay, 640, 360)
    left, right = overlay.boxes["label0"], overlay.boxes["label1"]
    assert (left.x, left.y) == (10, 200)
    assert (right.x + right.w, right.y) == (630, 200)
    for box in (left, right):
        assert (inside(img[:, :, :3], box).min(axis=2) > 0.8).sum() > 20
    # labels are drawn once: the next frame without label() calls has none
    img = render(overlay, 640, 360)
    assert overlay.boxes == {}
    np.testing.assert_allclose(img[:, :, :3], GREY, atol=1 / 255)


def test_bottom_up_target_is_the_vertical_mirror(glcheck, overlay):
    kw = dict(messages=["compare: split"], panel=PANEL[:3])
    top_down = render(overlay, 320, 240, bottom_up=False, **kw)
    bottom_up = render(overlay, 320, 240, bottom_up=True, **kw)
    np.testing.assert_array_equal(bottom_up, top_down[::-1])


def test_target_alpha_is_kept(glcheck, overlay):
    img = render(overlay, 320, 240, panel=PANEL[:3])
    np.testing.assert_array_equal(img[:, :, 3], 1.0)


def test_steady_frames_allocate_nothing(glcheck, overlay):
    from OpenGL import GL
    from player.gl import gpu
    from player.ui import overlay as overlay_mod
    from player.ui.overlay import Graph
    w, h = 1280, 720
    tex = gpu.Texture(w, h, 4, "u8")
    rng = np.random.default_rng(0)
    history = list(rng.uniform(10, 60, 300))
    panel = list(PANEL)

    def frame(i):
        panel[6] = f"{'GPU last':<9}{history[i]:>9.2f}"       # a line that changes per frame
        overlay.label("bicubic", 10, 600)
        overlay.draw(w, h, True, ["profile: Full"], panel, Graph(history[i:i + 120], 41.7))

    try:
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, tex.fbo)
        frame(0)
        before = (gpu.stats.allocations(), overlay_mod.stats.allocations())
        times = []
        for i in range(1, 201):
            t = time.perf_counter()
            frame(i % 180)
            times.append(time.perf_counter() - t)
        GL.glFinish()
        assert (gpu.stats.allocations(), overlay_mod.stats.allocations()) == before
        # CPU per draw() for the report (not asserted: timing depends on the machine's load)
        print(f"\noverlay draw() CPU: median {np.median(times) * 1e3:.3f} ms, "
              f"p90 {np.percentile(times, 90) * 1e3:.3f} ms over {len(times)} frames")
    finally:
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, 0)
        tex.release()


def test_a_frame_larger_than_the_buffer_grows_it_once(glcheck):
    from player.ui import overlay as overlay_mod
    from player.ui.overlay import Overlay
    ov = Overlay(capacity=16)
    try:
        render(ov, 320, 240, panel=PANEL[:4])
        grown = overlay_mod.stats.allocations()
        img = render(ov, 320, 240, panel=PANEL[:4])
        assert overlay_mod.stats.allocations() == grown
        assert (inside(img[:, :, :3], ov.boxes["panel"]).min(axis=2) > 0.8).sum() > 100
    finally:
        ov.release()


def test_release_is_idempotent_and_frees_everything(glcheck):
    from player.gl import gpu
    from player.ui import overlay as overlay_mod
    from player.ui.overlay import Overlay
    live = (gpu.stats.live_textures, gpu.stats.live_programs)
    made = overlay_mod.stats.allocations()
    ov = Overlay()
    render(ov, 320, 240, messages=["a"])
    render(ov, 320, 720, messages=["b"])                     # a second text size: a second atlas
    assert overlay_mod.stats.allocations() == made + 2       # one VAO, one VBO
    assert gpu.stats.live_textures == live[0] + 2
    ov.release()
    ov.release()
    assert (gpu.stats.live_textures, gpu.stats.live_programs) == live


def test_mono_layout_puts_characters_in_columns(gl):
    from player.ui.text import GlyphSet
    g = GlyphSet(16)
    a, wa = g.layout("1.25 ms", mono=True)
    b, wb = g.layout("8.00 ms", mono=True)
    assert wa == wb == 7 * g.cell
    # the same character lands at the same place whatever precedes it
    np.testing.assert_array_equal(a[-2:], b[-2:])
    # proportional text is narrower for narrow letters
    assert g.layout("iiii")[1] < g.layout("WWWW")[1]


def test_unknown_characters_fall_back_and_wrap_fits(gl):
    from player.ui.text import GlyphSet
    g = GlyphSet(20)
    rows, width = g.layout("caf\u00e9 \u2192 \u4e2d")   # é, an arrow and a CJK character
    assert len(rows) > 0 and width > 0
    lines = g.wrap("word " * 40 + "x" * 200, 300)
    assert all(g.measure(line) <= 300 for line in lines)
    assert "".join(lines).replace(" ", "") == ("word" * 40 + "x" * 200)


def test_graph_takes_a_deque_and_shows_only_the_newest_bars(glcheck, overlay):
    from collections import deque
    from player.ui.overlay import GRAPH_BARS, Graph
    values = [5.0] * 50 + [30.0] * GRAPH_BARS
    as_list = render(overlay, 640, 360, graph=Graph(values, 20.0, "GPU ms"))
    as_deque = render(overlay, 640, 360,
                      graph=Graph(deque(values, maxlen=GRAPH_BARS), 20.0, "GPU ms"))
    np.testing.assert_array_equal(as_list, as_deque)
    no_budget = render(overlay, 640, 360, graph=Graph(values, 0.0, "GPU ms"))
    assert not np.array_equal(no_budget, as_list)              # scaled to the peak, no line


def test_an_empty_frame_makes_no_atlas_and_draws_nothing(glcheck):
    from player.gl import gpu
    from player.ui.overlay import Overlay
    ov = Overlay()
    try:
        made = gpu.stats.textures
        img = render(ov, 320, 4000, messages=[], panel=None, graph=None)
        assert gpu.stats.textures == made + 1                  # only render()'s own target
        np.testing.assert_allclose(img[:, :, :3], GREY, atol=1 / 255)
    finally:
        ov.release()


def test_progress_bar_in_the_middle_filled_to_the_position_with_chapter_ticks(glcheck, overlay):
    from player.ui.overlay import Progress
    img = render(overlay, 640, 360, progress=Progress(0.25, (0.5,), "01:00 / 04:00"))
    box, bar = overlay.boxes["progress"], overlay.boxes["progress_bar"]
    assert abs((box.y + box.h / 2) - 180) <= 1 and abs((box.x + box.w / 2) - 320) <= 1
    row = img[bar.y + bar.h // 2, :, :3]
    filled = row[bar.x + 2:bar.x + bar.w // 4 - 2]
    empty = row[bar.x + bar.w // 4 + 4:bar.x + bar.w // 2 - 4]
    assert filled.min() > 0.8 and empty.max() < 0.5                # a quarter played
    tick = img[bar.y + bar.h // 2, bar.x + bar.w // 2, :3]
    assert tick[0] > 0.8 and tick[2] < 0.5                          # the chapter mark
    outside = img[outside_mask(img, box)][:, :3]
    assert np.abs(outside - img[0, 0, :3]).max() == 0              # nothing drawn elsewhere

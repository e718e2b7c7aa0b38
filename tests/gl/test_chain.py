"""The chain on a real software GL context, each case against numpy computed here."""
from __future__ import annotations

import numpy as np
import pytest

from player.media import reference
from player.base.errors import ShaderError
from player.render.hookfile import parse

pytestmark = pytest.mark.gl

# RGBA16F intermediates hold ~11 bits of mantissa: values in [0,1] are exact to < 1e-3.
TOL = 2e-3


def image(w=23, h=17, seed=0):
    return np.random.default_rng(seed).random((h, w, 3)).astype(np.float32)


def run(glcheck, shaders_text, img, out_size, scaler="bicubic", params=None, tmp_path=None):
    from player.render.chain import Chain
    from player.render.offscreen import run_chain
    files = [parse(t, f"test{i}.glsl") for i, t in enumerate(shaders_text)]
    chain = Chain(files, scaler, params)
    try:
        out = run_chain(chain, img, out_size)
        warnings = list(chain.warnings)
    finally:
        chain.release()
    return out, warnings


IDENTITY = """//!HOOK MAIN
//!BIND HOOKED
//!DESC identity
vec4 hook() { return HOOKED_tex(HOOKED_pos); }
"""

INVERT = """//!HOOK MAIN
//!BIND HOOKED
//!DESC invert
vec4 hook() { return vec4(1.0 - HOOKED_texOff(vec2(0.0)).rgb, 1.0); }
"""


def test_identity(glcheck):
    img = image()
    out, warnings = run(glcheck, [IDENTITY], img, (23, 17))
    assert not warnings
    np.testing.assert_allclose(out, img, atol=TOL)


def test_invert_uses_main_alias(glcheck):
    img = image()
    alias = INVERT.replace("HOOKED_texOff", "MAIN_texOff")
    out, _ = run(glcheck, [alias], img, (23, 17))
    np.testing.assert_allclose(out, 1.0 - img, atol=TOL)


def test_nearest_2x_resizes_main(glcheck):
    """A MAIN hook with WIDTH/HEIGHT 2x: the chain's output at 2x needs no scaler."""
    shader = """//!HOOK MAIN
//!BIND HOOKED
//!WIDTH HOOKED.w 2 *
//!HEIGHT HOOKED.h 2 *
//!DESC nearest 2x
vec4 hook() {
    vec2 src = floor(HOOKED_pos * HOOKED_size) + 0.5;
    return texelFetch(HOOKED_raw, ivec2(src), 0);
}
"""
    img = image(11, 7)
    out, _ = run(glcheck, [shader], img, (22, 14))
    want = np.repeat(np.repeat(img, 2, axis=0), 2, axis=1)
    np.testing.assert_allclose(out, want, atol=TOL)


def test_luma_hook_changes_the_image(glcheck):
    """Overwriting LUMA adds the luma difference to every channel, as mpv does with YUV."""
    shader = """//!HOOK LUMA
//!BIND HOOKED
//!DESC luma +0.1
vec4 hook() { return HOOKED_tex(HOOKED_pos) + vec4(0.1); }
"""
    img = image() * 0.8
    out, _ = run(glcheck, [shader], img, (23, 17))
    np.testing.assert_allclose(out, img + 0.1, atol=TOL)


def test_luma_is_rec709_and_bindable_later(glcheck):
    shader = """//!HOOK SCALED
//!BIND LUMA
//!DESC show luma
vec4 hook() { return vec4(LUMA_tex(LUMA_pos).rrr, 1.0); }
"""
    img = image()
    out, _ = run(glcheck, [shader], img, (23, 17))
    y = img @ np.array([0.2126, 0.7152, 0.0722], np.float32)
    np.testing.assert_allclose(out, np.repeat(y[:, :, None], 3, 2), atol=TOL)


def test_prekernel_hook_runs_before_the_scaler(glcheck):
    shader = """//!HOOK PREKERNEL
//!BIND HOOKED
//!DESC halve
vec4 hook() { return HOOKED_tex(HOOKED_pos) * 0.5; }
"""
    img = image(9, 6)
    out, _ = run(glcheck, [shader], img, (18, 12), scaler="bilinear")
    want = np.clip(reference.scale(img * 0.5, 18, 12, "bilinear"), 0, 1)
    np.testing.assert_allclose(out, want, atol=TOL)


def test_save_bind_three_textures(glcheck):
    shader = """//!HOOK MAIN
//!BIND HOOKED
//!SAVE RED
//!COMPONENTS 1
//!DESC red
vec4 hook() { return vec4(HOOKED_tex(HOOKED_pos).r); }

//!HOOK MAIN
//!BIND HOOKED
//!SAVE BLUE
//!COMPONENTS 1
//!DESC blue
vec4 hook() { return vec4(HOOKED_tex(HOOKED_pos).b); }

//!HOOK MAIN
//!BIND HOOKED
//!BIND RED
//!BIND BLUE
//!DESC swap red and blue
vec4 hook() {
    return vec4(BLUE_tex(BLUE_pos).x, HOOKED_tex(HOOKED_pos).g, RED_tex(RED_pos).x, 1.0);
}
"""
    img = image()
    out, _ = run(glcheck, [shader], img, (23, 17))
    np.testing.assert_allclose(out, img[:, :, ::-1], atol=TOL)


def test_when_false_skips_and_missing_bind_skips(glcheck):
    shader = """//!HOOK MAIN
//!BIND HOOKED
//!WHEN OUTPUT.w MAIN.w / 1.4 >
//!DESC only when upscaling
vec4 hook() { return vec4(0.0, 0.0, 0.0, 1.0); }

//!HOOK MAIN
//!BIND HOOKED
//!BIND NOT_MADE_YET
//!DESC needs a texture nobody saves
vec4 hook() { return vec4(1.0); }
"""
    img = image()
    out, _ = run(glcheck, [shader], img, (23, 17))   # 1x: WHEN is false
    np.testing.assert_allclose(out, img, atol=TOL)
    out2, _ = run(glcheck, [shader], img, (46, 34))  # 2x: WHEN true, black
    assert out2.max() < TOL


def test_texture_block_lookup(glcheck):
    # 2x1 rgba8 texture: red, green; NEAREST
    shader = """//!TEXTURE LUT
//!SIZE 2 1
//!FORMAT rgba8
//!FILTER NEAREST
ff0000ff00ff00ff

//!HOOK MAIN
//!BIND HOOKED
//!BIND LUT
//!DESC lut
vec4 hook() { return HOOKED_pos.x < 0.5 ? texture(LUT, vec2(0.25, 0.5)) : texture(LUT, vec2(0.75, 0.5)); }
"""
    img = image(8, 4)
    out, _ = run(glcheck, [shader], img, (8, 4))
    np.testing.assert_allclose(out[:, :4], np.broadcast_to([1, 0, 0], (4, 4, 3)), atol=TOL)
    np.testing.assert_allclose(out[:, 4:], np.broadcast_to([0, 1, 0], (4, 4, 3)), atol=TOL)


PARAM_SHADER = """//!PARAM gain
//!TYPE float
//!MINIMUM 0.0
//!MAXIMUM 2.0
0.5

//!HOOK MAIN
//!BIND HOOKED
//!DESC gain
vec4 hook() { return HOOKED_tex(HOOKED_pos) * gain; }
"""


def test_param_default_and_override(glcheck):
    img = image()
    out, _ = run(glcheck, [PARAM_SHADER], img, (23, 17))
    np.testing.assert_allclose(out, img * 0.5, atol=TOL)
    out, _ = run(glcheck, [PARAM_SHADER], img, (23, 17), params={"gain": 0.25})
    np.testing.assert_allclose(out, img * 0.25, atol=TOL)
    with pytest.raises(ShaderError):
        run(glcheck, [PARAM_SHADER], img, (23, 17), params={"nope": 1.0})


@pytest.mark.parametrize("kind", ["bilinear", "bicubic", "lanczos"])
@pytest.mark.parametrize("size", [(46, 34), (35, 26), (17, 40)])
def test_scaler_matches_reference(glcheck, kind, size):
    img = image()
    out, _ = run(glcheck, [], img, size, scaler=kind)
    want = np.clip(reference.scale(img, size[0], size[1], kind), 0, 1)
    assert np.abs(out - want).max() < 3e-3


def sharp(w, h, seed=0):
    """Hard edges everywhere: 1-pixel stripes, random 0/1 blocks, a bright top row and a
    grey right column (edges touching the border, where the taps clamp)."""
    rng = np.random.default_rng(seed)
    img = np.zeros((h, w, 3), np.float32)
    img[:, :w // 3:2] = 1.0
    for _ in range(40):
        x, y = rng.integers(0, w - 4), rng.integers(0, h - 4)
        img[y:y + rng.integers(1, 9), x:x + rng.integers(1, 9)] = rng.random(3) > 0.5
    img[0, :] = 1.0
    img[:, -1] = 0.3
    return img


def says_shifted(ox, oy):
    """A MAIN pass that leaves the image as it is and states an OFFSET: the scaler then
    samples its source moved by (ox, oy) texels."""
    return (f"//!HOOK MAIN\n//!BIND HOOKED\n//!OFFSET {ox} {oy}\n//!DESC says shifted\n"
            "vec4 hook() { return HOOKED_tex(HOOKED_pos); }\n")


@pytest.mark.parametrize("kind", ["bicubic", "lanczos"])
@pytest.mark.parametrize("size", [(122, 74), (91, 55), (40, 25)])   # 2x, 1.5x, down
@pytest.mark.parametrize("offset", [(0.0, 0.0), (0.25, -0.375)])
def test_scaler_on_sharp_edges_with_offset_matches_reference(glcheck, kind, size, offset):
    """The per-axis scaler passes (closed-form Catmull-Rom weights for bicubic) against the
    numpy reference of the kernel formula, on edges where overshoot is largest. Bound: the
    RGBA16F intermediate and output round the result (llvmpipe: 0.41/255 at most over these
    cases), so 3e-3 (0.77/255) as for the random image above."""
    img = sharp(61, 37)
    shaders = [says_shifted(*offset)] if offset != (0.0, 0.0) else []
    out, _ = run(glcheck, shaders, img, size, scaler=kind)
    want = np.clip(reference.scale(reference.half(img), size[0], size[1], kind, offset), 0, 1)
    assert np.abs(out - want).max() < 3e-3
    if offset != (0.0, 0.0):   # the offset matters on this image: unshifted is far off
        plain = np.clip(reference.scale(img, size[0], size[1], kind), 0, 1)
        assert np.abs(out - plain).max() > 0.1


def test_compile_error_points_at_user_line(glcheck):
    shader = """// a comment
//!HOOK MAIN
//!BIND HOOKED
vec4 hook() {
    return undefined_thing;
}
"""
    with pytest.raises(ShaderError) as e:
        run(glcheck, [shader], image(), (23, 17))
    assert e.value.path == "test0.glsl"
    assert e.value.line == 5


def test_a_hoisted_extension_error_points_at_its_own_line(glcheck):
    """#extension lines move to the program's head; the driver's error must still name the
    user's line (CuNNy's dp4a variants require an extension OpenGL drivers lack)."""
    shader = """//!HOOK MAIN
//!BIND HOOKED
float k = 1.0;

#extension GL_A4K_no_such_extension : require
vec4 hook() { return k * HOOKED_tex(HOOKED_pos); }
"""
    with pytest.raises(ShaderError) as e:
        run(glcheck, [shader], image(), (23, 17))
    assert (e.value.path, e.value.line) == ("test0.glsl", 5)
    assert "GL_A4K_no_such_extension" in e.value.message


def test_steady_state_allocates_nothing(glcheck):
    """Once the timer ring has gone round once, frames make no GL objects (the pool reuses)."""
    from player.gl import gpu
    from player.render.chain import Chain
    from player.render.offscreen import to_texture
    chain = Chain([parse(INVERT, "a.glsl"), parse(PARAM_SHADER, "b.glsl")], "bicubic")
    src = to_texture(image())
    try:
        for _ in range(gpu.GpuTimer.RING + 1):
            chain.run(src, 46, 34)
        before = gpu.stats.allocations()
        for _ in range(10):
            chain.run(src, 46, 34)
        assert gpu.stats.allocations() == before
    finally:
        src.release()
        chain.release()


def test_release_is_idempotent_and_frees_everything(glcheck):
    from player.gl import gpu
    from player.render.chain import Chain
    from player.render.offscreen import to_texture
    live_t, live_p = gpu.stats.live_textures, gpu.stats.live_programs
    chain = Chain([parse(INVERT, "a.glsl")], "lanczos")
    src = to_texture(image())
    chain.run(src, 40, 30)
    src.release()
    chain.release()
    chain.release()
    assert (gpu.stats.live_textures, gpu.stats.live_programs) == (live_t, live_p)


def test_timer_reports_passes_by_desc(glcheck):
    from player.render.chain import Chain
    from player.render.offscreen import to_texture
    chain = Chain([parse(INVERT, "a.glsl")], "bicubic")
    src = to_texture(image())
    try:
        for _ in range(8):
            chain.run(src, 46, 34)
        from OpenGL import GL
        GL.glFinish()
        chain.run(src, 46, 34)
        assert chain.timer.enabled
        assert "invert" in chain.timings.passes
        assert chain.timings.frame.count > 0
    finally:
        src.release()
        chain.release()


def test_compute_pass(glcheck):
    """COMPUTE bw bh tw th: a compute shader writing out_image, one thread per pixel."""
    shader = """//!HOOK MAIN
//!BIND HOOKED
//!COMPUTE 8 8
//!DESC compute invert
void hook() {
    ivec2 p = ivec2(gl_GlobalInvocationID.xy);
    vec4 c = HOOKED_tex(HOOKED_pos);
    imageStore(out_image, p, vec4(1.0 - c.rgb, 1.0));
}
"""
    img = image()
    out, warnings = run(glcheck, [shader], img, (23, 17))
    assert not warnings
    np.testing.assert_allclose(out, 1.0 - img, atol=TOL)


def test_offset_and_unknown_hooks_are_harmless(glcheck):
    shader = """//!HOOK CHROMA
//!BIND HOOKED
//!DESC chroma only
vec4 hook() { return vec4(0.0); }
"""
    img = image()
    out, warnings = run(glcheck, [shader], img, (23, 17))
    np.testing.assert_allclose(out, img, atol=TOL)
    assert any("CHROMA" in w for w in warnings)


ADD_PASSES = "".join(f"""//!HOOK MAIN
//!BIND HOOKED
//!DESC add {k}
vec4 hook() {{ return HOOKED_tex(HOOKED_pos) + vec4(0.1, 0.1, 0.1, 0.0); }}

""" for k in range(5))


def test_intermediate_textures_go_back_to_the_pool_within_a_frame(glcheck):
    """Five passes in a row need two textures (each freed after its last reader), not five."""
    from player.render.chain import Chain
    from player.render.offscreen import to_texture
    img = image() * 0.5
    chain = Chain([parse(ADD_PASSES, "add.glsl")], "bicubic")
    src = to_texture(img)
    try:
        for _ in range(3):
            out = chain.run(src, 23, 17)
        # five RGBA16F roundings in a row (half a unit of 1/1024 each, near 1.0)
        np.testing.assert_allclose(out.read(4)[:, :, :3], img + 0.5, atol=3e-3)
        assert len(chain.pool) == 2
    finally:
        src.release()
        chain.release()


def test_saved_texture_stays_alive_until_its_last_reader(glcheck):
    """KEEP is saved first, then three passes recycle textures; the last pass reads KEEP."""
    shader = """//!HOOK MAIN
//!BIND HOOKED
//!SAVE KEEP
//!DESC keep half
vec4 hook() { return HOOKED_tex(HOOKED_pos) * 0.5; }

""" + "".join(f"""//!HOOK MAIN
//!BIND HOOKED
//!DESC invert {k}
vec4 hook() {{ return vec4(1.0 - HOOKED_tex(HOOKED_pos).rgb, 1.0); }}

""" for k in range(3)) + """//!HOOK SCALED
//!BIND HOOKED
//!BIND KEEP
//!DESC sum
vec4 hook() { return vec4(KEEP_tex(HOOKED_pos).rgb + HOOKED_tex(HOOKED_pos).rgb, 1.0); }
"""
    img = image()
    out, _ = run(glcheck, [shader], img, (23, 17))
    np.testing.assert_allclose(out, np.clip(1.0 - 0.5 * img, 0, 1), atol=TOL)


def test_lifetimes_free_after_the_last_reader():
    from player.render.plan import lifetimes
    # step 0 writes 0 from the source; 1 reads 0; 2 reads 0 and 1; 3 reads 2 (the result)
    steps = [(0, [-1]), (1, [0]), (2, [0, 1]), (3, [2]), (4, [])]
    assert lifetimes(steps, keep=3) == [(), (), (0, 1), (2,), (4,)]


def test_timer_keeps_every_frame_when_the_ring_wraps(glcheck):
    """Frames slower than the ring is deep: begin() reads the oldest slot instead of
    dropping it, so collect() returns every frame, oldest first, with its tag."""
    from OpenGL import GL
    from player.gl import gpu
    timer = gpu.GpuTimer()
    try:
        frames = 3 * gpu.GpuTimer.RING + 1
        for k in range(frames):
            timer.begin(k)
            GL.glClear(GL.GL_COLOR_BUFFER_BIT)
            timer.stamp("a")
            timer.stamp("b")
            timer.end()
        GL.glFinish()
        got = timer.collect(with_tags=True)
        assert [tag for _, _, tag in got] == list(range(frames))
        for total, passes, _ in got:
            assert [label for label, _ in passes] == ["a", "b"]
            assert total >= 0 and all(ms >= 0 for _, ms in passes)
        assert timer.collect() == []
    finally:
        timer.release()


def test_resizing_through_many_sizes_keeps_memory_bounded(glcheck):
    """A window dragged through many sizes: textures of sizes no longer used are released."""
    from player.render.chain import Chain
    from player.render.offscreen import to_texture
    chain = Chain([parse(INVERT, "a.glsl")], "bicubic")
    src = to_texture(image())
    try:
        chain.run(src, 40, 30)
        steady = len(chain.pool)
        for k in range(20):
            chain.run(src, 41 + k, 31 + k)
        assert len(chain.pool) <= steady * Chain.PLANS_KEPT
        out = chain.run(src, 40, 30).read(4)[:, :, :3]   # an old size still renders right
        want = np.clip(reference.scale(1.0 - image(), 40, 30, "bicubic"), 0, 1)
        assert np.abs(np.clip(out, 0, 1) - want).max() < 3e-3
    finally:
        src.release()
        chain.release()

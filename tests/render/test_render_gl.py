"""The chain as mpv runs today's packs, on the real llvmpipe context: mid-body #extension
lines with an #ifdef fallback in a shared-memory compute pass, OFFSET and OFFSET ALIGN,
the direct-to-framebuffer last pass against the presenter's composition, and gpu.py's
released objects and readback."""
from __future__ import annotations

import numpy as np
import pytest

from player.base.errors import ShaderError
from player.render.hookfile import parse

pytestmark = pytest.mark.gl

TOL = 2e-3


def image(w=23, h=17, seed=0):
    return np.random.default_rng(seed).random((h, w, 3)).astype(np.float32)


def run(texts, img, out_size, scaler="bicubic"):
    from player.render.chain import Chain
    from player.render.offscreen import run_chain
    chain = Chain([parse(t, f"pack{i}.glsl") for i, t in enumerate(texts)], scaler)
    try:
        return run_chain(chain, img, out_size), list(chain.warnings)
    finally:
        chain.release()


# CuNNy's shape: #extension in the middle of the pass text, an #ifdef fallback to plain
# types, a compute pass staging a tile in shared memory.
FP16_PACK = """//!HOOK MAIN
//!BIND HOOKED
//!COMPUTE 8 8 8 8
//!DESC fp16 box blur (shared memory)
// a comment first, then the directives mid-body, as CuNNy writes them
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : enable
#ifdef GL_EXT_shader_explicit_arithmetic_types_float16
#	define V4 f16vec4
#else
#	define V4 vec4
#endif
#pragma optionNV(fastprecision on)
shared V4 tile[10][10];
void hook() {
    ivec2 base = ivec2(gl_WorkGroupID.xy) * 8 - 1;
    for (uint i = gl_LocalInvocationIndex; i < 100u; i += 64u) {
        ivec2 t = ivec2(int(i % 10u), int(i / 10u));
        tile[t.y][t.x] = V4(HOOKED_tex((vec2(base + t) + 0.5) * HOOKED_pt));
    }
    barrier();
    ivec2 l = ivec2(gl_LocalInvocationID.xy) + 1;
    V4 s = V4(0.0);
    for (int y = -1; y <= 1; y++)
        for (int x = -1; x <= 1; x++)
            s += tile[l.y + y][l.x + x];
    imageStore(out_image, ivec2(gl_GlobalInvocationID.xy), vec4(s) / 9.0);
}

//!HOOK MAIN
//!BIND HOOKED
//!DESC fragment pass with its own mid-body extension
const float HALF = 0.5;
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : enable
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : enable
vec4 hook() { return HOOKED_tex(HOOKED_pos) * (2.0 * HALF); }
"""


def box3(img):
    p = np.pad(img, ((1, 1), (1, 1), (0, 0)), mode="edge")
    h, w = img.shape[:2]
    return sum(p[y:y + h, x:x + w] for y in range(3) for x in range(3)) / 9.0


def test_mid_body_extension_pack_with_ifdef_fallback_compiles_and_matches(glcheck):
    img = image()
    out, warnings = run([FP16_PACK], img, (23, 17))
    assert not warnings
    np.testing.assert_allclose(out, box3(img), atol=TOL)


def test_compile_error_after_hoisted_lines_names_the_user_line(glcheck):
    text = ("//!HOOK MAIN\n//!BIND HOOKED\nconst float A = 1.0;\n"
            "#extension GL_EXT_shader_explicit_arithmetic_types_float16 : enable\n"
            "vec4 hook() {\n    return undefined_name;\n}\n")
    with pytest.raises(ShaderError) as e:
        run([text], image(), (23, 17))
    assert (e.value.path, e.value.line) == ("pack0.glsl", 6)


def shift_pass(dx, dy, offset):
    """A pass moving the image's content by (dx, dy) pixels and saying so with OFFSET."""
    return f"""//!HOOK MAIN
//!BIND HOOKED
//!OFFSET {offset}
//!DESC shift
vec4 hook() {{ return HOOKED_texOff(vec2({-dx}.0, {-dy}.0)); }}

"""


def clamp_shift(img, dx, dy):
    """out[y, x] = img[y - dy, x - dx], edges clamped."""
    h, w = img.shape[:2]
    ys = np.clip(np.arange(h) - dy, 0, h - 1)
    xs = np.clip(np.arange(w) - dx, 0, w - 1)
    return img[ys][:, xs]


def test_offset_shifts_the_scalers_source_by_the_stated_amount(glcheck):
    img = image(16, 12)
    ident = "//!HOOK MAIN\n//!BIND HOOKED\n//!OFFSET 1 2\n//!DESC says shifted\n" \
            "vec4 hook() { return HOOKED_tex(HOOKED_pos); }\n"
    out, _ = run([ident], img, (16, 12))
    np.testing.assert_allclose(out, clamp_shift(img, -1, -2), atol=TOL)
    # a pass that really moves the content by (1, 2) and says so: the scaler undoes it
    out, _ = run([shift_pass(1, 2, "1 2")], img, (16, 12))
    np.testing.assert_allclose(out[:-2, :-1], img[:-2, :-1], atol=TOL)


def test_offset_is_corrected_by_the_separable_scaler_too(glcheck):
    from player.media import reference
    img = image(12, 10)
    out, _ = run([shift_pass(1, 0, "1 0")], img, (24, 20), scaler="bicubic")
    want = np.clip(reference.scale(clamp_shift(img, 1, 0), 24, 20, "bicubic"), 0, 1)
    # the correction moves the taps back by one source pixel: away from the edges (where
    # the shift pass clamped) the result is the unshifted image scaled
    plain = np.clip(reference.scale(img, 24, 20, "bicubic"), 0, 1)
    assert np.abs(out[:, 4:-8] - plain[:, 4:-8]).max() < 3e-3
    assert np.abs(out[:, 4:-8] - want[:, 4:-8]).max() > 0.05


def test_offset_align_realigns_hooked(glcheck):
    img = image(16, 12)
    align = "//!HOOK MAIN\n//!BIND HOOKED\n//!OFFSET ALIGN\n//!DESC align\n" \
            "vec4 hook() { return HOOKED_tex(HOOKED_pos); }\n"
    from player.render.chain import Chain
    chain = Chain([parse(shift_pass(2, 0, "2 0") + align, "a.glsl")], "bicubic")
    try:
        assert [s.desc for s in chain.plan(16, 12, 16, 12).steps] == ["shift", "align"]
    finally:
        chain.release()
    out, _ = run([shift_pass(2, 0, "2 0") + align], img, (16, 12))
    np.testing.assert_allclose(out[:, :-2], img[:, :-2], atol=TOL)


INVERT = """//!HOOK MAIN
//!BIND HOOKED
//!DESC invert
vec4 hook() { return vec4(1.0 - HOOKED_texOff(vec2(0.0)).rgb, 0.25); }
"""

COMPUTE_LAST = """//!HOOK OUTPUT
//!BIND HOOKED
//!COMPUTE 8 8
//!DESC compute last
void hook() {
    imageStore(out_image, ivec2(gl_GlobalInvocationID.xy), HOOKED_tex(HOOKED_pos) * 0.5);
}
"""


@pytest.mark.parametrize("texts, size", [([INVERT], (46, 34)), ([INVERT, COMPUTE_LAST], (46, 34)),
                                         ([], (23, 17)), ([INVERT], (23, 17))])
@pytest.mark.parametrize("flip", [True, False])
def test_direct_to_framebuffer_equals_the_composed_path(glcheck, texts, size, flip):
    from OpenGL import GL
    from player.gl import gpu
    from player.render.chain import Chain, Target
    from player.render.offscreen import to_texture
    from player.ui.present import Presenter, Rect
    fw, fh = 60, 50
    rect = Rect(7, 5, *size) if size[0] < fw else Rect(0, 0, *size)
    chain = Chain([parse(t, f"d{i}.glsl") for i, t in enumerate(texts)], "bicubic")
    src = to_texture(image())
    composed, direct = gpu.Texture(fw, fh, 4, "u8"), gpu.Texture(fw, fh, 4, "u8")
    presenter = Presenter()
    try:
        out = chain.run(src, *size)
        presenter.draw(composed.fbo, fw, fh, rect, out, bottom_up=flip)
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, direct.fbo)
        GL.glViewport(0, 0, fw, fh)
        GL.glClearColor(0.0, 0.0, 0.0, 1.0)
        GL.glClear(GL.GL_COLOR_BUFFER_BIT)
        target = Target.letterboxed(direct.fbo, fh, rect.x, rect.y, rect.w, rect.h, flip)
        for _ in range(2):   # the plan is kept: the second run reuses it
            assert chain.run(src, *size, target=target) is None
        a, b = composed.read(4), direct.read(4)
        assert np.abs(a - b).max() <= 1.5 / 255
        assert (b[:, :, 3] == 1.0).all()           # the target's alpha is kept
        plan = chain.plan(23, 17, *size, direct=True)
        assert plan.steps[-1].direct
    finally:
        presenter.release()
        composed.release()
        direct.release()
        src.release()
        chain.release()


def test_direct_target_size_must_match(glcheck):
    from player.render.chain import Chain, Target
    from player.render.offscreen import to_texture
    chain = Chain([], "bilinear")
    src = to_texture(image())
    try:
        with pytest.raises(ValueError, match="target is"):
            chain.run(src, 20, 20, target=Target(0, 0, 0, 10, 10))
    finally:
        src.release()
        chain.release()


def test_new_warnings_hand_each_warning_out_once(glcheck):
    from player.render.chain import Chain
    from player.render.offscreen import to_texture
    text = "//!HOOK SCALED\n//!BIND HOOKED\n//!WIDTH HOOKED.w 2 *\n//!DESC too big\n" \
           "vec4 hook() { return HOOKED_tex(HOOKED_pos); }\n"
    chain = Chain([parse(text, "w.glsl")], "bicubic")
    src = to_texture(image())
    try:
        assert chain.new_warnings() == []
        chain.run(src, 30, 20)
        first = chain.new_warnings()
        assert len(first) == 1 and "fixed hook point" in first[0]
        chain.run(src, 30, 20)      # same pass, same message: not again
        assert chain.new_warnings() == [] and chain.warnings == first
        chain.run(src, 31, 20)      # a new size, a new message
        assert len(chain.new_warnings()) == 1 and len(chain.warnings) == 2
    finally:
        src.release()
        chain.release()


def test_released_objects_raise_and_release_is_idempotent(glcheck):
    from player.gl import gpu
    tex = gpu.Texture(4, 4)
    prog = gpu.Program(None, "#version 450 core\nlayout(local_size_x = 1) in;\n"
                       "void main() {}\n", kind=gpu.GL.GL_COMPUTE_SHADER)
    vao, buf = gpu.VertexArray(), gpu.Buffer()
    for obj in (tex, prog, vao, buf):
        assert not obj.released
        obj.release()
        obj.release()
        assert obj.released
        with pytest.raises(gpu.ReleasedError):
            obj.id
    with pytest.raises(gpu.ReleasedError):
        tex.fbo
    with pytest.raises(gpu.ReleasedError):
        prog.use()
    assert issubclass(gpu.ReleasedError, gpu.A4kError)


def test_read_into_and_numpy_uploads(glcheck):
    from player.gl import gpu
    img = (np.arange(6 * 5 * 4) % 251).astype(np.uint8).reshape(5, 6, 4)
    tex = gpu.Texture(6, 5, 4, "u8")
    try:
        tex.upload(img)
        now = tex.read_into(np.empty((5, 6, 3), np.uint8))
        np.testing.assert_array_equal(now, img[:, :, :3])
        deep = np.full((5, 6, 3), 65535, np.uint16)
        tex.upload(deep)
        assert (tex.read_into(np.empty((5, 6, 3), np.uint16)) == 65535).all()
    finally:
        tex.release()


def test_chain_textures_use_the_one_format_table(glcheck):
    from player.gl import gpu
    from player.render.chain import user_texture
    block = parse("//!TEXTURE T\n//!SIZE 2 2 2\n//!FORMAT r16f\n" + "003c" * 8 +
                  "\n\n//!HOOK MAIN\n//!BIND T\nvec4 hook() { return vec4(0.0); }\n",
                  "t.glsl").textures[0]
    tex = user_texture(block)
    try:
        assert tex.target == gpu.GL.GL_TEXTURE_3D
        assert tex.internal_format == gpu.FORMATS["r16f"].internal
    finally:
        tex.release()

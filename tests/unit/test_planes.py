"""The plane-hook split (player/render/planes.py), pure: which passes go to libmpv, what
text it gets, at which size libmpv must render, and how OUTPUT-dependent decisions are made
against the real output. No GL, no libmpv (tests/media/test_planes.py runs both)."""
from __future__ import annotations

from player.base.paths import SHADERS
from player.render.hookfile import load, parse
from player.render.planes import chroma_size, split_plane_hooks

PLANES = """//!PARAM gain
//!TYPE float
0.5

//!TEXTURE LUT
//!SIZE 2 1
//!FORMAT rgba8
//!FILTER NEAREST
ff0000ff00ff00ff

//!HOOK CHROMA
//!BIND HOOKED
//!BIND LUT
//!WHEN gain 0 >
//!DESC chroma gain
vec4 hook() { return HOOKED_tex(HOOKED_pos) * gain * texture(LUT, vec2(0.5)).r; }

//!HOOK LUMA
//!BIND HOOKED
//!WIDTH HOOKED.w 2 *
//!HEIGHT HOOKED.h 2 *
//!DESC luma doubler
vec4 hook() { return HOOKED_tex(HOOKED_pos); }

//!HOOK LUMA
//!HOOK MAIN
//!BIND HOOKED
//!WIDTH HOOKED.w
//!DESC luma and main
vec4 hook() { return HOOKED_tex(HOOKED_pos); }
"""

# CuNNy's shape: feature passes saved at LUMA's size (stated or not), the last one doubling
# LUMA while binding them; every pass gated on the output being 1.3x the luma plane.
PACK = """//!DESC feat
//!HOOK LUMA
//!BIND LUMA
//!SAVE feat
//!COMPONENTS 4
//!WHEN OUTPUT.w LUMA.w / 1.3 > OUTPUT.h LUMA.h / 1.3 > *
vec4 hook() { return vec4(LUMA_tex(LUMA_pos).x); }

//!DESC out 2x
//!HOOK LUMA
//!BIND LUMA
//!BIND feat
//!WIDTH LUMA.w 2 *
//!HEIGHT LUMA.h 2 *
//!WHEN OUTPUT.w LUMA.w / 1.3 > OUTPUT.h LUMA.h / 1.3 > *
vec4 hook() { return LUMA_tex(LUMA_pos) + 0.01 * feat_tex(feat_pos); }
"""


def _descs(files):
    return [(s.desc, s.hooks) for f in files for s in f.hooks]


def test_every_plane_pass_moves_and_main_hooks_stay():
    f = parse(PLANES, "pack.glsl")
    stage, rest = split_plane_hooks([f], {"gain": 0.25})
    assert _descs(rest) == [("luma and main", ("MAIN",))]
    assert rest[0].params == f.params and rest[0].textures == f.textures
    assert stage.descs == ["chroma gain", "luma doubler", "luma and main"]


def test_the_text_for_libmpv_is_a_shader_file_with_params_baked_in():
    stage, _ = split_plane_hooks([parse(PLANES, "pack.glsl")], {"gain": 0.25})
    plan = stage.plan((100, 50), (50, 25), (400, 200))
    moved = parse(plan.text, "mpv.glsl")     # the written text is a valid shader file itself
    assert [(s.desc, s.hooks) for s in moved.hooks] == [
        ("luma doubler", ("LUMA",)), ("luma and main", ("LUMA",)), ("chroma gain", ("CHROMA",))]
    assert not moved.params and [t.name for t in moved.textures] == ["LUT"]
    assert moved.textures[0].data == parse(PLANES).textures[0].data
    assert moved.hooks[2].when.text == "0.25 0 >"     # no OUTPUT in it: libmpv decides
    assert "#define gain 0.25" in plan.text and "HOOKED_tex(HOOKED_pos) * gain" in plan.text


def test_libmpv_renders_at_the_size_the_luma_passes_give():
    stage, _ = split_plane_hooks([parse(PLANES)])
    assert stage.plan((100, 50), (50, 25), (400, 200)).size == (200, 100)


def test_a_cunny_shaped_pack_moves_whole_and_output_decides_when():
    stage, rest = split_plane_hooks([parse(PACK)])
    assert _descs(rest) == [] and stage.descs == ["feat", "out 2x"]
    big = stage.plan((320, 180), (160, 90), (1280, 720))
    assert big.size == (640, 360)
    assert "//!WHEN" not in big.text          # decided here, against the real output
    assert stage.plan((320, 180), (160, 90), (640, 360)).text == big.text   # no recompile
    small = stage.plan((320, 180), (160, 90), (400, 225))     # 1.25x: mpv would not run it
    assert small.text is None and small.size == (320, 180)


def test_a_pass_our_chain_binds_stays_with_what_it_binds():
    text = PACK + """
//!HOOK MAIN
//!BIND HOOKED
//!BIND feat
//!DESC main reads feat
vec4 hook() { return HOOKED_tex(HOOKED_pos) + feat_tex(feat_pos); }
"""
    stage, rest = split_plane_hooks([parse(text)])
    assert stage.descs == ["out 2x"]
    assert [d for d, _ in _descs(rest)] == ["feat", "main reads feat"]


def test_output_in_a_size_becomes_a_number():
    text = """//!HOOK CHROMA
//!BIND HOOKED
//!WIDTH OUTPUT.w 2 /
//!HEIGHT OUTPUT.h 2 /
//!DESC chroma at half the output
vec4 hook() { return HOOKED_tex(HOOKED_pos); }
"""
    stage, _ = split_plane_hooks([parse(text)])
    plan = stage.plan((100, 50), (50, 25), (300, 150))
    assert "//!WIDTH 300 2 /" in plan.text and "//!HEIGHT 150 2 /" in plan.text
    assert plan.size == (100, 50)             # chroma does not set MAIN's size


def test_a_pass_binding_what_does_not_exist_is_left_out():
    text = """//!HOOK LUMA
//!BIND HOOKED
//!BIND MAIN
//!DESC binds MAIN, which planes never see
vec4 hook() { return HOOKED_tex(HOOKED_pos); }
"""
    stage, _ = split_plane_hooks([parse(text)])
    assert stage.plan((100, 50), (50, 25), (200, 100)).text is None


def test_without_plane_passes_nothing_changes():
    f = load(SHADERS / "anime4k" / "fast.glsl")
    assert split_plane_hooks([f]) == (None, [f])


def test_chroma_size_by_pixel_format():
    assert chroma_size(1920, 1080, "yuv420p10") == (960, 540)
    assert chroma_size(1919, 1079, "nv12") == (960, 540)
    assert chroma_size(1920, 1080, "yuv422p") == (960, 1080)
    assert chroma_size(1920, 1080, "yuv444p") == (1920, 1080)
    assert chroma_size(1920, 1080, None) == (960, 540)      # unknown: 4:2:0


def test_optional_extension_lines_the_driver_lacks_are_blanked():
    text = """//!HOOK LUMA
//!BIND HOOKED
//!DESC float16 where offered
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : enable
#extension GL_ARB_gpu_shader5 : warn
#extension GL_EXT_spirv_intrinsics : require
#ifdef GL_EXT_shader_explicit_arithmetic_types_float16
#define F float16_t
#else
#define F float
#endif
vec4 hook() { return vec4(F(HOOKED_tex(HOOKED_pos).x)); }
"""
    stage, _ = split_plane_hooks([parse(text)], extensions=frozenset({"GL_ARB_gpu_shader5"}))
    out = stage.plan((100, 50), (50, 25), (200, 100)).text
    assert "#extension GL_EXT_shader_explicit_arithmetic_types_float16" not in out
    assert "#extension GL_ARB_gpu_shader5 : warn" in out          # the driver has it
    assert "#extension GL_EXT_spirv_intrinsics : require" in out  # required: libmpv says no
    kept = split_plane_hooks([parse(text)])[0].plan((100, 50), (50, 25), (200, 100)).text
    assert out.count("\n") == kept.count("\n")                    # line numbers kept
    assert "float16 : enable" in kept


ARTCNN_SHAPED = """//!DESC features
//!HOOK LUMA
//!BIND LUMA
//!SAVE f
//!COMPONENTS 4
vec4 hook() { return vec4(LUMA_tex(LUMA_pos).x); }

//!DESC depth to space, writes LUMA with 4 components
//!HOOK LUMA
//!BIND LUMA
//!BIND f
//!WIDTH LUMA.w 2 *
//!HEIGHT LUMA.h 2 *
//!COMPONENTS 4
vec4 hook() { return f_tex(f_pos); }
"""


def test_a_pass_libmpv_would_abort_on_stays_here_with_what_it_binds():
    """mpv 0.35 aborts (an assertion in copy_image) on a pass overwriting LUMA with
    COMPONENTS 4, as ArtCNN's last pass does: the pack stays whole in our chain."""
    f = parse(ARTCNN_SHAPED)
    assert split_plane_hooks([f]) == (None, [f])
    one = parse(ARTCNN_SHAPED.replace("//!COMPONENTS 4\nvec4 hook() { return f_tex",
                                      "//!COMPONENTS 1\nvec4 hook() { return f_tex"))
    stage, _ = split_plane_hooks([one])
    assert stage.descs == ["features", "depth to space, writes LUMA with 4 components"]

"""Tests for player/hookfile.py: directives, RPN expressions, errors (with their lines),
a realistic multi-pass file, and property tests that nothing but ShaderError escapes."""
from __future__ import annotations

import math
import struct
import textwrap

import pytest
from hypothesis import given, settings, strategies as st

from player.base.errors import ShaderError
from player.render.hookfile import (Expr, HookPass, ParamBlock, ShaderFile, load, parse,
                             texel_size)

BODY = "vec4 hook() { return HOOKED_texOff(0); }"


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def one_pass(headers: str, body: str = BODY) -> HookPass:
    shader = parse(headers.strip("\n") + "\n" + body + "\n", "pass.glsl")
    assert len(shader.hooks) == 1
    return shader.hooks[0]


def error_of(text: str, path: str = "bad.glsl") -> ShaderError:
    with pytest.raises(ShaderError) as info:
        parse(src(text), path)
    err = info.value
    assert err.path == path
    return err


SIZES = {"HOOKED": (960.0, 540.0), "MAIN": (1920.0, 1080.0), "OUTPUT": (3840.0, 2160.0)}


def size(name: str, dim: str) -> float:
    w, h = SIZES[name]
    return w if dim == "w" else h


def no_params(name: str) -> float:
    raise KeyError(name)


def ev(text: str, params: dict[str, float] | None = None) -> float:
    lookup = (params or {}).__getitem__
    return Expr(text, "e.glsl", 3).eval(size, lookup)


# ----------------------------------------------------------------------------- HOOK blocks

def test_minimal_pass_defaults():
    p = one_pass("//!HOOK MAIN\n//!BIND HOOKED")
    assert p.hooks == ("MAIN",) and p.binds == ("HOOKED",)
    assert p.save is None and p.desc == "pass.glsl:1"
    assert p.width is p.height is p.when is None
    assert p.components is None and p.offset is None and p.compute is None
    assert p.line == 1 and p.body_line == 3 and p.body.startswith("vec4 hook()")


def test_every_hook_directive():
    p = one_pass("""
//!DESC my pass
//!HOOK LUMA
//!HOOK MAIN
//!BIND HOOKED
//!BIND LUMA
//!SAVE feat
//!WIDTH HOOKED.w 2 *
//!HEIGHT HOOKED.height 2 *
//!WHEN OUTPUT.w MAIN.w / 1.2 >
//!COMPONENTS 2
//!OFFSET -0.5 1.25
""")
    assert p.desc == "my pass" and p.hooks == ("LUMA", "MAIN")
    assert p.binds == ("HOOKED", "LUMA") and p.save == "feat"
    assert p.width.eval(size, no_params) == 1920.0
    assert p.height.eval(size, no_params) == 1080.0
    assert p.when.eval(size, no_params) == 1.0
    assert p.width.line == 7 and p.when.line == 9
    assert p.components == 2 and p.offset == (-0.5, 1.25)
    assert p.body_line == 12


def test_save_hooked_means_overwrite():
    assert one_pass("//!HOOK MAIN\n//!SAVE HOOKED").save is None


def test_offset_align():
    assert one_pass("//!HOOK CHROMA\n//!OFFSET ALIGN").offset == "ALIGN"


def test_compute_two_and_four_numbers():
    void_body = "void hook() { imageStore(out_image, ivec2(0), vec4(0)); }"
    assert one_pass("//!HOOK MAIN\n//!COMPUTE 32 16", void_body).compute == (32, 16, 32, 16)
    assert one_pass("//!HOOK MAIN\n//!COMPUTE 32 32 8 4", void_body).compute == (32, 32, 8, 4)


def test_preamble_is_ignored_and_lines_count_from_file_start():
    text = "// Licence: MIT\n/* comment */\n\n//!HOOK MAIN\n//!BIND HOOKED\n" + BODY + "\n"
    p = parse(text).hooks[0]
    assert p.line == 4 and p.body_line == 6 and p.desc == "<string>:4"


def test_crlf_and_bom_are_accepted():
    text = "\ufeff//!HOOK MAIN\r\n//!BIND HOOKED\r\n" + BODY + "\r\n"
    p = parse(text).hooks[0]
    assert p.binds == ("HOOKED",) and "\r" not in p.body


def test_body_runs_to_next_directive_and_keeps_its_lines():
    shader = parse(src("""
        //!HOOK MAIN
        //!BIND HOOKED
        // helper
        float f(float x) { return x; }
        vec4 hook() { return HOOKED_texOff(0); }

        //!HOOK PREKERNEL
        //!BIND HOOKED
        vec4 hook() { return HOOKED_tex(HOOKED_pos); }
        """))
    first, second = shader.hooks
    assert first.body.splitlines()[0] == "// helper" and first.body_line == 3
    assert "PREKERNEL" not in first.body
    assert second.line == 7 and second.body_line == 9


def test_hook_function_may_span_lines_and_ignores_comments():
    p = one_pass("//!HOOK MAIN", "vec4\nhook (void)\n{\n  return vec4(1.0);\n}")
    assert p.body_line == 2
    err = error_of("""
        //!HOOK MAIN
        // vec4 hook() { }
        /* vec4 hook() { } */
        vec4 other() { return vec4(0); }
        """)
    assert err.line == 1 and "missing hook function" in err.message


# --------------------------------------------------------------------------- TEXTURE blocks

def test_texture_block():
    data = struct.pack("<4f", 1.0, 0.0, 0.5, 1.0) * 2
    hexdata = data.hex()
    shader = parse(src(f"""
        //!TEXTURE LUT
        //!SIZE 2 1
        //!FORMAT RGBA32F
        //!FILTER NEAREST
        //!BORDER REPEAT
        {hexdata[:40]}
        {hexdata[40:]}

        //!HOOK MAIN
        //!BIND LUT
        {BODY}
        """))
    (tex,) = shader.textures
    assert (tex.name, tex.size, tex.format) == ("LUT", (2, 1), "rgba32f")
    assert (tex.filter, tex.border, tex.data, tex.line) == ("NEAREST", "REPEAT", data, 1)


def test_texture_defaults_and_unknown_format_keeps_data():
    tex = parse("//!TEXTURE T\n//!FORMAT weird9\n0a0b0c\n").textures[0]
    assert (tex.size, tex.filter, tex.border, tex.data) == ((1, 1), "LINEAR", "CLAMP",
                                                            b"\x0a\x0b\x0c")


def test_texture_3d_and_mirror():
    tex = parse("//!TEXTURE V\n//!SIZE 2 2 2\n//!FORMAT r8\n//!BORDER MIRROR\n"
                + "00" * 8 + "\n").textures[0]
    assert tex.size == (2, 2, 2) and tex.border == "MIRROR" and len(tex.data) == 8


@pytest.mark.parametrize("fmt, size", [("r8", 1), ("rg16hf", 4), ("rgba16f", 8),
                                       ("rgba32f", 16), ("r64i", 8), ("rgb10a2", 4),
                                       ("rgba8s", 4), ("r8f", None), ("xyz", None)])
def test_texel_size(fmt, size):
    assert texel_size(fmt) == size


# ----------------------------------------------------------------------------- PARAM blocks

def test_param_float_with_bounds_and_desc():
    shader = parse(src(f"""
        //!PARAM strength
        //!DESC How strong
        //!TYPE float
        //!MINIMUM 0.0
        //!MAXIMUM 2
        0.75

        //!HOOK MAIN
        //!WHEN strength 0 >
        {BODY}
        """))
    (p,) = shader.params
    assert (p.name, p.type, p.kind, p.desc, p.line) == ("strength", "float", "DYNAMIC",
                                                        "How strong", 1)
    assert (p.minimum, p.maximum, p.default) == (0.0, 2.0, 0.75)
    assert shader.param_defaults() == {"strength": 0.75}
    when = shader.hooks[0].when
    assert when.param_names() == {"strength"} and when.names() == frozenset()
    assert when.eval(size, shader.param_defaults().__getitem__) == 1.0
    assert when.eval(size, {"strength": 0.0}.__getitem__) == 0.0


@pytest.mark.parametrize("type_line, ptype, kind", [
    ("int", "int", "DYNAMIC"), ("uint", "uint", "DYNAMIC"),
    ("DYNAMIC float", "float", "DYNAMIC"), ("CONSTANT int", "int", "CONSTANT"),
    ("DEFINE", "DEFINE", "DEFINE")])
def test_param_types(type_line, ptype, kind):
    p = parse(f"//!PARAM n\n//!TYPE {type_line}\n3\n").params[0]
    assert (p.type, p.kind, p.default) == (ptype, kind, 3.0)


def test_uint_has_implied_minimum_zero():
    p = parse("//!PARAM n\n//!TYPE uint\n3\n").params[0]
    assert p.minimum == 0.0 and p.clamp(-4) == 0.0


def test_enum_param_choices_are_constants_in_expressions():
    shader = parse(src(f"""
        //!PARAM mode
        //!TYPE ENUM int
        soft
        sharp
        extreme

        //!PARAM taps
        //!TYPE ENUM DEFINE
        few
        many

        //!HOOK MAIN
        //!WHEN mode sharp =
        {BODY}
        """))
    mode, taps = shader.params
    assert (mode.type, mode.kind, mode.enum_values) == ("ENUM", "DYNAMIC",
                                                        ("soft", "sharp", "extreme"))
    assert (mode.default, mode.minimum, mode.maximum) == (0.0, 0.0, 2.0)
    assert (taps.type, taps.kind) == ("ENUM", "DEFINE")
    when = shader.hooks[0].when
    assert when.param_names() == {"mode"}  # 'sharp' was folded to the constant 1
    assert when.eval(size, {"mode": 1.0}.__getitem__) == 1.0
    assert when.eval(size, {"mode": 2.0}.__getitem__) == 0.0
    assert mode.parse_value("extreme") == 2.0 and mode.parse_value("1") == 1.0


def test_param_may_follow_the_pass_that_uses_it():
    shader = parse(f"//!HOOK MAIN\n//!WHEN k\n{BODY}\n//!PARAM k\n//!TYPE int\n1\n")
    assert shader.hooks[0].when.param_names() == {"k"}


def test_param_clamp_and_parse_value():
    p = parse("//!PARAM k\n//!TYPE int\n//!MINIMUM -2\n//!MAXIMUM 5\n1\n").params[0]
    assert p.clamp(9) == 5.0 and p.clamp(-7) == -2.0 and p.clamp(3) == 3.0
    assert p.parse_value(" 4 ") == 4.0
    for bad in (2.5, math.nan, math.inf, "x"):
        with pytest.raises(ShaderError) as info:
            p.clamp(bad)
        assert info.value.line == 1 and "PARAM k" in info.value.message
    with pytest.raises(ShaderError):
        p.parse_value("four")
    f = parse("//!PARAM g\n//!TYPE float\n//!MAXIMUM 1\n0.5\n").params[0]
    assert f.clamp(0.25) == 0.25 and f.clamp(1e9) == 1.0 and f.clamp(-1e9) == -1e9


# ------------------------------------------------------------------------------ expressions

@pytest.mark.parametrize("text, value", [
    ("1.5", 1.5), (".5", 0.5), ("2.", 2.0), ("1e3", 1000.0), ("2.5E-1", 0.25),
    ("HOOKED.w", 960.0), ("HOOKED.width", 960.0), ("HOOKED.h", 540.0),
    ("HOOKED.height", 540.0),
    ("2 3 +", 5.0), ("2 3 -", -1.0), ("2 3 *", 6.0), ("3 2 /", 1.5), ("7 3 %", 1.0),
    ("0 7 - 3 %", -1.0),  # fmod keeps the dividend's sign
    ("3 2 >", 1.0), ("2 3 >", 0.0), ("2 3 <", 1.0), ("3 2 <", 0.0),
    ("2 2 =", 1.0), ("2 2.1 =", 0.0), ("1000000 1000000.5 =", 1.0),  # within 1 ppm
    ("0 1000 - 0 1000 - =", 1.0), ("0 0 =", 1.0),
    ("0 !", 1.0), ("5 !", 0.0), ("0 ! !", 0.0),
    ("OUTPUT.w MAIN.w / 1.200 >", 1.0), ("MAIN.w 2 * OUTPUT.w =", 1.0),
    ("  HOOKED.w\t2   / ", 480.0),
])
def test_rpn_values(text, value):
    assert ev(text) == pytest.approx(value)


def test_rpn_params_and_names():
    e = Expr("HOOKED.w scale * MAIN.h +")
    assert e.names() == {"HOOKED", "MAIN"} and e.param_names() == {"scale"}
    assert e.eval(size, {"scale": 2.0}.__getitem__) == 960 * 2 + 1080


def test_constant():
    for v in (0, 1, 2.5, -3.25, 1e-7, -0.0):
        c = Expr.constant(v)
        assert c.eval(size, no_params) == float(v)
    with pytest.raises(ShaderError):
        Expr.constant(math.inf)


@pytest.mark.parametrize("text, fragment", [
    ("", "empty expression"),
    ("+", "stack underflow at token 1 '+'"),
    ("1 +", "stack underflow at token 2 '+'"),
    ("!", "stack underflow at token 1 '!'"),
    ("1 2", "leaves 2 values"),
    ("1 2 3 + ", "leaves 2 values"),
    ("-1", "malformed token 1 '-1'"),
    ("1 2 ^", "malformed token 3 '^'"),
    ("HOOKED.x", "malformed"),
    (".w", "malformed"),
    ("1e999", "out of range"),
    ("nan", "unknown name"),  # a bare word: not a PARAM of this (empty) table
    ("١", "malformed"),  # non-ASCII digit
])
def test_rpn_compile_errors(text, fragment):
    with pytest.raises(ShaderError) as info:
        Expr(text, "e.glsl", 7, {})
    err = info.value
    assert fragment in err.message
    assert (err.path, err.line, err.source) == ("e.glsl", 7, text)


@pytest.mark.parametrize("text", ["1 0 /", "1 0 %", "0 0 /", "1e300 1e300 *",
                                  "1e300 1e300 * 0 >"])
def test_rpn_non_finite_is_an_error(text):
    with pytest.raises(ShaderError) as info:
        ev(text)
    assert "finite" in info.value.message and info.value.line == 3


def test_rpn_unknown_texture_or_param_at_eval():
    with pytest.raises(ShaderError) as info:
        ev("NOPE.w")
    assert "texture 'NOPE'" in info.value.message and info.value.line == 3
    with pytest.raises(ShaderError) as info:
        ev("k 1 +")
    assert "parameter 'k'" in info.value.message
    with pytest.raises(ShaderError):
        Expr("HOOKED.w").eval(lambda n, d: math.inf, no_params)


# ----------------------------------------------------------------------- errors and lines

ERRORS = [
    # (text, line, fragment of message)
    ("//!HOOK MAIN\n//!FOO bar\n" + BODY, 2, "unknown directive 'FOO' in a HOOK block"),
    ("//!HOOK MAIN\n//!hook MAIN\n" + BODY, 2, "unknown directive 'hook'"),
    ("//!DESC x\n//!BIND HOOKED\n" + BODY, 1, "at least one HOOK"),
    ("//!HOOK MAIN\n\n//!BIND HOOKED\n" + BODY, 1, "missing hook function"),
    ("//!HOOK MAIN\n//!COMPONENTS x\n" + BODY, 2, "COMPONENTS must be an integer 1..4, got 'x'"),
    ("//!HOOK MAIN\n//!COMPONENTS 5\n" + BODY, 2, "COMPONENTS must be an integer 1..4, got '5'"),
    ("//!HOOK MAIN\n//!COMPONENTS 0\n" + BODY, 2, "COMPONENTS must be"),
    ("//!HOOK MAIN\n//!OFFSET 1\n" + BODY, 2, "OFFSET must be two numbers"),
    ("//!HOOK MAIN\n//!OFFSET a b\n" + BODY, 2, "OFFSET must be two numbers"),
    ("//!HOOK MAIN\n//!COMPUTE 8\n" + BODY, 2, "COMPUTE must be"),
    ("//!HOOK MAIN\n//!COMPUTE 8 8 4\n" + BODY, 2, "COMPUTE must be"),
    ("//!HOOK MAIN\n//!COMPUTE 8 0\n" + BODY, 2, "COMPUTE must be"),
    ("//!HOOK MAIN\n//!COMPUTE 8 8\n" + BODY, 1, "COMPUTE pass must define 'void hook()'"),
    ("// a\n\n//!HOOK MAIN\n//!WIDTH 1 +\n" + BODY, 4, "WIDTH: stack underflow"),
    ("//!HOOK MAIN\n//!HEIGHT 1 2\n" + BODY, 2, "HEIGHT: expression leaves 2"),
    ("//!HOOK MAIN\n//!WHEN\n" + BODY, 2, "WHEN: empty expression"),
    ("//!HOOK MAIN\n//!WHEN bogus 1 >\n" + BODY, 2, "unknown name at token 1 'bogus'"),
    ("//!HOOK MAIN\n//!WHEN 1 -2 >\n" + BODY, 2, "malformed token 2 '-2'"),
    ("//!HOOK MAIN\n//!BIND\n" + BODY, 2, "BIND needs one texture name"),
    ("//!HOOK MAIN LUMA\n" + BODY, 1, "HOOK needs one texture name"),
    ("//!HOOK MAIN\n" + "vec4 main() {}\n", 1, "missing hook function"),
    ("//!HOOK MAIN\n" + BODY + "\n  //!HOOK X\n", 3, "must start at the beginning"),
    ("// header\n//!\n", 2, "empty directive"),
    ("//!BUFFER b\n//!VAR float x\n", 1, "BUFFER blocks are not supported"),
    ("//!TEXTURE T\n//!SIZE 1\n//!FORMAT r8\nzz\n", 4, "must be hexadecimal"),
    ("//!TEXTURE T\n//!SIZE 1\n//!FORMAT r8\n00\n0g\n", 5, "must be hexadecimal"),
    ("//!TEXTURE T\n//!SIZE 1\n//!FORMAT r8\n000\n", 1, "odd number of hex digits"),
    ("//!TEXTURE T\n//!SIZE 2 2\n//!FORMAT r8\n000000\n", 1, "got 3 bytes of data, expected 4"),
    ("//!TEXTURE T\n//!SIZE 1\n//!FORMAT r8\n\n", 1, "has no data"),
    ("//!TEXTURE T\n//!SIZE 1\n00\n", 1, "needs a FORMAT"),
    ("//!TEXTURE T\n//!SIZE 0 1\n//!FORMAT r8\n00\n", 2, "SIZE must be"),
    ("//!TEXTURE T\n//!SIZE 1 1 1 1\n//!FORMAT r8\n00\n", 2, "SIZE must be"),
    ("//!TEXTURE T\n//!FORMAT r8\n//!FILTER CUBIC\n00\n", 3, "FILTER must be LINEAR or NEAREST"),
    ("//!TEXTURE T\n//!FORMAT r8\n//!BORDER WRAP\n00\n", 3, "BORDER must be"),
    ("//!TEXTURE T\n//!FORMAT r8\n//!HOOK MAIN\n00\n", 3, "unknown directive 'HOOK' in a TEXTURE"),
    ("//!TEXTURE 1T\n//!FORMAT r8\n00\n", 1, "TEXTURE needs one texture name"),
    ("//!TEXTURE T\n//!FORMAT r8\n00\n\n//!TEXTURE T\n//!FORMAT r8\n00\n", 5,
     "duplicate TEXTURE 'T' (first defined at line 1)"),
    ("//!PARAM p\n//!TYPE float\n1\n//!PARAM p\n//!TYPE float\n2\n", 4, "already used"),
    ("//!PARAM p\n//!TYPE ENUM int\na\nb\n//!PARAM b\n//!TYPE int\n1\n", 5, "already used"),
    ("//!PARAM p\n//!TYPE float\n//!MINIMUM 0\n//!MAXIMUM 1\n\n2\n", 6, "above MAXIMUM 1"),
    ("//!PARAM p\n//!TYPE int\n//!MINIMUM 3\n1\n", 4, "below MINIMUM 3"),
    ("//!PARAM p\n//!TYPE uint\n0 1 -\n", 3, "single value"),
    ("//!PARAM p\n//!TYPE uint\n-1\n", 3, "non-negative integer"),
    ("//!PARAM p\n//!TYPE int\n1.5\n", 3, "must be an integer"),
    ("//!PARAM p\n//!TYPE int\n99999999999\n", 3, "32-bit"),
    ("//!PARAM p\n//!TYPE float\nabc\n", 3, "default must be a number, got 'abc'"),
    ("//!PARAM p\n//!TYPE float\n//!MINIMUM lo\n1\n", 3, "MINIMUM must be a number"),
    ("//!PARAM p\n//!TYPE float\n//!MINIMUM 2\n//!MAXIMUM 1\n1\n", 4, "MINIMUM 2 is above MAXIMUM 1"),
    ("//!PARAM p\n//!TYPE float\n1\n2\n", 4, "single value"),
    ("//!PARAM p\n//!TYPE vec2\n1\n", 2, "TYPE must be float, int, uint or DEFINE"),
    ("//!PARAM p\n//!TYPE ENUM float\na\n", 2, "TYPE must be ENUM int or ENUM DEFINE"),
    ("//!PARAM p\n//!TYPE DEFINE int\n1\n", 2, "TYPE must be"),
    ("//!PARAM p\n//!TYPE ENUM int\n//!MAXIMUM 3\na\n", 3, "takes no MAXIMUM"),
    ("//!PARAM p\n//!TYPE ENUM int\na\nb c\n", 4, "each choice must be a new name"),
    ("//!PARAM p\n//!TYPE ENUM int\na\na\n", 4, "each choice must be a new name"),
    ("//!PARAM p\n1\n", 1, "needs a TYPE"),
    ("//!PARAM p\n//!TYPE float\n\n//!HOOK MAIN\n" + BODY, 1, "needs a default value"),
    ("//!PARAM p q\n//!TYPE float\n1\n", 1, "PARAM needs one name"),
    ("//!PARAM p\n//!TYPE float\n//!BIND X\n1\n", 3, "unknown directive 'BIND' in a PARAM"),
]


@pytest.mark.parametrize("text, line, fragment", ERRORS)
def test_errors_name_file_line_and_source(text, line, fragment):
    with pytest.raises(ShaderError) as info:
        parse(text, "bad.glsl")
    err = info.value
    assert fragment in err.message, err.message
    assert (err.path, err.line) == ("bad.glsl", line)
    assert err.source == text.split("\n")[line - 1]
    assert str(err).startswith(f"bad.glsl:{line}: ")


def test_file_without_directives():
    for text in ("", "// just a comment\nvoid f() {}\n"):
        with pytest.raises(ShaderError) as info:
            parse(text, "empty.glsl")
        assert info.value.line is None and "no //! directives" in info.value.message


def test_blank_line_inside_header_gets_a_hint():
    err = error_of("//!HOOK MAIN\n\n//!BIND HOOKED\n" + BODY)
    assert "blank line" in err.hint


# ------------------------------------------------------------------------------------ load

def test_load_reads_utf8_and_reports_io_errors(tmp_path):
    good = tmp_path / "good.glsl"
    good.write_text("// Ünïcode comment\n//!HOOK MAIN\n//!BIND HOOKED\n" + BODY + "\n",
                    encoding="utf-8")
    shader = load(good)
    assert isinstance(shader, ShaderFile) and shader.path == str(good)
    assert shader.hooks[0].desc == "good.glsl:2"

    with pytest.raises(ShaderError) as info:
        load(tmp_path / "missing.glsl")
    assert info.value.path == str(tmp_path / "missing.glsl") and "cannot read" in str(info.value)

    bad = tmp_path / "latin1.glsl"
    bad.write_bytes(b"//!HOOK MAIN\n// caf\xe9\n" + BODY.encode() + b"\n")
    with pytest.raises(ShaderError) as info:
        load(bad)
    assert info.value.line == 2 and "UTF-8" in info.value.message

    with pytest.raises(ShaderError):
        load(tmp_path)  # a directory


# ------------------------------------------------------------------ a realistic shader pack

ANIME4K_LIKE = src("""
    // MIT License
    // An Anime4K-v4-style restore + upscale chain, cut down for the tests.

    //!DESC Restore-Conv-4x3x3x3
    //!HOOK MAIN
    //!BIND MAIN
    //!SAVE conv2d_tf
    //!WIDTH MAIN.w
    //!HEIGHT MAIN.h
    //!COMPONENTS 4
    //!WHEN OUTPUT.w MAIN.w / 1.200 > OUTPUT.h MAIN.h / 1.200 > *
    #define go_0(x_off, y_off) (MAIN_texOff(vec2(x_off, y_off)))
    vec4 hook() {
        vec4 result = mat4(0.1, 0.2, 0.3, 0.0, -0.1, 0.0, 0.1, 0.0,
                           0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0) * go_0(-1.0, -1.0);
        result += vec4(0.01, -0.02, 0.03, 0.0);
        return result;
    }

    //!DESC Restore-Conv-4x3x3x8
    //!HOOK MAIN
    //!BIND conv2d_tf
    //!SAVE conv2d_1_tf
    //!WIDTH conv2d_tf.w
    //!HEIGHT conv2d_tf.h
    //!COMPONENTS 4
    //!WHEN OUTPUT.w MAIN.w / 1.200 > OUTPUT.h MAIN.h / 1.200 > *
    vec4 hook() {
        return max(conv2d_tf_texOff(vec2(0.0)), vec4(0.0));
    }

    //!DESC Upscale-Depth-to-Space
    //!HOOK MAIN
    //!BIND MAIN
    //!BIND conv2d_1_tf
    //!WIDTH conv2d_1_tf.w 2 *
    //!HEIGHT conv2d_1_tf.h 2 *
    //!WHEN OUTPUT.w MAIN.w / 1.200 > OUTPUT.h MAIN.h / 1.200 > *
    vec4 hook() {
        vec2 f0 = fract(conv2d_1_tf_pos * conv2d_1_tf_size) - vec2(0.5);
        ivec2 i0 = ivec2(f0 * vec2(2.0));
        float c0 = conv2d_1_tf_tex((vec2(0.5) - f0) * conv2d_1_tf_pt + conv2d_1_tf_pos)[i0.y * 2 + i0.x];
        return vec4(c0, c0, c0, 0.0) + MAIN_tex(MAIN_pos);
    }

    //!DESC Final sharpen
    //!HOOK PREKERNEL
    //!BIND HOOKED
    vec4 hook() { return HOOKED_texOff(0); }
    """)


def test_realistic_multi_pass_file():
    shader = parse(ANIME4K_LIKE, "/packs/Anime4K_Restore_CNN_M.glsl")
    assert [p.desc for p in shader.hooks] == ["Restore-Conv-4x3x3x3", "Restore-Conv-4x3x3x8",
                                              "Upscale-Depth-to-Space", "Final sharpen"]
    conv0, conv1, d2s, final = shader.hooks
    assert (conv0.line, conv0.body_line) == (4, 12)
    assert conv0.body.startswith("#define go_0") and conv0.body.rstrip().endswith("}")
    assert conv0.save == "conv2d_tf" and conv1.binds == ("conv2d_tf",)
    assert conv1.save == "conv2d_1_tf" and d2s.binds == ("MAIN", "conv2d_1_tf")
    assert d2s.save is None and d2s.components is None
    assert final.hooks == ("PREKERNEL",) and final.when is None
    assert (final.line, final.body_line) == (46, 49)
    assert shader.textures == () and shader.params == () and shader.param_defaults() == {}

    # The chain resolves sizes pass by pass; check what it would compute for 1080p -> 4K.
    sizes = {"MAIN": (1920.0, 1080.0), "OUTPUT": (3840.0, 2160.0),
             "conv2d_tf": (1920.0, 1080.0), "conv2d_1_tf": (1920.0, 1080.0)}
    lookup = lambda name, dim: sizes[name][0 if dim == "w" else 1]  # noqa: E731
    assert d2s.width.eval(lookup, no_params) == 3840.0
    assert d2s.height.eval(lookup, no_params) == 2160.0
    assert d2s.width.names() == {"conv2d_1_tf"}
    assert conv0.when.names() == {"OUTPUT", "MAIN"}
    assert all(p.when.eval(lookup, no_params) == 1.0 for p in shader.hooks[:3])
    sizes["OUTPUT"] = (2000.0, 1125.0)  # only 1.04x: the WHEN condition turns the passes off
    assert all(p.when.eval(lookup, no_params) == 0.0 for p in shader.hooks[:3])


# ------------------------------------------------------------------------ property tests

KEYS = ["HOOK", "BIND", "SAVE", "DESC", "WIDTH", "HEIGHT", "WHEN", "COMPONENTS", "OFFSET",
        "COMPUTE", "TEXTURE", "SIZE", "FORMAT", "FILTER", "BORDER", "PARAM", "TYPE",
        "MINIMUM", "MAXIMUM", "BUFFER", "hook", "", "FOO"]
WORDS = ["MAIN", "HOOKED", "LUMA", "x", "1", "0", "-1", "2.5", "1e400", "ALIGN", "8", "4",
         "rgba16f", "r8", "LINEAR", "NEAREST", "CLAMP", "MIRROR", "float", "int", "uint",
         "ENUM", "DEFINE", "CONSTANT", "DYNAMIC", "MAIN.w", "HOOKED.h", "+", "*", "/", "!",
         "=", "%", "ff00", "é", "\t", "", "vec4 hook() {}"]
BODY_LINES = ["", BODY, "void hook() {}", "00ff", "1.0", "a", "  //!HOOK MAIN", "// c",
              "3", "zz", "vec4 hook()\n{ return vec4(0); }"]

VALID_HOOK_LINES = ["//!HOOK MAIN", "//!HOOK PREKERNEL", "//!BIND HOOKED", "//!BIND LUMA",
                    "//!SAVE feat", "//!SAVE HOOKED", "//!DESC a pass", "//!WIDTH HOOKED.w 2 *",
                    "//!HEIGHT MAIN.h", "//!WHEN OUTPUT.w MAIN.w / 1.2 >", "//!COMPONENTS 3",
                    "//!OFFSET 0.5 -0.5", "//!OFFSET ALIGN"]
random_directive = st.builds(lambda k, ws: "//!" + k + (" " + " ".join(ws) if ws else ""),
                             st.sampled_from(KEYS),
                             st.lists(st.sampled_from(WORDS), max_size=4))
directive = st.one_of(st.sampled_from(VALID_HOOK_LINES), random_directive)
block = st.builds(lambda hs, bs: "\n".join(hs + bs),
                  st.lists(directive, min_size=1, max_size=6),
                  st.lists(st.sampled_from(BODY_LINES), max_size=3))


@settings(max_examples=300, deadline=None)
@given(st.lists(block, min_size=0, max_size=4), st.sampled_from(["", "// pre\n"]))
def test_random_headers_parse_or_raise_shader_error(blocks, preamble):
    text = preamble + "\n".join(blocks)
    n_lines = len(text.split("\n"))
    try:
        shader = parse(text, "fuzz.glsl")
    except ShaderError as err:
        assert err.path == "fuzz.glsl" and err.message
        assert err.line is None or 1 <= err.line <= n_lines
        return
    for p in shader.hooks:
        assert p.hooks and 1 <= p.line < p.body_line <= n_lines + 1
        assert p.components in (None, 1, 2, 3, 4)
        for e in (p.width, p.height, p.when):
            if e is not None:
                e.names(), e.param_names()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(VALID_HOOK_LINES), max_size=6), min_size=1,
                max_size=3))
def test_random_valid_headers_always_parse(headers):
    text, firsts = "", []
    for lines in headers:
        lines = ["//!HOOK MAIN"] + lines
        firsts.append(len(text.split("\n")) if text else 1)
        text += "\n".join(lines) + "\n" + BODY + "\n"
    shader = parse(text, "ok.glsl")
    assert [p.line for p in shader.hooks] == firsts
    for p, lines in zip(shader.hooks, headers):
        assert p.hooks == tuple(ln.split()[1] for ln in ["//!HOOK MAIN"] + lines
                                if ln.startswith("//!HOOK "))
        assert p.body.strip() == BODY and p.body_line == p.line + len(lines) + 1
        assert (p.width is None) == ("//!WIDTH HOOKED.w 2 *" not in lines)
        assert (p.components == 3) == ("//!COMPONENTS 3" in lines)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ABC0123456789abc._-+*/%<>=! \t\u00e9", max_size=30))
def test_random_headers_with_arbitrary_arguments(arg):
    for key in ("WIDTH", "COMPONENTS", "OFFSET", "COMPUTE", "BIND", "DESC"):
        try:
            parse(f"//!HOOK MAIN\n//!{key} {arg}\n{BODY}\n")
        except ShaderError as err:
            # line 1 only for a valid COMPUTE header, whose body then needs 'void hook()'
            assert err.line == 2 or (key == "COMPUTE" and err.line == 1)


RPN_TOKENS = ["1", "0", "2.5", ".5", "1e3", "1e400", "-1", "HOOKED.w", "MAIN.h",
              "MAIN.width", "OUTPUT.height", "NOPE.w", "k", "x.y", ".w", "+", "-", "*",
              "/", "%", ">", "<", "=", "!", "^", "a-b", "0.0.1"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(RPN_TOKENS), max_size=8),
       st.sampled_from([None, {}, {"k": None}]),
       st.floats(allow_nan=True, allow_infinity=True))
def test_random_rpn_compiles_and_evaluates_or_raises_shader_error(tokens, words, k):
    text = " ".join(tokens)
    try:
        e = Expr(text, "rpn.glsl", 5, words)
    except ShaderError as err:
        assert (err.path, err.line, err.source) == ("rpn.glsl", 5, text)
        return
    try:
        value = e.eval(size, {"k": k}.__getitem__)
    except ShaderError as err:
        assert (err.path, err.line) == ("rpn.glsl", 5)
        return
    assert isinstance(value, float) and math.isfinite(value)


@settings(max_examples=100, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, width=32))
def test_constant_round_trips(value):
    assert Expr.constant(value).eval(size, no_params) == value


def test_param_block_is_frozen():
    p = parse("//!PARAM k\n//!TYPE float\n1\n").params[0]
    assert isinstance(p, ParamBlock)
    with pytest.raises(AttributeError):
        p.default = 2.0  # type: ignore[misc]

"""The pure planner (player/render/plan.py) and the GLSL assembly (glsl.py): no GL context
needed (the plane-hook split: tests/unit/test_planes.py)."""
from __future__ import annotations

import pytest

from player.base.errors import ShaderError
from player.render import glsl, plan
from player.render.hookfile import parse


def _pass(hook="MAIN", desc="p", extra="", body="vec4 hook() { return HOOKED_tex(HOOKED_pos); }"):
    return f"//!HOOK {hook}\n//!BIND HOOKED\n//!DESC {desc}\n{extra}{body}\n\n"


def build(text, src=(10, 10), out=(20, 20), scaler="bicubic", **kw):
    return plan.build([parse(text, "t.glsl")], src, out, scaler=scaler, **kw)


def test_steps_sizes_and_reads_in_hook_point_order():
    text = (_pass("SCALED", "late") + _pass("LUMA", "luma pass") +
            _pass("MAIN", "double", "//!WIDTH HOOKED.w 2 *\n//!HEIGHT HOOKED.h 2 *\n"))
    p = build(text, (10, 10), (40, 40))
    assert [(s.kind, s.desc, s.w, s.h, s.components) for s in p.steps] == [
        ("luma", "luma (Rec.709)", 10, 10, 1), ("pass", "luma pass", 10, 10, 1),
        ("luma_merge", "luma merge", 10, 10, 4), ("pass", "double", 20, 20, 4),
        ("scale_x", "scale bicubic (x)", 40, 20, 4), ("scale_y", "scale bicubic (y)", 40, 40, 4),
        ("pass", "late", 40, 40, 4)]
    merge = p.steps[2]
    assert [(n, t.slot) for n, t in merge.reads] == [("src", -1), ("old_luma", 0),
                                                     ("new_luma", 1)]
    assert p.steps[1].reads[0][0] == "LUMA" and p.steps[1].hook == "LUMA"
    assert p.result == 6 and not p.warnings


def test_lifetimes_free_each_texture_after_its_last_reader():
    text = _pass(desc="keep", extra="//!SAVE KEEP\n") + "".join(
        _pass(desc=f"p{k}") for k in range(3)) + _pass(
        "MAIN", "sum", "//!BIND KEEP\n")
    p = build(text, out=(10, 10))
    assert [s.desc for s in p.steps] == ["keep", "p0", "p1", "p2", "sum"]
    assert [s.frees for s in p.steps] == [(), (), (1,), (2,), (0, 3)]
    assert p.result == 4


def test_skips_carry_reasons_and_quiet_ones_are_not_warnings():
    text = (_pass(desc="never", extra="//!WHEN 0\n") +
            _pass(desc="missing", extra="//!BIND NOT_YET\n") +
            _pass("SCALED", "resize fixed", "//!WIDTH HOOKED.w 2 *\n") +
            _pass("SCALED", "save elsewhere", "//!WIDTH HOOKED.w 2 *\n//!SAVE BIG\n"))
    p = build(text)
    reasons = {s.spec.desc: (s.reason, s.quiet) for s in p.skipped}
    assert reasons["never"] == ("WHEN is false", True)
    assert reasons["missing"] == ("no texture named NOT_YET yet", True)
    assert "fixed hook point" in reasons["resize fixed"][0] and not reasons["resize fixed"][1]
    # as in mpv, only a pass overwriting a fixed point must keep its size
    assert "save elsewhere" in [s.desc for s in p.steps]
    assert p.warnings == [next(s for s in p.skipped if not s.quiet).message()]
    assert p.warnings[0].startswith("t.glsl:")


def test_unknown_hook_point_is_an_error_and_absent_planes_warn():
    with pytest.raises(ShaderError, match="unknown hook point 'NOPE'"):
        build(_pass("NOPE"))
    passes, warnings = plan.passes_by_point([parse(_pass("CHROMA"), "c.glsl")])
    assert passes == {} and "CHROMA" in warnings[0]


def test_offset_accumulates_through_resizes_and_the_scaler_corrects_it():
    two_x = "//!WIDTH HOOKED.w 2 *\n//!HEIGHT HOOKED.h 2 *\n"
    text = (_pass(desc="a", extra=two_x + "//!OFFSET 1 0.5\n") + _pass(desc="b", extra=two_x))
    p = build(text, (10, 10), (80, 80))
    a, b, sx, sy = p.steps
    assert a.tex_offset == (0.0, 0.0) and b.tex_offset == (1.0, 0.5)
    assert (sx.offset, sy.offset) == ((2.0, 0.0), (0.0, 1.0))
    # same size, an offset still needs a (bilinear) resample, as mpv's scaler-resizes-only
    p = build(_pass(extra="//!OFFSET 1 0\n"), (10, 10), (10, 10))
    assert [(s.kind, s.offset) for s in p.steps] == [("pass", (0.0, 0.0)),
                                                     ("bilinear", (1.0, 0.0))]


def test_offset_align_samples_back_and_leaves_no_offset():
    text = _pass(desc="shift", extra="//!OFFSET 1 0\n") + _pass(desc="align",
                                                               extra="//!OFFSET ALIGN\n")
    p = build(text, (10, 10), (10, 10))
    assert [(s.desc, s.offset) for s in p.steps] == [("shift", (0.0, 0.0)),
                                                     ("align", (1.0, 0.0))]
    bad = build(_pass("SCALED", "fixed align", "//!OFFSET ALIGN\n"))
    assert "OFFSET needs a resizable" in bad.warnings[0]


def test_direct_marks_the_last_step_or_adds_a_copy():
    p = build(_pass(), (10, 10), (20, 20), direct=True)
    assert [(s.kind, s.direct) for s in p.steps][-1] == ("scale_y", True)
    assert sum(s.direct for s in p.steps) == 1
    compute = _pass("OUTPUT", "c", "//!COMPUTE 8 8\n",
                    "void hook() { imageStore(out_image, ivec2(0), vec4(0.0)); }")
    p = build(compute, direct=True)
    assert [(s.kind, s.direct) for s in p.steps][-2:] == [("pass", False), ("copy", True)]
    p = plan.build([], (10, 10), (10, 10), direct=True)
    assert [(s.kind, s.reads[0][1].slot, s.direct) for s in p.steps] == [("copy", -1, True)]
    assert p.result == 0


def test_params_feed_sizes_and_conditions():
    text = "//!PARAM k\n//!TYPE float\n2.0\n\n" + _pass(
        extra="//!WIDTH HOOKED.w k *\n//!HEIGHT HOOKED.h k *\n")
    assert build(text, out=(20, 20)).steps[0].w == 20
    assert build(text, out=(30, 30), params={"k": 3}).steps[0].w == 30


def test_hoist_moves_directives_once_in_order_and_keeps_lines():
    body = ("const float K = 1.0;\n#extension GL_A : enable\n#pragma optimize(on)\n"
            "#if 0\n#extension GL_B : enable\n#endif\n#extension GL_A : enable\n"
            "#version 460\nvec4 hook() { return vec4(K); }")
    hoisted, rest = glsl.hoist(body)
    assert list(hoisted) == ["#extension GL_A : enable", "#pragma optimize(on)", "#version 460"]
    assert hoisted["#extension GL_A : enable"] == 1 and hoisted["#version 460"] == 7
    assert rest.count("\n") == body.count("\n")
    assert "#extension GL_B" in rest and "GL_A" not in rest
    assert glsl.head("450 core", False, hoisted) == (
        "#version 460 core\n#extension GL_A : enable\n#pragma optimize(on)\n")
    assert glsl.head("450 core", False, ["#version 330"]).startswith("#version 450 core\n")


def test_user_pass_puts_line_after_the_hoisted_head():
    spec = parse("//!HOOK MAIN\n//!BIND HOOKED\nfloat a;\n#extension GL_X : enable\n"
                 "vec4 hook() { return vec4(a); }\n", "x.glsl").hooks[0]
    text = glsl.user_pass("450 core", spec, "", "")
    lines = text.split("\n")
    assert lines[:3] == ["#version 450 core", "#line 4", "#extension GL_X : enable"]
    line_at = lines.index("#line 3")
    assert lines[line_at + 1] == "float a;" and lines[line_at + 2] == ""

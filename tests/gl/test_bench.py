"""`a4kplay bench`: fetch counting (pure), the JSON it writes, and --vs-mpv end to end, at
tiny sizes on the real llvmpipe context and the real mpv command line."""
from __future__ import annotations

import json
import math
import shutil

import pytest

from player.tools import bench

from player.render import fetches
from player.base.errors import A4kError
from player.render.hookfile import parse


def bench_main(argv):
    from player.cli import build_parser
    return bench.run(build_parser("bench").parse_args(argv))

pytestmark = pytest.mark.gl

NINE_TAP = """//!DESC nine taps
//!HOOK MAIN
//!BIND HOOKED
vec4 hook() {
    vec4 s = vec4(0.0);
    for (int y = -1; y <= 1; y++)
        for (int x = -1; x <= 1; x++)
            s += HOOKED_texOff(vec2(x, y));
    return s / 9.0;
}
"""

# a 2x pass (4 fetches per written pixel), then a pass skipped by WHEN, then a 1x-size
# pass at the output size reading a saved texture through a macro and a helper function
SIZED = """//!DESC double
//!HOOK MAIN
//!BIND HOOKED
//!WIDTH HOOKED.w 2 *
//!HEIGHT HOOKED.h 2 *
vec4 hook() { return textureGather(HOOKED_raw, HOOKED_pos, 0); }

//!DESC never
//!HOOK MAIN
//!BIND HOOKED
//!WHEN 0
vec4 hook() { return HOOKED_tex(HOOKED_pos) + HOOKED_tex(HOOKED_pos); }

//!DESC saved
//!HOOK MAIN
//!BIND HOOKED
//!SAVE EXTRA
//!COMPONENTS 1
#define TAP(k) HOOKED_texOff(vec2(k, 0.0))
float pair(float k) { return TAP(k).x + TAP(-k).x; }
vec4 hook() { return vec4(TAP(0.0).x + pair(1.0) + pair(2.0)); }
"""


def test_nine_tap_pass_counts_nine():
    assert fetches.count_pass(parse(NINE_TAP).hooks[0].body).fetches == 9


def test_counts_follow_macros_functions_loops_and_gather():
    hooks = parse(SIZED).hooks
    assert [fetches.count_pass(h.body).fetches for h in hooks] == [4, 2, 5]
    odd = fetches.count_pass("#define N 4\nvec4 hook() { vec4 s = vec4(0.0);\n"
                             "for (int i = N; i > 0; i -= 2) s += texelFetch(a, ivec2(i), 0);\n"
                             "for (int j = 0; j < n; j++) s += texture(a, vec2(j));\n"
                             "return s; }")
    assert odd.fetches == 3  # two trips of one, plus the unknown loop counted once
    assert any("not constant" in note for note in odd.notes)


def test_plan_weights_passes_by_their_size():
    planned = fetches.plan([parse(SIZED)], (10, 10), (40, 40), "bicubic")
    assert [(p.desc, p.w, p.h, p.fetches) for p in planned] == [
        ("double", 20, 20, 4), ("saved", 20, 20, 5),
        ("scale bicubic (x)", 40, 20, 4), ("scale bicubic (y)", 40, 40, 4)]
    # (4 * 400 + 5 * 400 + 4 * 800 + 4 * 1600) / 1600
    assert fetches.per_output_pixel(planned, (40, 40)) == pytest.approx(8.25)


def test_mpv_compatible_turns_params_into_defines(tmp_path):
    src = tmp_path / "p.glsl"
    src.write_text("//!PARAM STRENGTH\n//!TYPE float\n0.25\n\n" + NINE_TAP.replace(
        "return s / 9.0;", "return s / 9.0 * STRENGTH;"))
    copy = bench.mpv_compatible(str(src), tmp_path)
    text = open(copy).read()
    assert "//!PARAM" not in text and "#define STRENGTH 0.25" in text
    parsed = parse(text)
    assert not parsed.params and len(parsed.hooks) == 1
    plain = tmp_path / "plain.glsl"
    plain.write_text(NINE_TAP)
    assert bench.mpv_compatible(str(plain), tmp_path) == str(plain)  # no copy needed


def _bench(tmp_path, *extra):
    shader = tmp_path / "nine.glsl"
    shader.write_text(NINE_TAP)
    out = tmp_path / "bench.json"
    code = bench_main(["--profiles", "Off", "--shader", str(shader), "--scaler", "bicubic",
                       "--input", "64x36", "64x36", "--output", "64x36", "128x72",
                       "--frames", "3", "--warmup", "1", "--json", str(out), *extra])
    assert code == 0
    return json.loads(out.read_text())


def test_json_schema_and_fetch_counts(glcheck, tmp_path, capsys):
    data = _bench(tmp_path, "--no-cpu")
    assert "cpu_overhead" not in data
    assert list(data)[:3] == ["machine", "renderer", "runs"]
    assert "llvmpipe" in data["renderer"] or data["renderer"]
    assert [(r["profile"], r["input"], r["output"]) for r in data["runs"]] == [
        ("Off", [64, 36], [64, 36]), ("shaders", [64, 36], [64, 36]),
        ("Off", [64, 36], [128, 72]), ("shaders", [64, 36], [128, 72])]
    for r in data["runs"]:
        assert set(r) == {"profile", "input", "output", "frames", "ms", "passes",
                          "fetches_per_pixel"}
        assert r["frames"] == 3
        assert set(r["ms"]) == {"median", "min", "max"}
        assert 0 < r["ms"]["min"] <= r["ms"]["median"] <= r["ms"]["max"]
        for p in r["passes"]:
            assert set(p) == {"desc", "ms"} and math.isfinite(p["ms"]) and p["ms"] >= 0
    off_same, nine_same, off_2x, nine_2x = data["runs"]
    assert off_same["passes"] == [] and off_same["fetches_per_pixel"] == 0
    assert [p["desc"] for p in nine_same["passes"]] == ["nine taps"]
    assert nine_same["fetches_per_pixel"] == 9      # 9 taps at 1x, no scaler
    assert [p["desc"] for p in nine_2x["passes"]] == [
        "nine taps", "scale bicubic (x)", "scale bicubic (y)"]
    assert nine_2x["fetches_per_pixel"] == pytest.approx(9 / 4 + 4 / 2 + 4)
    assert off_2x["fetches_per_pixel"] == pytest.approx(4 / 2 + 4)
    assert "nine taps" in capsys.readouterr().out   # the per-pass table on stdout


def test_interleaved_runs_pair_each_chain_with_the_baseline(glcheck, tmp_path, capsys):
    data = _bench(tmp_path, "--no-cpu", "--baseline", "Off")
    assert [(r["profile"], r["output"]) for r in data["runs"]] == [
        ("Off", [64, 36]), ("shaders", [64, 36]), ("Off", [128, 72]), ("shaders", [128, 72])]
    for r in data["runs"]:
        assert r["frames"] == 3 and 0 < r["ms"]["min"] <= r["ms"]["max"]
        v = r["vs_baseline"]
        assert v["profile"] == "Off" and v["rounds"] == 3
        assert 0 < v["min"] <= v["median"] <= v["max"]
        if r["profile"] == "Off":      # its own frame over itself, every round
            assert v["min"] == v["max"] == 1.0
    assert [p["desc"] for p in data["runs"][3]["passes"]] == [
        "nine taps", "scale bicubic (x)", "scale bicubic (y)"]
    out = capsys.readouterr()
    assert "time over Off's in the same round" in out.out
    assert "x Off per round" in out.err


def test_baseline_must_be_a_measured_chain(glcheck):
    with pytest.raises(A4kError, match="not among the measured chains") as e:
        bench_main(["--profiles", "Off", "Fast", "--baseline", "Full", "--no-cpu",
                    "--input", "32x18", "--frames", "1", "--warmup", "0"])
    assert "Off, Fast" in e.value.hint


@pytest.mark.parametrize("shaders", [
    ["shaders/anime4k/ultrafast.glsl"], ["shaders/anime4k/fast.glsl"],
    ["shaders/anime4k/full.glsl"],
    ["shaders/testpacks/tp_restore.glsl", "shaders/testpacks/tp_upscale2x.glsl",
     "shaders/testpacks/tp_sharpen.glsl"]])
def test_planned_passes_are_the_passes_the_chain_ran(glcheck, shaders):
    from player.base.paths import SHIPPED as ROOT
    paths = [str(ROOT / s) for s in shaders]
    run = bench.bench_run("t", paths, "bicubic", {}, (48, 27), (96, 54), 2, 1)
    assert [p["desc"] for p in run["passes"]] == [d for d, *_ in run["_plan"]]
    assert "TP Sharpen antiring (downscaling only)" not in [p["desc"] for p in run["passes"]]


def test_unequal_size_lists_are_an_error():
    with pytest.raises(A4kError, match="one output size per input size"):
        bench_main(["--profiles", "Off", "--input", "64x36", "64x36", "--output", "128x72"])


@pytest.mark.skipif(shutil.which("mpv") is None, reason="the mpv command line is not installed")
def test_vs_mpv_end_to_end(glcheck, tmp_path):
    data = _bench(tmp_path, "--vs-mpv", "--repeats", "1", "--no-runs")
    assert data["runs"] == []
    assert [(v["profile"], v["output"]) for v in data["vs_mpv"]] == [
        ("Off", [64, 36]), ("shaders", [64, 36]), ("Off", [128, 72]), ("shaders", [128, 72])]
    for v in data["vs_mpv"]:
        assert {"shaders", "input", "output", "ours_ms", "mpv_ms", "ratio"} <= set(v)
        assert math.isfinite(v["ours_ms"]) and math.isfinite(v["mpv_ms"])
        assert "mpv_messages" not in v, v["mpv_messages"]   # mpv ran our shaders cleanly
    assert data["vs_mpv"][1]["shaders"][0].endswith("nine.glsl")
    # the play loop's CPU time, per chain, with the no-op driver and with llvmpipe
    loops = data["cpu_overhead"]
    assert [(e["profile"], e["output"]) for e in loops] == [("Off", [64, 36]),
                                                            ("shaders", [64, 36])]
    for e in loops:
        assert 0 < e["noop_ms"] < 1000 and 0 < e["llvmpipe_ms"] < 1000
    assert data["cpu_overhead_ms"] == max(e["noop_ms"] for e in loops)


CUNNY_STYLE = "shaders/testpacks/tp_cunny2x.glsl"
CUNNY_PASSES = ["TP CuNNy-style in (conv3x3 1->4, compute)",
                "TP CuNNy-style conv1 (conv3x3 4->4, compute)",
                "TP CuNNy-style out (conv3x3 4->4, depth-to-space 2x, compute)"]


def test_cunny_style_pack_runs_in_our_chain_at_the_right_sizes(glcheck):
    """The CuNNy-style pack (compute, shared-memory tiles, a mid-body #extension with an
    #ifdef fallback, LUMA at 2x) compiles and runs here; its passes run at the sizes the
    plan says, the last at 2x, and a 2x output needs no scaler pass after it."""
    import numpy as np
    from player.render import offscreen
    from player.base.paths import SHIPPED as ROOT
    path = str(ROOT / CUNNY_STYLE)
    run = bench.bench_run("CuNNy-style", [path], "bicubic", {}, (48, 27), (96, 54), 2, 1)
    # LUMA is made from RGB (Rec.709) and merged back with the colour at the output size
    assert [p["desc"] for p in run["passes"]] == ["luma (Rec.709)", *CUNNY_PASSES, "luma merge"]
    assert [(d, w, h) for d, w, h, _ in run["_plan"]] == [
        ("luma (Rec.709)", 48, 27), (CUNNY_PASSES[0], 48, 27), (CUNNY_PASSES[1], 48, 27),
        (CUNNY_PASSES[2], 96, 54), ("luma merge", 96, 54)]
    assert run["_warnings"] == []
    img = bench.source_frames(48, 27, 1)[0]
    out = offscreen.upscale_array(img, (96, 54), [path])
    plain = offscreen.upscale_array(img, (96, 54), [], scaler="bilinear")
    assert out.shape == (54, 96, 3) and np.isfinite(out).all()
    # small residuals on a bilinear base: near the plain upscale, not equal to it
    diff = np.abs(out - plain)
    assert 0 < diff.mean() < 0.1


@pytest.mark.skipif(shutil.which("mpv") is None, reason="the mpv command line is not installed")
def test_cunny_style_pack_compiles_in_mpv_with_the_driconf_override(glcheck, tmp_path):
    """mpv 0.35 (OpenGL, Mesa) compiles the pack's three compute passes when the bench sets
    Mesa's allow_glsl_extension_directive_midshader; without it Mesa rejects the mid-body
    #extension and mpv drops the passes (which would make mpv look faster)."""
    import os
    import subprocess
    from player.media import mediagen
    from player.tools import bench_mpv
    from player.base.paths import SHIPPED as ROOT
    clip = mediagen.make_clip(tmp_path / "c.mkv", w=48, h=28, frames=6,
                              draw=lambda k, w, h: mediagen.lineart_frame(w, h)).path
    cmd = bench.mpv_command(str(clip), 2, (96, 56), [str(ROOT / CUNNY_STYLE)], "bicubic")
    cmd = [c if c != "--msg-level=all=warn" else "--msg-level=all=v" for c in cmd]

    def logs(env):
        # Mesa's shader disk cache skips compiling (and its log) for a shader seen before
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=ROOT,
                           stdin=subprocess.DEVNULL,
                           env={**os.environ, "MESA_SHADER_CACHE_DISABLE": "true", **env})
        assert r.returncode == 0, r.stderr[-500:]
        return r.stdout + r.stderr

    good = logs(bench_mpv.MPV_ENV)
    assert good.count("compute shader compile log (status=1)") >= 3
    assert "status=0" not in good and bench_mpv._mpv_problems(good) == []
    bad = logs({k: "false" for k in bench_mpv.MPV_ENV})
    assert "not allowed in the middle of a shader" in bad


def test_default_vs_mpv_set_has_the_packs_and_a_4k_row():
    from player.tools.bench_common import PACKS
    chains = bench.select_chains(bench.VS_MPV_PROFILES, [], "bicubic", None, packs=tuple(PACKS))
    assert [c[0] for c in chains] == ["Full", "Fast", "UltraFast", "Off", "test pack",
                                      "CuNNy-style"]
    assert chains[-1][1][0].endswith(CUNNY_STYLE)
    assert ((1920, 1080), (3840, 2160)) in bench.DEFAULT_SIZES
    assert bench.VS_MPV_FRAMES[(3840, 2160)] >= 2


def test_paced_runs_wait_between_frames_plain_and_interleaved(glcheck):
    """--pace reaches both kinds of run: three frames at 2 fps take two waits of 0.5 s
    more than the same frames back to back (the pacer's own rule: tests/unit)."""
    import time

    def timed(fn, **kw):
        t0 = time.perf_counter()
        fn(**kw)
        return time.perf_counter() - t0

    chains = [("Off", [], "bicubic", {})]
    plain = dict(name="Off", shaders=[], scaler="bicubic", params={}, in_size=(32, 18),
                 out_size=(64, 36), frames=2, warmup=1)
    inter = dict(chains=chains, in_size=(32, 18), out_size=(64, 36), frames=2, warmup=1)
    for fn, kw in ((bench.bench_run, plain), (bench.interleaved_runs, inter)):
        fast = timed(fn, **kw)
        paced = timed(fn, pace=2.0, **kw)
        assert paced - fast > 0.8, (fn.__name__, fast, paced)

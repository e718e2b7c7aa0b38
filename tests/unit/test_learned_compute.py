"""The compute export of the learned tier: shared-memory tiles, one pass per layer.

(a) pure: the file parses with player.hookfile, keeps to the chain's contract (no PARAM,
    COMPUTE and WHEN on every pass, 8 channels in one 2x-wide texture, the last pass doubles
    MAIN), its constants are exactly the saved weights and it states its exact fetch count;
    no `#extension` line can reach Mesa (each sits in an `#if` that Mesa's macro closes);
(b) glslang compiles both float16 paths and the float path of every pass, as mpv pastes it;
(c) GL: the chain's output equals the numpy forward within the fragment export's tolerance
    (1/255 on 99.9 % of pixels), on the border frame too, at sizes that are not a multiple
    of the tile, for the shipped files, random weights on every code path, and other tile
    and patch shapes.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from player.render import glsl, hookfile
from tests.unit.test_learned_export import (LEARNED, WHEN, _expansion, line_art,
                                            random_weights, save)
from training import export, export_compute, infer_numpy
from training.shader_text import SECOND_WHEN

SHIPPED = [LEARNED / "learned_m.npz", LEARNED / "learned_l.npz", LEARNED / "learned_s.npz"]


def compute_file(tmp_path: Path, weights: dict, **kw) -> Path:
    text, _ = export_compute.build(weights, "Learned-R", "LEARNED_R", **kw)
    path = tmp_path / "learned_r.glsl"
    path.write_text(text)
    return path


# --------------------------------------------------------------------------- (a) pure

_TERM = re.compile(r"V4\(([^()]*)\) \* (i|y|att)(\d+)(?:_(\d+))?\.([xyzw])")


def _layers(body: str) -> list[str]:
    """The texts of the pass's layer functions, in the order they run: `layer_a` (the first
    of two fused layers) if present, then `layer` (where all the weights are)."""
    out = []
    for name in ("layer_a", "layer"):
        m = re.search(rf"\b(?:void|vec4) {name}\(", body)
        if m:
            out.append(body[m.start():body.index("\n}\n", m.start())])
    return out


def _terms(func: str, target: str, inner: str | None = None) -> tuple[np.ndarray, dict]:
    """Bias and {(operand, group, tap, component): column} of what is assigned to target
    (of the part after `inner` in it, when given)."""
    expr = func.split(target, 1)[1].split(";", 1)[0]
    expr = expr.split(inner, 1)[1] if inner else expr
    first = re.search(r"V4\(([^()]*)\)", expr)
    bias = np.array([np.float32(v) for v in first.group(1).split(",")], np.float32)
    cols = {}
    for m in _TERM.finditer(expr):
        key = (m[2], int(m[3]), int(m[4]) if m[4] else None, "xyzw".index(m[5]))
        assert key not in cols, f"{key} twice in {target}"
        cols[key] = np.array([np.float32(v) for v in m[1].split(",")], np.float32)
    return bias, cols


def _want_conv(w: np.ndarray, out: slice, groups: int, comps: int = 4) -> dict:
    return {("i", g, t, c): w[out, 4 * g + c, t // 3, t % 3]
            for g in range(groups) for t in range(9) for c in range(comps)}


def _assert_same(got: dict, want: dict) -> None:
    assert set(got) == set(want)
    for key, col in want.items():
        np.testing.assert_array_equal(got[key], col, err_msg=str(key))


def check_compute_holds_weights(path: Path, npz_or_weights, label: str,
                                fused: bool = False, when: str = WHEN,
                                after: tuple[str, ...] = ()) -> None:
    shader = hookfile.load(path)
    w = npz_or_weights if isinstance(npz_or_weights, dict) else infer_numpy.load(npz_or_weights)
    c, blocks, dynamic = (w["config"][k] for k in ("channels", "blocks", "dynamic"))
    groups = c // 4
    passes = shader.hooks
    assert not shader.params and not shader.textures
    assert len(passes) == (-(-(blocks + 1) // 2) if fused else blocks + 1) + 1
    assert all(p.hooks == ("MAIN",) and p.when.text == when and p.compute for p in passes)
    assert all(p.desc.startswith(label) for p in passes)
    bw, bh, tw, th = passes[0].compute
    assert all(p.compute == (bw, bh, tw, th) for p in passes[:-1])
    assert passes[-1].compute == (2 * bw, 2 * bh, tw, th)  # 2x2 output pixels per pixel
    assert (passes[-1].width.text, passes[-1].height.text) == ("2 MAIN.w *", "2 MAIN.h *")
    for p in passes[:-1]:  # 8 channels: one texture twice as wide, one pass
        assert (p.width.text if p.width else None) == ("2 MAIN.w *" if groups == 2 else None)
        assert p.height is None
    saves = [p.save for p in passes[:-1]]
    assert [p.binds for p in passes] == [("HOOKED", *after)] + \
        [(s, *after) for s in saves[:-1]] + [(saves[-1], "HOOKED", *after)]

    funcs = [f for p in passes for f in _layers(p.body)]
    assert len(funcs) == blocks + 2  # head, blocks, tail
    assert [len(_layers(p.body)) for p in passes[:-1]] == \
        ([2] * ((blocks + 1) // 2) + [1] * ((blocks + 1) % 2) if fused else [1] * (blocks + 1))
    head = funcs[0]
    for g in range(groups):
        out = slice(4 * g, 4 * g + 4)
        bias, cols = _terms(head, f"o{g} = ")
        np.testing.assert_array_equal(bias, w["head.bias"][out])
        _assert_same(cols, _want_conv(w["head.weight"], out, 1, comps=3))
    for b in range(blocks):
        k = f"blocks.{b}."
        inner = w[k + "conv.weight"].shape[0] // 4  # groups of the conv's output
        func = funcs[1 + b]
        gw = w[k + "gate.weight"][:, :, 0, 0]
        for g in range(inner):
            out = slice(4 * g, 4 * g + 4)
            bias, cols = _terms(func, f"V4 y{g} = ")
            np.testing.assert_array_equal(bias, w[k + "conv.bias"][out])
            _assert_same(cols, _want_conv(w[k + "conv.weight"], out, groups))
            bias, cols = _terms(func, f"V4 att{g} = ", inner="exp(-(")
            np.testing.assert_array_equal(bias, w[k + "gate.bias"][out])
            _assert_same(cols, {("y", gy, None, ch): gw[out, 4 * gy + ch]
                                for gy in range(inner) for ch in range(4)})
        for g in range(groups if inner != groups else 0):  # expanded: proj narrows back
            out = slice(4 * g, 4 * g + 4)
            bias, cols = _terms(func, f"o{g} = ")
            np.testing.assert_array_equal(bias, w[k + "proj.bias"][out])
            _assert_same(cols, {("att", ga, None, ch): w[k + "proj.weight"][out, 4 * ga + ch, 0, 0]
                                for ga in range(inner) for ch in range(4)})
        for g in range(groups if dynamic else 0):
            out = slice(4 * g, 4 * g + 4)
            bias, cols = _terms(func, f"V4 plain{g} = ")
            np.testing.assert_array_equal(bias, w[k + "plain.bias"][out])
            _assert_same(cols, _want_conv(w[k + "plain.weight"], out, groups))
        for r in range(2 if dynamic else 0):
            expr = func.split(f"F m{r} = ", 1)[1].split(";", 1)[0]
            assert np.float32(re.match(r"F\(([^()]*)\)", expr).group(1)) == w[k + "mix.bias"][r]
            rows = {int(g): [np.float32(v) for v in nums.split(",")] for nums, g in
                    re.findall(r"dot\(V4\(([^()]*)\), i(\d+)_4\)", expr)}
            got = np.concatenate([rows[g] for g in range(groups)])
            np.testing.assert_array_equal(got, w[k + "mix.weight"][r, :, 0, 0])
        assert ("F m0" in func) == dynamic
    assert f"{label} conv3x3 3->{c} (head)" in passes[0].desc and "(tail)" in passes[-1].desc
    inner = w["blocks.0.conv.weight"].shape[0] if blocks else c
    assert f"conv3x3 {c}->{inner}" in passes[0 if fused else 1].desc
    bias, cols = _terms(funcs[-1], "return vec4(")
    np.testing.assert_array_equal(bias, w["tail.bias"])
    _assert_same(cols, _want_conv(w["tail.weight"], slice(0, 4), groups))


@pytest.mark.parametrize("npz", SHIPPED, ids=lambda p: p.stem)
def test_shipped_shader_is_the_compute_export_of_the_saved_weights(npz):
    shipped = npz.with_suffix(".glsl")
    label = "Learned-" + npz.stem.split("_")[-1].upper()
    check_compute_holds_weights(shipped, npz, label)
    again, _ = export_compute.build(infer_numpy.load(npz), label, npz.stem.upper())
    assert shipped.read_text() == again  # what `make train`'s export line writes


@pytest.mark.parametrize("npz", SHIPPED, ids=lambda p: p.stem)
def test_shipped_second_pass_is_the_stage_2_export(npz, tmp_path):
    """The cascade's second 2x (learned_X_2nd.glsl): the same weights (or learned_X_2nd.npz
    once a second pass is trained on first-pass outputs), its own texture names, a WHEN on
    the doubled MAIN and a bind of the first 2x's head texture on every pass, so it runs
    only above 2x; `export --second` writes it."""
    stem = npz.stem
    shipped = npz.with_name(stem + "_2nd.glsl")
    weights = npz.with_name(stem + "_2nd.npz")
    weights = weights if weights.exists() else npz
    label = "Learned-" + stem.split("_")[-1].upper() + " (2nd 2x)"
    check_compute_holds_weights(shipped, weights, label, when=SECOND_WHEN,
                                after=(stem.upper() + "_C0",))
    again, _ = export_compute.build(infer_numpy.load(weights), label, stem.upper() + "_2ND",
                                    stage=2)
    assert shipped.read_text() == again
    assert hookfile.load(shipped).hooks[0].save == stem.upper() + "_2ND_C0"
    export.main(["--second", str(weights), "-o", str(tmp_path / "x.glsl")])
    assert (tmp_path / "x.glsl").read_text() == again
    with pytest.raises(ValueError, match="first or the second"):
        export_compute.build(infer_numpy.load(npz), label, "X", stage=3)


@pytest.mark.parametrize("fused", [False, True], ids=["one-layer", "fused"])
@pytest.mark.parametrize("channels,blocks,dynamic,expand",
                         [(4, 2, True, None), (8, 2, False, None), (8, 1, True, None),
                          (4, 2, False, 8), (8, 1, False, 12), (4, 3, False, (8, 1))])
def test_compute_constants_equal_random_weights(tmp_path, channels, blocks, dynamic, expand,
                                                fused):
    w = random_weights(channels, blocks, dynamic, **_expansion(expand))
    check_compute_holds_weights(compute_file(tmp_path, w, fuse=fused), w, "Learned-R", fused)


def test_compute_states_its_exact_fetch_count():
    w = random_weights(8, 2, False)
    text, cost = export_compute.build(w, "Learned-X", "LEARNED_X", tile=(32, 8), patch=(4, 1))
    tile = 34 * 10 / (32 * 8)  # a 32x8 tile and its border, per source pixel
    # head: the frame; 2 blocks and the tail: 2 groups each; the tail also reads the frame
    want = tile * (1 + 2 * 2 + 2 + 1)
    assert cost["passes"] == 4
    assert cost["fetches_per_source_px"] == pytest.approx(want, abs=1e-4)
    assert cost["fetches_per_output_px"] == pytest.approx(want / 4, abs=1e-4)
    assert f"{want / 4:.2f} texel fetches per output pixel" in text
    again, _ = export_compute.build(w, "Learned-X", "LEARNED_X", tile=(32, 8), patch=(4, 1))
    assert text == again and "//!PARAM" not in text
    # fused: head + block 1 from the frame with a 2-texel border, block 2 alone, the tail
    _, cost = export_compute.build(w, "Learned-X", "LEARNED_X", fuse=True)
    assert cost["passes"] == 3
    assert cost["fetches_per_source_px"] == pytest.approx(36 * 12 / 256 + tile * (2 + 3),
                                                          abs=1e-4)


def test_no_extension_line_reaches_mesa():
    """Mesa rejects `#extension` in a pasted pass body: each must sit in an #if/#elif that
    requires Mesa's own macro to be absent (and Vulkan's, where glslang defines them all)."""
    text, _ = export_compute.build(random_weights(4, 1, False), "Learned-X", "LEARNED_X")
    lines = text.splitlines()
    found = 0
    for i, line in enumerate(lines):
        if line.lstrip().startswith("#extension"):
            found += 1
            cond = lines[i - 1]
            assert re.match(r"#(el)?if ", cond), cond
            assert "!defined(GL_MESA_shader_integer_functions)" in cond
            assert "!defined(VULKAN)" in cond
    assert found == 2 * 3  # two float16 extensions in each of the 3 passes


def test_tile_that_overflows_shared_memory_is_refused():
    with pytest.raises(ValueError, match="shared memory"):
        export_compute.build(random_weights(8, 1, False), "X", "X", tile=(64, 16), patch=(8, 2))
    with pytest.raises(ValueError, match="multiple of the per-thread patch"):
        export_compute.build(random_weights(4, 1, False), "X", "X", tile=(30, 8), patch=(4, 1))


def test_cli_mode_and_output(tmp_path, capsys):
    npz = save(random_weights(4, 1, False), tmp_path / "learned_q.npz")
    export.main(["--mode", "compute", str(npz), "-o", str(tmp_path / "c.glsl")])
    export.main(["--mode", "fragment", str(npz), "-o", str(tmp_path / "f.glsl")])
    out = capsys.readouterr().out
    assert "3 compute passes" in out and "4 fragment passes" in out
    assert "//!COMPUTE" in (tmp_path / "c.glsl").read_text()
    assert "//!COMPUTE" not in (tmp_path / "f.glsl").read_text()
    export.main([str(npz)])  # default mode, beside the weights
    default = (tmp_path / "learned_q.glsl").read_text()
    assert ("//!COMPUTE" in default) == (export.MODES[0] == "compute")
    with pytest.raises(SystemExit):
        export.main(["--mode", "compute", "--tile", "8", str(npz)])
    assert "expected WxH" in capsys.readouterr().err


# --------------------------------------------------------------------------- (b) glslang

def _programs(path: Path) -> list[tuple[str, str]]:
    """(desc, program text) of every pass, assembled as the chain (and mpv) paste it."""
    out = []
    for spec in hookfile.load(path).hooks:
        names = ["MAIN" if b == "HOOKED" else b for b in spec.binds]
        defs = "".join(glsl.texture_defs(n, n, True) for n in names)
        if "MAIN" in names:
            defs += glsl.texture_defs("HOOKED", "MAIN", False)
        out.append((spec.desc, glsl.user_pass("450", spec, defs, "")))
    return out


@pytest.mark.parametrize("path", ["EXT", "AMD", "float"])
def test_glslang_compiles_every_pass_on_each_path(tmp_path, path):
    if shutil.which("glslangValidator") is None:
        pytest.skip("glslangValidator (Debian: glslang-tools) is not installed")
    shader = compute_file(tmp_path, random_weights(8, 1, True))
    for desc, text in _programs(shader):
        if path == "AMD":    # glslang has both: hide the first so the second is taken
            text = text.replace("defined(GL_EXT_shader_explicit_arithmetic_types_float16)",
                                "defined(A4K_NOT_DEFINED)")
        elif path == "float":  # what Mesa sees: its macro is defined
            text = text.replace("!defined(GL_MESA_shader_integer_functions)", "0")
        src = tmp_path / "pass.comp"
        src.write_text(text)
        r = subprocess.run(["glslangValidator", str(src)], capture_output=True, text=True)
        assert r.returncode == 0, f"{desc}: {r.stdout[-2000:]}"
        pre = subprocess.run(["glslangValidator", "-E", str(src)], capture_output=True,
                             text=True).stdout
        assert ("f16vec4" in pre) == (path != "float"), desc


# --------------------------------------------------------------------------- (c) GL

def _gl_matches(path: Path, weights: dict, img: np.ndarray) -> np.ndarray:
    offscreen = pytest.importorskip("player.render.offscreen")
    h, w = img.shape[:2]
    got = offscreen.upscale_array(img, (2 * w, 2 * h), shaders=[path], scaler="bilinear")
    want = infer_numpy.upscale(weights, img)
    assert got.shape == want.shape == (2 * h, 2 * w, 3)
    close = np.abs(got - want) <= 1.0 / 255.0
    assert close.mean() >= 0.999, f"only {close.mean():.4%} within 1/255"
    frame = np.ones(close.shape[:2], bool)
    frame[2:-2, 2:-2] = False   # the two outer output rows and columns: clamped borders
    assert close[frame].mean() >= 0.999, f"border: only {close[frame].mean():.4%} within 1/255"
    return got


@pytest.mark.gl
@pytest.mark.parametrize("npz", SHIPPED, ids=lambda p: p.stem)
@pytest.mark.parametrize("size", [(41, 57), (9, 13), (8, 32)])
def test_shipped_shader_equals_numpy(npz, size):
    """41x57 and 9x13 are not multiples of the 32x8 tile (9x13: smaller than one tile)."""
    weights = infer_numpy.load(npz)
    img = line_art(*size)
    got = _gl_matches(npz.with_suffix(".glsl"), weights, img)
    assert np.abs(got - np.clip(infer_numpy.bilinear2x(img), 0, 1)).max() > 2.0 / 255.0


@pytest.mark.gl
@pytest.mark.parametrize("channels,blocks,dynamic,expand",
                         [(4, 2, True, None), (8, 1, True, None), (8, 2, False, None),
                          (4, 2, False, 8), (8, 1, False, 12), (4, 3, False, (8, 0, 2))])
def test_compute_export_of_random_weights_equals_numpy(tmp_path, channels, blocks, dynamic,
                                                       expand):
    weights = random_weights(channels, blocks, dynamic, **_expansion(expand))
    img = line_art(23, 37)
    got = _gl_matches(compute_file(tmp_path, weights), weights, img)
    assert np.abs(got - np.clip(infer_numpy.bilinear2x(img), 0, 1)).max() > 0.1


@pytest.mark.gl
@pytest.mark.parametrize("tile,patch", [((8, 8), (1, 1)), ((16, 16), (4, 2)), ((12, 6), (3, 2))])
def test_other_tiles_and_patches_equal_numpy(tmp_path, tile, patch):
    weights = random_weights(8, 1, False, seed=5)
    _gl_matches(compute_file(tmp_path, weights, tile=tile, patch=patch), weights,
                line_art(19, 29))


@pytest.mark.gl
@pytest.mark.parametrize("channels,blocks,dynamic,expand",
                         [(4, 2, True, None), (8, 3, False, None), (4, 3, False, (8, 1))])
@pytest.mark.parametrize("size", [(41, 57), (9, 13)])
def test_fused_layers_equal_numpy(tmp_path, channels, blocks, dynamic, expand, size):
    """Two layers per pass: the first layer's ring, clamped at the image borders, must be
    the second layer's replicate padding (blocks=3: a pair and a last single pass)."""
    weights = random_weights(channels, blocks, dynamic, seed=7, **_expansion(expand))
    img = line_art(*size)
    got = _gl_matches(compute_file(tmp_path, weights, fuse=True), weights, img)
    assert np.abs(got - np.clip(infer_numpy.bilinear2x(img), 0, 1)).max() > 0.1


MACRO_PROBE = """//!HOOK MAIN
//!BIND HOOKED
//!COMPUTE 8 8
#ifndef {macro}
#error {macro} is not defined
#endif
void hook() {{ imageStore(out_image, ivec2(gl_GlobalInvocationID.xy), HOOKED_tex(HOOKED_pos)); }}
"""


@pytest.mark.gl
def test_mesa_defines_the_macro_the_float16_guard_relies_on(tmp_path):
    """The guard keeps `#extension` away from Mesa through GL_MESA_shader_integer_functions:
    this Mesa defines it (and the probe does fail on a macro nobody defines)."""
    offscreen = pytest.importorskip("player.render.offscreen")
    from player.base.errors import ShaderError
    from OpenGL import GL
    if b"Mesa" not in GL.glGetString(GL.GL_VERSION):
        pytest.skip("not a Mesa driver")
    img = np.zeros((8, 8, 3), np.float32)
    for macro, defined in (("GL_MESA_shader_integer_functions", True),
                           ("GL_A4K_NO_SUCH_EXTENSION", False)):
        probe = tmp_path / f"{macro}.glsl"
        probe.write_text(MACRO_PROBE.format(macro=macro))
        if defined:
            offscreen.upscale_array(img, (8, 8), shaders=[probe])
        else:
            with pytest.raises(ShaderError, match="is not defined"):
                offscreen.upscale_array(img, (8, 8), shaders=[probe])

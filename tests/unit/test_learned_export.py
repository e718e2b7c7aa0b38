"""The learned tier's fragment export: what it writes is what was trained, and what GL runs.

(a) pure: the fragment export of the shipped weights parses with player.hookfile, keeps to
    the chain's contract (no PARAM, WHEN on every pass, last pass doubles MAIN) and its
    constants are exactly the saved weights; (b) the numpy forward (torch-free reference)
    equals PyTorch's; (c) the shader run through the real GL chain equals the numpy forward
    within 1/255 on 99.9 % of pixels, for the shipped weights and for random weights that
    exercise every code path. The shipped files are the compute export:
    test_learned_compute.py checks those.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from player.render import hookfile
from training import export, infer_numpy

LEARNED = Path(__file__).resolve().parents[2] / "player" / "shipped" / "shaders" / "learned"
SHIPPED = sorted(LEARNED.glob("*.npz"))
WHEN = "OUTPUT.w MAIN.w / 1.200 > OUTPUT.h MAIN.h / 1.200 > *"


def line_art(h: int = 41, w: int = 57) -> np.ndarray:
    """Flat colours, dark outlines, a thin diagonal, a gradient and hard corners: the
    asymmetric layout catches flipped axes and misplaced sub-pixels."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.ones((h, w, 3), np.float32)
    img[..., 2] *= 0.95 + 0.05 * xx / w
    disk = (xx - 0.62 * w) ** 2 + (yy - 0.45 * h) ** 2
    img[disk < (0.3 * h) ** 2] = (0.92, 0.55, 0.40)
    img[np.abs(np.sqrt(disk) - 0.3 * h) < 1.2] = (0.08, 0.06, 0.10)
    img[np.abs(xx - 0.7 * yy - 4) < 0.8] = (0.15, 0.20, 0.55)
    img[2:9, 3:14] = (0.0, 0.0, 0.0)
    img[h - 6:, w - 5:] = (1.0, 0.9, 0.2)
    return img


def random_weights(channels: int, blocks: int, dynamic: bool, seed: int = 3,
                   expand: int | None = None, expanded: tuple[int, ...] = ()) -> dict:
    """A weight dict in the saved layout, with residuals large enough to see; `expand`:
    expanded blocks (conv to `expand` channels, gate, 1x1 proj back to `channels`), all of
    them or those in `expanded`."""
    rng = np.random.default_rng(seed)

    def conv(o, i, k, scale):
        return (rng.standard_normal((o, i, k, k)) * scale).astype(np.float32), \
            (rng.standard_normal(o) * 0.1).astype(np.float32)

    w = {"config": dict(channels=channels, blocks=blocks, dynamic=dynamic, leak=0.1)}
    if expand:
        w["config"]["expand"] = expand
    if expanded:
        w["config"]["expanded"] = list(expanded)
    w["head.weight"], w["head.bias"] = conv(channels, 3, 3, 0.3)
    for b in range(blocks):
        k = f"blocks.{b}."
        wide = bool(expand) and (not expanded or b in expanded)
        inner = expand if wide else channels
        w[k + "conv.weight"], w[k + "conv.bias"] = conv(inner, channels, 3, 0.15)
        w[k + "gate.weight"], w[k + "gate.bias"] = conv(inner, inner, 1, 0.5)
        if wide:
            w[k + "proj.weight"], w[k + "proj.bias"] = conv(channels, inner, 1, 0.3)
        if dynamic:
            w[k + "plain.weight"], w[k + "plain.bias"] = conv(channels, channels, 3, 0.15)
            w[k + "mix.weight"], w[k + "mix.bias"] = conv(2, channels, 1, 0.5)
    w["tail.weight"], w["tail.bias"] = conv(4, channels, 3, 0.1)
    return w


def _expansion(spec) -> dict:
    """Test parameter -> random_weights keywords: None, N (every block), or (N, block, ...)."""
    if isinstance(spec, tuple):
        return {"expand": spec[0], "expanded": spec[1:]}
    return {"expand": spec}


def save(weights: dict, path: Path) -> Path:
    arrays = {k: v for k, v in weights.items() if k != "config"}
    np.savez(path, config=np.array(json.dumps(weights["config"])), **arrays)
    return path


# --------------------------------------------------------------------------- (a) pure

_TERM = re.compile(r"(mat[0-9x]+)\(([^()]*)\) \* (i|y|att)(\d+)(?:_(\d+))?")


def _matrix(kind: str, numbers: str) -> np.ndarray:
    """GLSL matrix literal -> out x in array (GLSL is column-major, one column per input)."""
    values = np.array([np.float32(v) for v in numbers.split(",")], np.float32)
    dims = kind[3:].split("x")
    cols, rows = (int(dims[0]), int(dims[-1]))
    return values.reshape(cols, rows).T


def _conv_terms(body: str, target: str) -> tuple[np.ndarray, dict]:
    """Bias and {(operand, group, tap): matrix} of the expression assigned to `target`."""
    expr = body.split(target, 1)[1].lstrip(" =").split(";", 1)[0]
    bias = np.array([np.float32(v) for v in
                     re.search(r"vec\d\(([^()]*)\)", expr).group(1).split(",")], np.float32)
    terms = {(m[2], int(m[3]), int(m[4]) if m[4] else None): _matrix(m[0], m[1])
             for m in _TERM.findall(expr)}
    return bias, terms


def _expected(w: np.ndarray, out: slice, groups: int) -> dict:
    return {("i", g, 3 * ky + kx): w[out, 4 * g:4 * g + 4, ky, kx]
            for g in range(groups) for ky in range(3) for kx in range(3)}


def _assert_terms(got: dict, want: dict) -> None:
    assert set(got) == set(want)
    for key, m in want.items():
        np.testing.assert_array_equal(got[key], m, err_msg=str(key))


def test_learned_s_is_shipped_small_and_exported():
    names = {p.name for p in LEARNED.iterdir()}
    assert {"learned_s.npz", "learned_s.glsl"} <= names
    for npz in SHIPPED:
        assert npz.with_suffix(".glsl").exists()
        assert npz.stat().st_size < 1 << 20 and npz.with_suffix(".glsl").stat().st_size < 1 << 20


def check_shader_holds_weights(glsl: Path, npz: Path, label: str) -> None:
    shader = hookfile.load(glsl)
    w = infer_numpy.load(npz)
    c, blocks, dynamic = (w["config"][k] for k in ("channels", "blocks", "dynamic"))
    groups = c // 4
    passes = shader.hooks
    assert not shader.params and not shader.textures
    assert len(passes) == groups * (1 + blocks) + 2
    assert all(p.hooks == ("MAIN",) and p.when.text == WHEN for p in passes)
    assert all(p.desc.startswith(label) for p in passes)
    assert f"{label} conv3x3 3->{c}" in passes[0].desc
    assert f"{label} conv3x3 {c}->4" in passes[-2].desc
    assert (passes[-1].width.text, passes[-1].height.text) == ("2 MAIN.w *", "2 MAIN.h *")
    assert all(p.width is None for p in passes[:-1])

    for g in range(groups):  # head
        out = slice(4 * g, 4 * g + 4)
        bias, terms = _conv_terms(passes[g].body, "vec4 y")
        np.testing.assert_array_equal(bias, w["head.bias"][out])
        _assert_terms(terms, {("i", 0, t): m for (_, _, t), m in
                              _expected(w["head.weight"], out, 1).items()})
    for b in range(blocks):
        k = f"blocks.{b}."
        inner = w[k + "conv.weight"].shape[0] // 4  # groups of the conv's output
        gw = w[k + "gate.weight"][:, :, 0, 0]
        for go in range(groups):
            p = passes[groups * (1 + b) + go]
            assert f"{label} conv3x3 {c}->{4 * inner}" in p.desc
            own = slice(4 * go, 4 * go + 4)
            for gy in range(inner):
                out = slice(4 * gy, 4 * gy + 4)
                bias, terms = _conv_terms(p.body, f"vec4 y{gy}")
                np.testing.assert_array_equal(bias, w[k + "conv.bias"][out])
                _assert_terms(terms, _expected(w[k + "conv.weight"], out, groups))
            atts = [f"att{ga}" for ga in range(inner)] if inner != groups else ["att"]
            for ga, name in enumerate(atts):
                rows = slice(4 * ga, 4 * ga + 4) if inner != groups else own
                gate_bias, gate = _conv_terms(p.body, f"vec4 {name}")
                np.testing.assert_array_equal(gate_bias, w[k + "gate.bias"][rows])
                _assert_terms(gate, {("y", gy, None): gw[rows, 4 * gy:4 * gy + 4]
                                     for gy in range(inner)})
            if inner != groups:  # expanded: the return narrows every att group with proj
                bias, terms = _conv_terms(p.body, "return ")
                np.testing.assert_array_equal(bias, w[k + "proj.bias"][own])
                pw = w[k + "proj.weight"][:, :, 0, 0]
                _assert_terms(terms, {("att", ga, None): pw[own, 4 * ga:4 * ga + 4]
                                      for ga in range(inner)})
            if dynamic:
                bias, terms = _conv_terms(p.body, "vec4 plain")
                np.testing.assert_array_equal(bias, w[k + "plain.bias"][own])
                _assert_terms(terms, _expected(w[k + "plain.weight"], own, groups))
                for r in range(2):
                    expr = p.body.split(f"float m{r} = ", 1)[1].split(";", 1)[0]
                    assert np.float32(expr.split(" + ", 1)[0]) == w[k + "mix.bias"][r]
                    rows = dict((int(g), [np.float32(v) for v in nums.split(",")]) for nums, g
                                in re.findall(r"dot\(vec4\(([^()]*)\), i(\d+)_4\)", expr))
                    got = np.concatenate([rows[g] for g in range(groups)])
                    np.testing.assert_array_equal(got, w[k + "mix.weight"][r, :, 0, 0])
    bias, terms = _conv_terms(passes[-2].body, "return ")
    np.testing.assert_array_equal(bias, w["tail.bias"])
    _assert_terms(terms, _expected(w["tail.weight"], slice(0, 4), groups))


def fragment_of(npz: Path, tmp_path: Path) -> tuple[Path, str]:
    """The fragment export of a weight file, under tmp_path; and its label."""
    label = "Learned-" + npz.stem.split("_")[-1].upper()
    out = tmp_path / npz.with_suffix(".glsl").name
    export.export(npz, out, label, npz.stem.upper(), mode="fragment")
    return out, label


@pytest.mark.parametrize("npz", SHIPPED, ids=lambda p: p.stem)
def test_fragment_export_of_shipped_weights_holds_them(npz, tmp_path):
    path, label = fragment_of(npz, tmp_path)
    check_shader_holds_weights(path, npz, label)


@pytest.mark.parametrize("channels,blocks,dynamic,expand",
                         [(4, 2, True, None), (8, 2, False, None), (4, 2, False, 8),
                          (8, 1, False, 12), (4, 3, False, (8, 1))])
def test_exported_constants_equal_random_weights(tmp_path, channels, blocks, dynamic, expand):
    npz = save(random_weights(channels, blocks, dynamic, **_expansion(expand)),
               tmp_path / "learned_r.npz")
    export.export(npz, tmp_path / "learned_r.glsl", "Learned-R", "LEARNED_R", mode="fragment")
    check_shader_holds_weights(tmp_path / "learned_r.glsl", npz, "Learned-R")


def test_export_is_reproducible_and_states_its_cost(tmp_path):
    npz = save(random_weights(8, 2, True), tmp_path / "learned_x.npz")
    text, cost = export.build(infer_numpy.load(npz), "Learned-X", "LEARNED_X")
    again, _ = export.build(infer_numpy.load(npz), "Learned-X", "LEARNED_X")
    assert text == again
    # head: 2 passes x 9 fetches; each block: 2 passes x 18; tail: 1 pass x 18; + shuffle
    assert cost == {"passes": 8, "fetches_per_source_px": 18 + 4 * 18 + 18,
                    "fetches_per_output_px": (18 + 4 * 18 + 18) / 4 + 2}
    assert "//!PARAM" not in text
    assert len(hookfile.parse(text, "x.glsl").hooks) == 8


# --------------------------------------------------------------------------- (b) torch

@pytest.mark.parametrize("channels,blocks,dynamic,expand",
                         [(4, 3, False, None), (8, 2, True, None), (4, 2, False, 8)])
def test_numpy_forward_equals_torch_forward(channels, blocks, dynamic, expand):
    torch = pytest.importorskip("torch")
    from training.model import LearnedUpscaler, to_arrays
    torch.manual_seed(0)
    model = LearnedUpscaler(channels, blocks, dynamic, expand=expand)
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0.0, 0.3)
    img = line_art(19, 23)
    with torch.no_grad():
        want = model(torch.from_numpy(img.transpose(2, 0, 1))[None])[0].numpy()
    arrays = to_arrays(model)
    arrays["config"] = json.loads(str(arrays["config"]))
    got = infer_numpy.upscale(arrays, img, clamp=False)
    assert got.shape == (38, 46, 3)
    np.testing.assert_allclose(got, want.transpose(1, 2, 0), atol=2e-5)


# --------------------------------------------------------------------------- (c) GL

def _gl_matches(glsl: Path, weights: dict, img: np.ndarray) -> np.ndarray:
    offscreen = pytest.importorskip("player.render.offscreen")
    h, w = img.shape[:2]
    got = offscreen.upscale_array(img, (2 * w, 2 * h), shaders=[glsl], scaler="bilinear")
    want = infer_numpy.upscale(weights, img)
    assert got.shape == want.shape == (2 * h, 2 * w, 3)
    close = np.abs(got - want) <= 1.0 / 255.0
    assert close.mean() >= 0.999, f"only {close.mean():.4%} within 1/255"
    return got


@pytest.mark.gl
@pytest.mark.parametrize("npz", SHIPPED, ids=lambda p: p.stem)
def test_fragment_export_of_shipped_weights_equals_model_on_line_art(npz, tmp_path):
    img = line_art()
    got = _gl_matches(fragment_of(npz, tmp_path)[0], infer_numpy.load(npz), img)
    # The trained residual is not zero: the shader did more than bilinear.
    assert np.abs(got - np.clip(infer_numpy.bilinear2x(img), 0, 1)).max() > 2.0 / 255.0


@pytest.mark.gl
@pytest.mark.parametrize("channels,blocks,dynamic,expand",
                         [(4, 2, False, None), (8, 1, True, None), (4, 2, False, 8),
                          (4, 3, False, (8, 0, 2))])
def test_exported_random_weights_equal_numpy_in_gl(tmp_path, channels, blocks, dynamic, expand):
    npz = save(random_weights(channels, blocks, dynamic, **_expansion(expand)),
               tmp_path / "learned_r.npz")
    glsl = tmp_path / "learned_r.glsl"
    export.export(npz, glsl, "Learned-R", "LEARNED_R", mode="fragment")
    img = line_art()
    got = _gl_matches(glsl, infer_numpy.load(npz), img)
    assert np.abs(got - np.clip(infer_numpy.bilinear2x(img), 0, 1)).max() > 0.1


def _random_model(channels: int, blocks: int):
    """A plain LearnedUpscaler with seeded weights large enough to matter."""
    torch = pytest.importorskip("torch")
    from training.model import LearnedUpscaler
    torch.manual_seed(0)
    model = LearnedUpscaler(channels, blocks)
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0.0, 0.3)
    return model


def test_widening_keeps_the_function_and_then_learns():
    """net2net: the widened blocks compute what the plain ones did (proj = [I | 0]), the new
    channels are live (a gradient reaches proj's new columns), and the start is seeded."""
    torch = pytest.importorskip("torch")
    from training.model import LearnedUpscaler
    model = _random_model(4, 3)
    x = torch.from_numpy(line_art(15, 17).transpose(2, 0, 1))[None]
    with torch.no_grad():
        before = model(x)
    model.widen(8, seed=1)
    assert model.config["expand"] == 8 and model.blocks[0].conv.out_channels == 8
    out = model(x)
    torch.testing.assert_close(out, before, atol=1e-6, rtol=0)
    out.sum().backward()
    assert model.blocks[0].proj.weight.grad[:, 4:].abs().max() > 0
    other = LearnedUpscaler(4, 3)  # other weights, same seed: the same new channels
    other.widen(8, seed=1)
    torch.testing.assert_close(other.blocks[1].conv.weight[4:], model.blocks[1].conv.weight[4:])


def test_widening_some_blocks_keeps_the_function_and_the_numpy_forward_follows():
    torch = pytest.importorskip("torch")
    from training.model import LearnedUpscaler, to_arrays
    model = _random_model(4, 4)
    img = line_art(13, 16)
    x = torch.from_numpy(img.transpose(2, 0, 1))[None]
    with torch.no_grad():
        before = model(x)
        model.widen(8, seed=2, blocks=(0, 2))
        torch.testing.assert_close(model(x), before, atol=1e-6, rtol=0)
        for p in model.parameters():  # then away from the start, so proj is not [I | 0]
            p.add_(0.05 * torch.randn(p.shape))
        want = model(x)[0].numpy().transpose(1, 2, 0)
    assert [b.proj is not None for b in model.blocks] == [True, False, True, False]
    assert model.config["expanded"] == [0, 2]
    arrays = to_arrays(model)
    arrays["config"] = json.loads(str(arrays["config"]))
    np.testing.assert_allclose(infer_numpy.upscale(arrays, img, clamp=False), want, atol=2e-5)
    with pytest.raises(ValueError, match="blocks 0-3"):
        LearnedUpscaler(4, 4).widen(8, seed=1, blocks=(4,))


def test_an_expanded_block_is_refused_where_it_cannot_be_exported():
    torch = pytest.importorskip("torch")  # noqa: F841
    from training.model import Block, LearnedUpscaler
    with pytest.raises(ValueError, match="multiple of 4"):
        LearnedUpscaler(4, 2, expand=6)
    with pytest.raises(ValueError, match="dynamic"):
        Block(4, True, 8)
    model = LearnedUpscaler(4, 1, expand=8)
    with pytest.raises(ValueError, match="only a plain block"):
        model.widen(12, seed=1)

"""Write a saved learned-upscaler weight file (.npz) as mpv COMPUTE passes with shared tiles.

The fragment export (export.py) fetches each layer's 3x3 neighbourhood with texOff: 9
fetches per input group per output pixel, and an 8-channel layer takes one pass per output
group, each recomputing the whole conv because the gate reads every channel. Here each pass
is one layer for all its channels: a workgroup loads its tile of the input plus a 1-texel
border into shared memory once (texelFetch on coordinates clamped to the image, which is the
model's replicate padding), waits at barrier(), then each thread copies the neighbourhood
of its patch (px x py pixels side by side, which share taps) into locals and calls the
pass's `layer` function, which holds the weights once, for every pixel of the patch, and
writes them with imageStore. Stores outside the image are no-ops in GL, so sizes that are
not a multiple of the tile need no branch; every thread still loads and reaches the barrier.

Tile and patch: 32x8 source pixels per workgroup, 4x1 per thread (64 threads). Measured on
llvmpipe (docs/training.md, "Export"): one pixel per thread was slower than the fragment
export; 4 or 8 pixels per thread make it faster, 8 no better than 4 for 8 channels (twice
the live taps) and twice the text. `fuse` puts two layers in a pass (2-texel border, the
first layer also on a 1-pixel ring kept at the clamped position, so it is the second's
replicate padding); it measured slower there, so it is off by default.

Storage: 4 channels in one rgba texture; 8 channels in one texture twice as wide, group g
of pixel (x, y) at texel (2x + g, y). A hook pass has exactly one output image (mpv binds
one out_image and saves one texture), so two rgba images would need two passes, which is
what we are removing; interleaving (rather than two halves side by side) keeps a tile's two
groups in the same texture rows, next to each other.

The last pass is the tail conv (C -> 4 sub-pixel luma residuals) and depth-to-space in one:
a thread per source pixel of its patch writes the 2x2 output pixels, each the bilinear 2x
base (per axis 1/4 and 3/4 with clamp to edge, what GL_LINEAR gives at 2x; computed in
float from a shared tile of HOOKED) plus its residual on R, G and B.

fp16: arithmetic and feature tiles use float16 where the GL driver offers
GL_EXT_shader_explicit_arithmetic_types_float16 or GL_AMD_gpu_shader_half_float, and float
otherwise (the `#ifdef` fallback that compiles everywhere). mpv pastes a pass body after its
own declarations, and Mesa rejects an `#extension` line there unless driconf
allow_glsl_extension_directive_midshader is set, so the `#extension` lines sit in `#if`
blocks that Mesa never enters: each needs its extension's macro and the absence of
GL_MESA_shader_integer_functions, which Mesa's GL drivers define (its GLSL compiler knows
neither fp16 extension today anyway), and of VULKAN (glslang, under mpv's Vulkan back end,
defines every extension macro whatever the GPU can do). So mpv 0.35 runs the same file
unmodified on Mesa (tested on llvmpipe), in float. GL_NV_gpu_shader5 is not used: its half
types have no guaranteed matrices or built-ins, and nothing here can compile-check it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from training.shader_text import (expanded as _expanded, first_texture, fmt, groups as _groups,
                                  when as _when)

SHARED_LIMIT = 32768  # bytes of shared memory every GL 4.3 implementation offers
DEFAULT_TILE = (32, 8)   # source pixels per workgroup
DEFAULT_PATCH = (4, 1)   # source pixels per thread

FP16 = """\
#if !defined(VULKAN) && !defined(GL_MESA_shader_integer_functions) && defined(GL_EXT_shader_explicit_arithmetic_types_float16)
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : enable
#define A4K_HALF 1
#elif !defined(VULKAN) && !defined(GL_MESA_shader_integer_functions) && defined(GL_AMD_gpu_shader_half_float)
#extension GL_AMD_gpu_shader_half_float : enable
#define A4K_HALF 1
#endif
#ifdef A4K_HALF
#define V4 f16vec4
#define F float16_t
#else
#define V4 vec4
#define F float
#endif"""


def v4(values) -> str:
    return "V4(" + ", ".join(fmt(v) for v in values) + ")"


def _mad(w: np.ndarray, b: np.ndarray | None, operands: list[tuple[str, int]]) -> str:
    """b + sum over operands of W[:, col] * operand.component, as V4 column terms.
    w: 4 x n_in (out rows of one group); operands: (expression of a vec, #components)."""
    terms = [v4(b)] if b is not None else []
    col = 0
    for expr, n in operands:
        for k in range(n):
            terms.append(f"{v4(w[:, col])} * {expr}.{'xyzw'[k]}")
            col += 1
    return "\n        + ".join(terms)


@dataclass(frozen=True)
class _Layer:
    """One layer as a GLSL function `void NAME(taps..., out V4 o0[, out V4 o1])`."""
    desc: str
    body: list[str]   # the function's statements, writing o0 (and o1)
    gin: int          # input groups
    gout: int         # output groups

    def func(self, name: str) -> list[str]:
        outs = ", ".join(f"out V4 o{g}" for g in range(self.gout))
        return [f"void {name}({_Writer.params(self.gin)}, {outs}) {{", *self.body, "}"]


class _Writer:
    """Pass texts for one weight dict. A workgroup covers a bw x bh tile of source pixels
    with (bw/px) x (bh/py) threads; each thread copies the (px+2) x (py+2) neighbourhood of
    its px x py patch out of shared memory once (adjacent pixels share taps) and calls the
    pass's `layer` function, which holds the weights once, for every pixel of the patch."""

    def __init__(self, weights: dict, label: str, prefix: str, tile: tuple[int, int],
                 patch: tuple[int, int], stage: int = 1, after: str | None = None):
        self.w = weights
        self.when = _when(stage)
        self.after = after  # stage 2: the first 2x's texture every pass also binds
        self.cfg = weights["config"]
        self.label, self.prefix = label, prefix
        self.bw, self.bh = tile
        self.px, self.py = patch
        if self.bw % self.px or self.bh % self.py:
            raise ValueError(f"the tile {self.bw}x{self.bh} must be a multiple of the "
                             f"per-thread patch {self.px}x{self.py}")
        self.tw, self.th = self.bw // self.px, self.bh // self.py
        self.leak = fmt(self.cfg["leak"])
        self.passes: list[str] = []
        self.fetch_src = 0.0  # texel fetches per source pixel, exact per workgroup tile
        self.shared = 0       # most shared bytes of one pass (float sizes)

    # ---- text helpers --------------------------------------------------------------------
    def header(self, desc: str, binds: list[str], save: str | None, packed: bool) -> str:
        lines = [f"//!DESC {self.label} {desc}", "//!HOOK MAIN"]
        lines += [f"//!BIND {b}" for b in binds]
        lines += [f"//!BIND {self.after}"] if self.after else []
        if save is None:  # the last pass: 2x2 output pixels per source pixel
            lines += [f"//!COMPUTE {2 * self.bw} {2 * self.bh} {self.tw} {self.th}",
                      "//!WIDTH 2 MAIN.w *", "//!HEIGHT 2 MAIN.h *"]
        else:
            lines += [f"//!COMPUTE {self.bw} {self.bh} {self.tw} {self.th}", f"//!SAVE {save}"]
            lines += ["//!WIDTH 2 MAIN.w *"] if packed else []
            lines += ["//!COMPONENTS 4"]
        return "\n".join(lines + [f"//!WHEN {self.when}", FP16])

    def load(self, tex: str, groups: int, kind: str, border: int = 1):
        """(declarations, code, array names): shared tile(s) of `tex` plus a border of
        `border` texels, filled by all threads with clamped texelFetch; `kind` V4 (features,
        maybe half) or vec4 (the frame, kept float for the bilinear base)."""
        sw, sh = self.bw + 2 * border, self.bh + 2 * border
        n = sw * sh
        names = [f"{tex}_S{g}" for g in range(groups)]
        self.shared += n * groups * 16
        self.fetch_src += n * groups / (self.bw * self.bh)
        decl = [f"shared {kind} {s}[{sh}][{sw}];" for s in names]
        size = f"ivec2({tex}_size)" + (f" / ivec2({groups}, 1)" if groups > 1 else "")
        code = [f"    ivec2 {tex}_last = {size} - ivec2(1);", *self.loop(n, sw),
                f"            ivec2 p = clamp(base - ivec2({border}) + t, ivec2(0), {tex}_last);"]
        for g, s in enumerate(names):
            at = f"ivec2({groups} * p.x + {g}, p.y)" if groups > 1 else "p"
            code.append(f"            {s}[t.y][t.x] = {kind}(texelFetch({tex}_raw, {at}, 0));")
        return decl, code + ["        }", "    }"], names

    def loop(self, n: int, sw: int) -> list[str]:
        """A loop with constant bounds that gives each of n tile cells (sw wide) to a thread
        as t; the caller closes its two braces."""
        threads = self.tw * self.th
        return [f"    for (int k = 0; k < {-(-n // threads)}; k++) {{",
                f"        int i = id + k * {threads};",
                f"        if (i < {n}) {{",
                f"            ivec2 t = ivec2(i % {sw}, i / {sw});"]

    def start(self) -> list[str]:
        return ["void hook() {",
                "    ivec2 lid = ivec2(gl_LocalInvocationID.xy);",
                f"    int id = lid.y * {self.tw} + lid.x;",
                f"    ivec2 base = ivec2(gl_WorkGroupID.xy) * ivec2({self.bw}, {self.bh});",
                f"    ivec2 at = lid * ivec2({self.px}, {self.py});  // the patch in the tile",
                "    ivec2 pos = base + at;"]

    def taps(self, names: list[str], prefix: str, kind: str = "V4") -> list[str]:
        """Local copies of the patch's neighbourhood: {prefix}{group}_{row}_{col}."""
        return [f"    {kind} {prefix}{g}_{r}_{c} = {s}[at.y + {r}][at.x + {c}];"
                for g, s in enumerate(names) for r in range(self.py + 2)
                for c in range(self.px + 2)]

    def patch(self) -> list[tuple[int, int]]:
        return [(a, b) for b in range(self.py) for a in range(self.px)]

    @staticmethod
    def params(groups: int, kind: str = "V4") -> str:
        return ", ".join(f"{kind} i{g}_{t}" for g in range(groups) for t in range(9))

    @staticmethod
    def args(groups: int, a: int, b: int, prefix: str = "n") -> str:
        """The taps of patch pixel (a, b) in the order of `params`."""
        return ", ".join(f"{prefix}{g}_{b + t // 3}_{a + t % 3}" for g in range(groups)
                         for t in range(9))

    @staticmethod
    def conv(w: np.ndarray, b: np.ndarray, out: slice, groups: int, comps: int = 4) -> str:
        """b + the 3x3 conv of the taps i{group}_{3*ky+kx}, for output channels `out`."""
        ops, cols = [], []
        for t in range(9):
            for g in range(groups):
                ops.append((f"i{g}_{t}", comps))
                cols.append(w[out, 4 * g:4 * g + comps, t // 3, t % 3])
        return _mad(np.concatenate(cols, axis=1), b[out], ops)

    def store(self, values: list[str], a: int, b: int) -> list[str]:
        p = f"pos + ivec2({a}, {b})"
        if len(values) == 1:
            return [f"    imageStore(out_image, {p}, vec4({values[0]}));"]
        return [f"    imageStore(out_image, ivec2({len(values)}, 1) * ({p}) + ivec2({g}, 0), "
                f"vec4({v}));" for g, v in enumerate(values)]

    # ---- layers --------------------------------------------------------------------------
    def head(self) -> _Layer:
        w, b = self.w["head.weight"], self.w["head.bias"]
        groups = _groups(w.shape[0])
        body = []
        for go, sl in enumerate(groups):
            body.append(f"    o{go} = {self.conv(w, b, sl, 1, comps=3)};")
            body.append(f"    o{go} = max(o{go}, F({self.leak}) * o{go});")
        return _Layer(f"conv3x3 3->{w.shape[0]} (head)", body, 1, len(groups))

    def block(self, i: int) -> _Layer:
        """Pixel attention block; with `proj` (an expanded block) the conv's wider output is
        gated, then narrowed by the 1x1 proj before the skip: the stored width is the
        input's, so the pass loads and stores what a plain block does."""
        k = f"blocks.{i}."
        w, b = self.w[k + "conv.weight"], self.w[k + "conv.bias"]
        gw, gb = self.w[k + "gate.weight"][:, :, 0, 0], self.w[k + "gate.bias"]
        dynamic = self.cfg["dynamic"]
        inner, groups = _groups(w.shape[0]), _groups(w.shape[1])
        ng = len(groups)
        body = []
        for gy, sy in enumerate(inner):
            body.append(f"    V4 y{gy} = {self.conv(w, b, sy, ng)};")
            body.append(f"    y{gy} = max(y{gy}, F({self.leak}) * y{gy});")
        ys = [(f"y{gy}", 4) for gy in range(len(inner))]
        if dynamic:
            pw, pb = self.w[k + "plain.weight"], self.w[k + "plain.bias"]
            mw, mb = self.w[k + "mix.weight"][:, :, 0, 0], self.w[k + "mix.bias"]
            for r in range(2):
                terms = [f"F({fmt(mb[r])})"] + [f"dot({v4(mw[r, sy])}, i{g}_4)"
                                                 for g, sy in enumerate(groups)]
                body.append(f"    F m{r} = {' + '.join(terms)};")
            body.append("    F wa = F(1.0) / (F(1.0) + exp(m1 - m0));")
        proj = self.w.get(k + "proj.weight")
        att = [f"    V4 att{gy} = y{gy} / (V4(1.0) + exp(-({_mad(gw[sy], gb[sy], ys)})));"
               for gy, sy in enumerate(inner)]
        if proj is not None:  # every output group reads every att group
            body += att
            atts = [(f"att{gy}", 4) for gy in range(len(inner))]
            pjb = self.w[k + "proj.bias"]
            body += [f"    o{go} = i{go}_4 + ({_mad(proj[so, :, 0, 0], pjb[so], atts)});"
                     for go, so in enumerate(groups)]
        else:
            for go, so in enumerate(groups):
                body.append(att[go])
                if dynamic:
                    body.append(f"    V4 plain{go} = {self.conv(pw, pb, so, ng)};")
                    body.append(f"    plain{go} = max(plain{go}, F({self.leak}) * plain{go});")
                    body.append(f"    o{go} = i{go}_4 + wa * att{go} + (F(1.0) - wa) * plain{go};")
                else:
                    body.append(f"    o{go} = i{go}_4 + att{go};")
        kind = "+PA+dyn" if dynamic else "+PA"
        if proj is not None:
            kind += f" 1x1 {w.shape[0]}->{w.shape[1]}"
        return _Layer(f"conv3x3 {w.shape[1]}->{w.shape[0]} {kind} (block {i + 1}/"
                      f"{self.cfg['blocks']})", body, ng, ng)

    # ---- passes --------------------------------------------------------------------------
    def layers(self, layers: list[_Layer], inp: str) -> str:
        """One pass of one layer, or two fused: the first on the tile plus a 1-pixel ring
        (from a 2-texel border) into shared memory, the second from there. Returns the
        saved texture's name."""
        self.shared = 0
        first, last = layers[0], layers[-1]
        decl, body = [], self.start()
        d, code, names = self.load(inp, first.gin, "V4", border=len(layers))
        decl += d
        body += code + ["    barrier();"]
        funcs = first.func("layer_a" if len(layers) == 2 else "layer")
        if len(layers) == 2:
            # The ring holds the first layer's output at the clamped position (the next
            # layer's replicate padding), computed from the input tile around that position.
            sw, sh = self.bw + 2, self.bh + 2
            mid = [f"MID_S{g}" for g in range(first.gout)]
            self.shared += sw * sh * first.gout * 16
            decl += [f"shared V4 {s}[{sh}][{sw}];" for s in mid]
            taps = ", ".join(f"{names[g]}[c.y + {t // 3 - 1}][c.x + {t % 3 - 1}]"
                             for g in range(first.gin) for t in range(9))
            outs = ", ".join(f"m{g}" for g in range(first.gout))
            body += self.loop(sw * sh, sw)
            body += [f"            ivec2 c = clamp(base - ivec2(1) + t, ivec2(0), {inp}_last)"
                     " - base + ivec2(2);",
                     f"            V4 {outs};", f"            layer_a({taps}, {outs});",
                     *(f"            {s}[t.y][t.x] = m{g};" for g, s in enumerate(mid)),
                     "        }", "    }", "    barrier();"]
            funcs += last.func("layer")
            names = mid
        body += self.taps(names, "n")
        outs = [f"o{g}" for g in range(last.gout)]
        body.append(f"    V4 {', '.join(outs)};")
        for a, b in self.patch():
            body.append(f"    layer({self.args(last.gin, a, b)}, {', '.join(outs)});")
            body += self.store(outs, a, b)
        out = f"{self.prefix}_C{len(self.passes)}"
        desc = " + ".join(layer.desc for layer in layers) + " [compute]"
        header = self.header(desc, [inp], out, last.gout > 1)
        self.passes.append("\n".join([header, *decl, *funcs, *body, "}", ""]))
        return out

    def tail(self, inp: str) -> None:
        self.shared = 0
        w, b = self.w["tail.weight"], self.w["tail.bias"]
        ng = len(_groups(w.shape[1]))
        func = [f"vec4 layer({self.params(ng)}) {{",
                f"    return vec4({self.conv(w, b, slice(0, 4), ng)});", "}",
                f"void bilinear2x({self.params(1, 'vec4')}, out vec4 bl[4]) {{",
                "    // per axis 3/4 of the pixel and 1/4 of the neighbour (GL_LINEAR at 2x)",
                *(f"    vec4 l{r} = 0.25 * i0_{3 * r} + 0.75 * i0_{3 * r + 1}, "
                  f"r{r} = 0.75 * i0_{3 * r + 1} + 0.25 * i0_{3 * r + 2};" for r in range(3)),
                "    bl = vec4[4](0.75 * l1 + 0.25 * l0, 0.75 * r1 + 0.25 * r0,",
                "                   0.75 * l1 + 0.25 * l2, 0.75 * r1 + 0.25 * r2);", "}"]
        decl, code, names = self.load(inp, ng, "V4")
        decl2, code2, frame = self.load("HOOKED", 1, "vec4")
        body = self.start() + code + code2 + ["    barrier();"] + self.taps(names, "n")
        body += self.taps(frame, "h", "vec4") + ["    vec4 bl[4];"]
        for a, bb in self.patch():
            body += [f"    bilinear2x({self.args(1, a, bb, 'h')}, bl);",
                     f"    vec4 r{a}_{bb} = layer({self.args(ng, a, bb)});",
                     "    // residual channel 2*dy + dx is sub-pixel (dx, dy), as pixel_shuffle",
                     "    for (int s = 0; s < 4; s++)",
                     f"        imageStore(out_image, 2 * (pos + ivec2({a}, {bb})) + "
                     "ivec2(s & 1, s >> 1),",
                     f"                   vec4(bl[s].rgb + vec3(r{a}_{bb}[s]), bl[s].a));"]
        desc = (f"conv3x3 {w.shape[1]}->4 (tail) + depth-to-space 2x on a bilinear base "
                "[compute]")
        header = self.header(desc, [inp, "HOOKED"], None, False)
        self.passes.append("\n".join([header, *decl, *decl2, *func, *body, "}", ""]))


def build(weights: dict, label: str, prefix: str, tile: tuple[int, int] = DEFAULT_TILE,
          patch: tuple[int, int] = DEFAULT_PATCH, fuse: bool = False,
          stage: int = 1, first: str | None = None) -> tuple[str, dict]:
    """(shader text, cost) for loaded weights as compute passes: bw x bh tiles of source
    pixels, each thread a px x py patch; `fuse` puts the head and blocks two to a pass
    (slower on llvmpipe, see the module doc; kept for GPUs to measure); `stage` 2 writes
    the second 2x of a cascade (shader_text.SECOND_WHEN; every pass also binds the first
    2x's head texture, of prefix `first`: the prefix without "_2ND" unless given)."""
    if stage == 2:
        first = first or (prefix[:-4] if prefix.endswith("_2ND") else prefix)
    wr = _Writer(weights, label, prefix, tile, patch, stage,
                 first_texture(first, "compute") if stage == 2 else None)
    cfg = weights["config"]
    layers = [wr.head()] + [wr.block(i) for i in range(cfg["blocks"])]
    step = 2 if fuse else 1
    feats, shared = "HOOKED", 0
    for i in range(0, len(layers), step):
        feats = wr.layers(layers[i:i + step], feats)
        shared = max(shared, wr.shared)
    wr.tail(feats)
    shared = max(shared, wr.shared)
    if shared > SHARED_LIMIT:
        raise ValueError(f"a {tile[0]}x{tile[1]} tile needs {shared} bytes of shared memory; "
                         f"GL guarantees {SHARED_LIMIT}: choose a smaller --tile")
    cost = {"passes": len(wr.passes), "fetches_per_source_px": round(wr.fetch_src, 4),
            "fetches_per_output_px": round(wr.fetch_src / 4, 4), "shared_bytes": shared,
            "fused": fuse}
    n = sum(int(np.asarray(v).size) for k, v in weights.items() if k != "config")
    head = (f"// {label}: learned 2x upscaler for line art (a4kplay), generated by "
            f"training/export_compute.py - do not edit.\n"
            f"// {cfg['channels']} channels, {cfg['blocks']} attention blocks{_expanded(cfg)}, "
            f"dynamic={cfg['dynamic']}, {n} weights; {cost['passes']} compute passes, "
            f"{tile[0]}x{tile[1]} tiles in shared memory\n// ({patch[0]}x{patch[1]} pixels per "
            f"thread{', two layers per pass' if fuse else ''}); "
            f"{cost['fetches_per_output_px']:.2f} texel fetches per output pixel "
            f"(each texel of a tile and its border once per workgroup).\n// float16 where the "
            f"GL driver offers it and mpv can enable it, float elsewhere.\n")
    if stage == 2:
        head += ("// The second 2x of a cascade: list it after the first; it runs only when the "
                 "first ran\n// (each pass binds its head texture) and the output is over "
                 "twice the video (2x-4x: two learned passes).\n")
    return head + "\n" + "\n".join(wr.passes), cost

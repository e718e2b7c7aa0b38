"""Write a saved learned-upscaler weight file (.npz) as an mpv-format user shader.

Two forms, chosen by --mode: compute passes with shared-memory tiles (export_compute.py; the
default and what player/shipped/shaders/learned/ ships, faster on llvmpipe, see docs/training.md "Export"),
or the fragment passes this module writes, which need no compute shaders (GL 3.x / GLES):

One fragment pass per layer and per 4-channel group (a texture holds 4 channels, so an
8-channel layer takes two passes), all at source resolution, hooked on MAIN and saved to named
textures; weights are GLSL constants (mat4 column = one input channel, so `W * v` is the
conv's matrix product). The last pass hooks MAIN at twice its size: it samples the frame
bilinearly (GL_LINEAR = the model's bilinear base), picks the sub-pixel's residual from the
tail texture (depth-to-space) and adds it to R, G and B. Every pass has the same WHEN, so
the whole chain runs only when the frame is being upscaled. No PARAM blocks (mpv 0.35
ignores files that have them). Torch-free: reads the .npz through infer_numpy.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from training import export_compute
from training.infer_numpy import load
from training.shader_text import (expanded as _expanded, first_texture, fmt, groups as _groups,
                                  when as _when)

MODES = ("compute", "fragment")  # the first is the default: what player/shipped/shaders/learned/ ships
TAPS = [(ky, kx) for ky in range(3) for kx in range(3)]


def mat(block: np.ndarray) -> str:
    """GLSL matrix for out x in block: mat<in>x<out>, column-major = one column per input."""
    n_out, n_in = block.shape
    kind = "mat4" if (n_out, n_in) == (4, 4) else f"mat{n_in}x{n_out}"
    return f"{kind}(" + ", ".join(fmt(v) for v in block.T.reshape(-1)) + ")"


def vec(values: np.ndarray) -> str:
    return f"vec{len(values)}(" + ", ".join(fmt(v) for v in values) + ")"


def _conv_expr(w: np.ndarray, b: np.ndarray, out: slice, inputs: list[str]) -> str:
    """b + sum over taps and input groups of W_tap,group * fetched texel."""
    in_groups = _groups(w.shape[1])
    terms = [vec(b[out])]
    for t, (ky, kx) in enumerate(TAPS):
        for g, sl in enumerate(in_groups):
            terms.append(f"{mat(w[out, sl, ky, kx])} * {inputs[g]}_{t}")
    return "\n        + ".join(terms)


def _fetches(textures: list[str], rgb: bool) -> list[str]:
    lines = []
    for g, tex in enumerate(textures):
        swz = ".rgb" if rgb else ""
        for t, (ky, kx) in enumerate(TAPS):
            lines.append(f"    {'vec3' if rgb else 'vec4'} i{g}_{t} = "
                         f"{tex}_texOff(vec2({kx - 1}.0, {ky - 1}.0)){swz};")
    return lines


class _Writer:
    def __init__(self, weights: dict, label: str, prefix: str, stage: int = 1,
                 after: str | None = None):
        self.w = weights
        self.when = _when(stage)
        self.after = after  # stage 2: the first 2x's texture every pass also binds
        self.cfg = weights["config"]
        self.label = label
        self.prefix = prefix
        self.passes: list[str] = []
        self.fetches_src = 0  # texel fetches per source pixel, summed over source passes

    def tex(self, layer: int, group: int) -> str:
        return f"{self.prefix}_L{layer}_{group}"

    def header(self, desc: str, binds: list[str], save: str | None, extra: list[str] = ()) -> str:
        lines = [f"//!DESC {self.label} {desc}", "//!HOOK MAIN"]
        lines += [f"//!BIND {b}" for b in binds]
        lines += [f"//!BIND {self.after}"] if self.after else []
        if save:
            lines += [f"//!SAVE {save}", "//!COMPONENTS 4"]
        lines += list(extra) + [f"//!WHEN {self.when}"]
        return "\n".join(lines)

    def add(self, header: str, body: list[str]) -> None:
        self.passes.append(header + "\n" + "\n".join(body) + "\n")

    def head(self) -> list[str]:
        w, b = self.w["head.weight"], self.w["head.bias"]
        c = w.shape[0]
        outs = []
        for g, sl in enumerate(_groups(c)):
            out = self.tex(0, g)
            ins = ["i0"]
            body = ["vec4 hook() {"] + _fetches(["HOOKED"], rgb=True)
            body += [f"    vec4 y = {_conv_expr(w, b, sl, ins)};",
                     f"    return max(y, {fmt(self.cfg['leak'])} * y);", "}"]
            self.add(self.header(f"conv3x3 3->{c} (head, out {sl.start}-{sl.stop - 1})",
                                 ["HOOKED"], out), body)
            self.fetches_src += 9
            outs.append(out)
        return outs

    def block(self, i: int, inputs: list[str]) -> list[str]:
        k = f"blocks.{i}."
        w, b = self.w[k + "conv.weight"], self.w[k + "conv.bias"]
        gw, gb = self.w[k + "gate.weight"][:, :, 0, 0], self.w[k + "gate.bias"]
        proj = self.w.get(k + "proj.weight")  # an expanded block: conv wider than its input
        c = w.shape[1]
        groups, inner = _groups(c), _groups(w.shape[0])
        leak = fmt(self.cfg["leak"])
        ins = [f"i{g}" for g in range(len(inputs))]
        centre = 4  # tap index of offset (0, 0)
        outs = []

        def gate(rows: slice) -> str:
            return " + ".join([vec(gb[rows])] + [f"{mat(gw[rows, sy])} * y{gy}"
                                                 for gy, sy in enumerate(inner)])
        for go, so in enumerate(groups):
            body = ["vec4 hook() {"] + _fetches(inputs, rgb=False)
            # The gate of group go reads every channel of y, so all groups of y are computed.
            for gy, sy in enumerate(inner):
                body.append(f"    vec4 y{gy} = {_conv_expr(w, b, sy, ins)};")
                body.append(f"    y{gy} = max(y{gy}, {leak} * y{gy});")
            if proj is not None:  # every att group feeds this output group through proj
                for ga, sa in enumerate(inner):
                    body.append(f"    vec4 att{ga} = y{ga} / (1.0 + exp(-({gate(sa)})));")
                terms = [vec(self.w[k + "proj.bias"][so])] + [
                    f"{mat(proj[so, sa, 0, 0])} * att{ga}" for ga, sa in enumerate(inner)]
                body.append(f"    return i{go}_{centre} + {' + '.join(terms)};")
            elif self.cfg["dynamic"]:
                body.append(f"    vec4 att = y{go} / (1.0 + exp(-({gate(so)})));")
                pw, pb = self.w[k + "plain.weight"], self.w[k + "plain.bias"]
                mw, mb = self.w[k + "mix.weight"][:, :, 0, 0], self.w[k + "mix.bias"]
                body.append(f"    vec4 plain = {_conv_expr(pw, pb, so, ins)};")
                body.append(f"    plain = max(plain, {leak} * plain);")
                m = [" + ".join([fmt(mb[r])] + [f"dot({vec(mw[r, sy])}, i{gy}_{centre})"
                                                  for gy, sy in enumerate(groups)])
                     for r in range(2)]
                body.append(f"    float m0 = {m[0]};")
                body.append(f"    float m1 = {m[1]};")
                body.append("    float wa = 1.0 / (1.0 + exp(m1 - m0));")
                body.append(f"    return i{go}_{centre} + wa * att + (1.0 - wa) * plain;")
            else:
                body.append(f"    vec4 att = y{go} / (1.0 + exp(-({gate(so)})));")
                body.append(f"    return i{go}_{centre} + att;")
            body.append("}")
            out = self.tex(i + 1, go)
            kind = "+PA+dyn" if self.cfg["dynamic"] else "+PA"
            if proj is not None:
                kind += f" 1x1 {w.shape[0]}->{c}"
            self.add(self.header(f"conv3x3 {c}->{w.shape[0]} {kind} (block {i + 1}/"
                                 f"{self.cfg['blocks']}, out {so.start}-{so.stop - 1})",
                                 inputs, out), body)
            self.fetches_src += 9 * len(inputs)
            outs.append(out)
        return outs

    def tail(self, inputs: list[str]) -> str:
        w, b = self.w["tail.weight"], self.w["tail.bias"]
        out = self.tex(self.cfg["blocks"] + 1, 0)
        ins = [f"i{g}" for g in range(len(inputs))]
        body = ["vec4 hook() {"] + _fetches(inputs, rgb=False)
        body += [f"    return {_conv_expr(w, b, slice(0, 4), ins)};", "}"]
        self.add(self.header(f"conv3x3 {w.shape[1]}->4 (tail: 2x2 luma residual)", inputs, out),
                 body)
        self.fetches_src += 9 * len(inputs)
        return out

    def shuffle(self, residual: str) -> None:
        body = [
            "vec4 hook() {",
            f"    vec2 p = HOOKED_pos * {residual}_size;",
            "    vec2 cell = floor(p);",
            "    vec2 sub = step(0.5, p - cell);  // which of the 2x2 sub-pixels we are",
            f"    vec4 r = {residual}_tex((cell + 0.5) * {residual}_pt);",
            "    float d = dot(r, vec4((1.0 - sub.x) * (1.0 - sub.y), sub.x * (1.0 - sub.y),",
            "                          (1.0 - sub.x) * sub.y, sub.x * sub.y));",
            "    vec4 base = HOOKED_tex(HOOKED_pos);  // GL_LINEAR: the bilinear base",
            "    return vec4(base.rgb + d, base.a);",
            "}",
        ]
        self.add(self.header("depth-to-space 2x + bilinear base", ["HOOKED", residual], None,
                             ["//!WIDTH 2 MAIN.w *", "//!HEIGHT 2 MAIN.h *"]), body)


def build(weights: dict, label: str, prefix: str, stage: int = 1,
          first: str | None = None) -> tuple[str, dict]:
    """(shader text, cost) for loaded weights; cost has passes and fetches per output pixel;
    `stage` 2 writes the second 2x of a cascade (binding the first 2x's head texture, of
    prefix `first`: the prefix without "_2ND" unless given)."""
    if stage == 2:
        first = first or (prefix[:-4] if prefix.endswith("_2ND") else prefix)
    wr = _Writer(weights, label, prefix, stage,
                 first_texture(first, "fragment") if stage == 2 else None)
    feats = wr.head()
    for i in range(weights["config"]["blocks"]):
        feats = wr.block(i, feats)
    wr.shuffle(wr.tail(feats))
    cost = {"passes": len(wr.passes), "fetches_per_source_px": wr.fetches_src,
            "fetches_per_output_px": wr.fetches_src / 4 + 2}
    cfg = weights["config"]
    n = sum(int(np.asarray(v).size) for k, v in weights.items() if k != "config")
    head = (f"// {label}: learned 2x upscaler for line art (a4kplay), generated by "
            f"training/export.py - do not edit.\n"
            f"// {cfg['channels']} channels, {cfg['blocks']} attention blocks{_expanded(cfg)}, "
            f"dynamic={cfg['dynamic']}, {n} weights; {cost['passes']} passes, "
            f"{cost['fetches_per_output_px']:.2f} texel fetches per output pixel.\n"
            f"// Luma residual for each 2x2 sub-pixel added to a bilinear base (depth-to-space).\n")
    if stage == 2:
        head += ("// The second 2x of a cascade: runs only after the first (each pass binds its "
                 "head texture)\n// and when the output is over twice the video.\n")
    return head + "\n" + "\n".join(wr.passes), cost


def export(npz: Path, out: Path, label: str, prefix: str, mode: str = MODES[0],
           tile: tuple[int, int] | None = None, patch: tuple[int, int] | None = None,
           fuse: bool = False, stage: int = 1) -> dict:
    """Write `npz` as a shader at `out`; mode "compute" (export_compute: shared-memory
    tiles, one pass per layer) or "fragment" (this module's build); `stage` 2: the second 2x
    of a cascade (its own texture names and WHEN); returns the cost."""
    weights = load(npz)
    if mode == "compute":
        text, cost = export_compute.build(weights, label, prefix,
                                          tile or export_compute.DEFAULT_TILE,
                                          patch or export_compute.DEFAULT_PATCH, fuse, stage)
    elif mode == "fragment":
        text, cost = build(weights, label, prefix, stage)
    else:
        raise ValueError(f"mode must be 'fragment' or 'compute', got {mode!r}")
    out.write_text(text)
    return cost


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WxH, e.g. 8x8, got {text!r}") from None
    if w < 1 or h < 1:
        raise argparse.ArgumentTypeError(f"expected positive sizes, got {text!r}")
    return w, h


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("weights", type=Path, help="e.g. player/shipped/shaders/learned/learned_s.npz")
    ap.add_argument("--mode", choices=MODES, default=MODES[0],
                    help=f"fragment passes or compute passes with shared-memory tiles "
                         f"(default {MODES[0]})")
    ap.add_argument("-o", "--out", type=Path, help="default: the weights path with .glsl")
    ap.add_argument("--tile", type=_size, help="compute: source pixels per workgroup, WxH "
                    "(default 32x8)")
    ap.add_argument("--patch", type=_size, help="compute: source pixels per thread, WxH "
                    "(default 4x1)")
    ap.add_argument("--fuse", action="store_true",
                    help="compute: two layers per pass (2-texel border; slower on llvmpipe)")
    ap.add_argument("--label", help="DESC prefix, default from the file name (Learned-S)")
    ap.add_argument("--second", action="store_true",
                    help="write the second 2x of a cascade (runs only above 2x the video's "
                         "size; listed after the first 2x), default OUT <stem>_2nd.glsl")
    args = ap.parse_args(argv)
    stem = args.weights.stem  # learned_s, or learned_m_2nd for cascade-tuned weights
    base = stem[:-4] if stem.endswith("_2nd") else stem
    label = args.label or "Learned-" + base.split("_")[-1].upper()
    stage = 2 if args.second else 1
    if stage == 2:
        label += " (2nd 2x)"
    default = base + "_2nd.glsl" if stage == 2 else stem + ".glsl"
    out = args.out or args.weights.with_name(default)
    prefix = base.upper() + ("_2ND" if stage == 2 else "")
    try:
        cost = export(args.weights, out, label, prefix, args.mode, args.tile, args.patch,
                      args.fuse, stage)
    except ValueError as e:
        ap.error(str(e))
    print(f"{out}: {cost['passes']} {args.mode} passes, {cost['fetches_per_output_px']:.2f} "
          f"fetches per output pixel ({cost['fetches_per_source_px']} per source pixel)")


if __name__ == "__main__":
    main()

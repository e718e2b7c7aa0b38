"""Passes for the planes only YUV video has: split out and run by libmpv's own renderer.

libmpv hands our chain RGB, so the source planes of a YUV frame (CHROMA, the true LUMA,
NATIVE before conversion, ALPHA, XYZ) never exist here. libmpv's renderer has them: a pass
given to its ``glsl-shaders`` option runs on the real planes, with mpv's semantics, while
libmpv renders the frame into our source texture. This module owns that split, purely (no
GL, no libmpv): ``split_plane_hooks`` takes parsed files and returns a ``PlaneStage`` (the
passes that go to libmpv) and the files that stay in our chain.

Every plane pass moves, resizing ones too (CuNNy doubling LUMA, KrigBilateral bringing
CHROMA to LUMA's size): mpv runs them on the Y plane and upsamples the chroma once, from its
own size to the hooked luma's, which no pass on an RGB frame can reproduce. Where a pass
doubles LUMA, libmpv must render at the doubled size so that its main scaler has nothing to
do (1:1 is bilinear at texel centres, an identity, under mpv's default
scaler-resizes-only); ``PlaneStage.plan`` says that size for given video, chroma and output
sizes, with one small walk of mpv's plane order (video/out/gpu/video.c, pass_read_video:
the planes' hooks, then MAIN's size taken from the luma plane, then NATIVE).

libmpv sees its own render size as OUTPUT, not the window's; so expressions of moved passes
that read OUTPUT are decided here against the real output: a WHEN that reads OUTPUT is
evaluated and the pass written without it (true) or left out (false), OUTPUT in WIDTH/HEIGHT
becomes a number. The text then changes only when such a decision does, not on every resize.

A plane pass whose SAVE a pass of our chain binds stays in our chain (with everything it
binds), on the LUMA our chain makes from RGB: the texture must exist where its reader runs.
The written text is the original GLSL body under directives rebuilt from the parsed pass;
PARAM values become numbers (``#define`` in GLSL, literals in expressions), as mpv 0.35
reads no PARAM blocks; TEXTURE blocks a moved pass binds are written with it. An
``#extension NAME : enable`` (or ``warn``) line naming an extension the driver does not have
is blanked: such a line only warns in GLSL, but Mesa rejects any #extension after the
declarations mpv puts first (CuNNy enables float16 so, with an #ifdef fallback), so without
it the pack's own fallback compiles, on every Mesa, OSMesa included (where driconf, see
gl/window.py, is never read). ``require`` lines stay: without the extension the pass cannot
run, and libmpv says so (the loop shows it and turns the stage off).
"""
from __future__ import annotations

import dataclasses
import math
from typing import Mapping, Sequence

from player.base.errors import ShaderError
from player.render import glsl
from player.render.hookfile import HookPass, ShaderFile, TextureBlock
from player.render.params import resolve_params

PLANE_HOOKS = frozenset({"CHROMA", "LUMA", "NATIVE", "ALPHA", "XYZ"})
# Components each plane has in mpv's renderer (CHROMA: Cb and Cr merged). A pass that
# overwrites a plane with more (ArtCNN's last pass writes LUMA with COMPONENTS 4) trips an
# assertion in mpv 0.35 (video.c copy_image: offset + count <= 4) that aborts the process:
# such passes stay in our chain, where LUMA is ours.
PLANE_COMPONENTS = {"LUMA": 1, "ALPHA": 1, "CHROMA": 2, "XYZ": 3, "NATIVE": 4}
# mpv's order: each plane's hooks in plane order (Y, Cb/Cr, alpha; XYZ video has only XYZ),
# then the merged planes (NATIVE) at the reference (luma) plane's size.
_PLANE_ORDER = ("LUMA", "CHROMA", "ALPHA", "XYZ")
_OUTPUT_TOKENS = {"OUTPUT.w": 0, "OUTPUT.width": 0, "OUTPUT.h": 1, "OUTPUT.height": 1}


@dataclasses.dataclass(frozen=True)
class StagePlan:
    """What libmpv runs at one set of sizes: the shader text (None: nothing of the stage
    runs) and the size MAIN has after it, which is the size libmpv must render at."""
    text: str | None
    size: tuple[int, int]


@dataclasses.dataclass(frozen=True)
class _Moved:
    spec: HookPass
    planes: tuple[str, ...]
    file: ShaderFile


class PlaneStage:
    """The plane passes of one profile, for libmpv; ``plan`` resolves them for sizes."""

    def __init__(self, moved: Sequence[_Moved], values: Mapping[str, float],
                 enums: Mapping[str, int], extensions: frozenset[str] | None):
        self.moved = tuple(moved)
        self.extensions = extensions   # the driver's; None: keep every #extension line
        self._values = dict(values)
        self._enums = dict(enums)

    @property
    def descs(self) -> list[str]:
        return [m.spec.desc for m in self.moved]

    def plan(self, luma: tuple[int, int], chroma: tuple[int, int],
             output: tuple[int, int]) -> StagePlan:
        """``luma``: the video's plane size (video-params w, h); ``chroma``: its chroma plane
        size; ``output``: the size the picture is shown at. The returned size is the luma
        plane's final size (after LUMA and NATIVE passes); the caller scales its display
        size (anamorphic video) by the same factor."""
        sizes: dict[str, tuple[int, int]] = {"LUMA": luma, "CHROMA": chroma, "ALPHA": luma}
        runs: list[tuple[_Moved, str, str]] = []    # (pass, hook, how it is written)
        for point in _PLANE_ORDER + ("NATIVE",):
            if point == "NATIVE":
                sizes["NATIVE"] = sizes["LUMA"]
            for m in self.moved:
                for hook in m.planes:
                    if hook != point:
                        continue
                    how = self._walk_pass(m, hook, sizes, output)
                    if how is not None:
                        runs.append((m, hook, how))
        if not runs:
            return StagePlan(None, luma)
        return StagePlan(self._text(runs, output), sizes["NATIVE"])

    def _walk_pass(self, m: _Moved, hook: str, sizes: dict[str, tuple[int, int]],
                   output: tuple[int, int]) -> str | None:
        """How the pass is written: None (left out: mpv would skip it at these sizes),
        "as is", or "no WHEN" (its WHEN reads OUTPUT and was true here). ``sizes`` gets
        what it writes when it runs by our reckoning; a WHEN that does not read OUTPUT
        stays for libmpv to decide, which knows the planes' true sizes."""
        spec = m.spec
        hooked = sizes.get(hook)
        if hooked is None:
            return None

        def size(name: str, axis: str) -> float:
            wh = hooked if name == "HOOKED" else (output if name == "OUTPUT" else sizes[name])
            return float(wh[0] if axis == "w" else wh[1])

        param = self._values.__getitem__
        for name in spec.binds:
            if name != "HOOKED" and name not in sizes and name not in _textures(m.file):
                return None     # a texture that does not exist yet: mpv skips the pass
        how = "as is"
        try:
            if spec.when is not None:
                runs = bool(spec.when.eval(size, param))
                if "OUTPUT" in spec.when.names():
                    if not runs:
                        return None
                    how = "no WHEN"
                elif not runs:
                    return how
            w = round(spec.width.eval(size, param)) if spec.width else hooked[0]
            h = round(spec.height.eval(size, param)) if spec.height else hooked[1]
        except ShaderError:
            return None if how == "no WHEN" or _reads_output(spec) else how
        if w >= 1 and h >= 1:
            sizes[spec.save or hook] = (w, h)
        return how

    def _text(self, runs, output) -> str:
        out = ["// a4kplay: passes on YUV planes, run by libmpv (player/render/planes.py)\n"]
        written: set[str] = set()
        for m, hook, how in runs:
            for block in m.file.textures:
                if block.name in m.spec.binds and block.name not in written:
                    written.add(block.name)
                    out.append(_texture_text(block))
            out.append(_pass_text(m.spec, (hook,), m.file, self._values, self._enums,
                                  output, drop_when=how == "no WHEN"))
        return glsl.without_missing_extensions("\n".join(out), self.extensions)


def split_plane_hooks(files: Sequence[ShaderFile],
                      params: Mapping[str, float] | None = None,
                      extensions: frozenset[str] | None = None
                      ) -> tuple[PlaneStage | None, list[ShaderFile]]:
    """(the stage for libmpv, or None when no pass moves; the files with those passes, or
    those hook points of a pass, removed). ``params`` override the PARAM defaults baked
    into the text; ``extensions`` are the driver's (optional #extension lines naming
    others are blanked; None keeps them all)."""
    resolved = resolve_params(files, params)       # the one PARAM rule (render/params.py)
    values, enums = dict(resolved.values), dict(resolved.enums)
    stays = _stays(files)
    moved: list[_Moved] = []
    remaining: list[ShaderFile] = []
    for f in files:
        kept = []
        for spec in f.hooks:
            planes = tuple(h for h in spec.hooks if h in PLANE_HOOKS)
            if not planes or id(spec) in stays:
                kept.append(spec)
                continue
            moved.append(_Moved(spec, planes, f))
            rest = tuple(h for h in spec.hooks if h not in PLANE_HOOKS)
            if rest:
                kept.append(dataclasses.replace(spec, hooks=rest))
        remaining.append(dataclasses.replace(f, hooks=tuple(kept)))
    if not moved:
        return None, list(files)
    return PlaneStage(moved, values, enums, extensions), remaining


def chroma_size(w: int, h: int, pixelformat: str | None) -> tuple[int, int]:
    """The chroma plane's size for libmpv's video-params pixelformat (4:2:0 when unknown:
    what nearly all anime is delivered in)."""
    fmt = (pixelformat or "").lower()
    if any(k in fmt for k in ("444", "gbr", "rgb", "bgr", "xyz", "gray", "y8", "y16")):
        dx, dy = 1, 1
    elif any(k in fmt for k in ("422", "nv16", "y210", "yuyv", "uyvy", "p210", "p216")):
        dx, dy = 2, 1
    elif "411" in fmt:
        dx, dy = 4, 1
    elif "410" in fmt:
        dx, dy = 4, 4
    else:
        dx, dy = 2, 2
    return math.ceil(w / dx), math.ceil(h / dy)


def _stays(files: Sequence[ShaderFile]) -> set[int]:
    """The passes (by id) that must run in our chain: every pass with no plane hook, every
    pass libmpv would abort on (``_unsafe``) and, until nothing changes, every plane pass
    whose SAVE a staying pass binds."""
    specs = [s for f in files for s in f.hooks]
    stays = {id(s) for s in specs
             if not any(h in PLANE_HOOKS for h in s.hooks) or _unsafe(s)}
    while True:
        needed = {b for s in specs if id(s) in stays for b in s.binds}
        more = {id(s) for s in specs if id(s) not in stays and s.save and s.save in needed}
        if not more:
            return stays
        stays |= more


def _unsafe(spec: HookPass) -> bool:
    """Overwrites a plane with more components than it has (see PLANE_COMPONENTS)."""
    return any(h in PLANE_HOOKS and (spec.save or h) == h and spec.components is not None
               and spec.components > PLANE_COMPONENTS[h] for h in spec.hooks)


def _reads_output(spec: HookPass) -> bool:
    return any(e is not None and "OUTPUT" in e.names()
               for e in (spec.when, spec.width, spec.height))


def _textures(f: ShaderFile) -> set[str]:
    return {t.name for t in f.textures}


def _expr(text: str, values: Mapping[str, float], enums: Mapping[str, int],
          output: tuple[int, int] | None = None) -> str:
    words = []
    for tok in text.split():
        if tok in values:
            v = values[tok]
            tok = repr(v) if v >= 0 else f"0 {-v!r} -"
        elif tok in enums:
            tok = str(enums[tok])
        elif output is not None and tok in _OUTPUT_TOKENS:
            tok = str(output[_OUTPUT_TOKENS[tok]])
        words.append(tok)
    return " ".join(words)


def _pass_text(spec: HookPass, planes: tuple[str, ...], f: ShaderFile,
               values: Mapping[str, float], enums: Mapping[str, int],
               output: tuple[int, int] | None = None, drop_when: bool = False) -> str:
    lines = [f"//!HOOK {h}" for h in planes]
    lines += [f"//!BIND {b}" for b in spec.binds]
    if spec.save:
        lines.append(f"//!SAVE {spec.save}")
    lines.append(f"//!DESC {spec.desc}")
    for key, e in (("WIDTH", spec.width), ("HEIGHT", spec.height),
                   ("WHEN", None if drop_when else spec.when)):
        if e is not None:
            lines.append(f"//!{key} {_expr(e.text, values, enums, output)}")
    if spec.components:
        lines.append(f"//!COMPONENTS {spec.components}")
    if spec.offset == "ALIGN":
        lines.append("//!OFFSET ALIGN")
    elif spec.offset:
        lines.append(f"//!OFFSET {spec.offset[0]!r} {spec.offset[1]!r}")
    if spec.compute:
        lines.append("//!COMPUTE " + " ".join(map(str, spec.compute)))
    defines = []
    for p in f.params:
        for i, choice in enumerate(p.enum_values):
            defines.append(f"#define {choice} {i}")
        kind = p.type if p.type in ("int", "uint", "ENUM", "DEFINE") else "float"
        defines.append(f"#define {p.name} {glsl.number(values[p.name], kind)}")
    return "\n".join(lines + defines) + "\n" + spec.body.rstrip("\n") + "\n"


def _texture_text(block: TextureBlock) -> str:
    return (f"//!TEXTURE {block.name}\n//!SIZE {' '.join(map(str, block.size))}\n"
            f"//!FORMAT {block.format}\n//!FILTER {block.filter}\n//!BORDER {block.border}\n"
            f"{block.data.hex()}\n")

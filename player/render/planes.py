"""Passes for the planes only YUV video has: split out and written back as mpv shader text.

libmpv hands our chain RGB, so the source planes of a YUV frame (CHROMA, the true LUMA,
NATIVE before conversion, ALPHA, XYZ) never exist here. libmpv's own renderer has them: a
pass given to its ``glsl-shaders`` option runs on the real planes while libmpv renders the
frame at its native size. This module owns that split, purely (no GL, no libmpv):
``split_plane_hooks`` takes parsed files and returns the text of one shader file for
libmpv and the files that stay in our chain.

Only passes that keep the plane's size go to libmpv (no WIDTH/HEIGHT, or ones that say
HOOKED.w / HOOKED.h): libmpv renders at native size, and a pass that resizes (CuNNy
doubling LUMA, for one) must run where the output size is ours, on the LUMA our chain makes
from RGB. The written text is the original GLSL body under directives rebuilt from the
parsed pass; PARAM values become numbers (``#define`` in GLSL, literals in expressions), as
mpv 0.35 reads no PARAM blocks; TEXTURE blocks a moved pass binds are written with it.
A pass in our chain cannot BIND a texture saved by a pass that moved to libmpv.
"""
from __future__ import annotations

import dataclasses
from typing import Mapping, Sequence

from player.render import glsl
from player.render.hookfile import HookPass, ShaderFile, TextureBlock

PLANE_HOOKS = frozenset({"CHROMA", "LUMA", "NATIVE", "ALPHA", "XYZ"})


def keeps_size(spec: HookPass) -> bool:
    """WIDTH/HEIGHT absent or exactly HOOKED's own size."""
    return all(e is None or e.text.split() in ([f"HOOKED.{a}"], [f"HOOKED.{b}"])
               for e, a, b in ((spec.width, "w", "width"), (spec.height, "h", "height")))


def split_plane_hooks(files: Sequence[ShaderFile],
                      params: Mapping[str, float] | None = None
                      ) -> tuple[str | None, list[ShaderFile]]:
    """(shader text for libmpv's glsl-shaders, or None when no pass moves; the files with
    those passes, or those hook points of a pass, removed). ``params`` override the PARAM
    defaults baked into the text."""
    values: dict[str, float] = {}
    enums: dict[str, int] = {}
    for f in files:
        for p in f.params:
            values[p.name] = float(p.default)
            enums.update({choice: i for i, choice in enumerate(p.enum_values)})
    values.update({k: float(v) for k, v in (params or {}).items()})
    stays = _stays(files)
    moved: list[tuple[HookPass, tuple[str, ...], ShaderFile]] = []
    remaining: list[ShaderFile] = []
    for f in files:
        kept = []
        for spec in f.hooks:
            planes = tuple(h for h in spec.hooks if h in PLANE_HOOKS)
            if not planes or id(spec) in stays:
                kept.append(spec)
                continue
            moved.append((spec, planes, f))
            rest = tuple(h for h in spec.hooks if h not in PLANE_HOOKS)
            if rest:
                kept.append(dataclasses.replace(spec, hooks=rest))
        remaining.append(dataclasses.replace(f, hooks=tuple(kept)))
    if not moved:
        return None, list(files)
    out = ["// a4kplay: passes on YUV planes, run by libmpv (player/render/planes.py)\n"]
    written: set[str] = set()
    for spec, planes, f in moved:
        for block in f.textures:
            if block.name in spec.binds and block.name not in written:
                written.add(block.name)
                out.append(_texture_text(block))
        out.append(_pass_text(spec, planes, f, values, enums))
    return "\n".join(out), remaining


def _stays(files: Sequence[ShaderFile]) -> set[int]:
    """The passes (by id) that must run in our chain: every pass that is not a plane pass
    keeping its size, and, until nothing changes, every plane pass whose SAVE a staying pass
    binds (a CuNNy-shaped pack whose feature passes keep LUMA's size without saying so and
    whose last pass doubles it stays whole: its textures must exist where it runs)."""
    specs = [s for f in files for s in f.hooks]
    stays = {id(s) for s in specs
             if not any(h in PLANE_HOOKS for h in s.hooks) or not keeps_size(s)}
    while True:
        needed = {b for s in specs if id(s) in stays for b in s.binds}
        more = {id(s) for s in specs if id(s) not in stays and s.save and s.save in needed}
        if not more:
            return stays
        stays |= more


def _expr(text: str, values: Mapping[str, float], enums: Mapping[str, int]) -> str:
    words = []
    for tok in text.split():
        if tok in values:
            v = values[tok]
            tok = repr(v) if v >= 0 else f"0 {-v!r} -"
        elif tok in enums:
            tok = str(enums[tok])
        words.append(tok)
    return " ".join(words)


def _pass_text(spec: HookPass, planes: tuple[str, ...], f: ShaderFile,
               values: Mapping[str, float], enums: Mapping[str, int]) -> str:
    lines = [f"//!HOOK {h}" for h in planes]
    lines += [f"//!BIND {b}" for b in spec.binds]
    if spec.save:
        lines.append(f"//!SAVE {spec.save}")
    lines.append(f"//!DESC {spec.desc}")
    for key, e in (("WIDTH", spec.width), ("HEIGHT", spec.height), ("WHEN", spec.when)):
        if e is not None:
            lines.append(f"//!{key} {_expr(e.text, values, enums)}")
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

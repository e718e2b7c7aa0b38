"""The GLSL text the chain generates around a user pass: pure string building, no GL.

This module owns what a pass's program looks like (docs/chain.md, "What a pass sees"): the
head (``#version``, required extensions, the pass's own hoisted directives), the globals,
PARAM definitions, the NAME_* definitions of each bound texture, the ``#line`` that makes
driver errors name the user's file and line, and the vertex shader of every fragment step.
The chain compiles the result; tests read it without a context.

Program assembly, as mpv accepts it: ``#version``, ``#extension`` and ``#pragma`` lines of a
pass body must precede every declaration, so they are hoisted to the program's head (in
order, once each) and blanked in the body, which keeps every other line where the user
wrote it. Only lines outside ``#if``/``#ifdef`` blocks move; a body ``#version`` above ours
replaces ours. When the driver lacks an extension that a pack ``enable``s, the extension's
macro stays undefined and the pack's own ``#ifdef`` fallback compiles.
"""
from __future__ import annotations

import re
from typing import Iterable, Mapping

from player.render.hookfile import HookPass, ParamBlock

# The full-screen triangle of every fragment step. ``a4k_flip`` 1.0 turns the image upside
# down for a bottom-up framebuffer (the window's), so a pass can draw straight into it.
VERTEX = """
out vec2 a4k_pos;
uniform float a4k_flip;
void main() {
    vec2 p = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
    a4k_pos = vec2(p.x, mix(p.y, 1.0 - p.y, a4k_flip));
    gl_Position = vec4(p * 2.0 - 1.0, 0.0, 1.0);
}
"""

_HOISTED = re.compile(r"\s*#\s*(version|extension|pragma)\b(.*)$")
_OPEN_IF = re.compile(r"\s*#\s*if(n?def)?\b")
_CLOSE_IF = re.compile(r"\s*#\s*endif\b")
_VERSION = re.compile(r"\s*(\d+)\s*(\w*)")
_EXTENSION = re.compile(r"^[ \t]*#[ \t]*extension[ \t]+(\w+)[ \t]*:[ \t]*(\w+)", re.M)


def vertex(version: str) -> str:
    return f"#version {version}\n" + VERTEX


def prelude() -> str:
    """The globals every pass sees (docs/chain.md)."""
    return ("uniform float random;\nuniform int frame;\nuniform vec2 input_size;\n"
            "uniform vec2 target_size;\nuniform vec2 tex_offset;\n")


def required_extensions(version: str, compute: bool) -> list[str]:
    if compute and version.startswith("330"):
        return ["#extension GL_ARB_compute_shader : require",
                "#extension GL_ARB_shader_image_load_store : require"]
    return []


def hoist(body: str) -> tuple[dict[str, int], str]:
    """(directives to hoist, body with their lines blanked): ``#version``, ``#extension``
    and ``#pragma`` lines outside conditional blocks, in order, once each, each mapped to
    its 0-based line in ``body`` (its first occurrence)."""
    hoisted: dict[str, int] = {}
    lines = body.split("\n")
    depth = 0
    for i, line in enumerate(lines):
        if _OPEN_IF.match(line):
            depth += 1
        elif _CLOSE_IF.match(line):
            depth = max(0, depth - 1)
        elif depth == 0:
            m = _HOISTED.match(line)
            if m:
                hoisted.setdefault(f"#{m[1]} {' '.join(m[2].split())}".rstrip(), i)
                lines[i] = ""
    return hoisted, "\n".join(lines)


def without_missing_extensions(text: str, have: frozenset[str] | None) -> str:
    """``text`` with its optional ``#extension NAME : enable|warn`` lines blanked where
    NAME is not in ``have`` (the driver's), line count kept; ``have`` None keeps every line.
    Such a line only warns in GLSL, but Mesa rejects any #extension after a declaration,
    which is where mpv's renderer puts a pass body; ``require`` lines stay."""
    if have is None:
        return text

    def blank(m: re.Match) -> str:
        name, behaviour = m.group(1), m.group(2)
        if name in have or name == "all" or behaviour not in ("enable", "warn"):
            return m.group(0)
        return f"// a4kplay: {name} not available here, line left out"
    return _EXTENSION.sub(blank, text)


def head(version: str, compute: bool, hoisted: Iterable[str],
         lines: Mapping[str, int] | None = None) -> str:
    """``#version`` (ours, or the body's when it is higher), our required extensions, then
    the body's hoisted ``#extension``/``#pragma`` lines, each after a ``#line`` giving its
    line in the user's file when ``lines`` knows it (so a driver's "extension unsupported"
    points at the file's line, not at the program's head)."""
    ours = _VERSION.match(version)
    best = (int(ours[1]), ours[2])
    rest = []
    for line in hoisted:
        if line.startswith("#version"):
            m = _VERSION.match(line[len("#version"):])
            if m and int(m[1]) > best[0]:
                best = (int(m[1]), m[2] or best[1])
        else:
            if lines and line in lines:
                rest.append(f"#line {lines[line]}")
            rest.append(line)
    text = f"#version {best[0]} {best[1]}".rstrip()
    return "\n".join([text, *required_extensions(version, compute), *rest]) + "\n"


def texture_defs(name: str, uniform: str, declare: bool, shifted: bool = False) -> str:
    """The NAME_* definitions of one bound texture (aliases of ``uniform`` when not
    ``declare``). ``shifted``: the texture is sampled moved by ``NAME_off`` pixels (a uniform
    set per frame), for HOOKED of an OFFSET ALIGN pass."""
    u = uniform
    if not declare:
        return "".join(f"#define {name}_{s} {u}_{s}\n" for s in
                       ("raw", "size", "pt", "pos", "mul", "rot", "off", "tex", "texOff",
                        "gather", "map"))
    if shifted:
        pos = (f"uniform vec2 {u}_off;\n#define {u}_pos (a4k_pos + {u}_off * {u}_pt)\n"
               f"#define {u}_map(id) ((vec2(id) + vec2(0.5)) / a4k_out_size + "
               f"{u}_off * {u}_pt)\n")
    else:
        pos = (f"#define {u}_off vec2(0.0)\n#define {u}_pos a4k_pos\n"
               f"#define {u}_map(id) ((vec2(id) + vec2(0.5)) / a4k_out_size)\n")
    return (f"uniform sampler2D {u}_raw;\nuniform vec2 {u}_size;\nuniform vec2 {u}_pt;\n"
            + pos +
            f"#define {u}_mul 1.0\n#define {u}_rot mat2(1.0)\n"
            f"#define {u}_tex(pos) ({u}_mul * texture({u}_raw, pos))\n"
            f"#define {u}_texOff(off) {u}_tex({u}_pos + {u}_pt * vec2(off))\n"
            f"#define {u}_gather(pos, c) ({u}_mul * textureGather({u}_raw, pos, c))\n")


def is_uniform(p: ParamBlock) -> bool:
    return p.kind not in ("DEFINE", "CONSTANT") and p.type != "DEFINE"


def glsl_type(p: ParamBlock) -> str:
    return "int" if p.type in ("int", "ENUM") else ("uint" if p.type == "uint" else "float")


def param_defs(params: Mapping[str, tuple[ParamBlock, float]]) -> str:
    """PARAMs: DEFINE ones as ``#define``, CONSTANT ones as ``const``, the rest uniforms;
    ENUM choices ``#define``d to their index."""
    out = []
    for name, (p, v) in params.items():
        for index, choice in enumerate(p.enum_values):
            out.append(f"#define {choice} {index}\n")
        if p.kind == "DEFINE" or p.type == "DEFINE":
            out.append(f"#define {name} {number(v, p.type)}\n")
        elif p.kind == "CONSTANT":
            t = glsl_type(p)
            out.append(f"const {t} {name} = {number(v, t)};\n")
        else:
            out.append(f"uniform {glsl_type(p)} {name};\n")
    return "".join(out)


def number(v, kind: str) -> str:
    if kind in ("int", "ENUM", "DEFINE") and float(v).is_integer():
        return str(int(v))
    if kind == "uint":
        return f"{int(v)}u"
    return repr(float(v))


def user_pass(version: str, spec: HookPass, defs: str, params: str) -> str:
    """The whole program text of a user pass: head, globals, params, texture definitions,
    ``#line`` and the body (fragment: ``vec4 hook()`` into ``a4k_out``; compute: ``void
    hook()`` writing ``out_image``)."""
    compute = spec.compute is not None
    found, body = hoist(spec.body)
    lines = {text: spec.body_line + i for text, i in found.items()}
    text = head(version, compute, found, lines) + prelude() + params
    if compute:
        _, _, tw, th = spec.compute
        text += (f"layout(local_size_x = {tw}, local_size_y = {th}) in;\n"
                 "layout(rgba16f) writeonly uniform image2D out_image;\n"
                 "uniform vec2 a4k_out_size;\n"
                 "#define a4k_pos ((vec2(gl_GlobalInvocationID.xy) + vec2(0.5)) "
                 "/ a4k_out_size)\n")
        main = "\nvoid main() { hook(); }\n"
    else:
        text += "in vec2 a4k_pos;\nout vec4 a4k_out;\nuniform vec2 a4k_out_size;\n"
        main = "\nvoid main() { a4k_out = hook(); }\n"
    return text + defs + f"#line {spec.body_line}\n" + body + main

"""Texture fetches per output pixel of a chain, counted statically from the shader source.

This module owns the cost model the bench reports beside its timings: how many texture
reads each pass issues per pixel it writes, and what that sums to per pixel of the final
output. It is pure logic (no GL): it weighs the steps of the chain's own plan (plan.py, the
one walk over hook points) by their size, so the count can be checked without a context
and explained without a profiler.

Method (docs/performance.md has the long form):
- A pass's count is the number of fetch calls reached from its ``hook()`` function:
  ``texture``, ``texelFetch``, ``textureLod``, ``textureOffset`` ... count 1,
  ``textureGather*`` count 4 (four texels per call), ``imageLoad`` counts 1, and the mpv
  helpers ``NAME_tex`` / ``NAME_texOff`` count 1 and ``NAME_gather`` 4.
- Calls to the pass's own functions and ``#define`` macros add the fetches of their body
  at every call site; a ``for`` loop with constant bounds multiplies its body by its trip
  count. Every branch is counted as taken, so early ``return``/``break`` and ``if`` make the
  figure an upper bound (the refine passes of our tiers return early on flat pixels).
- A fetch is one call: a GL_LINEAR ``texture()`` that blends 4 texels counts 1.
- Loops whose bounds are not constant (or ``while`` loops) are counted once and reported
  in ``notes``. Macro arguments that contain fetches are counted once, not once per use.
- Per output pixel: sum over the passes that run of count x pixels written (for a compute
  pass: x threads dispatched, as each thread runs hook() once whatever it writes), divided
  by the output's pixel count. The built-in scaler adds ``scalers.taps`` (half per axis for the
  separable ones, the horizontal half weighted by its smaller, input-height target).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from player.render import plan as planner, scalers
from player.render.hookfile import ShaderFile

# GLSL built-ins that read a texture, and how many texels one call returns
BUILTIN_FETCHES = {name: 1 for name in (
    "texture", "textureOffset", "textureLod", "textureLodOffset", "textureGrad",
    "textureGradOffset", "textureProj", "textureProjOffset", "textureProjLod",
    "textureProjLodOffset", "textureProjGrad", "texelFetch", "texelFetchOffset",
    "imageLoad")}
BUILTIN_FETCHES.update(textureGather=4, textureGatherOffset=4, textureGatherOffsets=4)
HELPER_SUFFIXES = (("_texOff", 1), ("_tex", 1), ("_gather", 4))  # mpv's NAME_* helpers

_IDENT = re.compile(r"[A-Za-z_]\w*")
_FUNC_DEF = re.compile(r"\b[A-Za-z_]\w*\s+([A-Za-z_]\w*)\s*\(([^()]*)\)\s*\{")
_CONST_INT = re.compile(r"\bconst\s+u?int\s+([A-Za-z_]\w*)\s*=\s*([^;]+);")
_FOR_HEAD = re.compile(
    r"^\s*(?:u?int\s+)?(\w+)\s*=\s*([^;]+);\s*(\w+)\s*(<=|<|>=|>|!=)\s*([^;]+);\s*(.*?)\s*$",
    re.S)


@dataclass
class PassCount:
    """Fetches per written pixel of one pass, with what could not be counted exactly."""
    fetches: int
    notes: list[str] = field(default_factory=list)


def strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def _matching(text: str, start: int, open_ch: str, close_ch: str) -> int:
    """Index just after the bracket closing the one at ``start`` (len(text) if unclosed)."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == open_ch:
            depth += 1
        elif text[i] == close_ch:
            depth -= 1
            if depth == 0:
                return i + 1
    return len(text)


class _Source:
    """One pass body split into macros, functions and integer constants."""

    def __init__(self, body: str):
        text = strip_comments(body).replace("\\\n", " ")
        self.macros: dict[str, str] = {}
        lines = []
        for line in text.split("\n"):
            m = re.match(r"\s*#\s*define\s+([A-Za-z_]\w*)(\([^)]*\))?\s*(.*)", line)
            if m:
                self.macros[m.group(1)] = m.group(3)
                lines.append("")
            elif re.match(r"\s*#", line):
                lines.append("")
            else:
                lines.append(line)
        self.code = "\n".join(lines)
        self.functions: dict[str, str] = {}
        for m in _FUNC_DEF.finditer(self.code):
            if m.group(1) in ("if", "for", "while", "switch"):
                continue
            brace = m.end() - 1
            self.functions[m.group(1)] = self.code[brace + 1:_matching(self.code, brace, "{", "}") - 1]
        self.constants = {m.group(1): m.group(2) for m in _CONST_INT.finditer(self.code)}
        for name, value in self.macros.items():
            self.constants.setdefault(name, value)
        self._cost: dict[str, int] = {}
        self.notes: list[str] = []

    def int_value(self, expr: str, depth: int = 0) -> int | None:
        """A constant integer expression (literals, const ints, macros), else None."""
        expr = expr.strip()
        if depth > 8:
            return None

        def sub(m):
            name = m.group(0)
            if name in self.constants:
                v = self.int_value(self.constants[name], depth + 1)
                if v is not None:
                    return f"({v})"
            return name
        expr = _IDENT.sub(sub, re.sub(r"(\d+)u\b", r"\1", expr))
        if not re.fullmatch(r"[\d\s+\-*/%()]+", expr):
            return None
        try:
            return int(eval(expr.replace("/", "//"), {"__builtins__": {}}, {}))  # digits only
        except (SyntaxError, ZeroDivisionError, ValueError):
            return None

    def trip_count(self, header: str) -> int | None:
        m = _FOR_HEAD.match(header)
        if not m or m.group(3) != m.group(1):
            return None
        var, first, _, op, bound, step_text = m.groups()
        a, b = self.int_value(first), self.int_value(bound)
        step = None
        if re.fullmatch(rf"(\+\+\s*{var}|{var}\s*\+\+)", step_text):
            step = 1
        elif re.fullmatch(rf"(--\s*{var}|{var}\s*--)", step_text):
            step = -1
        else:
            s = re.fullmatch(rf"{var}\s*([+-])=\s*(.+)", step_text)
            if s:
                v = self.int_value(s.group(2))
                step = None if v is None else (v if s.group(1) == "+" else -v)
        if a is None or b is None or not step:
            return None
        if op == "<=":
            b, op = b + 1, "<"
        elif op == ">=":
            b, op = b - 1, ">"
        if op in ("<", "!=") and step > 0:
            return max(0, -(-(b - a) // step))
        if op in (">", "!=") and step < 0:
            return max(0, -(-(a - b) // -step))
        return None

    def cost(self, name: str, body: str, stack: tuple[str, ...] = ()) -> int:
        if name in stack:  # GLSL forbids recursion; a macro naming itself is not expanded
            return 0
        if name not in self._cost:
            self._cost[name] = self.count(body, stack + (name,))
        return self._cost[name]

    def count(self, code: str, stack: tuple[str, ...] = ()) -> int:
        total, i = 0, 0
        while True:
            m = _IDENT.search(code, i)
            if not m:
                return total
            word, i = m.group(0), m.end()
            rest = code[i:].lstrip()
            call = rest.startswith("(")
            paren = i + (len(code[i:]) - len(rest))
            if word in ("for", "while") and call:
                head_end = _matching(code, paren, "(", ")")
                header = code[paren + 1:head_end - 1]
                j = head_end + (len(code[head_end:]) - len(code[head_end:].lstrip()))
                if code[j:j + 1] == "{":
                    end = _matching(code, j, "{", "}")
                else:
                    end = self._statement_end(code, j)
                inner = self.count(code[j:end], stack)
                trips = self.trip_count(header) if word == "for" else None
                if trips is None:
                    if inner:
                        self.notes.append(f"{word} ({header.strip()}): loop with a bound that "
                                          "is not constant, counted once")
                    trips = 1
                total += inner * trips
                i = end
            elif word in self.macros and word not in stack:
                total += self.cost(word, self.macros[word], stack)
            elif call and word in self.functions and word not in stack:
                total += self.cost(word, self.functions[word], stack)
            elif call and word in BUILTIN_FETCHES:
                total += BUILTIN_FETCHES[word]
            elif call:
                total += next((n for suffix, n in HELPER_SUFFIXES
                               if word.endswith(suffix) and len(word) > len(suffix)), 0)

    @staticmethod
    def _statement_end(code: str, j: int) -> int:
        depth = 0
        for k in range(j, len(code)):
            c = code[k]
            if c in "({[":
                depth += 1
            elif c in ")}]":
                depth -= 1
            elif c == ";" and depth == 0:
                return k + 1
        return len(code)


def count_pass(body: str) -> PassCount:
    """Fetches per written pixel of one pass body (an upper bound: see the module doc)."""
    src = _Source(body)
    entry = src.functions.get("hook")
    if entry is None:
        return PassCount(src.count(src.code), ["no hook() found: counted the whole body"])
    n = src.cost("hook", entry)
    return PassCount(n, list(dict.fromkeys(src.notes)))


# ---- over the chain's plan ---------------------------------------------------------------

@dataclass
class PlannedPass:
    """One draw the chain makes for a frame: what it is, where it writes, what it reads."""
    desc: str
    w: int
    h: int
    fetches: int
    notes: list[str] = field(default_factory=list)
    invocations: int | None = None   # compute: threads dispatched (each runs hook() once)

    @property
    def pixels(self) -> int:
        return self.w * self.h

    @property
    def calls(self) -> int:
        """How many times the counted body runs per frame: once per pixel written for a
        fragment pass, once per thread for a compute pass (which may write several pixels
        or none: CuNNy's and our learned tiers' threads write 2-8 each)."""
        return self.invocations if self.invocations is not None else self.pixels


def _builtin_fetches(kind: str, scaler: str) -> int:
    taps = scalers.taps(scaler)
    return {"luma": 1, "luma_merge": 3, "bilinear": 1, "copy": 1, "scale_x": taps // 2,
            "scale_y": taps - taps // 2}[kind]


def plan(files: Sequence[ShaderFile], in_size: tuple[int, int], out_size: tuple[int, int],
         scaler: str = "bicubic", params: Mapping[str, float] | None = None
         ) -> list[PlannedPass]:
    """The passes a chain runs for one frame at these sizes, in order, with their counts:
    the steps of the chain's own plan (player.render.plan.build), so skipped passes (WHEN
    false, a bound texture missing, a bad size) do not appear, as they cost no draw there."""
    counts: dict[int, PassCount] = {}
    out: list[PlannedPass] = []
    for st in planner.build(files, in_size, out_size, params, scaler).steps:
        if st.kind == "pass":
            c = counts.get(id(st.spec))
            if c is None:
                c = counts[id(st.spec)] = count_pass(st.spec.body)
            threads = None
            if st.groups is not None:
                _, _, tw, th = st.spec.compute
                threads = st.groups[0] * st.groups[1] * tw * th
            out.append(PlannedPass(st.desc, st.w, st.h, c.fetches, list(c.notes), threads))
        else:
            out.append(PlannedPass(st.desc, st.w, st.h, _builtin_fetches(st.kind, scaler)))
    return out


def per_output_pixel(planned: Sequence[PlannedPass], out_size: tuple[int, int]) -> float:
    """Fetches per pixel of the final output: each pass's count times the times its body
    runs (pixels written, or compute threads)."""
    total = sum(p.fetches * p.calls for p in planned)
    return total / float(out_size[0] * out_size[1])

"""mpv user-shader ("hook") files: text in, frozen dataclasses out. Pure Python, no GL.

This module owns the file format and nothing else: which directives exist, what their
arguments mean, and every load-time check. The chain decides what a pass *does*; by the time
it sees a HookPass, the pass is known to be well formed, so the chain never has to re-parse
or second-guess the text. References: mpv's manual (--glsl-shaders) and libplacebo's
"Custom Shaders (mpv .hook syntax)" page, whose extensions (PARAM blocks, OFFSET ALIGN,
FORMAT names like rg16hf, BORDER MIRROR) we accept too. It is over 500 lines on purpose:
it is the whole format (expressions and three block kinds) with every check beside the
syntax it checks, sharing one error path that names the file and line.

Size and condition expressions (WIDTH/HEIGHT/WHEN) are compiled once, here, into a flat
token tuple whose stack depth is already proven correct; Expr.eval only walks that tuple,
because it runs for every pass on every frame.

Deliberate choices where the references leave room:
- `//!` is a directive only in column 1; an indented `//!` is an error, not silently GLSL.
- Operators must stand alone and literals are unsigned (`-1` is an error, write `0 1 -`):
  mpv would read `-1` as a bare minus, so rejecting it keeps files portable both ways.
- A bare word in an expression must be a PARAM of the same file or an ENUM choice name
  (choices become constants at compile time, as libplacebo defines them); anything else is
  a load-time error rather than a per-frame failure.
- `=` is libplacebo's fuzzy equality (1 ppm relative), made symmetric for negatives.
"""
from __future__ import annotations

import math
import os
import re
from dataclasses import InitVar, dataclass, field
from typing import Callable, Mapping

from player.base.errors import ShaderError

__all__ = ["Expr", "HookPass", "TextureBlock", "ParamBlock", "ShaderFile",
           "parse", "load", "texel_size"]

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# ASCII digits only: \d would also admit other scripts' digits, which float() accepts.
_NUMBER = r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_FLOAT = re.compile(_NUMBER + r"\Z")
_SIGNED_FLOAT = re.compile(r"[+-]?" + _NUMBER + r"\Z")
_INT = re.compile(r"[+-]?[0-9]+\Z")
_UINT = re.compile(r"\+?[0-9]+\Z")
_DIRECTIVE = re.compile(r"//!(\S*)\s*(.*?)\s*\Z")
_HEX = re.compile(r"[0-9A-Fa-f]*\Z")
_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)
_HOOK_FN = re.compile(r"\b(vec4|void)\s+hook\s*\(\s*(?:void\s*)?\)\s*\{")
_INT32 = (-2**31, 2**31 - 1)
_UINT32_MAX = 2**32 - 1

HOOK_KEYS = ("HOOK", "BIND", "SAVE", "DESC", "WIDTH", "HEIGHT", "WHEN", "COMPONENTS",
             "OFFSET", "COMPUTE")
TEXTURE_KEYS = ("TEXTURE", "SIZE", "FORMAT", "FILTER", "BORDER")
PARAM_KEYS = ("PARAM", "TYPE", "MINIMUM", "MAXIMUM", "DESC")


# --------------------------------------------------------------------------- expressions

# Opcodes of a compiled expression; each token is (opcode, argument).
_PUSH, _WIDTH, _HEIGHT, _PARAM, _BINARY, _NOT = range(6)


def _gt(a: float, b: float) -> float:
    return 1.0 if a > b else 0.0


def _lt(a: float, b: float) -> float:
    return 1.0 if a < b else 0.0


def _fuzzy_eq(a: float, b: float) -> float:
    # libplacebo: equal within about 1 ppm, so sizes computed two ways still compare equal.
    return 1.0 if abs(a - b) <= 1e-6 * max(abs(a), abs(b)) else 0.0


_BINARY_OPS: dict[str, Callable[[float, float], float]] = {
    "+": float.__add__, "-": float.__sub__, "*": float.__mul__,
    "/": float.__truediv__, "%": math.fmod, ">": _gt, "<": _lt, "=": _fuzzy_eq,
}


class _NotFinite(Exception):
    """Internal: an intermediate value was inf or nan."""


_SUFFIXES = ((".width", _WIDTH), (".w", _WIDTH), (".height", _HEIGHT), (".h", _HEIGHT))


def _compile(text: str, words: Mapping[str, float | None] | None) -> tuple:
    """RPN text -> token tuple. `words` maps bare words to a constant (ENUM choice) or None
    (a PARAM read at eval time); without it, any identifier is taken as a PARAM."""
    tokens = text.split()
    if not tokens:
        raise ShaderError("empty expression: expected RPN tokens such as 'HOOKED.w 2 *'")
    code: list[tuple[int, object]] = []
    depth = 0
    for i, tok in enumerate(tokens, 1):
        where = f"token {i} '{tok}'"
        if tok in _BINARY_OPS:
            if depth < 2:
                raise ShaderError(f"stack underflow at {where}: the operator needs two "
                                  f"values, {depth} available")
            code.append((_BINARY, _BINARY_OPS[tok]))
            depth -= 1
            continue
        if tok == "!":
            if depth < 1:
                raise ShaderError(f"stack underflow at {where}: '!' needs one value, none "
                                  "available")
            code.append((_NOT, None))
            continue
        depth += 1
        if _FLOAT.match(tok):
            value = float(tok)
            if not math.isfinite(value):
                raise ShaderError(f"number out of range at {where}")
            code.append((_PUSH, value))
            continue
        for suffix, opcode in _SUFFIXES:
            if tok.endswith(suffix) and _IDENT.match(tok[:-len(suffix)]):
                code.append((opcode, tok[:-len(suffix)]))
                break
        else:
            if _IDENT.match(tok):
                if words is None:
                    code.append((_PARAM, tok))
                elif tok not in words:
                    raise ShaderError(
                        f"unknown name at {where}: not a PARAM or ENUM choice of this file",
                        hint="textures need .w/.width or .h/.height")
                elif words[tok] is None:
                    code.append((_PARAM, tok))
                else:
                    code.append((_PUSH, float(words[tok])))  # ENUM choice: a constant
                continue
            hint = None
            if tok[0] in "+-*/%<>=!":
                hint = "operators stand alone, numbers are unsigned: write '0 1 -' for -1"
            raise ShaderError(f"malformed {where}: expected a number, NAME.w, NAME.h, a "
                              "PARAM name or one of + - * / % > < = !", hint=hint)
    if depth != 1:
        raise ShaderError(f"expression leaves {depth} values on the stack, expected "
                          "exactly one")
    return tuple(code)


@dataclass(frozen=True)
class Expr:
    """An RPN expression compiled once at load time. Construct it from text (compiles, may
    raise ShaderError); `words` is the file's bare-word table, see _compile."""
    text: str
    path: str = "<string>"
    line: int = 0
    words: InitVar[Mapping[str, float | None] | None] = None
    _code: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self, words: Mapping[str, float | None] | None) -> None:
        try:
            code = _compile(self.text, words)
        except ShaderError as e:
            raise ShaderError(e.message, self.path, self.line, source=self.text,
                              hint=e.hint) from None
        object.__setattr__(self, "_code", code)

    @staticmethod
    def constant(value: float) -> "Expr":
        value = float(value) + 0.0  # + 0.0 turns -0.0 into 0.0
        if not math.isfinite(value):
            raise ShaderError(f"an expression constant must be finite, got {value!r}")
        text = repr(value) if value >= 0 else f"0 {-value!r} -"
        return Expr(text, "<constant>", 0)

    def names(self) -> frozenset[str]:
        """Texture names whose size the expression reads."""
        return frozenset(arg for op, arg in self._code if op in (_WIDTH, _HEIGHT))

    def param_names(self) -> frozenset[str]:
        """PARAM names the expression reads at eval time (ENUM choices are constants)."""
        return frozenset(arg for op, arg in self._code if op == _PARAM)

    def eval(self, size: Callable[[str, str], float], param: Callable[[str], float]) -> float:
        """size(texname, "w"|"h") and param(name) raise KeyError for unknown names."""
        stack: list[float] = []
        push, pop, isfinite = stack.append, stack.pop, math.isfinite
        arg: object = None
        try:
            for op, arg in self._code:
                if op == _PUSH:
                    push(arg)
                    continue
                if op == _BINARY:
                    b = pop()
                    value = arg(pop(), b)
                elif op == _NOT:
                    value = 1.0 if pop() == 0.0 else 0.0
                elif op == _WIDTH:
                    value = float(size(arg, "w"))
                elif op == _HEIGHT:
                    value = float(size(arg, "h"))
                else:
                    value = float(param(arg))
                if not isfinite(value):
                    raise _NotFinite
                push(value)
        except KeyError:
            kind = "parameter" if op == _PARAM else "texture"
            raise ShaderError(f"unknown {kind} '{arg}' in expression", self.path,
                              self.line, source=self.text,
                              hint="a texture must exist before a pass reads its size"
                              if kind == "texture" else None) from None
        except (_NotFinite, ZeroDivisionError, ValueError, OverflowError):
            raise ShaderError("expression has no finite value (division by zero, or a "
                              "non-finite size or parameter)", self.path, self.line,
                              source=self.text) from None
        return stack[0]


# --------------------------------------------------------------------------- blocks

@dataclass(frozen=True)
class HookPass:
    path: str
    line: int                         # line of the block's first //! directive
    hooks: tuple[str, ...]
    binds: tuple[str, ...]
    save: str | None                  # None: overwrite the hooked texture
    desc: str
    width: Expr | None
    height: Expr | None
    when: Expr | None
    components: int | None
    offset: tuple[float, float] | str | None   # (ox, oy) or "ALIGN"
    compute: tuple[int, int, int, int] | None  # bw bh tw th
    body: str
    body_line: int                    # 1-based file line of the first body line


@dataclass(frozen=True)
class TextureBlock:
    path: str
    line: int
    name: str
    size: tuple[int, ...]
    format: str
    filter: str
    border: str
    data: bytes


@dataclass(frozen=True)
class ParamBlock:
    path: str
    line: int
    name: str
    type: str                         # float | int | uint | DEFINE | ENUM
    kind: str                         # DYNAMIC | CONSTANT | DEFINE
    enum_values: tuple[str, ...]
    minimum: float | None
    maximum: float | None
    desc: str
    default: float                    # for ENUM: index of the default choice

    @property
    def integral(self) -> bool:
        return self.type != "float"

    def clamp(self, value: float) -> float:
        """An override value made valid: finite, integral for integer types, clamped to
        MINIMUM/MAXIMUM."""
        try:
            value = float(value)
        except (TypeError, ValueError):
            value = math.nan
        if not math.isfinite(value):
            raise self._error(f"PARAM {self.name} needs a finite number, got {value!r}")
        if self.integral and value != int(value):
            raise self._error(f"PARAM {self.name} is {self.type}: needs a whole number, "
                              f"got {value!r}")
        if self.minimum is not None:
            value = max(value, self.minimum)
        if self.maximum is not None:
            value = min(value, self.maximum)
        return value

    def parse_value(self, text: str) -> float:
        """A user-given override (a number, or an ENUM choice name), validated by clamp."""
        text = str(text).strip()
        if text in self.enum_values:
            return float(self.enum_values.index(text))
        if not _SIGNED_FLOAT.match(text):
            expected = f"one of {', '.join(self.enum_values)}" if self.enum_values else \
                "a number"
            raise self._error(f"PARAM {self.name} expects {expected}, got '{text}'")
        return self.clamp(float(text))

    def _error(self, message: str) -> ShaderError:
        return ShaderError(message, self.path, self.line)


@dataclass(frozen=True)
class ShaderFile:
    path: str
    hooks: tuple[HookPass, ...]
    textures: tuple[TextureBlock, ...]
    params: tuple[ParamBlock, ...]

    def param_defaults(self) -> dict[str, float]:
        return {p.name: p.default for p in self.params}


def texel_size(fmt: str) -> int | None:
    """Bytes per texel of a FORMAT name (mpv/libplacebo naming), None when unknown."""
    fmt = fmt.lower()
    if fmt in ("rgb10a2", "rgb10_a2", "bgr10a2", "rgb10a2u"):
        return 4
    m = re.fullmatch(r"(r|rg|rgb|rgba|bgra|bgr)(8|16|32|64)(hf|f|i|u|s|ui)?", fmt)
    if not m:
        return None
    comps, bits, kind = len(m[1]), int(m[2]), m[3] or ""
    valid = {"": (8, 16), "s": (8, 16), "hf": (16,), "f": (16, 32, 64)}.get(kind, (8, 16, 32, 64))
    return comps * bits // 8 if bits in valid else None


# --------------------------------------------------------------------------- parsing

@dataclass
class _Directive:
    line: int
    key: str
    args: str
    source: str


@dataclass
class _Block:
    header: list[_Directive]
    body: list[str]
    body_line: int


def load(path: str | os.PathLike) -> ShaderFile:
    name = os.fspath(path)
    try:
        with open(name, "rb") as f:
            data = f.read()
    except OSError as e:
        raise ShaderError(f"cannot read shader file: {e.strerror or e}", name) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise ShaderError("shader file is not valid UTF-8", name, line,
                          hint="save the file as UTF-8") from None
    return parse(text, name)


def parse(text: str, path: str = "<string>") -> ShaderFile:
    return _Parser(text, path).run()


class _Parser:
    def __init__(self, text: str, path: str):
        self.path = path
        self.lines = [ln[:-1] if ln.endswith("\r") else ln
                      for ln in text.removeprefix("\ufeff").split("\n")]

    def error(self, message: str, line: int | None, hint: str | None = None) -> ShaderError:
        source = self.lines[line - 1] if line and line <= len(self.lines) else None
        return ShaderError(message, self.path, line, source=source, hint=hint)

    # Splitting: header = run of //! lines; body = everything up to the next //! line.
    def split(self) -> list[_Block]:
        blocks: list[_Block] = []
        for number, line in enumerate(self.lines, 1):
            if line.startswith("//!"):
                m = _DIRECTIVE.match(line)
                if m is None or not m[1]:
                    raise self.error("empty directive: expected //!KEY arguments", number)
                directive = _Directive(number, m[1], m[2], line)
                if blocks and not blocks[-1].body:
                    blocks[-1].header.append(directive)
                    blocks[-1].body_line = number + 1
                else:
                    blocks.append(_Block([directive], [], number + 1))
            elif line.lstrip().startswith("//!"):
                raise self.error("a //! directive must start at the beginning of its line",
                                 number, hint="remove the indentation")
            elif blocks:
                block = blocks[-1]
                if not block.body:
                    block.body_line = number
                block.body.append(line)
        if not blocks:
            raise self.error("no //! directives found: not an mpv user shader", None,
                             hint="passes start with a line like //!HOOK MAIN")
        return blocks

    def run(self) -> ShaderFile:
        blocks = self.split()
        kinds = [self.kind(b) for b in blocks]
        params = [self.param(b) for b, k in zip(blocks, kinds) if k == "PARAM"]
        words = self.words(params)
        textures: list[TextureBlock] = []
        hooks: list[HookPass] = []
        seen: dict[str, int] = {}
        for block, kind in zip(blocks, kinds):
            if kind == "TEXTURE":
                tex = self.texture(block)
                if tex.name in seen:
                    raise self.error(f"duplicate TEXTURE '{tex.name}' (first defined at "
                                     f"line {seen[tex.name]})", tex.line)
                seen[tex.name] = tex.line
                textures.append(tex)
            elif kind == "HOOK":
                hooks.append(self.hook(block, words))
        return ShaderFile(self.path, tuple(hooks), tuple(textures), tuple(params))

    def kind(self, block: _Block) -> str:
        first = block.header[0]
        if first.key in ("TEXTURE", "PARAM"):
            return first.key
        if first.key == "BUFFER":
            raise self.error("BUFFER blocks are not supported", first.line,
                             hint="only HOOK, TEXTURE and PARAM blocks are")
        return "HOOK"

    def words(self, params: list[ParamBlock]) -> dict[str, float | None]:
        """Bare words an expression may use: PARAM names and ENUM choice names."""
        words: dict[str, float | None] = {}
        owner: dict[str, ParamBlock] = {}
        for p in params:
            for word, value in [(p.name, None)] + [(v, float(i)) for i, v in
                                                  enumerate(p.enum_values)]:
                if word in words:
                    raise self.error(f"name '{word}' of PARAM {p.name} is already used by "
                                     f"PARAM {owner[word].name} (line {owner[word].line})",
                                     p.line)
                words[word], owner[word] = value, p
        return words

    # ---- HOOK blocks

    def hook(self, block: _Block, words: dict[str, float | None]) -> HookPass:
        hooks: list[str] = []
        binds: list[str] = []
        found: dict[str, object] = {}
        for d in block.header:
            if d.key == "HOOK":
                hooks.append(self.texname(d))
            elif d.key == "BIND":
                binds.append(self.texname(d))
            elif d.key == "SAVE":
                name = self.texname(d)
                found["save"] = None if name == "HOOKED" else name
            elif d.key == "DESC":
                found["desc"] = d.args
            elif d.key in ("WIDTH", "HEIGHT", "WHEN"):
                found[d.key.lower()] = self.expr(d, words)
            elif d.key == "COMPONENTS":
                if not re.fullmatch(r"[1-4]", d.args):
                    raise self.error(f"COMPONENTS must be an integer 1..4, got '{d.args}'",
                                     d.line)
                found["components"] = int(d.args)
            elif d.key == "OFFSET":
                found["offset"] = self.offset(d)
            elif d.key == "COMPUTE":
                found["compute"] = self.compute(d)
            else:
                raise self.unknown(d, "HOOK", HOOK_KEYS)
        first = block.header[0]
        if not hooks:
            raise self.error("a shader pass needs at least one HOOK directive", first.line,
                             hint="e.g. //!HOOK MAIN; a blank line between directives "
                             "also splits a block in two")
        body = "\n".join(block.body)
        self.check_hook_function(body, first.line, "compute" in found, block)
        return HookPass(
            path=self.path, line=first.line, hooks=tuple(hooks), binds=tuple(binds),
            save=found.get("save"),
            desc=found.get("desc") or f"{os.path.basename(self.path)}:{first.line}",
            width=found.get("width"), height=found.get("height"), when=found.get("when"),
            components=found.get("components"), offset=found.get("offset"),
            compute=found.get("compute"), body=body, body_line=block.body_line)

    def check_hook_function(self, body: str, line: int, compute: bool,
                            block: _Block) -> None:
        want = "void" if compute else "vec4"
        m = _HOOK_FN.search(_COMMENT.sub(" ", body))
        if m is None:
            hint = f"the pass body must define '{want} hook()'"
            if not body.strip():
                hint = "the block has no GLSL body; a blank line ends a directive header"
            raise self.error("missing hook function in HOOK pass body", line, hint=hint)
        if m[1] != want:
            raise self.error(f"a {'COMPUTE' if compute else 'fragment'} pass must define "
                             f"'{want} hook()', found '{m[1]} hook()'", line)

    def texname(self, d: _Directive) -> str:
        if not _IDENT.match(d.args):
            raise self.error(f"{d.key} needs one texture name (letters, digits, _), got "
                             f"'{d.args}'", d.line)
        return d.args

    def expr(self, d: _Directive, words: dict[str, float | None]) -> Expr:
        try:
            return Expr(d.args, self.path, d.line, words)
        except ShaderError as e:
            raise self.error(f"{d.key}: {e.message}", d.line, hint=e.hint) from None

    def offset(self, d: _Directive) -> tuple[float, float] | str:
        if d.args == "ALIGN":
            return "ALIGN"
        parts = d.args.split()
        if len(parts) == 2 and all(_SIGNED_FLOAT.match(p) for p in parts):
            ox, oy = (float(p) for p in parts)
            if math.isfinite(ox) and math.isfinite(oy):
                return (ox, oy)
        raise self.error(f"OFFSET must be two numbers 'ox oy' or ALIGN, got '{d.args}'",
                         d.line)

    def compute(self, d: _Directive) -> tuple[int, int, int, int]:
        parts = d.args.split()
        if len(parts) in (2, 4) and all(re.fullmatch(r"[0-9]{1,5}", p) and int(p) > 0
                                        for p in parts):
            bw, bh, *threads = (int(p) for p in parts)
            tw, th = threads or (bw, bh)
            return (bw, bh, tw, th)
        raise self.error(f"COMPUTE must be 'bw bh [tw th]' with positive integers, got "
                         f"'{d.args}'", d.line)

    def unknown(self, d: _Directive, kind: str, keys: tuple[str, ...]) -> ShaderError:
        return self.error(f"unknown directive '{d.key}' in a {kind} block", d.line,
                          hint=f"expected one of {', '.join(keys)}")

    # ---- TEXTURE blocks

    def texture(self, block: _Block) -> TextureBlock:
        first = block.header[0]
        name = self.texname(first)
        size: tuple[int, ...] = (1, 1)  # mpv and libplacebo default to 1x1
        fmt = None
        filt, border = "LINEAR", "CLAMP"
        for d in block.header[1:]:
            if d.key == "SIZE":
                parts = d.args.split()
                if not 1 <= len(parts) <= 3 or not all(
                        re.fullmatch(r"[0-9]{1,6}", p) and int(p) > 0 for p in parts):
                    raise self.error("SIZE must be 1 to 3 positive integers 'w [h [d]]', "
                                     f"got '{d.args}'", d.line)
                size = tuple(int(p) for p in parts)
            elif d.key == "FORMAT":
                if not re.fullmatch(r"[A-Za-z0-9_]+", d.args):
                    raise self.error(f"FORMAT needs a format name such as rgba16f, got "
                                     f"'{d.args}'", d.line)
                fmt = d.args.lower()
            elif d.key == "FILTER":
                filt = self.choice(d, ("LINEAR", "NEAREST"))
            elif d.key == "BORDER":
                border = self.choice(d, ("CLAMP", "REPEAT", "MIRROR"))
            else:
                raise self.unknown(d, "TEXTURE", TEXTURE_KEYS)
        if fmt is None:
            raise self.error(f"TEXTURE {name} needs a FORMAT", first.line)
        data = self.hexdata(block, name)
        per_texel = texel_size(fmt)
        if per_texel is not None:
            expected = math.prod(size) * per_texel
            if len(data) != expected:
                raise self.error(f"TEXTURE {name}: got {len(data)} bytes of data, expected "
                                 f"{expected} ({'x'.join(map(str, size))} texels of "
                                 f"{fmt}, {per_texel} bytes each)", first.line)
        return TextureBlock(self.path, first.line, name, size, fmt, filt, border, data)

    def choice(self, d: _Directive, options: tuple[str, ...]) -> str:
        if d.args not in options:
            raise self.error(f"{d.key} must be {' or '.join(options)}, got '{d.args}'",
                             d.line)
        return d.args

    def hexdata(self, block: _Block, name: str) -> bytes:
        chunks = []
        for offset, line in enumerate(block.body):
            chunk = "".join(line.split())
            if not _HEX.match(chunk):
                raise self.error(f"TEXTURE {name}: data must be hexadecimal digits",
                                 block.body_line + offset)
            chunks.append(chunk)
        digits = "".join(chunks)
        if not digits:
            raise self.error(f"TEXTURE {name} has no data: expected hex bytes after its "
                             "directives", block.header[0].line)
        if len(digits) % 2:
            raise self.error(f"TEXTURE {name}: odd number of hex digits ({len(digits)})",
                             block.header[0].line)
        return bytes.fromhex(digits)

    # ---- PARAM blocks

    def param(self, block: _Block) -> ParamBlock:
        first = block.header[0]
        if not _IDENT.match(first.args):
            raise self.error(f"PARAM needs one name (letters, digits, _), got "
                             f"'{first.args}'", first.line)
        name = first.args
        ptype = kind = None
        desc = ""
        bounds: dict[str, _Directive] = {}
        for d in block.header[1:]:
            if d.key == "TYPE":
                ptype, kind = self.param_type(d)
            elif d.key == "DESC":
                desc = d.args
            elif d.key in ("MINIMUM", "MAXIMUM"):
                bounds[d.key] = d
            else:
                raise self.unknown(d, "PARAM", PARAM_KEYS)
        if ptype is None:
            raise self.error(f"PARAM {name} needs a TYPE (float, int, uint, DEFINE or "
                             "ENUM ...)", first.line)
        values = [(block.body_line + i, ln.strip()) for i, ln in enumerate(block.body)
                  if ln.strip()]
        if not values:
            raise self.error(f"PARAM {name} needs a default value on the line after its "
                             "directives", first.line)
        if ptype == "ENUM":
            if bounds:
                d = next(iter(bounds.values()))
                raise self.error(f"ENUM PARAM {name} takes no {d.key}: its range is its "
                                 "list of choices", d.line)
            choices: list[str] = []
            for line, value in values:
                if not _IDENT.match(value) or value in choices:
                    raise self.error(f"ENUM PARAM {name}: each choice must be a new name "
                                     f"(letters, digits, _), got '{value}'", line)
                choices.append(value)
            return ParamBlock(self.path, first.line, name, ptype, kind, tuple(choices),
                              0.0, float(len(choices) - 1), desc, 0.0)
        line, text = values[0]
        if len(values) > 1 or len(text.split()) > 1:
            raise self.error(f"PARAM {name}: the default must be a single value",
                             values[1][0] if len(values) > 1 else line)
        default = self.number(ptype, text, line, f"PARAM {name} default")
        limits = {key: self.number(ptype, d.args, d.line, f"PARAM {name} {key}")
                  for key, d in bounds.items()}
        low = limits.get("MINIMUM", 0.0 if ptype == "uint" else None)
        high = limits.get("MAXIMUM")
        if low is not None and high is not None and low > high:
            raise self.error(f"PARAM {name}: MINIMUM {low:g} is above MAXIMUM {high:g}",
                             bounds["MAXIMUM"].line)
        if low is not None and default < low:
            raise self.error(f"PARAM {name}: default {default:g} is below MINIMUM {low:g}",
                             line)
        if high is not None and default > high:
            raise self.error(f"PARAM {name}: default {default:g} is above MAXIMUM "
                             f"{high:g}", line)
        return ParamBlock(self.path, first.line, name, ptype, kind, (), low, high, desc,
                          default)

    def param_type(self, d: _Directive) -> tuple[str, str]:
        """TYPE [ENUM] (DEFINE | [DYNAMIC|CONSTANT] float|int|uint) -> (type, kind)."""
        words = d.args.split()
        is_enum = bool(words) and words[0] == "ENUM"
        words = words[1:] if is_enum else words
        if words == ["DEFINE"]:
            return ("ENUM" if is_enum else "DEFINE", "DEFINE")
        kind = "DYNAMIC"
        if words and words[0] in ("DYNAMIC", "CONSTANT"):
            kind, words = words[0], words[1:]
        allowed = ("int",) if is_enum else ("float", "int", "uint")
        if len(words) != 1 or words[0] not in allowed:
            expected = "ENUM int or ENUM DEFINE" if is_enum else \
                "float, int, uint or DEFINE (optionally after DYNAMIC or CONSTANT)"
            raise self.error(f"TYPE must be {expected}, got '{d.args}'", d.line)
        return ("ENUM" if is_enum else words[0], kind)

    def number(self, ptype: str, text: str, line: int, what: str) -> float:
        if ptype == "float":
            if _SIGNED_FLOAT.match(text) and math.isfinite(float(text)):
                return float(text)
            raise self.error(f"{what} must be a number, got '{text}'", line)
        pattern, (low, high) = (_UINT, (0, _UINT32_MAX)) if ptype == "uint" else (_INT,
                                                                                 _INT32)
        if pattern.match(text) and low <= int(text) <= high:
            return float(int(text))
        raise self.error(f"{what} must be a{' non-negative' if ptype == 'uint' else 'n'} "
                         f"integer (32-bit), got '{text}'", line)

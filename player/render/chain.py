"""The pass graph: runs mpv-format user shaders from the source frame to the output size.

A ``Chain`` owns everything a set of shader files needs on the GPU: one compiled program per
(pass, hook point), the built-in scaler/luma programs, uploaded TEXTURE blocks, a texture
pool and a GPU timer. It is built once (programs compiled once) and run every frame; at
steady sizes a run allocates no GL objects. Semantics (hook points, what a pass sees) are
documented in docs/chain.md.

The walk over hook points (WHEN, WIDTH/HEIGHT, which texture each BIND names) depends only
on the source size, the output size and the params, so it is resolved once per size pair
into a plan of draws; a frame then only issues GL calls (docs/performance.md measured the
per-pass Python work). Each intermediate texture goes back to the pool right after the
last pass that reads it, as mpv does, so a frame holds only what later passes still need.

Build errors (GLSL compile, bad TEXTURE data) raise ShaderError naming the user's file and
line. Problems that depend on frame sizes (an expression naming a texture that does not
exist, a non-finite size) skip the pass and are reported once in ``warnings``, so playback
never stops on them.
"""
from __future__ import annotations

import random as _random
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from OpenGL import GL

from player.gl import gpu

from player.render import scalers
from player.base.errors import ShaderError
from player.render.hookfile import HookPass, ShaderFile, TextureBlock

PRE_SCALER = ("RGB", "LUMA", "NATIVE", "MAINPRESUB", "MAIN", "LINEAR", "SIGMOID", "PREKERNEL")
POST_SCALER = ("POSTKERNEL", "SCALED", "OUTPUT")
RESIZABLE = {"RGB", "LUMA", "NATIVE", "MAINPRESUB", "MAIN"}
NEVER_PRODUCED = {"CHROMA", "ALPHA", "XYZ"}  # no such planes in libmpv's RGB frames

# mpv TEXTURE FORMAT -> (internal format, pixel format, data type, bytes per texel, channels)
_TEX_FORMATS = {}
for _n, _c, _pf in (("r", 1, GL.GL_RED), ("rg", 2, GL.GL_RG), ("rgb", 3, GL.GL_RGB),
                    ("rgba", 4, GL.GL_RGBA)):
    _up = _n.upper()
    _TEX_FORMATS[f"{_n}8"] = (getattr(GL, f"GL_{_up}8"), _pf, GL.GL_UNSIGNED_BYTE, _c, _c)
    _TEX_FORMATS[f"{_n}16"] = (getattr(GL, f"GL_{_up}16"), _pf, GL.GL_UNSIGNED_SHORT, 2 * _c, _c)
    _TEX_FORMATS[f"{_n}16f"] = (getattr(GL, f"GL_{_up}16F"), _pf, GL.GL_HALF_FLOAT, 2 * _c, _c)
    _TEX_FORMATS[f"{_n}16hf"] = _TEX_FORMATS[f"{_n}16f"]
    _TEX_FORMATS[f"{_n}32f"] = (getattr(GL, f"GL_{_up}32F"), _pf, GL.GL_FLOAT, 4 * _c, _c)
_FILTERS = {"LINEAR": GL.GL_LINEAR, "NEAREST": GL.GL_NEAREST}
_BORDERS = {"CLAMP": GL.GL_CLAMP_TO_EDGE, "REPEAT": GL.GL_REPEAT,
            "MIRROR": GL.GL_MIRRORED_REPEAT}


class UserTexture:
    """A TEXTURE block uploaded once (1D, 2D or 3D); owned by its chain."""

    def __init__(self, block: TextureBlock):
        fmt = _TEX_FORMATS.get(block.format.lower())
        if fmt is None:
            raise ShaderError(f"unsupported TEXTURE FORMAT '{block.format}'", block.path,
                              block.line, hint="use e.g. rgba16f, rgba32f, r8, rgba8")
        internal, pixel, dtype, bpt, _ = fmt
        dims = len(block.size)
        count = 1
        for s in block.size:
            count *= s
        if len(block.data) != count * bpt:
            raise ShaderError(f"TEXTURE '{block.name}' has {len(block.data)} bytes of data, "
                              f"expected {count * bpt} for SIZE "
                              f"{' '.join(map(str, block.size))} {block.format}",
                              block.path, block.line)
        self.name = block.name
        self.size = tuple(block.size) + (1,) * (2 - min(dims, 2))
        self.target = {1: GL.GL_TEXTURE_1D, 2: GL.GL_TEXTURE_2D, 3: GL.GL_TEXTURE_3D}[dims]
        self.sampler = {1: "sampler1D", 2: "sampler2D", 3: "sampler3D"}[dims]
        self.id = int(GL.glGenTextures(1))
        gpu.stats.textures += 1
        GL.glBindTexture(self.target, self.id)
        filt = _FILTERS[block.filter.upper()]
        wrap = _BORDERS[block.border.upper()]
        for p, v in ((GL.GL_TEXTURE_MIN_FILTER, filt), (GL.GL_TEXTURE_MAG_FILTER, filt),
                     (GL.GL_TEXTURE_WRAP_S, wrap), (GL.GL_TEXTURE_WRAP_T, wrap),
                     (GL.GL_TEXTURE_WRAP_R, wrap)):
            GL.glTexParameteri(self.target, p, v)
        GL.glPixelStorei(GL.GL_UNPACK_ALIGNMENT, 1)
        data = bytes(block.data)
        if dims == 1:
            GL.glTexImage1D(self.target, 0, internal, block.size[0], 0, pixel, dtype, data)
        elif dims == 2:
            GL.glTexImage2D(self.target, 0, internal, block.size[0], block.size[1], 0, pixel,
                            dtype, data)
        else:
            GL.glTexImage3D(self.target, 0, internal, *block.size, 0, pixel, dtype, data)
        GL.glBindTexture(self.target, 0)

    def release(self) -> None:
        if self.id:
            GL.glDeleteTextures(1, [self.id])
            self.id = 0


@dataclass
class _Bound:
    """One texture a compiled pass reads: its uniform prefix and the frame name it resolves."""
    uniform: str       # canonical name of the uniforms (NAME_raw, NAME_size, NAME_pt)
    source: str        # frame texture name, or "HOOKED"
    unit: int


@dataclass
class _Pass:
    hook: str
    spec: HookPass
    program: gpu.Program
    bound: list[_Bound]
    user: list[tuple[UserTexture, int]]
    desc: str
    fixed: bool
    compute: tuple[int, int, int, int] | None = None


@dataclass
class _Sym:
    """A texture of a planned frame: ``slot`` is the step that writes it (-1: the source)."""
    slot: int
    w: int
    h: int
    components: int

    @property
    def size(self) -> tuple[int, int]:
        return self.w, self.h


@dataclass
class _Step:
    """One draw (or compute dispatch) of a planned frame, with everything it needs resolved."""
    program: gpu.Program
    desc: str
    inputs: tuple[tuple[int, int], ...]       # (texture unit, slot); slot -1 = the source
    user: tuple[tuple[int, int, int], ...]    # (unit, target, id) of TEXTURE blocks
    out: int                                  # the slot written (== this step's index)
    w: int
    h: int
    components: int
    uniforms: tuple[tuple[int, tuple, str], ...]  # (location, values, kind), fixed per plan
    random_loc: int
    frame_loc: int
    groups: tuple[int, int] | None = None     # work groups of a compute pass
    frees: tuple[int, ...] = ()               # slots whose last reader is this step


@dataclass
class _Plan:
    steps: list[_Step]
    result: int    # slot of the output (-1: the source frame passes through)
    slots: int


def lifetimes(steps: Sequence[tuple[int, Sequence[int]]], keep: int) -> list[tuple[int, ...]]:
    """For steps given as (slot written, slots read), the slots that can go back to the pool
    after each step: after their last reader, or right after being written if nobody reads
    them. ``keep`` (the returned image) and negative slots (the source) are never freed."""
    last: dict[int, int] = {}
    for i, (out, reads) in enumerate(steps):
        last[out] = i
        for slot in reads:
            if slot >= 0:
                last[slot] = i
    last.pop(keep, None)
    frees: list[list[int]] = [[] for _ in steps]
    for slot, i in last.items():
        frees[i].append(slot)
    return [tuple(f) for f in frees]


@dataclass
class PassTiming:
    desc: str
    last: float = 0.0
    avg: float = 0.0
    peak: float = 0.0
    count: int = 0

    def add(self, ms: float) -> None:
        self.last = ms
        self.count += 1
        self.avg += (ms - self.avg) / min(self.count, 30)
        self.peak = max(self.peak * 0.995, ms)


@dataclass
class Timings:
    """GPU time per DESC and per whole run, from timer results read a few frames late."""
    frame: PassTiming = field(default_factory=lambda: PassTiming("chain"))
    passes: dict[str, PassTiming] = field(default_factory=dict)

    def add(self, total: float, passes: list[tuple[str, float]]) -> None:
        self.frame.add(total)
        sums: dict[str, float] = {}
        for desc, ms in passes:
            sums[desc] = sums.get(desc, 0.0) + ms
        for desc, ms in sums.items():
            self.passes.setdefault(desc, PassTiming(desc)).add(ms)


def _prelude(version: str, kind: str = "frag") -> str:
    head = f"#version {version}\n"
    if kind == "comp" and version.startswith("330"):
        head += "#extension GL_ARB_compute_shader : require\n" \
                "#extension GL_ARB_shader_image_load_store : require\n"
    return head + (
        "uniform float random;\nuniform int frame;\nuniform vec2 input_size;\n"
        "uniform vec2 target_size;\nuniform vec2 tex_offset;\n")


def _texture_defs(name: str, uniform: str, declare: bool) -> str:
    """The NAME_* definitions of one bound texture (aliases when not ``declare``)."""
    u = uniform
    if declare:
        out = (f"uniform sampler2D {u}_raw;\nuniform vec2 {u}_size;\nuniform vec2 {u}_pt;\n"
               f"#define {u}_pos a4k_pos\n#define {u}_mul 1.0\n#define {u}_rot mat2(1.0)\n"
               f"#define {u}_off vec2(0.0)\n"
               f"#define {u}_tex(pos) ({u}_mul * texture({u}_raw, pos))\n"
               f"#define {u}_texOff(off) {u}_tex({u}_pos + {u}_pt * vec2(off))\n"
               f"#define {u}_gather(pos, c) ({u}_mul * textureGather({u}_raw, pos, c))\n"
               f"#define {u}_map(id) ((vec2(id) + vec2(0.5)) / a4k_out_size)\n")
        return out
    return "".join(f"#define {name}_{s} {u}_{s}\n" for s in
                   ("raw", "size", "pt", "pos", "mul", "rot", "off", "tex", "texOff",
                    "gather", "map"))


class Chain:
    """Shader files + a scaler, compiled for the current context; run once per frame."""

    def __init__(self, files: Sequence[ShaderFile], scaler: str = "bicubic",
                 params: Mapping[str, float] | None = None, label: str = "chain"):
        if scaler not in scalers.SCALERS:
            raise ShaderError(f"unknown scaler '{scaler}'",
                              hint="use one of " + ", ".join(scalers.SCALERS))
        self.label = label
        self.files = tuple(files)
        self.scaler = scaler
        self.warnings: list[str] = []
        self._warned: set[str] = set()
        self._version = gpu.glsl_version()
        self._programs: list[gpu.Program] = []
        self._user: dict[str, UserTexture] = {}
        self.pool = gpu.TexturePool()
        self.timer = gpu.GpuTimer()
        self.timings = Timings()
        self._vao = gpu.VertexArray()
        self._plans: dict[tuple, _Plan] = {}      # per (source size, output size)
        self._slots: list[gpu.Texture | None] = []  # a plan's textures while it runs
        self._result: gpu.Texture | None = None     # the last run's output (until the next)
        self._frame = 0
        self._rng = _random.Random(1)
        try:
            self.params = self._resolve_params(params or {})
            for f in self.files:
                for block in f.textures:
                    if block.name in self._user:
                        raise ShaderError(f"TEXTURE '{block.name}' is defined twice",
                                          block.path, block.line)
                    self._user[block.name] = UserTexture(block)
            self._passes: dict[str, list[_Pass]] = {}
            for f in self.files:
                for spec in f.hooks:
                    for hook in spec.hooks:
                        if hook in NEVER_PRODUCED:
                            self._warn(f"{spec.path}:{spec.line}: hook point {hook} does not "
                                       "exist for RGB video; that part of the pass never runs")
                            continue
                        if hook not in PRE_SCALER and hook not in POST_SCALER:
                            raise ShaderError(f"unknown hook point '{hook}'", spec.path,
                                              spec.line, hint="see docs/chain.md")
                        self._passes.setdefault(hook, []).append(self._compile(spec, hook))
            self.needs_luma = "LUMA" in self._passes or any(
                "LUMA" in p.spec.binds for ps in self._passes.values() for p in ps)
            self._builtin = self._compile_builtins()
            gpu.check_error(f"building {label}")
        except BaseException:
            self.release()
            raise

    # ---- build -------------------------------------------------------------------------
    def _resolve_params(self, overrides: Mapping[str, float]) -> dict:
        values: dict[str, tuple] = {}
        declared = {}
        for f in self.files:
            for p in f.params:
                declared[p.name] = p
                values[p.name] = (p, p.default)
        for name, v in overrides.items():
            if name not in declared:
                raise ShaderError(f"parameter '{name}' is not defined by any shader of the chain",
                                  hint="known: " + (", ".join(sorted(declared)) or "none"))
            p = declared[name]
            values[name] = (p, p.parse_value(str(v)))
        return values

    def _param_glsl(self) -> str:
        out = []
        for name, (p, v) in self.params.items():
            for index, choice in enumerate(p.enum_values):  # ENUM choices usable in GLSL
                out.append(f"#define {choice} {index}\n")
            if p.kind == "DEFINE" or p.type == "DEFINE":
                out.append(f"#define {name} {_glsl_number(v, p.type)}\n")
            elif p.kind == "CONSTANT":
                t = "int" if p.type in ("int", "ENUM") else ("uint" if p.type == "uint" else "float")
                out.append(f"const {t} {name} = {_glsl_number(v, t)};\n")
            else:
                t = "int" if p.type in ("int", "ENUM") else ("uint" if p.type == "uint" else "float")
                out.append(f"uniform {t} {name};\n")
        return "".join(out)

    def _compile(self, spec: HookPass, hook: str) -> _Pass:
        bound: list[_Bound] = []
        user: list[tuple[UserTexture, int]] = []
        defs = []
        names_done: set[str] = set()
        unit = 0
        for name in spec.binds:
            if name in self._user:
                ut = self._user[name]
                defs.append(f"uniform {ut.sampler} {name};\n")
                user.append((ut, unit))
                unit += 1
                continue
            canon = hook if name == "HOOKED" else name
            if canon in names_done:
                continue
            names_done.add(canon)
            bound.append(_Bound(canon, "HOOKED" if canon == hook else canon, unit))
            unit += 1
            defs.append(_texture_defs(canon, canon, declare=True))
        if hook in names_done:
            defs.append(_texture_defs("HOOKED", hook, declare=False))
        is_compute = spec.compute is not None
        head = _prelude(self._version, "comp" if is_compute else "frag") + self._param_glsl()
        if is_compute:
            bw, bh, tw, th = spec.compute
            head += (f"layout(local_size_x = {tw}, local_size_y = {th}) in;\n"
                     "layout(rgba16f) writeonly uniform image2D out_image;\n"
                     "uniform vec2 a4k_out_size;\n"
                     "#define a4k_pos ((vec2(gl_GlobalInvocationID.xy) + vec2(0.5)) "
                     "/ a4k_out_size)\n")
        else:
            head += "in vec2 a4k_pos;\nout vec4 a4k_out;\nuniform vec2 a4k_out_size;\n"
        head += "".join(defs)
        main = ("\nvoid main() { hook(); }\n" if is_compute
                else "\nvoid main() { a4k_out = hook(); }\n")
        source = head + f"#line {spec.body_line}\n" + spec.body + main
        if is_compute:
            program = gpu.Program(None, source, spec.path, kind=GL.GL_COMPUTE_SHADER)
        else:
            program = gpu.Program(gpu_vertex(self._version), source, path=spec.path)
        self._programs.append(program)
        program.use()
        for b in bound:
            program.set(f"{b.uniform}_raw", b.unit, kind="i")
        for ut, u in user:
            program.set(ut.name, u, kind="i")
        for name, (p, v) in self.params.items():
            if p.kind not in ("DEFINE", "CONSTANT") and p.type != "DEFINE":
                program.set(name, int(v) if p.type in ("int", "uint", "ENUM") else float(v),
                            kind="i" if p.type in ("int", "uint", "ENUM") else "f")
        return _Pass(hook, spec, program, bound, user, spec.desc, hook not in RESIZABLE,
                     spec.compute)

    def _compile_builtins(self) -> dict[str, gpu.Program]:
        vert = gpu_vertex(self._version)
        head = f"#version {self._version}\n"
        progs = {"bilinear": gpu.Program(vert, head + scalers.BILINEAR)}
        if self.scaler != "bilinear":
            progs["separable"] = gpu.Program(vert, head + scalers.separable(self.scaler))
        if self.needs_luma:
            progs["luma"] = gpu.Program(vert, head + scalers.LUMA)
            progs["luma_merge"] = gpu.Program(vert, head + scalers.LUMA_MERGE)
        for name, prog in progs.items():
            self._programs.append(prog)
            prog.use()
            prog.set("src", 0, kind="i")
            if name == "luma_merge":
                prog.set("old_luma", 1, kind="i")
                prog.set("new_luma", 2, kind="i")
        return progs

    # ---- run ---------------------------------------------------------------------------
    def run(self, src: gpu.Texture, out_w: int, out_h: int,
            timer: gpu.GpuTimer | None = None) -> gpu.Texture:
        """Run every pass from ``src`` (the RGB frame) to an ``out_w`` x ``out_h`` texture.

        The returned texture belongs to the chain and stays valid until the next run. With
        ``timer`` (the player's whole-frame timer) passes are stamped into it and the caller
        begins, ends and collects; otherwise the chain times itself into ``timings``.
        """
        own_timer = timer is None
        stamp = (self.timer if own_timer else timer).stamp
        key = (src.w, src.h, src.components, int(out_w), int(out_h))
        if self._result is not None:
            self.pool.give(self._result)
            self._result = None
        plan = self._plans.get(key)
        if plan is None:
            plan = self._new_plan(src, key)
        GL.glDisable(GL.GL_BLEND)
        GL.glDisable(GL.GL_DEPTH_TEST)
        GL.glDisable(GL.GL_SCISSOR_TEST)
        if own_timer:
            self.timer.begin()
        if plan.steps:
            self._execute(plan, src, stamp)
        if own_timer:
            self.timer.end()
            for total, passes in self.timer.collect():
                self.timings.add(total, passes)
        self._frame += 1
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, 0)
        if plan.result < 0:
            return src
        self._result = self._slots[plan.result]
        return self._result

    PLANS_KEPT = 4  # sizes remembered (e.g. windowed, fullscreen, compare); older ones go

    def _new_plan(self, src: gpu.Texture, key: tuple) -> _Plan:
        """A plan for new sizes. Textures of sizes no kept plan uses are released, so
        dragging a window through a hundred sizes does not keep a hundred sets alive."""
        while len(self._plans) >= self.PLANS_KEPT:
            self._plans.pop(next(iter(self._plans)))
        plan = self._plans[key] = self._make_plan(src, key[3], key[4])
        self.pool.trim({gpu.TexturePool.key(st.w, st.h, st.components)
                        for p in self._plans.values() for st in p.steps})
        return plan

    def _execute(self, plan: _Plan, src: gpu.Texture, stamp) -> None:
        """Issue a plan's draws; textures come from the pool and go back after their last
        reader, so a frame holds only the textures later passes still read (as in mpv)."""
        slots, pool = self._slots, self.pool
        if len(slots) < plan.slots:
            slots.extend([None] * (plan.slots - len(slots)))
        random_value = self._rng.random()
        frame = self._frame
        bound: dict = {}  # unit (2D) or (unit, target) -> texture id bound during this run
        active = -1
        program = viewport = None
        GL.glBindVertexArray(self._vao.id)
        for st in plan.steps:
            made = len(pool)
            out = pool.take(st.w, st.h, st.components)
            if len(pool) != made:  # a new texture was bound on the active unit to create it
                bound.clear()
            slots[st.out] = out
            prog = st.program
            if prog is not program:
                GL.glUseProgram(prog.id)
                program = prog
            if st.groups is None:
                GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, out.fbo)
                if viewport != (st.w, st.h):
                    GL.glViewport(0, 0, st.w, st.h)
                    viewport = (st.w, st.h)
            for unit, slot in st.inputs:
                tid = src.id if slot < 0 else slots[slot].id
                if bound.get(unit) != tid:
                    if active != unit:
                        GL.glActiveTexture(GL.GL_TEXTURE0 + unit)
                        active = unit
                    GL.glBindTexture(GL.GL_TEXTURE_2D, tid)
                    bound[unit] = tid
            for unit, target, tid in st.user:
                if bound.get((unit, target)) != tid:
                    if active != unit:
                        GL.glActiveTexture(GL.GL_TEXTURE0 + unit)
                        active = unit
                    GL.glBindTexture(target, tid)
                    bound[(unit, target)] = tid
            for loc, values, kind in st.uniforms:
                prog.upload(loc, values, kind)
            if st.random_loc >= 0:
                prog.upload(st.random_loc, (random_value,), "f")
            if st.frame_loc >= 0:
                prog.upload(st.frame_loc, (frame,), "i")
            if st.groups is None:
                GL.glDrawArrays(GL.GL_TRIANGLES, 0, 3)
            else:
                GL.glBindImageTexture(0, out.id, 0, GL.GL_FALSE, 0, GL.GL_WRITE_ONLY,
                                      GL.GL_RGBA16F)
                GL.glDispatchCompute(st.groups[0], st.groups[1], 1)
                GL.glMemoryBarrier(GL.GL_TEXTURE_FETCH_BARRIER_BIT |
                                   GL.GL_FRAMEBUFFER_BARRIER_BIT)
            stamp(st.desc)
            for slot in st.frees:
                pool.give(slots[slot])
                slots[slot] = None

    # ---- planning: which passes run, at which sizes, reading which textures --------------
    def _make_plan(self, src: gpu.Texture, out_w: int, out_h: int) -> _Plan:
        """Walk the hook points for these sizes once: WHEN, WIDTH/HEIGHT and SAVE/BIND are
        resolved here, so a frame only issues draws (sizes and params fix every answer)."""
        self._steps: list[_Step] = []
        self._src = _Sym(-1, src.w, src.h, src.components)
        self._out = (out_w, out_h)
        self._tex: dict[str, _Sym] = {}
        image = self._src
        for point in PRE_SCALER:
            if point == "LUMA":
                if self.needs_luma:
                    image = self._luma_stage(image)
                continue
            image = self._stage(point, image)
            self._tex[point] = image
        if image.size != self._out:
            image = self._scale(image, *self._out)
        for point in POST_SCALER:
            image = self._stage(point, image)
            self._tex[point] = image
        steps, self._steps, self._tex = self._steps, [], {}
        for st, frees in zip(steps, lifetimes([(st.out, [s for _, s in st.inputs])
                                               for st in steps], image.slot)):
            st.frees = frees
        return _Plan(steps, image.slot, len(steps))

    def _stage(self, point: str, image: _Sym) -> _Sym:
        self._tex[point] = image  # during its own passes, a hook point names the current image
        for p in self._passes.get(point, ()):
            result = self._plan_pass(p, image)
            if result is None:
                continue
            save = p.spec.save or "HOOKED"
            if save in ("HOOKED", point):
                image = self._tex[point] = result
            else:
                self._tex[save] = result
        return image

    def _luma_stage(self, image: _Sym) -> _Sym:
        luma = self._add(self._builtin["luma"], "luma (Rec.709)", [image], image.w, image.h, 1)
        new = self._stage("LUMA", luma)
        if new is luma:
            return image
        return self._add(self._builtin["luma_merge"], "luma merge", [image, luma, new],
                         new.w, new.h, image.components)

    def _size_of(self, name: str, axis: str, hooked: _Sym) -> float:
        if name == "HOOKED":
            tex = hooked
        elif name == "OUTPUT":
            return float(self._out[0] if axis == "w" else self._out[1])
        elif name == "NATIVE_CROPPED":
            tex = self._src
        else:
            tex = self._tex.get(name)
            if tex is None:
                ut = self._user.get(name)
                if ut is None:
                    raise KeyError(name)
                return float(ut.size[0] if axis == "w" else ut.size[1])
        return float(tex.w if axis == "w" else tex.h)

    def _param_value(self, name: str) -> float:
        return float(self.params[name][1])

    def _plan_pass(self, p: _Pass, hooked: _Sym) -> _Sym | None:
        spec = p.spec
        textures = []
        for b in p.bound:
            tex = hooked if b.source == "HOOKED" else self._tex.get(b.source)
            if tex is None:
                return None  # a bound texture that does not exist yet: skip, as mpv does
            textures.append(tex)
        size = lambda n, a: self._size_of(n, a, hooked)  # noqa: E731
        try:
            if spec.when is not None and not spec.when.eval(size, self._param_value):
                return None
            w = round(spec.width.eval(size, self._param_value)) if spec.width else hooked.w
            h = round(spec.height.eval(size, self._param_value)) if spec.height else hooked.h
        except (ShaderError, KeyError) as e:
            self._warn(f"{spec.path}:{spec.line}: pass '{p.desc}' skipped: {e}")
            return None
        if w < 1 or h < 1 or w > 16384 or h > 16384:
            self._warn(f"{spec.path}:{spec.line}: pass '{p.desc}' skipped: size {w}x{h}")
            return None
        if p.fixed and (w, h) != hooked.size:
            self._warn(f"{spec.path}:{spec.line}: pass '{p.desc}' skipped: {p.hook} is a fixed "
                       f"hook point and cannot be resized to {w}x{h}")
            return None
        prog = p.program
        uniforms = [(f"{b.uniform}_size", (float(t.w), float(t.h)), "f")
                    for b, t in zip(p.bound, textures)]
        uniforms += [(f"{b.uniform}_pt", (1.0 / t.w, 1.0 / t.h), "f")
                     for b, t in zip(p.bound, textures)]
        inputs = [(b.unit, t) for b, t in zip(p.bound, textures)]
        users = [(unit, ut.target, ut.id) for ut, unit in p.user]
        if p.compute:
            bw, bh = p.compute[0], p.compute[1]
            return self._add(prog, p.desc, inputs, w, h, 4, uniforms, users,
                             ((w + bw - 1) // bw, (h + bh - 1) // bh))
        return self._add(prog, p.desc, inputs, w, h, spec.components or hooked.components,
                         uniforms, users)

    def _add(self, prog: gpu.Program, desc: str, inputs, w: int, h: int, components: int,
             uniforms=(), users=(), groups=None) -> _Sym:
        """Append one step writing a new w x h texture; ``inputs`` are symbols or
        (unit, symbol) pairs. Uniform locations are resolved here, once."""
        pairs = [x if isinstance(x, tuple) else (i, x) for i, x in enumerate(inputs)]
        common = [("a4k_out_size", (float(w), float(h)), "f"),
                  ("input_size", (float(self._src.w), float(self._src.h)), "f"),
                  ("target_size", (float(self._out[0]), float(self._out[1])), "f"),
                  ("tex_offset", (0.0, 0.0), "f")]
        located = tuple((prog.location(n), v, k) for n, v, k in common + list(uniforms)
                        if prog.location(n) >= 0)
        out = _Sym(len(self._steps), w, h, components)
        self._steps.append(_Step(
            prog, desc, tuple((u, s.slot) for u, s in pairs), tuple(users), out.slot, w, h,
            components, located, prog.location("random"), prog.location("frame"), groups))
        return out

    def _scale(self, image: _Sym, w: int, h: int) -> _Sym:
        comps = image.components
        if self.scaler == "bilinear":
            return self._add(self._builtin["bilinear"], "scale bilinear", [image], w, h, comps)
        prog = self._builtin["separable"]
        mid = self._add(prog, f"scale {self.scaler} (x)", [image], w, image.h, comps, [
            ("src_size", (float(image.w), float(image.h)), "f"),
            ("dst_size", (float(w), float(image.h)), "f"), ("a4k_axis", (0,), "i")])
        return self._add(prog, f"scale {self.scaler} (y)", [mid], w, h, comps, [
            ("src_size", (float(w), float(image.h)), "f"),
            ("dst_size", (float(w), float(h)), "f"), ("a4k_axis", (1,), "i")])

    def _warn(self, text: str) -> None:
        if text not in self._warned:
            self._warned.add(text)
            self.warnings.append(text)

    # ---- facts and teardown ------------------------------------------------------------
    def release(self) -> None:
        for prog in getattr(self, "_programs", ()):
            prog.release()
        self._programs = []
        for ut in getattr(self, "_user", {}).values():
            ut.release()
        self._user = {}
        for attr in ("pool", "timer", "_vao"):
            obj = getattr(self, attr, None)
            if obj is not None:
                obj.release()
        self._result = None
        self._plans = {}


def gpu_vertex(version: str) -> str:
    return f"#version {version}\n" + gpu.FULLSCREEN_VERTEX


def _glsl_number(v, kind: str) -> str:
    if kind in ("int", "ENUM", "DEFINE") and float(v).is_integer():
        return str(int(v))
    if kind == "uint":
        return f"{int(v)}u"
    return repr(float(v))

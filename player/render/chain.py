"""The pass graph on the GPU: compiles mpv-format user shaders once, executes a plan per frame.

A ``Chain`` owns everything a set of shader files needs on the GPU: one compiled program per
(pass, hook point), the built-in scaler/luma/copy programs, uploaded TEXTURE blocks, a
texture pool and a GPU timer. What runs, at which size, reading what, is decided by the pure
planner (plan.py) once per (source size, output size); the generated GLSL text comes from
glsl.py. A frame only issues GL calls, and at steady sizes it allocates no GL objects.
Semantics (hook points, what a pass sees) are documented in docs/chain.md.

Intermediate textures come from the pool and go back to it right after the last step that
reads them (the plan's ``frees``; see plan.py for why that is ours and not mpv's habit).

Build errors (GLSL compile, bad TEXTURE data) raise ShaderError naming the user's file and
line. Problems that depend on frame sizes skip the pass (libplacebo's habit: a failing hook
is disabled and recorded); they are collected once each in ``warnings``, and
``new_warnings()`` hands each out once, for the caller to show.

``run(..., target=Target(...))`` draws the last step straight into a framebuffer (the
window's, letterboxed and y-flipped as the presenter draws), which saves the presenter's
full-size copy when nothing has to be composed.
"""
from __future__ import annotations

import random as _random
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from OpenGL import GL

from player.base.errors import ShaderError
from player.gl import gpu
from player.render import glsl, plan as planner, scalers
from player.render.hookfile import HookPass, ShaderFile, TextureBlock
from player.render.params import resolve_params

_FILTERS = {"LINEAR": GL.GL_LINEAR, "NEAREST": GL.GL_NEAREST}
_BORDERS = {"CLAMP": GL.GL_CLAMP_TO_EDGE, "REPEAT": GL.GL_REPEAT,
            "MIRROR": GL.GL_MIRRORED_REPEAT}
_SAMPLERS = {1: "sampler1D", 2: "sampler2D", 3: "sampler3D"}


def user_texture(block: TextureBlock) -> gpu.Texture:
    """A TEXTURE block uploaded once (1D, 2D or 3D), checked against its FORMAT."""
    fmt = gpu.FORMATS.get(block.format.lower())
    if fmt is None:
        raise ShaderError(f"unsupported TEXTURE FORMAT '{block.format}'", block.path,
                          block.line, hint="use e.g. rgba16f, rgba32f, r8, rgba8")
    count = 1
    for s in block.size:
        count *= s
    if len(block.data) != count * fmt.bytes:
        raise ShaderError(f"TEXTURE '{block.name}' has {len(block.data)} bytes of data, "
                          f"expected {count * fmt.bytes} for SIZE "
                          f"{' '.join(map(str, block.size))} {block.format}",
                          block.path, block.line)
    dims = len(block.size)
    w, h, d = tuple(block.size) + (1,) * (3 - dims)
    return gpu.Texture(w, h, filter=_FILTERS[block.filter.upper()],
                       wrap=_BORDERS[block.border.upper()], data=bytes(block.data),
                       format=block.format.lower(), depth=d, dims=dims)


@dataclass(frozen=True)
class Target:
    """A framebuffer the chain's last step draws into: ``(x, y, w, h)`` is the glViewport
    rectangle (GL's bottom-left origin); ``flip_y`` puts the image's top row at the top of a
    bottom-up framebuffer (the window's), as the presenter does. The caller clears it first
    (letterbox bars); the chain writes colour only and keeps the target's alpha."""
    fbo: int
    x: int
    y: int
    w: int
    h: int
    flip_y: bool = True

    @staticmethod
    def letterboxed(fbo: int, fb_h: int, x: int, y_top: int, w: int, h: int,
                    flip_y: bool = True) -> "Target":
        """From a rectangle measured from the top (ui.present.Rect), in a framebuffer
        ``fb_h`` high: the viewport the presenter would use."""
        return Target(fbo, x, fb_h - y_top - h if flip_y else y_top, w, h, flip_y)


@dataclass
class _Pass:
    """A compiled user pass: its program and texture units (frame textures in
    plan.bound_names order first, then TEXTURE blocks)."""
    program: gpu.Program
    units: tuple[int, ...]
    user: tuple[tuple[int, int, gpu.Texture], ...]   # (unit, target, texture)
    shifted: str | None                               # the uniform prefix of HOOKED (ALIGN)


@dataclass
class _Step:
    """One planned step with its program, units and uniform locations resolved."""
    program: gpu.Program
    desc: str
    inputs: tuple[tuple[int, int], ...]        # (texture unit, slot); slot -1 = the source
    user: tuple[tuple[int, int, gpu.Texture], ...]
    out: int
    w: int
    h: int
    components: int
    uniforms: tuple[tuple[int, tuple, str], ...]  # (location, values, kind), fixed per plan
    random_loc: int
    frame_loc: int
    groups: tuple[int, int] | None
    frees: tuple[int, ...]
    direct: bool


@dataclass
class _Plan:
    steps: list[_Step]
    result: int
    slots: int
    keys: frozenset


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


class Chain:
    """Shader files + a scaler, compiled for the current context; run once per frame."""

    PLANS_KEPT = 4  # sizes remembered (e.g. windowed, fullscreen, compare); older ones go

    def __init__(self, files: Sequence[ShaderFile], scaler: str = "bicubic",
                 params: Mapping[str, float] | None = None, label: str = "chain"):
        if scaler not in scalers.SCALERS:
            raise ShaderError(f"unknown scaler '{scaler}'",
                              hint="use one of " + ", ".join(scalers.SCALERS))
        self.label = label
        self.files = tuple(files)
        self.scaler = scaler
        self.warnings: list[str] = []
        self._shown = 0
        self._version = gpu.glsl_version()
        self._programs: list[gpu.Program] = []
        self._user: dict[str, gpu.Texture] = {}
        self._compiled: dict[tuple[int, str], _Pass] = {}
        self._plans: dict[tuple, _Plan] = {}        # per (source size, output size, direct)
        self._slots: list[gpu.Texture | None] = []  # a plan's textures while it runs
        self._result: gpu.Texture | None = None     # the last run's output (until the next)
        self._frame = 0
        self._rng = _random.Random(1)
        self.pool = gpu.TexturePool()
        self.timer = gpu.GpuTimer()
        self.timings = Timings()
        self._vao = gpu.VertexArray()
        try:
            self.params = self._resolve_params(params or {})
            self._values = {name: float(v) for name, (_, v) in self.params.items()}
            for f in self.files:
                for block in f.textures:
                    if block.name in self._user:
                        raise ShaderError(f"TEXTURE '{block.name}' is defined twice",
                                          block.path, block.line)
                    self._user[block.name] = user_texture(block)
            passes, absent = planner.passes_by_point(self.files)
            for text in absent:
                self._warn(text)
            self._param_text = glsl.param_defs(self.params)
            for hook, specs in passes.items():
                for spec in specs:
                    self._compiled[(id(spec), hook)] = self._compile(spec, hook)
            self.needs_luma = planner.needs_luma(passes)
            self._builtin = self._compile_builtins()
            gpu.check_error(f"building {label}")
        except BaseException:
            self.release()
            raise

    # ---- build -------------------------------------------------------------------------
    def _resolve_params(self, overrides: Mapping[str, float]) -> dict:
        """name -> (its ParamBlock, its value): render/params.py's one rule."""
        r = resolve_params(self.files, overrides)
        return {name: (r.blocks[name], v) for name, v in r.values.items()}

    def _compile(self, spec: HookPass, hook: str) -> _Pass:
        names = planner.bound_names(spec, hook, self._user.keys())
        align = spec.offset == "ALIGN"
        defs = [glsl.texture_defs(n, n, True, shifted=align and n == hook) for n in names]
        if hook in names:
            defs.append(glsl.texture_defs("HOOKED", hook, False))
        users = []
        unit = len(names)
        for name in dict.fromkeys(spec.binds):
            tex = self._user.get(name)
            if tex is not None:
                sampler = _SAMPLERS[{GL.GL_TEXTURE_1D: 1, GL.GL_TEXTURE_2D: 2}.get(
                    tex.target, 3)]
                defs.append(f"uniform {sampler} {name};\n")
                users.append((unit, name, tex))
                unit += 1
        source = glsl.user_pass(self._version, spec, "".join(defs), self._param_text)
        if spec.compute is not None:
            program = gpu.Program(None, source, spec.path, kind=GL.GL_COMPUTE_SHADER)
        else:
            program = gpu.Program(glsl.vertex(self._version), source, path=spec.path)
        self._programs.append(program)
        program.use()
        for u, n in enumerate(names):
            program.set(f"{n}_raw", u, kind="i")
        for u, name, _ in users:
            program.set(name, u, kind="i")
        for name, (p, v) in self.params.items():
            if glsl.is_uniform(p):
                integral = p.type in ("int", "uint", "ENUM")
                program.set(name, int(v) if integral else float(v),
                            kind="i" if integral else "f")
        return _Pass(program, tuple(range(len(names))),
                     tuple((u, tex.target, tex) for u, _, tex in users),
                     hook if align and hook in names else None)

    def _compile_builtins(self) -> dict[str, gpu.Program]:
        vert = glsl.vertex(self._version)
        head = f"#version {self._version}\n"
        progs = {"bilinear": gpu.Program(vert, head + scalers.BILINEAR)}
        if self.scaler != "bilinear":   # one program per axis (plan steps scale_x, scale_y)
            for axis in scalers.AXES:
                progs[f"scale_{axis}"] = gpu.Program(vert,
                                                     head + scalers.separable(self.scaler, axis))
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
            timer: gpu.GpuTimer | None = None,
            target: Target | None = None) -> gpu.Texture | None:
        """Run every pass from ``src`` (the RGB frame) to an ``out_w`` x ``out_h`` image.

        Without ``target`` the result is a texture that belongs to the chain and stays valid
        until the next run. With ``target`` (its w x h must be out_w x out_h) the last step
        draws into the target's framebuffer instead and None is returned. With ``timer``
        (the player's whole-frame timer) passes are stamped into it and the caller begins,
        ends and collects; otherwise the chain times itself into ``timings``.
        """
        out_w, out_h = int(out_w), int(out_h)
        if target is not None and (target.w, target.h) != (out_w, out_h):
            raise ValueError(f"target is {target.w}x{target.h}, the output {out_w}x{out_h}")
        own_timer = timer is None
        stamp = (self.timer if own_timer else timer).stamp
        key = (src.w, src.h, src.components, out_w, out_h, target is not None)
        if self._result is not None:
            self.pool.give(self._result)
            self._result = None
        plan = self._plans.get(key)
        if plan is None:
            plan = self._new_plan(key)
        GL.glDisable(GL.GL_BLEND)
        GL.glDisable(GL.GL_DEPTH_TEST)
        GL.glDisable(GL.GL_SCISSOR_TEST)
        if own_timer:
            self.timer.begin()
        if plan.steps:
            self._execute(plan, src, stamp, target)
        if own_timer:
            self.timer.end()
            for total, passes in self.timer.collect():
                self.timings.add(total, passes)
        self._frame += 1
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, gpu.screen_framebuffer())
        if target is not None:
            return None
        if plan.result < 0:
            return src
        self._result = self._slots[plan.result]
        return self._result

    def new_warnings(self) -> list[str]:
        """Warnings not handed out before (each once), for the caller to show; ``warnings``
        keeps them all."""
        new = self.warnings[self._shown:]
        self._shown = len(self.warnings)
        return new

    def plan(self, in_w: int, in_h: int, out_w: int, out_h: int, components: int = 4,
             direct: bool = False) -> planner.Plan:
        """The pure plan this chain executes at these sizes (for tools and tests)."""
        return planner.build(self.files, (in_w, in_h, components), (out_w, out_h),
                             self._values, self.scaler, direct)

    def _new_plan(self, key: tuple) -> _Plan:
        """A plan for new sizes. Textures of sizes no kept plan uses are released, so
        dragging a window through a hundred sizes does not keep a hundred sets alive."""
        while len(self._plans) >= self.PLANS_KEPT:
            self._plans.pop(next(iter(self._plans)))
        w, h, c, ow, oh, direct = key
        pure = planner.build(self.files, (w, h, c), (ow, oh), self._values, self.scaler,
                             direct)
        for text in pure.warnings:
            self._warn(text)
        plan = self._plans[key] = self._resolve(pure)
        self.pool.trim(frozenset().union(*(p.keys for p in self._plans.values())))
        return plan

    def _resolve(self, pure: planner.Plan) -> _Plan:
        """Programs, texture units and uniform locations of a pure plan, found once."""
        iw, ih, _ = pure.source
        ow, oh = pure.output
        steps = []
        for st in pure.steps:
            uniforms: list[tuple[str, tuple, str]] = [
                ("a4k_out_size", (float(st.w), float(st.h)), "f"),
                ("input_size", (float(iw), float(ih)), "f"),
                ("target_size", (float(ow), float(oh)), "f"),
                ("tex_offset", tuple(float(v) for v in st.tex_offset), "f")]
            user: tuple = ()
            if st.kind == "pass":
                cp = self._compiled[(id(st.spec), st.hook)]
                prog = cp.program
                inputs = tuple(zip(cp.units, (t.slot for _, t in st.reads)))
                user = cp.user
                for (name, t) in st.reads:
                    uniforms.append((f"{name}_size", (float(t.w), float(t.h)), "f"))
                    uniforms.append((f"{name}_pt", (1.0 / t.w, 1.0 / t.h), "f"))
                if cp.shifted:
                    uniforms.append((f"{cp.shifted}_off", st.offset, "f"))
            else:
                prog = self._builtin["bilinear" if st.kind == "copy" else st.kind]
                inputs = tuple((u, t.slot) for u, (_, t) in enumerate(st.reads))
                src = st.reads[0][1]
                uniforms.append(("src_size", (float(src.w), float(src.h)), "f"))
                uniforms.append(("dst_size", (float(st.w), float(st.h)), "f"))
                uniforms.append(("a4k_offset", tuple(float(v) for v in st.offset), "f"))
            located = tuple((prog.location(n), v, k) for n, v, k in uniforms
                            if prog.location(n) >= 0)
            steps.append(_Step(prog, st.desc, inputs, user, st.out.slot, st.w, st.h,
                               st.components, located, prog.location("random"),
                               prog.location("frame"), st.groups, st.frees, st.direct))
        keys = frozenset(gpu.TexturePool.key(st.w, st.h, st.components)
                         for st in steps if not st.direct)
        return _Plan(steps, pure.result, len(steps), keys)

    def _execute(self, plan: _Plan, src: gpu.Texture, stamp, target: Target | None) -> None:
        """Issue a plan's draws; textures come from the pool and go back after their last
        reader."""
        slots, pool = self._slots, self.pool
        if len(slots) < plan.slots:
            slots.extend([None] * (plan.slots - len(slots)))
        random_value = self._rng.random()
        frame = self._frame
        bound: dict = {}  # unit (2D) or (unit, target) -> texture id bound during this run
        active = -1
        program = viewport = None
        src_id = src.id   # raises if the caller's texture was released
        # slots hold live pool textures and TEXTURE blocks live as long as the chain: the
        # loop reads their GL names (``_id``) without the released check of ``.id``
        GL.glBindVertexArray(self._vao.id)
        for st in plan.steps:
            out = None
            if st.direct:
                GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, target.fbo)
                GL.glViewport(target.x, target.y, target.w, target.h)
                GL.glColorMask(GL.GL_TRUE, GL.GL_TRUE, GL.GL_TRUE, GL.GL_FALSE)
                viewport = None
            else:
                made = len(pool)
                out = pool.take(st.w, st.h, st.components)
                if len(pool) != made:  # a new texture was bound on the active unit to make it
                    bound.clear()
                slots[st.out] = out
            prog = st.program
            if prog is not program:
                GL.glUseProgram(prog._id)
                program = prog
            if st.groups is None and out is not None:
                GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, out.fbo)
                if viewport != (st.w, st.h):
                    GL.glViewport(0, 0, st.w, st.h)
                    viewport = (st.w, st.h)
            for unit, slot in st.inputs:
                tid = src_id if slot < 0 else slots[slot]._id
                if bound.get(unit) != tid:
                    if active != unit:
                        GL.glActiveTexture(GL.GL_TEXTURE0 + unit)
                        active = unit
                    GL.glBindTexture(GL.GL_TEXTURE_2D, tid)
                    bound[unit] = tid
            for unit, tex_target, tex in st.user:
                tid = tex._id
                if bound.get((unit, tex_target)) != tid:
                    if active != unit:
                        GL.glActiveTexture(GL.GL_TEXTURE0 + unit)
                        active = unit
                    GL.glBindTexture(tex_target, tid)
                    bound[(unit, tex_target)] = tid
            for loc, values, kind in st.uniforms:
                prog.upload(loc, values, kind)
            if st.random_loc >= 0:
                prog.upload(st.random_loc, (random_value,), "f")
            if st.frame_loc >= 0:
                prog.upload(st.frame_loc, (frame,), "i")
            if st.direct:   # a4k_flip is 0 everywhere else (its default; reset below)
                prog.set("a4k_flip", 1.0 if target.flip_y else 0.0)
            if st.groups is None:
                GL.glDrawArrays(GL.GL_TRIANGLES, 0, 3)
            else:
                GL.glBindImageTexture(0, out.id, 0, GL.GL_FALSE, 0, GL.GL_WRITE_ONLY,
                                      GL.GL_RGBA16F)
                GL.glDispatchCompute(st.groups[0], st.groups[1], 1)
                GL.glMemoryBarrier(GL.GL_TEXTURE_FETCH_BARRIER_BIT |
                                   GL.GL_FRAMEBUFFER_BARRIER_BIT)
            if st.direct:
                GL.glColorMask(GL.GL_TRUE, GL.GL_TRUE, GL.GL_TRUE, GL.GL_TRUE)
                prog.set("a4k_flip", 0.0)
            stamp(st.desc)
            for slot in st.frees:
                pool.give(slots[slot])
                slots[slot] = None

    def _warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)

    # ---- teardown ----------------------------------------------------------------------
    def release(self) -> None:
        for prog in getattr(self, "_programs", ()):
            prog.release()
        self._programs = []
        for tex in getattr(self, "_user", {}).values():
            tex.release()
        self._user = {}
        for attr in ("pool", "timer", "_vao"):
            obj = getattr(self, attr, None)
            if obj is not None:
                obj.release()
        self._result = None
        self._plans = {}
        self._compiled = {}

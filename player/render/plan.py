"""The walk over hook points, once per (source size, output size, params): a plan of steps.

This module owns the chain's semantics that do not need a GPU (docs/chain.md): which hook
points exist and in which order, which passes run at which sizes (WHEN, WIDTH/HEIGHT,
SAVE/BIND, COMPONENTS), the OFFSET each image carries and where the scaler corrects it,
which texture every step reads, and when each intermediate texture can go back to the pool.
It is pure (no GL import): the chain compiles programs for the passes and executes a plan;
the fetch counter (fetches.py) weighs the same plan's steps by their size; tests check it
without a context.

A new hook point is one row of ``POINTS``. Every choice depends only on the sizes and the
param values, so a plan is made once per size pair and replayed every frame.

Texture lifetimes are ours, not mpv's: mpv (video/out/gpu/video.c) keeps every hook texture
of a frame in its ``hook_textures`` array until the next frame and reuses them then. We free
each intermediate right after its last reader (``Step.frees``), so a frame holds only what
later steps still read: fewer textures alive at 4K (docs/performance.md measured 9 -> 5 for
Full), at no cost, since the plan knows every reader in advance.

Problems that depend on sizes (an expression naming a texture that does not exist yet, a
non-finite or out-of-range size, resizing a fixed hook point) skip the pass and are recorded
in ``Plan.skipped`` with the reason, so playback never stops on them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

from player.base.errors import ShaderError
from player.render.hookfile import HookPass, ShaderFile
from player.render.params import resolve_params

# The walk, in mpv's order: (hook point, kind). Kinds: "resizable" (a pass overwriting it
# may change its size and shift it with OFFSET), "fixed" (an overwriting pass keeps its
# size, no OFFSET), "luma" (a 1-channel plane made from the image, merged back when a pass
# changes it), "scaler" (the built-in scaler to the output size; not a hook name), "absent"
# (planes libmpv's RGB frames do not have: passes hooked there never run).
POINTS: tuple[tuple[str, str], ...] = (
    ("RGB", "resizable"),
    ("LUMA", "luma"),
    ("CHROMA", "absent"),
    ("ALPHA", "absent"),
    ("XYZ", "absent"),
    ("NATIVE", "resizable"),
    ("MAINPRESUB", "resizable"),
    ("MAIN", "resizable"),
    ("LINEAR", "fixed"),
    ("SIGMOID", "fixed"),
    ("PREKERNEL", "fixed"),
    ("<scaler>", "scaler"),
    ("POSTKERNEL", "fixed"),
    ("SCALED", "fixed"),
    ("OUTPUT", "fixed"),
)
HOOK_NAMES = frozenset(name for name, kind in POINTS if kind != "scaler")
ABSENT = frozenset(name for name, kind in POINTS if kind == "absent")
MAX_SIZE = 16384


@dataclass(frozen=True)
class Tex:
    """A texture of a planned frame: ``slot`` is the index of the step writing it (-1: the
    source frame)."""
    slot: int
    w: int
    h: int
    components: int

    @property
    def size(self) -> tuple[int, int]:
        return self.w, self.h


@dataclass
class Step:
    """One draw (or compute dispatch) of a frame, with every size and input resolved.

    ``reads`` are (name, texture) in binding order: for a user pass the names are the
    canonical bound names (``bound_names``); for built-ins "src" (and "old_luma",
    "new_luma" for the merge). ``offset`` is the shift applied when sampling the first
    read: the scaler's OFFSET correction, or HOOKED's shift for an OFFSET ALIGN pass, in
    that texture's pixels. ``tex_offset`` is the image's accumulated OFFSET (mpv's
    ``tex_offset`` uniform).
    """
    kind: str
    desc: str
    out: Tex
    reads: tuple[tuple[str, Tex], ...]
    spec: HookPass | None = None
    hook: str | None = None
    save: str | None = None
    offset: tuple[float, float] = (0.0, 0.0)
    tex_offset: tuple[float, float] = (0.0, 0.0)
    groups: tuple[int, int] | None = None     # work groups of a compute pass
    direct: bool = False                      # drawn into the caller's framebuffer
    frees: tuple[int, ...] = ()               # slots whose last reader is this step

    @property
    def w(self) -> int:
        return self.out.w

    @property
    def h(self) -> int:
        return self.out.h

    @property
    def components(self) -> int:
        return self.out.components


@dataclass(frozen=True)
class Skipped:
    """A pass that does not run at these sizes, and why (``quiet``: mpv skips it silently,
    e.g. WHEN false or a bound texture that does not exist yet)."""
    spec: HookPass
    hook: str
    reason: str
    quiet: bool = False

    def message(self) -> str:
        return f"{self.spec.path}:{self.spec.line}: pass '{self.spec.desc}' skipped: " \
               f"{self.reason}"


@dataclass
class Plan:
    source: tuple[int, int, int]
    output: tuple[int, int]
    steps: list[Step]
    result: int                 # slot of the output (-1: the source frame passes through)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        return [s.message() for s in self.skipped if not s.quiet]


def bound_names(spec: HookPass, hook: str, user: frozenset[str] | set[str]) -> list[str]:
    """The frame textures a pass binds, canonical (HOOKED -> the hook point's name) and
    once each, in BIND order; TEXTURE blocks (``user``) are not frame textures. The chain
    gives them texture units in this order; the plan reads them in this order."""
    out: list[str] = []
    for name in spec.binds:
        if name in user:
            continue
        canon = hook if name == "HOOKED" else name
        if canon not in out:
            out.append(canon)
    return out


def passes_by_point(files: Sequence[ShaderFile]) -> tuple[dict[str, list[HookPass]],
                                                           list[str]]:
    """The passes of each hook point in load order, and warnings for passes hooked where
    nothing runs. An unknown hook name is a ShaderError naming the pass."""
    passes: dict[str, list[HookPass]] = {}
    warnings: list[str] = []
    for f in files:
        for spec in f.hooks:
            for hook in spec.hooks:
                if hook not in HOOK_NAMES:
                    raise ShaderError(f"unknown hook point '{hook}'", spec.path, spec.line,
                                      hint="see docs/chain.md for the hook points")
                if hook in ABSENT:
                    warnings.append(f"{spec.path}:{spec.line}: hook point {hook} does not "
                                    "exist for RGB video; that part of the pass never runs")
                    continue
                passes.setdefault(hook, []).append(spec)
    return passes, warnings


def needs_luma(passes: Mapping[str, Sequence[HookPass]]) -> bool:
    """Whether some pass hooks or binds LUMA (only then is the luma plane made)."""
    return "LUMA" in passes or any("LUMA" in s.binds for ps in passes.values() for s in ps)


def build(files: Sequence[ShaderFile], source: Sequence[int], output: tuple[int, int],
          params: Mapping[str, float] | None = None, scaler: str = "bicubic",
          direct: bool = False) -> Plan:
    """The steps of one frame: ``source`` is (w, h) or (w, h, components) of the RGB frame,
    ``output`` the size the chain must produce, ``params`` values overriding the files'
    PARAM defaults (resolved by render/params.py, as everywhere). With ``direct`` the last step writes
    the result into the caller's framebuffer (a copy step is added when the last step
    cannot: a compute pass, fewer than 3 components, or no step at all)."""
    return _Walk(files, source, output, params or {}, scaler).run(direct)


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


class _Walk:
    """One walk over POINTS (state: the textures by name, the image's OFFSET)."""

    def __init__(self, files, source, output, overrides, scaler):
        self.passes, self.absent = passes_by_point(files)
        self.values: dict[str, float] = dict(resolve_params(files, overrides).values)
        self.user: dict[str, tuple[int, int]] = {}
        for f in files:
            for t in f.textures:
                self.user[t.name] = (t.size[0], t.size[1] if len(t.size) > 1 else 1)
        w, h, *c = source
        self.src = Tex(-1, int(w), int(h), int(c[0]) if c else 4)
        self.out = (int(output[0]), int(output[1]))
        self.scaler = scaler
        self.steps: list[Step] = []
        self.skipped: list[Skipped] = []
        self.tex: dict[str, Tex] = {}
        self.offset = (0.0, 0.0)   # the image's shift in its own pixels (mpv: texture_offset.t)

    # ---- the walk ----------------------------------------------------------------------
    def run(self, direct: bool) -> Plan:
        image = self.src
        for point, kind in POINTS:
            if kind == "absent":
                continue
            if kind == "scaler":
                image = self._scale(image)
            elif kind == "luma":
                if needs_luma(self.passes):
                    image = self._luma(image)
            else:
                image = self._stage(point, image, kind == "resizable")
                self.tex[point] = image
        if direct:
            image = self._direct(image)
        frees = lifetimes([(st.out.slot, [t.slot for _, t in st.reads]) for st in self.steps],
                          image.slot)
        for st, f in zip(self.steps, frees):
            st.frees = f
        return Plan((self.src.w, self.src.h, self.src.components), self.out, self.steps,
                    image.slot, self.skipped)

    def _stage(self, point: str, image: Tex, resizable: bool) -> Tex:
        self.tex[point] = image  # during its own passes, a hook point names the current image
        for spec in self.passes.get(point, ()):
            result = self._pass(spec, point, image, resizable)
            if result is None:
                continue
            if (spec.save or point) == point:
                image = self.tex[point] = result
            else:
                self.tex[spec.save] = result
        return image

    def _luma(self, image: Tex) -> Tex:
        luma = self._add("luma", "luma (Rec.709)", [("src", image)], image.w, image.h, 1)
        new = self._stage("LUMA", luma, True)
        if new is luma:
            return image
        return self._add("luma_merge", "luma merge",
                         [("src", image), ("old_luma", luma), ("new_luma", new)],
                         new.w, new.h, image.components)

    def _scale(self, image: Tex) -> Tex:
        """The scaler to the output size, correcting the image's OFFSET (mpv samples the
        scaler's source rectangle shifted by it; with no resize it uses bilinear, as
        mpv's default --scaler-resizes-only does)."""
        ow, oh = self.out
        ox, oy = self.offset
        comps = image.components
        if image.size == (ow, oh) and (ox, oy) == (0.0, 0.0):
            return image
        if self.scaler == "bilinear" or image.size == (ow, oh):
            out = self._add("bilinear", "scale bilinear", [("src", image)], ow, oh, comps,
                            offset=(ox, oy))
        else:
            mid = self._add("scale_x", f"scale {self.scaler} (x)", [("src", image)], ow,
                            image.h, comps, offset=(ox, 0.0))
            out = self._add("scale_y", f"scale {self.scaler} (y)", [("src", mid)], ow, oh,
                            comps, offset=(0.0, oy))
        return out

    def _direct(self, image: Tex) -> Tex:
        last = self.steps[-1] if self.steps else None
        if (last is None or last.out.slot != image.slot or last.groups is not None
                or last.out.components < 3):
            image = self._add("copy", "copy to target", [("src", image)], image.w, image.h,
                              max(3, image.components))
        self.steps[-1].direct = True
        return image

    # ---- one user pass -----------------------------------------------------------------
    def _size_of(self, name: str, axis: str, hooked: Tex) -> float:
        if name == "HOOKED":
            tex = hooked
        elif name == "OUTPUT":
            return float(self.out[0] if axis == "w" else self.out[1])
        elif name == "NATIVE_CROPPED":
            tex = self.src
        elif name in self.tex:
            tex = self.tex[name]
        elif name in self.user:
            return float(self.user[name][0 if axis == "w" else 1])
        else:
            raise KeyError(name)
        return float(tex.w if axis == "w" else tex.h)

    def _pass(self, spec: HookPass, hook: str, hooked: Tex, resizable: bool) -> Tex | None:
        reads = []
        for name in bound_names(spec, hook, self.user.keys()):
            tex = hooked if name == hook else self.tex.get(name)
            if tex is None:  # a bound texture that does not exist yet: skip, as mpv does
                self.skipped.append(Skipped(spec, hook, f"no texture named {name} yet",
                                            quiet=True))
                return None
            reads.append((name, tex))
        size = lambda n, a: self._size_of(n, a, hooked)  # noqa: E731
        param = self.values.__getitem__
        try:
            if spec.when is not None and not spec.when.eval(size, param):
                self.skipped.append(Skipped(spec, hook, "WHEN is false", quiet=True))
                return None
            w = round(spec.width.eval(size, param)) if spec.width else hooked.w
            h = round(spec.height.eval(size, param)) if spec.height else hooked.h
        except (ShaderError, KeyError) as e:
            return self._skip(spec, hook, str(e))
        if w < 1 or h < 1 or w > MAX_SIZE or h > MAX_SIZE:
            return self._skip(spec, hook, f"size {w}x{h}")
        overwrite = (spec.save or hook) == hook
        shift = spec.offset if isinstance(spec.offset, tuple) else (0.0, 0.0)
        align = spec.offset == "ALIGN"
        if overwrite and not resizable:
            if (w, h) != hooked.size:
                return self._skip(spec, hook, f"{hook} is a fixed hook point and cannot be "
                                  f"resized to {w}x{h}")
            if align or shift != (0.0, 0.0):
                return self._skip(spec, hook, f"{hook} is a fixed hook point: OFFSET needs "
                                  "a resizable one (RGB, LUMA, NATIVE, MAINPRESUB, MAIN)")
        before = self.offset
        sample = before if (overwrite and align) else (0.0, 0.0)
        if overwrite and resizable:
            # mpv: trans = (scale by w/hooked.w, h/hooked.h, then shift by OFFSET) o trans;
            # ALIGN samples HOOKED shifted back by the offset so far and leaves none.
            sx, sy = w / hooked.w, h / hooked.h
            self.offset = (0.0, 0.0) if align else (before[0] * sx + shift[0],
                                                    before[1] * sy + shift[1])
        groups = None
        comps = spec.components or hooked.components
        if spec.compute is not None:   # out_image is RGBA16F whatever COMPONENTS says
            bw, bh = spec.compute[0], spec.compute[1]
            groups = ((w + bw - 1) // bw, (h + bh - 1) // bh)
            comps = 4
        return self._add("pass", spec.desc, reads, w, h, comps, spec=spec, hook=hook,
                         save=spec.save or hook, offset=sample, tex_offset=before,
                         groups=groups)

    def _skip(self, spec: HookPass, hook: str, reason: str) -> None:
        self.skipped.append(Skipped(spec, hook, reason))
        return None

    def _add(self, kind: str, desc: str, reads, w: int, h: int, components: int,
             **extra) -> Tex:
        out = Tex(len(self.steps), w, h, components)
        extra.setdefault("tex_offset", self.offset)
        self.steps.append(Step(kind, desc, out, tuple(reads), **extra))
        return out

"""`a4kplay bench`: what each chain costs per frame here, and what it costs against mpv.

This module owns the measurements (docs/performance.md states the method and the results):
- ``bench_run``: whole frames of one chain on a generated line-art picture, wall time around
  ``Chain.run`` + ``glFinish`` (the honest number on llvmpipe), the per-pass split from the
  chain's GL_TIMESTAMP stamps, the main-thread CPU time of ``Chain.run``, and the texture
  fetches per output pixel counted from the shader source (``player.fetches``);
- ``interleaved_runs``: the same frames, but of several chains round-robin in one process,
  and each chain's per-round time ratio to a baseline chain (``--baseline``): paired, so
  it is the figure for "costs at most what X costs" on a noisy machine;
- ``vs_mpv``: the same shader files on the same generated clip at the same window size and
  display, in our player and in the mpv command line, alternated, as milliseconds per frame
  from whole runs: (median time of an N-frame run - median time of a 1-frame run) / (N - 1),
  so process start, shader compilation and the first frame cancel out;
- ``loop_overhead``: CPU time of our play loop per frame (everything but libmpv's own
  rendering, the buffer swap and waiting), each figure from a child process playing the same
  clip: once with ``GALLIUM_NOOP=1`` (Mesa's no-op driver accepts and drops all rendering, so
  what is left is our own Python and GL-call cost) and once on the real driver (where
  llvmpipe also bins every draw on our thread).

Timing is never asserted by tests; the numbers are for people and the governor's defaults.
Here: the command line and the in-process runs; ``bench_mpv`` (against mpv), ``bench_loop``
(the loop's CPU), ``bench_report`` (tables, plot, JSON), ``bench_common`` (what they share).
"""
from __future__ import annotations

import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Sequence

from player.base.errors import A4kError
from player.base.paths import SHIPPED
from player.tools.bench_common import CLIP_FPS, CLIP_SECONDS, CUSTOM, PACKS, is_pack
from player.tools.bench_common import median as _median
from player.tools.bench_loop import loop_overhead
from player.tools.bench_mpv import (MPV_SCALE, ensure_display, make_bench_clip,
                                    mpv_command, mpv_compatible, ours_command, vs_mpv)
from player.tools.bench_report import (format_run, format_tables, plot, public,
                                       write_json)

# what callers and the tests use from the split modules, through this one
__all__ = ["add_arguments", "run", "select_chains", "bench_run", "interleaved_runs",
           "source_frames", "machine", "Pacer",
           "CLIP_FPS", "CLIP_SECONDS", "CUSTOM", "PACKS", "is_pack", "MPV_SCALE",
           "ensure_display", "make_bench_clip", "mpv_command", "mpv_compatible",
           "ours_command", "vs_mpv", "loop_overhead", "format_run", "format_tables", "plot",
           "public", "write_json"]

DEFAULT_SIZES = (((960, 540), (1920, 1080)), ((1920, 1080), (3840, 2160)))
# llvmpipe on 2 cores takes ~1.2 s for a 1080p Full frame and ~5 s at 4K: these defaults
# keep the default bench (4 tiers, two sizes) to about three minutes.
DEFAULT_FRAMES, DEFAULT_WARMUP = 10, 2
# --vs-mpv without --profiles/--shader: these profiles and every test pack (PACKS), at both
# sizes except the chains in VS_MPV_SMALL_ONLY, which only the first size measures (time);
# frames per run: 10 at the first size, 4 at 4K (a Full 4K frame takes ~1.5 s here, and
# an N-frame run must end before the clip does). The default run takes ~15 minutes here.
VS_MPV_PROFILES = ("Full", "Fast", "UltraFast", "Off")
VS_MPV_SMALL_ONLY = ("Off", "test pack")
VS_MPV_FRAMES = {(1920, 1080): 10, (3840, 2160): 4}


# ---- command line --------------------------------------------------------------------

def add_arguments(p) -> None:
    from player.tools.args import count as _count, positive as _positive, size as _size
    p.add_argument("--profiles", nargs="+", metavar="NAME",
                   help="profiles to measure (default: the ladder, plus learned tiers)")
    p.add_argument("--shader", action="append", default=[], metavar="FILE",
                   help="also measure a chain of these shader files (repeatable, in order)")
    p.add_argument("--scaler", choices=tuple(MPV_SCALE), default="bicubic",
                   help="scaler of the --shader chain (default bicubic)")
    p.add_argument("--input", nargs="+", type=_size, metavar="WxH",
                   help="source sizes (default 960x540 1920x1080)")
    p.add_argument("--output", nargs="+", type=_size, metavar="WxH",
                   help="output sizes, one per --input (default 1920x1080 3840x2160)")
    p.add_argument("--frames", type=_count, metavar="N",
                   help=f"measured frames per run (default {DEFAULT_FRAMES}; with --vs-mpv "
                        "10 at 1080p, 4 at 4K)")
    p.add_argument("--warmup", type=int, default=DEFAULT_WARMUP, metavar="N",
                   help=f"frames run before measuring (default {DEFAULT_WARMUP})")
    p.add_argument("--json", metavar="PATH", help="write the results as JSON")
    p.add_argument("--plot", metavar="PNG", help="draw ms per frame per chain as a PNG")
    p.add_argument("--config", metavar="PATH", help="profiles.yaml to use")
    p.add_argument("--vs-mpv", action="store_true",
                   help="also time the same shaders in the mpv command line (ratio ours/mpv)")
    p.add_argument("--repeats", type=_count, default=3, metavar="N",
                   help="--vs-mpv: alternations of ours and mpv (default 3)")
    p.add_argument("--no-runs", action="store_true",
                   help="--vs-mpv: skip the per-pass GL runs, compare only")
    p.add_argument("--interleave", action="store_true",
                   help="time the chains' frames round-robin in one process (A B C, B C A, "
                        "...) so load drifts hit every chain alike")
    p.add_argument("--baseline", metavar="NAME",
                   help="with --interleave (implied): also each chain's per-round time "
                        "ratio to chain NAME (e.g. A4K-v4-M), median and range")
    p.add_argument("--pace", type=_positive, metavar="FPS",
                   help="draw one frame every 1/FPS s, idle in between as in playback "
                        "(default: back to back); a renderer that slows when idle, such as "
                        "llvmpipe's threads or a GPU's clocks, then shows what a frame costs "
                        "at that frame rate (our chains' runs; --vs-mpv's play the clip)")
    p.add_argument("--no-cpu", action="store_true",
                   help="skip the play loop's CPU overhead (two child processes per chain)")


class Pacer:
    """Holds each frame's start to a clock of ``fps`` ticks a second (none: no wait), so a
    bench run idles between frames as playback does. A frame that overran its tick starts
    at once; the clock does not try to catch up (playback drops, it does not hurry)."""

    def __init__(self, fps: float | None, clock=time.perf_counter, sleep=time.sleep):
        self.interval = 1.0 / fps if fps else 0.0
        self.clock, self.sleep = clock, sleep
        self.next: float | None = None

    def wait(self) -> None:
        if not self.interval:
            return
        now = self.clock()
        if self.next is not None and now < self.next:
            self.sleep(self.next - now)
            now = self.next
        self.next = now + self.interval


def run(args) -> int:
    sizes = _sizes(args.input, args.output)
    default_vs = args.vs_mpv and not args.profiles and not args.shader
    if default_vs:
        chains = select_chains(VS_MPV_PROFILES, [], args.scaler, args.config,
                               packs=tuple(PACKS))
    else:
        chains = select_chains(args.profiles, args.shader, args.scaler, args.config,
                               default_all=not args.shader)
    if args.warmup < 0:
        raise A4kError("--warmup must be 0 or more")
    display = None
    if args.vs_mpv and not shutil.which("mpv"):
        raise A4kError("--vs-mpv needs the mpv command line, which is not installed",
                       hint="apt-get install mpv")
    if args.vs_mpv or not args.no_cpu:
        display = ensure_display(max(o[0] for _, o in sizes), max(o[1] for _, o in sizes))
    tmp = tempfile.TemporaryDirectory(prefix="a4kbench-")
    clips: dict[tuple[int, int], str] = {}

    def clip_for(size: tuple[int, int]) -> str:
        if size not in clips:
            clips[size] = make_bench_clip(Path(tmp.name) / f"clip{size[0]}x{size[1]}.mkv",
                                          size, CLIP_FPS * CLIP_SECONDS)
        return clips[size]

    try:
        from player.gl.window import setup_platform
        setup_platform(headless=True)
        result = {"machine": machine(), "renderer": None, "runs": []}
        if args.pace:
            result["pace_fps"] = args.pace
        frames = args.frames or DEFAULT_FRAMES
        if not args.no_runs or not args.vs_mpv:
            result["renderer"] = _renderer()
            for in_size, out_size in sizes:
                if args.interleave or args.baseline:
                    runs = interleaved_runs(chains, in_size, out_size, frames, args.warmup,
                                            args.baseline, pace=args.pace)
                    for run in runs:
                        print(format_run(run), file=sys.stderr, flush=True)
                    result["runs"] += runs
                    continue
                for name, shaders, scaler, params in chains:
                    run = bench_run(name, shaders, scaler, params, in_size, out_size, frames,
                                    args.warmup, pace=args.pace)
                    result["runs"].append(run)
                    print(format_run(run), file=sys.stderr, flush=True)
        if args.vs_mpv:
            rows = []
            for k, (in_size, out_size) in enumerate(sizes):
                picked = [c for c in chains
                          if k == 0 or not default_vs or c[0] not in VS_MPV_SMALL_ONLY]
                n = args.frames or VS_MPV_FRAMES.get(tuple(out_size), 24)
                rows.append((in_size, out_size, n, picked))
            result["vs_mpv"] = vs_mpv(rows, args.repeats, args.config, clip_for)
            if result["renderer"] is None:
                result["renderer"] = _renderer()
        if not args.no_cpu:
            in_size, out_size = sizes[0]
            loops = loop_overhead(chains, in_size, out_size, clip_for(in_size), args.config)
            result["cpu_overhead"] = loops
            noop = [e["noop_ms"] for e in loops if e["noop_ms"] is not None]
            result["cpu_overhead_ms"] = max(noop) if noop else None
        print(format_tables(result))
        if args.json:
            write_json(args.json, result)
        if args.plot:
            plot([result], args.plot)
    finally:
        tmp.cleanup()
        if display is not None:
            from player.render import offscreen
            offscreen.close()  # its window is on that display: close it before the server goes
            display.terminate()
            display.wait(timeout=10)
    return 0


def _sizes(inputs, outputs) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    if inputs is None and outputs is None:
        return [tuple(p) for p in DEFAULT_SIZES]
    inputs = inputs or [DEFAULT_SIZES[0][0]]
    if outputs is None:
        outputs = [(2 * w, 2 * h) for w, h in inputs]
    if len(inputs) != len(outputs):
        raise A4kError(f"{len(inputs)} --input sizes but {len(outputs)} --output sizes",
                       hint="give one output size per input size")
    return list(zip(inputs, outputs))


def select_chains(profiles: Sequence[str] | None, shaders: Sequence[str], scaler: str,
                  config_path: str | None, default_all: bool = True,
                  packs: Sequence[str] = ()) -> list[tuple]:
    """[(name, shader paths, scaler, params)] to measure.

    Default: the profiles on the ladder, plus profiles off the ladder whose name or shader
    files say "learned" (the learned tier is measured even where it is not on the ladder).
    ``packs``: names of PACKS to add, each a chain of its files with ``scaler``.
    """
    from player.config import resolve
    from player.config.profiles import load_config
    out = []
    if profiles or default_all:
        config = load_config(config_path)
        names = list(profiles or config.ladder or config.profile_names)
        if not profiles:
            for name, prof in config.profiles.items():
                text = (name + " " + " ".join(prof.shaders)).lower()
                if name not in names and "learned" in text:
                    names.append(name)
        for name in names:
            spec = resolve.spec(config, name)
            out.append((name, spec.shaders, spec.scaler, dict(spec.params)))
    for name in packs:
        out.append((name, [str(SHIPPED / s) for s in PACKS[name]], scaler, {}))
    if shaders:
        out.append((CUSTOM, resolve.shader_paths(shaders), scaler, {}))
    return out


# ---- facts about this machine ------------------------------------------------------------

def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} CPUs"


def _renderer() -> str:
    from player.gl import gpu
    from player.render import offscreen
    offscreen.context()
    return gpu.renderer()


# ---- one chain, in process -------------------------------------------------------------

class _Recorder:
    """Stands in for Chain.timings: keeps every frame's (total, [(desc, ms)]) in order."""

    def __init__(self):
        self.frames: list[tuple[float, list[tuple[str, float]]]] = []

    def add(self, total: float, passes: list[tuple[str, float]]) -> None:
        self.frames.append((total, list(passes)))


def source_frames(w: int, h: int, count: int = 3):
    """A generated line-art picture and copies panned by a few pixels (frames that differ)."""
    import numpy as np
    from player.media.mediagen import lineart_frame
    base = lineart_frame(w, h)
    return [np.roll(base, 4 * k, axis=1) for k in range(count)]


class _Timed:
    """One chain set up for timing: its textures, its recorder, its frames' wall and CPU
    times. ``frame`` draws one whole frame; ``result`` releases the chain and returns the
    JSON "runs" entry. bench_run drives one alone; interleaved_runs several round-robin."""

    def __init__(self, name: str, shaders: Sequence[str], scaler: str, params: dict,
                 in_size: tuple[int, int], out_size: tuple[int, int]):
        from player.render import fetches, offscreen
        offscreen.context()
        self.name, self.in_size, self.out_size = name, in_size, out_size
        files = offscreen.load_shaders(shaders)
        self.planned = fetches.plan(files, in_size, out_size, scaler, params)
        self.chain = offscreen.build_chain(shaders, scaler, params, label=name)
        self.srcs = []
        try:
            for f in source_frames(*in_size):
                self.srcs.append(offscreen.to_texture(f))
        except BaseException:
            self.release()
            raise
        self.rec = _Recorder()
        self.chain.timings = self.rec
        self.wall: list[float] = []
        self.cpu: list[float] = []
        self.count = 0

    def frame(self, keep: bool) -> float:
        """Draw one frame; keep its times when ``keep``. Returns its wall time in ms."""
        from OpenGL import GL
        GL.glFinish()
        t0, c0 = time.perf_counter(), time.thread_time()
        self.chain.run(self.srcs[self.count % len(self.srcs)], *self.out_size)
        c1 = time.thread_time()
        GL.glFinish()
        t1 = time.perf_counter()
        self.count += 1
        ms = (t1 - t0) * 1e3
        if keep:
            self.wall.append(ms)
            self.cpu.append((c1 - c0) * 1e3)
        return ms

    def release(self) -> None:
        self.chain.release()
        for s in self.srcs:
            s.release()

    def result(self) -> dict:
        """The JSON "runs" entry (plus "_" keys write_json leaves out); releases the chain."""
        from player.render import fetches
        frames = len(self.wall)
        try:
            for total, passes in self.chain.timer.collect():  # the last frames' stamps
                self.rec.add(total, passes)
            warnings = list(self.chain.warnings)
        finally:
            self.release()
        rec = self.rec
        measured = rec.frames[-frames:] if len(rec.frames) >= frames else rec.frames
        passes = []
        if measured:
            n = len(measured[-1][1])
            for k in range(n):
                ms = [f[1][k][1] for f in measured if len(f[1]) == n]
                passes.append({"desc": measured[-1][1][k][0],
                               "ms": round(statistics.median(ms), 3)})
        wall, cpu = self.wall, self.cpu
        return {"profile": self.name, "input": list(self.in_size),
                "output": list(self.out_size), "frames": frames,
                "ms": {"median": round(statistics.median(wall), 3),
                       "min": round(min(wall), 3), "max": round(max(wall), 3)},
                "passes": passes,
                "fetches_per_pixel": round(fetches.per_output_pixel(self.planned,
                                                                    self.out_size), 3),
                "_cpu_ms": round(statistics.median(cpu), 3),
                "_gpu_ms": _median([f[0] for f in measured]),
                "_plan": [(p.desc, p.w, p.h, p.fetches) for p in self.planned],
                "_warnings": warnings}


def bench_run(name: str, shaders: Sequence[str], scaler: str, params: dict,
              in_size: tuple[int, int], out_size: tuple[int, int], frames: int,
              warmup: int, pace: float | None = None) -> dict:
    """Time ``frames`` whole frames of one chain (after ``warmup``); one JSON "runs" entry.
    ``pace``: frames a second to draw them at (None: back to back).

    The entry also carries "_cpu_ms" (median main-thread CPU time of Chain.run), which
    ``write_json`` leaves out of the file's runs.
    """
    t = _Timed(name, shaders, scaler, params, in_size, out_size)
    pacer = Pacer(pace)
    try:
        for i in range(warmup + frames):
            pacer.wait()
            t.frame(keep=i >= warmup)
    except BaseException:
        t.release()
        raise
    return t.result()


def interleaved_runs(chains: Sequence[tuple], in_size: tuple[int, int],
                     out_size: tuple[int, int], frames: int, warmup: int,
                     baseline: str | None = None, pace: float | None = None) -> list[dict]:
    """Time the chains' frames round-robin in one process: round r draws one frame of each,
    starting at chain r (A B C, B C A, C A B, ...), so a change of load hits every chain
    alike and none always goes first. With ``baseline`` (a chain's name) each entry also
    carries "vs_baseline": the median, min and max over rounds of its frame's time over the
    baseline's frame in the same round, a paired ratio that machine noise moves far less
    than a ratio of two separate runs' medians. ``pace``: frames a second, every chain's
    frame on its own tick (None: back to back)."""
    names = [c[0] for c in chains]
    if baseline is not None and baseline not in names:
        raise A4kError(f"--baseline {baseline}: not among the measured chains",
                       hint="name one of: " + ", ".join(names))
    timed: list[_Timed] = []
    pacer = Pacer(pace)
    try:
        for name, shaders, scaler, params in chains:
            timed.append(_Timed(name, shaders, scaler, params, in_size, out_size))
        for t in timed:
            for _ in range(warmup):
                pacer.wait()
                t.frame(keep=False)
        rounds: list[list[float]] = []
        for r in range(frames):
            times = [0.0] * len(timed)
            for k in range(len(timed)):
                j = (r + k) % len(timed)
                pacer.wait()
                times[j] = timed[j].frame(keep=True)
            rounds.append(times)
    except BaseException:
        for t in timed:
            t.release()
        raise
    out = []
    try:
        for t in timed:
            out.append(t.result())
    finally:
        for t in timed[len(out) + 1:]:  # after a failing result(): the ones never reached
            t.release()
    if baseline is not None:
        b = names.index(baseline)
        for j, entry in enumerate(out):
            ratios = [times[j] / times[b] for times in rounds]
            entry["vs_baseline"] = {"profile": baseline, "rounds": len(ratios),
                                    "median": round(statistics.median(ratios), 3),
                                    "min": round(min(ratios), 3),
                                    "max": round(max(ratios), 3)}
    return out

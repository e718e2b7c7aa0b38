"""`a4kplay bench`: what each chain costs per frame here, and what it costs against mpv.

This module owns the measurements (docs/performance.md states the method and the results):
- ``bench_run``: whole frames of one chain on a generated line-art picture, wall time around
  ``Chain.run`` + ``glFinish`` (the honest number on llvmpipe), the per-pass split from the
  chain's GL_TIMESTAMP stamps, the main-thread CPU time of ``Chain.run``, and the texture
  fetches per output pixel counted from the shader source (``player.fetches``);
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
"""
from __future__ import annotations

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Sequence

from player.base.errors import A4kError, MediaError
from player.base.paths import ROOT

DEFAULT_SIZES = (((960, 540), (1920, 1080)), ((1920, 1080), (3840, 2160)))
# llvmpipe on 2 cores takes ~1.2 s for a 1080p Full frame and ~5 s at 4K: these defaults
# keep the default bench (4 tiers, two sizes) to about three minutes.
DEFAULT_FRAMES, DEFAULT_WARMUP = 10, 2
CLIP_FPS, CLIP_SECONDS = 60, 20  # --vs-mpv clip: long enough for N slow frames, timed
MPV_SCALE = {"bicubic": "catmull_rom", "lanczos": "lanczos", "bilinear": "bilinear"}
CUSTOM = "shaders"  # the run name of a --shader chain


# ---- command line --------------------------------------------------------------------

def add_arguments(p) -> None:
    from player.tools.args import count as _count, size as _size
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
                   help=f"measured frames per run (default {DEFAULT_FRAMES}; 24 with --vs-mpv)")
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
    p.add_argument("--no-cpu", action="store_true",
                   help="skip the play loop's CPU overhead (two child processes per chain)")


def run(args) -> int:
    sizes = _sizes(args.input, args.output)
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
        frames = args.frames or DEFAULT_FRAMES
        if not args.no_runs or not args.vs_mpv:
            result["renderer"] = _renderer()
            for in_size, out_size in sizes:
                for name, shaders, scaler, params in chains:
                    run = bench_run(name, shaders, scaler, params, in_size, out_size, frames,
                                    args.warmup)
                    result["runs"].append(run)
                    print(format_run(run), file=sys.stderr, flush=True)
        if args.vs_mpv:
            result["vs_mpv"] = vs_mpv(chains, sizes, args.frames or 24, args.repeats,
                                      args.config, clip_for)
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
                  config_path: str | None, default_all: bool = True) -> list[tuple]:
    """[(name, shader paths, scaler, params)] to measure.

    Default: the profiles on the ladder, plus profiles off the ladder whose name or shader
    files say "learned" (the learned tier is measured even where it is not on the ladder).
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


def _median(values) -> float | None:
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 3) if values else None


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


def bench_run(name: str, shaders: Sequence[str], scaler: str, params: dict,
              in_size: tuple[int, int], out_size: tuple[int, int], frames: int,
              warmup: int) -> dict:
    """Time ``frames`` whole frames of one chain (after ``warmup``); one JSON "runs" entry.

    The entry also carries "_cpu_ms" (median main-thread CPU time of Chain.run), which
    ``write_json`` leaves out of the file's runs.
    """
    from OpenGL import GL
    from player.render import fetches, offscreen
    offscreen.context()
    files = offscreen.load_shaders(shaders)
    planned = fetches.plan(files, in_size, out_size, scaler, params)
    chain = offscreen.build_chain(shaders, scaler, params, label=name)
    srcs = [offscreen.to_texture(f) for f in source_frames(*in_size)]
    rec = _Recorder()
    chain.timings = rec
    wall, cpu = [], []
    try:
        for i in range(warmup + frames):
            GL.glFinish()
            t0, c0 = time.perf_counter(), time.thread_time()
            chain.run(srcs[i % len(srcs)], *out_size)
            c1 = time.thread_time()
            GL.glFinish()
            t1 = time.perf_counter()
            if i >= warmup:
                wall.append((t1 - t0) * 1e3)
                cpu.append((c1 - c0) * 1e3)
        for total, passes in chain.timer.collect():  # the last frames' stamps
            rec.add(total, passes)
        warnings = list(chain.warnings)
    finally:
        chain.release()
        for s in srcs:
            s.release()
    measured = rec.frames[-frames:] if len(rec.frames) >= frames else rec.frames
    passes = []
    if measured:
        n = len(measured[-1][1])
        for k in range(n):
            ms = [f[1][k][1] for f in measured if len(f[1]) == n]
            passes.append({"desc": measured[-1][1][k][0], "ms": round(statistics.median(ms), 3)})
    return {"profile": name, "input": list(in_size), "output": list(out_size),
            "frames": frames,
            "ms": {"median": round(statistics.median(wall), 3), "min": round(min(wall), 3),
                   "max": round(max(wall), 3)},
            "passes": passes,
            "fetches_per_pixel": round(fetches.per_output_pixel(planned, out_size), 3),
            "_cpu_ms": round(statistics.median(cpu), 3),
            "_gpu_ms": _median([f[0] for f in measured]),
            "_plan": [(p.desc, p.w, p.h, p.fetches) for p in planned],
            "_warnings": warnings}


# ---- against mpv --------------------------------------------------------------------------

def ensure_display(w: int, h: int):
    """Start an Xvfb (screen larger than w x h) when there is no X display; returns the
    process to terminate, or None when DISPLAY was already set."""
    if os.environ.get("DISPLAY"):
        return None
    if not shutil.which("Xvfb"):
        raise A4kError("--vs-mpv needs an X display and Xvfb is not installed",
                       hint="apt-get install xvfb, or run inside an X session")
    r, wfd = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(wfd), "-screen", "0",
                             f"{w + 64}x{h + 64}x24", "-nolisten", "tcp"], pass_fds=(wfd,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(wfd)
    with os.fdopen(r) as f:
        num = f.readline().strip()
    if not num:
        proc.kill()
        raise A4kError("Xvfb did not start")
    os.environ["DISPLAY"] = f":{num}"
    return proc


def mpv_compatible(path: str, out_dir: Path) -> str:
    """``path`` itself, or a copy mpv 0.35 accepts: it ignores files with PARAM blocks, so
    each PARAM becomes a #define of its default in every pass of the copy."""
    from player.render.hookfile import load
    text = Path(path).read_text()
    if not re.search(r"^\s*//!PARAM\b", text, re.M):
        return path
    defines = []
    for p in load(path).params:
        defines += [f"#define {c} {i}" for i, c in enumerate(p.enum_values)]
        v = p.default
        defines.append(f"#define {p.name} {int(v) if p.integral else repr(float(v))}")
    blocks, cur = [], []
    lines = text.splitlines()
    for i, line in enumerate(lines):  # a block starts at a //! line after a body line
        if line.startswith("//!") and cur and not lines[i - 1].startswith("//!"):
            blocks.append(cur)
            cur = []
        cur.append(line)
    blocks.append(cur)
    out = []
    for block in blocks:
        if block[0].startswith("//!PARAM"):
            continue
        heads = [ln for ln in block if ln.startswith("//!")]
        if any(ln.startswith("//!HOOK") for ln in heads):
            k = len(heads) if block[:len(heads)] == heads else 0
            block = block[:k] + defines + block[k:]
        out.extend(block)
    dst = out_dir / f"mpv-{len(list(out_dir.iterdir()))}-{Path(path).name}"
    dst.write_text("\n".join(out) + "\n")
    return str(dst)


def _timed(cmd: list[str], timeout: float) -> tuple[float, str]:
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL, cwd=ROOT)
    except subprocess.TimeoutExpired:
        raise A4kError(f"timed out after {timeout:.0f} s: {' '.join(cmd[:4])} ...") from None
    dt = time.perf_counter() - t0
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["no message"])[-1]
        raise A4kError(f"{Path(cmd[0]).name} failed ({proc.returncode}): {tail}")
    return dt, proc.stdout + proc.stderr


def ours_command(clip: str, frames: int, size: tuple[int, int], name: str,
                 shaders: Sequence[str], scaler: str, config: str | None) -> list[str]:
    """Our player on the same display as mpv, in a visible window.

    Timed playback of a CLIP_FPS clip, not untimed: with the render API libmpv does not wait
    for our renderer when untimed, it runs to the end of the file while we render frame 2
    (measured: 8 "frames" of Full took 0.12 s each). Timed, it drops the frames we cannot
    show and each presented frame is one whole run of the chain; the clip's rate caps us at
    1000 / CLIP_FPS ms per frame, far below any chain's cost on llvmpipe."""
    cmd = [sys.executable, "-m", "player.cli", clip, "--frames", str(frames), "--no-audio",
           "--no-auto", "--size", f"{size[0]}x{size[1]}"]
    if name == CUSTOM:
        for s in shaders:
            cmd += ["--shader", s]
        cmd += ["--scaler", scaler]
    else:
        cmd += ["--profile", name] + (["--config", config] if config else [])
    return cmd


def mpv_command(clip: str, frames: int, size: tuple[int, int], shaders: Sequence[str],
                scaler: str) -> list[str]:
    cmd = ["mpv", "--no-config", "--vo=gpu", "--gpu-api=opengl", "--gpu-context=x11egl",
           "--gpu-sw", "--hwdec=no", "--no-audio", "--untimed", "--framedrop=no",
           f"--frames={frames}",
           f"--geometry={size[0]}x{size[1]}", f"--scale={MPV_SCALE[scaler]}",
           "--msg-level=all=warn"]
    if shaders:
        cmd.append("--glsl-shaders=" + ":".join(shaders))
    return cmd + [clip]


def make_bench_clip(path: Path, size: tuple[int, int], frames: int) -> str:
    import numpy as np
    from player.media.mediagen import lineart_frame, make_clip
    base = lineart_frame(*size)
    make_clip(path, w=size[0], h=size[1], frames=frames, fps=CLIP_FPS,
              draw=lambda k, w, h: np.roll(base, 4 * k, axis=1))
    return str(path)


def vs_mpv(chains: Sequence[tuple], sizes, frames: int, repeats: int,
           config: str | None, clip_for) -> list[dict]:
    """Ours against mpv for every chain and size (``clip_for(size)`` gives the clip)."""
    if frames < 2:
        raise A4kError("--vs-mpv needs --frames 2 or more (a 1-frame run is the baseline)")
    out = []
    with tempfile.TemporaryDirectory(prefix="a4kbench-mpv-") as tmp:
        tmp = Path(tmp)
        for in_size, out_size in sizes:
            clip = clip_for(in_size)
            for name, shaders, scaler, params in chains:
                mpv_shaders = [mpv_compatible(s, tmp) for s in shaders]
                samples = {"ours": {1: [], frames: []}, "mpv": {1: [], frames: []}}
                notes: set[str] = set()
                for _ in range(repeats):
                    for n in (1, frames):
                        for side in ("ours", "mpv"):  # alternated: drift hits both alike
                            cmd = (ours_command(clip, n, out_size, name, shaders, scaler, config)
                                   if side == "ours" else
                                   mpv_command(clip, n, out_size, mpv_shaders, scaler))
                            dt, log = _timed(cmd, timeout=60 + 10 * n)
                            samples[side][n].append(dt)
                            if side == "mpv":
                                notes.update(_mpv_problems(log))
                            elif dt > CLIP_SECONDS:
                                raise A4kError(f"{name}: our {n}-frame run took {dt:.0f} s, "
                                               "longer than the clip: it may have ended at the "
                                               "end of the file", hint="use fewer --frames")
                per = {side: (statistics.median(s[frames]) - statistics.median(s[1]))
                       / (frames - 1) * 1e3 for side, s in samples.items()}
                entry = {"shaders": [_rel(s) for s in shaders], "input": list(in_size),
                         "output": list(out_size), "ours_ms": round(per["ours"], 2),
                         "mpv_ms": round(per["mpv"], 2),
                         "ratio": round(per["ours"] / per["mpv"], 3) if per["mpv"] > 0 else None,
                         "profile": name, "scaler": scaler}
                if notes:
                    entry["mpv_messages"] = sorted(notes)

                out.append(entry)
                print(f"vs mpv {name} {in_size[0]}x{in_size[1]}->{out_size[0]}x{out_size[1]}: "
                      f"ours {per['ours']:.1f} ms, mpv {per['mpv']:.1f} ms", file=sys.stderr,
                      flush=True)
    return out


def _mpv_problems(log: str) -> list[str]:
    return [ln.strip() for ln in log.splitlines()
            if re.search(r"(?i)(shader|glsl|hook).*(error|fail|ignor)|(error|fail).*(shader|glsl)",
                         ln)][:5]


def _rel(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


# frames measured per loop run: the no-op driver runs at the clip's rate, llvmpipe at the
# chain's (a Full frame takes most of a second there, and the clip lasts CLIP_SECONDS)
LOOP_FRAMES = {"noop_ms": 60, "llvmpipe_ms": 8}


def loop_overhead(chains: Sequence[tuple], in_size: tuple[int, int],
                  out_size: tuple[int, int], clip: str, config: str | None) -> list[dict]:
    """Our play loop's CPU ms per frame for each chain, with the no-op driver and with the
    real one, each in a child process (the driver is chosen when GL is first loaded)."""
    out = []
    for chain in chains:
        entry = {"profile": chain[0], "input": list(in_size), "output": list(out_size)}
        for key, frames in LOOP_FRAMES.items():
            entry[key] = _loop_cpu_child(clip, out_size, chain, config, frames,
                                         noop=key == "noop_ms")
        out.append(entry)
        print(f"loop CPU {chain[0]}: {entry['noop_ms']} ms (no-op driver), "
              f"{entry['llvmpipe_ms']} ms (real driver)", file=sys.stderr, flush=True)
    return out


def _loop_cpu_child(clip: str, out_size, chain: tuple, config: str | None, frames: int,
                    noop: bool) -> float | None:
    env = dict(os.environ)
    env.pop("GALLIUM_NOOP", None)
    if noop:
        env["GALLIUM_NOOP"] = "1"
    name, shaders, scaler, params = chain
    arg = json.dumps([clip, list(out_size), [name, list(shaders), scaler, dict(params)],
                      config, frames])
    code = ("import json, sys; from player.tools import bench; "
            "print('A4K_LOOP', json.dumps(bench.loop_cpu_child(sys.argv[1])))")
    try:
        proc = subprocess.run([sys.executable, "-c", code, arg], capture_output=True,
                              text=True, env=env, cwd=ROOT, timeout=300,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise A4kError(f"{name}: the loop CPU measurement timed out") from None
    for line in proc.stdout.splitlines():
        if line.startswith("A4K_LOOP "):
            return json.loads(line.split(" ", 1)[1])
    tail = (proc.stderr.strip().splitlines() or ["no message"])[-1]
    raise A4kError(f"{name}: the loop CPU measurement failed ({proc.returncode}): {tail}")


def loop_cpu_child(arg: str) -> float | None:
    """Entry point of the child process of ``_loop_cpu_child`` (arguments as JSON)."""
    from player.gl.window import setup_platform
    clip, out_size, chain, config, frames = json.loads(arg)
    setup_platform(headless=True)
    return loop_cpu(clip, tuple(out_size), tuple(chain), config, frames=frames)


def loop_cpu(clip: str, out_size: tuple[int, int], chain: tuple, config_path: str | None,
             frames: int = 24, warmup: int = 4) -> float | None:
    """Median main-thread CPU ms per presented frame of our play loop, in process.

    Counted: everything Player.step does on its thread (events, actions, the chain's GL
    calls, presenting, governor, statistics). Left out: libmpv's render call (mpv's own
    decode-to-texture work), the buffer swap, and waiting, which is not CPU time.
    """
    from player.config import resolve
    from player.playback.loop import PlayOptions, Player
    name, shaders, scaler, _ = chain
    config = resolve.load(config_path, list(shaders) if name == CUSTOM else [],
                          scaler if name == CUSTOM else None, None if name == CUSTOM else name)
    opts = PlayOptions(paths=[clip], size=out_size, headless=True, frames=warmup + frames,
                       mpv_options={"ao": "null"}, audio=False,
                       profile=None if name == CUSTOM else name, auto=False)
    player = Player(opts, config)
    per_frame, spent = [], 0.0
    try:
        deadline = time.monotonic() + 120
        while not player.quit and time.monotonic() < deadline:
            c0, e0 = time.thread_time(), player.foreign_cpu_s
            presented = player.step()
            spent += (time.thread_time() - c0) - (player.foreign_cpu_s - e0)
            if presented:
                if player.presented > warmup:
                    per_frame.append(spent * 1e3)
                spent = 0.0
    finally:
        player.close()
        from player.render import offscreen
        if offscreen._window is not None:
            offscreen.context()  # Player.close left no context current
    return _median(per_frame)


# ---- output ---------------------------------------------------------------------------------

def format_run(run: dict) -> str:
    i, o = run["input"], run["output"]
    return (f"{run['profile']} {i[0]}x{i[1]}->{o[0]}x{o[1]}: {run['ms']['median']:.1f} ms "
            f"(min {run['ms']['min']:.1f}, max {run['ms']['max']:.1f}), "
            f"{run['fetches_per_pixel']:.1f} fetches/px")


def format_tables(result: dict) -> str:
    lines = [f"machine:  {result['machine']}", f"renderer: {result['renderer']}", ""]
    if result["runs"]:
        lines.append(f"{'profile':<12} {'input':>9} {'output':>9} {'frames':>6} "
                     f"{'median ms':>9} {'min':>8} {'max':>8} {'cpu ms':>7} {'fetch/px':>8}")
        for r in result["runs"]:
            lines.append(f"{r['profile']:<12} {'x'.join(map(str, r['input'])):>9} "
                         f"{'x'.join(map(str, r['output'])):>9} {r['frames']:>6} "
                         f"{r['ms']['median']:>9.1f} {r['ms']['min']:>8.1f} "
                         f"{r['ms']['max']:>8.1f} {r.get('_cpu_ms', 0):>7.2f} "
                         f"{r['fetches_per_pixel']:>8.1f}")
        for r in result["runs"]:
            lines.append("")
            lines.append(f"{r['profile']} {'x'.join(map(str, r['input']))} -> "
                         f"{'x'.join(map(str, r['output']))}, per pass (GPU timestamps, median):")
            plan = {d: (w, h, f) for d, w, h, f in r.get("_plan", [])}
            for p in r["passes"]:
                w, h, f = plan.get(p["desc"], (0, 0, 0))
                lines.append(f"  {p['ms']:>9.2f} ms  {w:>5}x{h:<5} {f:>3} fetches/px  {p['desc']}")
            for w in r.get("_warnings", []):
                lines.append(f"  warning: {w}")
    if result.get("vs_mpv"):
        lines += ["", f"{'chain':<12} {'input':>9} {'output':>9} {'ours ms':>8} {'mpv ms':>8} "
                  f"{'ratio':>6}"]
        for v in result["vs_mpv"]:
            ratio = "-" if v["ratio"] is None else f"{v['ratio']:.2f}"
            lines.append(f"{v.get('profile', ''):<12} {'x'.join(map(str, v['input'])):>9} "
                         f"{'x'.join(map(str, v['output'])):>9} {v['ours_ms']:>8.1f} "
                         f"{v['mpv_ms']:>8.1f} {ratio:>6}")
            for m in v.get("mpv_messages", []):
                lines.append(f"  mpv: {m}")
    if result.get("cpu_overhead"):
        lines += ["", "CPU time of our play loop per frame (main thread, without libmpv's "
                  "render, the swap and waiting):",
                  f"{'chain':<12} {'input':>9} {'output':>9} {'no-op ms':>9} {'llvmpipe ms':>12}"]
        for e in result["cpu_overhead"]:
            lines.append(f"{e['profile']:<12} {'x'.join(map(str, e['input'])):>9} "
                         f"{'x'.join(map(str, e['output'])):>9} {_ms(e['noop_ms']):>9} "
                         f"{_ms(e['llvmpipe_ms']):>12}")
        lines.append("CPU overhead per frame (worst chain, no-op driver): "
                     f"{_ms(result.get('cpu_overhead_ms'))} ms")
    return "\n".join(lines)


def _ms(v) -> str:
    return "-" if v is None else f"{v:.2f}"


def plot(results: Sequence[dict], path: str) -> None:
    """A PNG of ms per frame per chain, one panel per resolution: our chain's GL time (the
    bench runs), our player and mpv on the same clip (--vs-mpv), side by side."""
    from PIL import Image, ImageDraw, ImageFont
    bars: dict[tuple, dict[str, dict[str, float]]] = {}
    for result in results:
        for r in result.get("runs", []):
            key = (tuple(r["input"]), tuple(r["output"]))
            bars.setdefault(key, {}).setdefault(r["profile"], {})["chain"] = r["ms"]["median"]
        for v in result.get("vs_mpv", []):
            key = (tuple(v["input"]), tuple(v["output"]))
            entry = bars.setdefault(key, {}).setdefault(v.get("profile", "?"), {})
            entry["player"], entry["mpv"] = v["ours_ms"], v["mpv_ms"]
    if not bars:
        raise A4kError("nothing to plot: no runs and no vs-mpv results")
    series = (("chain", "ours: chain GL time (bench)", (70, 110, 200)),
              ("player", "ours: player, whole frames (vs-mpv)", (90, 170, 120)),
              ("mpv", "mpv command line (vs-mpv)", (220, 120, 60)))
    try:
        font = ImageFont.load_default(size=15)
        small = ImageFont.load_default(size=12)
    except TypeError:  # Pillow without FreeType: the bitmap font
        font = small = ImageFont.load_default()
    panel_w, panel_h, top, bottom, left = 520, 380, 70, 60, 60
    img = Image.new("RGB", (left + panel_w * len(bars) + 20, top + panel_h + bottom + 30),
                    "white")
    d = ImageDraw.Draw(img)
    d.text((left, 10), "ms per frame (lower is better), llvmpipe", fill="black", font=font)
    for k, (_, label, colour) in enumerate(series):
        x = left + k * 270
        d.rectangle((x, 38, x + 14, 52), fill=colour)
        d.text((x + 20, 37), label, fill="black", font=small)
    for p_i, ((i, o), chains) in enumerate(sorted(bars.items())):
        x0, y0 = left + p_i * panel_w, top + 20
        peak = max(v for c in chains.values() for v in c.values() if v is not None) or 1.0
        scale = (panel_h - 40) / peak
        d.text((x0 + 10, y0 - 18), f"{i[0]}x{i[1]} -> {o[0]}x{o[1]}", fill="black", font=font)
        base = y0 + panel_h - 20
        d.line((x0, base, x0 + panel_w - 30, base), fill="black")
        slot = (panel_w - 40) / max(1, len(chains))
        for c_i, (name, vals) in enumerate(chains.items()):
            cx = x0 + 10 + c_i * slot
            bw = (slot - 14) / 3
            for s_i, (key, _, colour) in enumerate(series):
                v = vals.get(key)
                if v is None:
                    continue
                bx = cx + s_i * bw
                d.rectangle((bx, base - max(1, v * scale), bx + bw - 2, base), fill=colour)
                d.text((bx, base - max(1, v * scale) - 14), f"{v:.0f}", fill="black",
                       font=small)
            d.text((cx, base + 6), name, fill="black", font=small)
    img.save(path)


def public(result: dict) -> dict:
    """The result as written to JSON: runs carry exactly the documented keys."""
    out = {k: v for k, v in result.items() if k != "runs"}
    out["runs"] = [{k: v for k, v in r.items() if not k.startswith("_")} for r in result["runs"]]
    return {"machine": out.pop("machine"), "renderer": out.pop("renderer"),
            "runs": out.pop("runs"), **out}


def write_json(path: str, result: dict) -> None:
    p = Path(path)
    if not p.parent.is_dir():
        raise MediaError("the JSON file's directory does not exist", path=str(p))
    tmp = p.with_name(f".{p.name}.part")
    tmp.write_text(json.dumps(public(result), indent=2) + "\n")
    os.replace(tmp, p)

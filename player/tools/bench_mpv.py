"""`a4kplay bench --vs-mpv`: the same shader files in our player and in the mpv command line,
alternated, as milliseconds per frame from whole runs (docs/performance.md, "Method").
"""
from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Sequence

from player.base.errors import A4kError
from player.base.paths import SHIPPED
from player.gl.window import MESA_ENV

from player.tools.bench_common import CLIP_FPS, CLIP_SECONDS, is_pack

MPV_SCALE = {"bicubic": "catmull_rom", "lanczos": "lanczos", "bilinear": "bilinear"}
# Mesa's GLSL compiler rejects an #extension line after the first declaration ("#extension
# directive is not allowed in the middle of a shader"), and mpv 0.35's OpenGL renderer pastes
# a pass's body, #extension lines included, after its own declarations: CuNNy-style packs
# (and tp_cunny2x.glsl) then fail to compile there and mpv drops those passes. Mesa's driconf
# option allow_glsl_extension_directive_midshader, set from the environment, lets them compile.
# It changes nothing else, and nothing on drivers that accept such lines (NVIDIA's).
MPV_ENV = dict(MESA_ENV)


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


def _timed(cmd: list[str], timeout: float, env: dict | None = None) -> tuple[float, str]:
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL,
                              env={**os.environ, **env} if env else None)
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
    if is_pack(name):
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


def vs_mpv(rows: Sequence[tuple], repeats: int, config: str | None, clip_for) -> list[dict]:
    """Ours against mpv: ``rows`` are (input size, output size, frames, chains); every chain
    of a row on that row's clip (``clip_for(input size)``), ``frames``-frame runs against
    1-frame runs, ``repeats`` alternations."""
    out = []
    with tempfile.TemporaryDirectory(prefix="a4kbench-mpv-") as tmp:
        tmp = Path(tmp)
        for in_size, out_size, frames, chains in rows:
            if frames < 2:
                raise A4kError("--vs-mpv needs --frames 2 or more (a 1-frame run is the "
                               "baseline)")
            clip = clip_for(in_size)
            for name, shaders, scaler, params in chains:
                mpv_shaders = [mpv_compatible(s, tmp) for s in shaders]
                samples = {"ours": {1: [], frames: []}, "mpv": {1: [], frames: []}}
                notes: set[str] = set()
                for _ in range(repeats):
                    for n in (1, frames):
                        for side in ("ours", "mpv"):  # alternated: drift hits both alike
                            if side == "ours":
                                cmd = ours_command(clip, n, out_size, name, shaders, scaler,
                                                   config)
                                dt, log = _timed(cmd, timeout=60 + 10 * n)
                            else:
                                cmd = mpv_command(clip, n, out_size, mpv_shaders, scaler)
                                dt, log = _timed(cmd, timeout=60 + 10 * n, env=MPV_ENV)
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
                         "output": list(out_size), "frames": frames, "repeats": repeats,
                         "ours_ms": round(per["ours"], 2), "mpv_ms": round(per["mpv"], 2),
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
        return str(Path(path).resolve().relative_to(SHIPPED))
    except ValueError:
        return str(path)


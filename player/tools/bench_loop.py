"""`a4kplay bench`: CPU time of our play loop per frame (everything but libmpv's own rendering,
the buffer swap and waiting), each figure from a child process playing the same clip, with
Mesa's no-op driver and with the real one."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Sequence

from player.base.errors import A4kError

from player.tools.bench_common import is_pack, median as _median


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
    code = ("import json, sys; from player.tools import bench_loop; "
            "print('A4K_LOOP', json.dumps(bench_loop.loop_cpu_child(sys.argv[1])))")
    try:
        proc = subprocess.run([sys.executable, "-c", code, arg], capture_output=True,
                              text=True, env=env, timeout=300,
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
    config = resolve.load(config_path, list(shaders) if is_pack(name) else [],
                          scaler if is_pack(name) else None, None if is_pack(name) else name)
    opts = PlayOptions(paths=[clip], size=out_size, headless=True, frames=warmup + frames,
                       mpv_options={"ao": "null"}, audio=False,
                       profile=None if is_pack(name) else name, auto=False)
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


"""Helpers of the season export tests: tiny episodes, what an output holds, the processes
a test started and their sockets."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import av

from player.media import mediagen

W, H, FRAMES, GOP = 160, 120, 60, 12          # 2.5 s at 24 fps, a keyframe every 0.5 s

# The environment of every Ray process the tests start. RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0
# is Ray's switch for one-machine clusters: without it Ray replaces 127.0.0.1 by the
# machine's interface address. Ray's head also probes the cloud metadata address
# (169.254.169.254, from its dashboard's usage-stats module, which runs even without the
# dashboard and with usage stats off) once at start: the proxy variables send those HTTP
# probes to a closed loopback port instead (no_proxy keeps Ray's own loopback traffic
# direct); usage stats are off, so nothing is reported anywhere.
LOOPBACK_ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0",
                **{k: "http://127.0.0.1:9" for k in ("http_proxy", "HTTP_PROXY",
                                                     "https_proxy", "HTTPS_PROXY")},
                **{k: "127.0.0.1,localhost,::1" for k in ("no_proxy", "NO_PROXY")}}


def episodes(folder: Path, corrupt: bool = True, frames: int = FRAMES) -> list[Path]:
    """ep1 (CFR) and ep2 (VFR) of ``frames`` frames, audio and subtitles, and with
    ``corrupt`` an ep3.mkv that is not a video at all. Natural order: ep2 before ep10, as
    play lists them."""
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for name, vfr, audio in (("ep1.mkv", False, "opus"), ("ep2.mkv", True, "aac")):
        mediagen.make_clip(folder / name, w=W, h=H, frames=frames, audio=audio,
                           subtitles=True, vfr=vfr, gop=GOP)
        made.append(folder / name)
    if corrupt:
        mediagen.not_media(folder / "ep3.mkv", "random")
    return made


def content(path: Path) -> dict:
    """Frame times and pictures, audio and subtitle packets (bytes and times)."""
    out = {"audio": [], "subs": []}
    with av.open(str(path)) as c:
        for p in c.demux():
            if not p.size or p.pts is None or p.stream.type == "video":
                continue
            out["audio" if p.stream.type == "audio" else "subs"].append(
                (p.pts * p.time_base, bytes(p)))
        c.seek(0)
        frames = [(f.pts * f.time_base, f.to_ndarray(format="rgb24"))
                  for f in c.decode(video=0)]
    out["times"] = [t for t, _ in frames]
    out["frames"] = [img for _, img in frames]
    return out


def a4kplay(*args, env=None, **kw) -> subprocess.Popen:
    exe = Path(sys.executable).with_name("a4kplay")
    full = dict(os.environ)
    full.pop("A4KPLAY_DEBUG", None)
    full.update(env or {})
    return subprocess.Popen([str(exe), *map(str, args)], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=full,
                            preexec_fn=interruptible, **kw)


def interruptible() -> None:
    """In the child before exec: SIGINT as a terminal gives it. A test suite started in the
    background by a non-interactive shell inherits SIGINT ignored, and Python keeps an
    ignored SIGINT ignored, so the Ctrl+C tests would send a signal nobody hears."""
    import signal
    signal.signal(signal.SIGINT, signal.SIG_DFL)


# ---- processes and sockets ------------------------------------------------------------

def descendants(pid: int) -> set[int]:
    """Every process under ``pid`` (read from /proc)."""
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rpartition(")")[2].split()[1])
        children.setdefault(ppid, []).append(int(name))
    out, todo = set(), [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            if c not in out:
                out.add(c)
                todo.append(c)
    return out


def title(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


_SS = re.compile(r"^(\S+)\s+\d+\s+\d+\s+(\S+)\s+(\S+)\s+users:\(\((.*)\)\)\s*$")


def sockets_of(pids: set[int]) -> list[tuple[str, str, str]]:
    """(state, local, peer) of every TCP socket the processes hold (ss -tanp)."""
    out = subprocess.run(["ss", "-tanp"], capture_output=True, text=True, check=True).stdout
    found = []
    for line in out.splitlines()[1:]:
        m = _SS.match(line.strip())
        if not m:
            continue
        owners = {int(p) for p in re.findall(r"pid=(\d+)", m.group(4))}
        if owners & pids:
            found.append((m.group(1), m.group(2), m.group(3)))
    return found


def is_loopback(address: str) -> bool:
    host = address.rpartition(":")[0].strip("[]")
    return host == "::1" or host.startswith("127.") or host.startswith("::ffff:127.")

"""Media for the controls tests, made here: an 'episode' with chapters, two audio tracks and
two subtitle tracks (the first default), muxed by the ffmpeg command line over a clip that
player.media.mediagen makes; and a tiny JSON IPC client for mpv's socket."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from pathlib import Path

from player.media import mediagen

CHAPTERS = ((0, "Opening"), (4, "Part A"), (8, "Ending"))   # start seconds, title


def _srt(path: Path, text: str, seconds: int) -> Path:
    lines = []
    for i in range(seconds // 2):
        a, b = 2 * i, 2 * i + 2
        lines.append(f"{i + 1}\n00:00:{a:02d},000 --> 00:00:{b:02d},000\n{text} {i}\n")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def episode(folder: Path, name: str = "ep1.mkv", seconds: int = 12, w: int = 96,
            h: int = 54) -> Path:
    """A clip of ``seconds`` at 24 fps with 3 chapters, 2 audio and 2 subtitle tracks."""
    folder.mkdir(parents=True, exist_ok=True)
    base = mediagen.make_clip(folder / f".{name}.base.mkv", w=w, h=h, frames=24 * seconds).path
    meta = folder / f".{name}.chapters.txt"
    rows = [";FFMETADATA1"]
    chapters = [c for c in CHAPTERS if c[0] < seconds]
    for i, (start, title) in enumerate(chapters):
        end = chapters[i + 1][0] if i + 1 < len(chapters) else seconds
        rows += ["[CHAPTER]", "TIMEBASE=1/1", f"START={start}", f"END={end}", f"title={title}"]
    meta.write_text("\n".join(rows) + "\n")
    eng = _srt(folder / f".{name}.eng.srt", "English line", seconds)
    fra = _srt(folder / f".{name}.fra.srt", "Ligne", seconds)
    out = folder / name
    cmd = ["ffmpeg", "-v", "error", "-y", "-i", str(base), "-i", str(meta),
           "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
           "-f", "lavfi", "-i", f"sine=frequency=660:duration={seconds}",
           "-i", str(eng), "-i", str(fra),
           "-map", "0:v", "-map", "2:a", "-map", "3:a", "-map", "4", "-map", "5",
           "-map_metadata", "1", "-map_chapters", "1",
           "-c:v", "copy", "-c:a", "aac", "-c:s", "srt",
           "-metadata:s:a:0", "language=jpn", "-metadata:s:a:1", "language=eng",
           "-metadata:s:a:1", "title=Commentary",
           "-metadata:s:s:0", "language=eng", "-metadata:s:s:1", "language=fra",
           "-disposition:s:0", "default", "-disposition:s:1", "0", str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if done.returncode:
        raise RuntimeError(f"ffmpeg could not mux {out}: {done.stderr.strip()}")
    for tmp in (base, meta, eng, fra):
        tmp.unlink()
    return out


class Ipc:
    """mpv's JSON IPC over its Unix socket: commands with replies, by request id."""

    def __init__(self, path: str, timeout: float = 30.0):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self.sock.settimeout(timeout)
        self._buf = b""
        self._id = 0

    def raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def command(self, *args):
        self._id += 1
        rid = self._id
        self.sock.sendall(json.dumps({"command": list(args), "request_id": rid}).encode()
                          + b"\n")
        while True:
            msg = self._message()
            if msg.get("request_id") == rid:
                if msg.get("error") != "success":
                    raise RuntimeError(f"{args}: {msg.get('error')}")
                return msg.get("data")

    def _message(self) -> dict:
        while b"\n" not in self._buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("mpv closed the socket")
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        try:
            return json.loads(line)
        except ValueError:
            return {}

    def get(self, name: str):
        return self.command("get_property", name)

    def wait_for(self, name: str, ok, timeout: float = 30.0):
        deadline = time.monotonic() + timeout
        value = None
        while time.monotonic() < deadline:
            try:
                value = self.get(name)
            except RuntimeError:
                value = None
            if ok(value):
                return value
            time.sleep(0.05)
        raise AssertionError(f"{name} stayed {value!r}")

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


_EMPTY_MPV_HOME = None


def player_env(**extra: str) -> dict:
    """The environment a4kplay runs in for the tests: the machine's, with an empty mpv
    config folder (a viewer's ~/.config/mpv must not change what the tests see) unless
    ``MPV_HOME`` is given."""
    global _EMPTY_MPV_HOME
    import tempfile
    if _EMPTY_MPV_HOME is None:
        _EMPTY_MPV_HOME = tempfile.mkdtemp(prefix="a4kplay-test-mpv-home-")
    env = dict(os.environ)
    env.pop("A4KPLAY_DEBUG", None)
    env["MPV_HOME"] = _EMPTY_MPV_HOME
    env.update(extra)
    return env


def mpv_window_shot(args: list[str], size: tuple[int, int], out: Path, sock: str,
                    ready=None, env: dict | None = None) -> None:
    """mpv 0.35's own window (software GL under the tests' Xvfb) at ``size``, paused, as a
    PNG at ``out``: ``args`` are mpv's options and the file; ``ready(ipc)`` waits for the
    state to shoot (default: the window has its size); ``env`` is added to the
    environment."""
    import shutil

    import pytest
    if not shutil.which("mpv"):
        pytest.skip("needs the mpv command line (make test installs it)")
    proc = subprocess.Popen(
        ["mpv", "--no-config", "--vo=gpu", "--gpu-api=opengl", "--gpu-context=x11egl",
         "--gpu-sw", "--hwdec=no", "--no-audio", f"--geometry={size[0]}x{size[1]}",
         "--no-border", "--pause", "--osd-level=0", f"--input-ipc-server={sock}", *args],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})})
    try:
        ipc = Ipc(sock)
        ipc.wait_for("osd-width", lambda v: v == size[0])
        if ready is not None:
            ready(ipc)
        time.sleep(1.0)                       # the paused frame drawn
        ipc.command("screenshot-to-file", str(out), "window")
        ipc.command("quit")
        ipc.close()
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()

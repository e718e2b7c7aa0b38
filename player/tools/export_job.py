"""The state of one season export, shared by both ways of running it: each file's item,
the job's one progress line, and the resume manifest with the key that says whether an
output is still what these settings would make.

Owned here so that tools/export_season.py (the job, in this process) and
tools/export_season_ray.py (the job's files cut into Ray tasks) both read it from below,
neither from the other.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from player.base.files import atomic_write
from player.tools.export_format import format_progress

MANIFEST = ".a4kplay-export.json"
WORK = ".a4kplay-export"


@dataclass
class Item:
    """One file of the season and what happened to it."""
    src: Path
    dst: Path
    req: object                   # its ExportRequest
    key: str = ""
    plan: object = None           # its VideoPlan
    frames: int = 0               # expected (exact with --cluster, else an estimate)
    status: str = "pending"       # pending | done | up to date | failed
    error: str = ""
    seconds: float = 0.0          # wall time, first segment sent to output published
    work_seconds: float = 0.0     # --cluster: the segments' encoding time, added up
    started: float | None = None
    done_frames: int = 0
    retries: int = 0
    nodes: set = field(default_factory=set)
    summary: str = ""
    # --cluster only
    cuts: list = field(default_factory=list)
    store: object = None
    have: set = field(default_factory=set)
    packets: list = field(default_factory=list)
    burn: object = None
    reused: int = 0               # segments kept from an interrupted run

    def report(self) -> dict:
        return {"input": str(self.src), "output": str(self.dst), "status": self.status,
                "frames": self.done_frames, "seconds": round(self.seconds, 3),
                "work_seconds": round(self.work_seconds or self.seconds, 3),
                "retries": self.retries, "nodes": sorted(self.nodes),
                "segments": len(self.cuts) or None, "reused": self.reused or None,
                "error": self.error or None}


class Bar:
    """The whole job's one progress line (frames of all files, rate, ETA) on stderr; the
    lines of finished files are printed above it."""

    def __init__(self, total: int, live: bool, out: TextIO, done: int = 0):
        self.total, self.live, self.out = total, live, out
        self.base = done               # already done before this run (not in the rate)
        self.done = done
        self.t0 = time.monotonic()
        self.last = 0.0
        self.drawn = False

    def set(self, done: int) -> None:
        self.done = done
        now = time.monotonic()
        if self.live and now - self.last >= 0.2:
            self.last = now
            text = format_progress(done - self.base, self.total - self.base, now - self.t0)
            self.out.write("\r" + text.replace("export ", "season ", 1) +
                           f"  [{done}/{self.total} in all]\033[K")
            self.out.flush()
            self.drawn = True

    def say(self, text: str) -> None:
        self.close()
        print(text, file=self.out, flush=True)

    def close(self) -> None:
        if self.drawn:
            self.out.write("\r\033[K")
            self.out.flush()
            self.drawn = False


class _Offset:
    """One file's progress as part of the job's bar."""

    def __init__(self, bar: Bar, base: int):
        self.bar, self.base = bar, base

    def update(self, done: int) -> None:
        self.bar.set(self.base + done)

    def close(self) -> None:
        self.bar.close()


class _Silent:
    def update(self, done: int) -> None:
        pass

    def close(self) -> None:
        pass


# ---- the manifest ---------------------------------------------------------------------

class Manifest:
    def __init__(self, out_dir: Path):
        self.path = out_dir / MANIFEST
        try:
            self.data = json.loads(self.path.read_text())
            if not isinstance(self.data.get("files"), dict):
                raise ValueError
        except (OSError, ValueError, AttributeError):
            self.data = {"files": {}}

    def done(self, item: Item) -> bool:
        entry = self.data["files"].get(item.dst.name)
        return bool(entry) and entry.get("key") == item.key and item.dst.is_file()

    def record(self, item: Item) -> None:
        self.data["files"][item.dst.name] = {"key": item.key, **item.report()}
        atomic_write(self.path, lambda f: f.write(json.dumps(self.data, indent=1).encode()),
                     "the export manifest")


def _file_digest(path: str) -> str:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return "?"
    return h.hexdigest()


def key_for(item: Item, extra: dict | None = None) -> str:
    st = item.src.stat()
    req = item.req
    data = {"input": [str(item.src.resolve()), st.st_size, st.st_mtime_ns],
            "video": item.plan.settings,
            "shaders": [[os.path.basename(s), _file_digest(s)] for s in req.shaders],
            "burn": [req.burn_subs, req.sid, req.sub_file], **(extra or {})}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:24]

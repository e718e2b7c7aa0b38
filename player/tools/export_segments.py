"""A file's video cut at keyframes into segments, one segment encoded anywhere, and the
encoded segments joined back into one stream without re-encoding.

This module owns the segment as a unit of work: where a file is cut (``cut``), what a
worker is given (``SegmentWork``: the segment's own compressed packets, its decoder's
parameters and the export's ``VideoPlan``; nothing else, so a worker needs no access to
the input file, which never leaves the machine that runs the job), what it hands back
(``SegmentResult``: the encoded packets), how a result is kept on disk until its file is
joined (``SegmentStore``: a segment appears there only complete), and the join
(``Joined``: the packets in IN's order, for tools/export.py's muxing pass, which copies
every other stream as the one-process export does). Nothing here knows Ray: the Ray side
is tools/export_cluster.py, and ``encode_segment`` runs the same in this process.

Decisions:

- Cuts: at keyframes, a segment at least ``seconds`` long (the last one takes the rest).
  A segment is decoded from its keyframe up to the next cut's keyframe, and further while
  the packets that follow that keyframe show before it (open-GOP leading pictures), so
  every frame decodes from its own references; the worker keeps the frames whose time is
  in [its cut, the next cut).
- A file whose video packets lack times or flags, or repeat a time, is one segment (the
  one-process rules for such files apply inside it).
- Every segment's encoder starts with a keyframe and has the same settings, so the join
  is a concatenation; a decode timestamp that would not increase at a seam (B-frame delay
  over a variable frame rate) is moved one tick after its predecessor, never past its
  presentation time.
"""
from __future__ import annotations

import json
from bisect import bisect_left
import os
import socket
import struct
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from player.base.errors import MediaError
from player.base.files import atomic_write
from player.tools.export_video import Pictures, Upscaler, VideoPlan, open_encoder

SEGMENT_SECONDS = 4.0
FORMAT = 1                     # of the stored segments; part of the resume key


@dataclass(frozen=True)
class Cut:
    index: int
    first: int                 # index of its keyframe among the video packets
    lo: int | None             # kept frames: lo <= pts < hi (None: no bound)
    hi: int | None
    frames: int                # frames it is expected to give


@dataclass
class SegmentWork:
    """What a worker gets for one segment."""
    file: str                  # the job's name for the file (messages)
    index: int
    plan: VideoPlan
    decoder: dict              # codec name, extradata, size, format of IN's video
    packets: list              # (data, pts, dts, keyframe) in decode order
    lo: int | None
    hi: int | None
    zero: float                # IN's start time (the subtitle clock)
    burn: tuple | None = None  # (IN's path, BurnTrack): needs IN at that path
    global_header: bool = True


@dataclass
class SegmentResult:
    index: int
    frames: int
    packets: list              # (data, pts, dts, keyframe)
    extradata: bytes | None
    seconds: float
    host: str = ""
    node: str = ""
    bad: int = 0               # undecodable packets skipped
    attempts: int = 1


# ---- the driver's side: cutting -------------------------------------------------------

def scan(inp, v) -> list[tuple[int | None, bool]]:
    """(pts, keyframe) of every video packet of IN, in decode order (demux only)."""
    out = []
    for p in inp.demux(v):
        if p.size == 0 and p.pts is None:
            continue
        out.append((p.pts, bool(p.is_keyframe)))
    inp.seek(0)
    return out


def cut(packets: list[tuple[int | None, bool]], tb, seconds: float) -> list[Cut]:
    """The segments of a file whose packets are ``packets`` (see the module's rules)."""
    times = [pts for pts, _ in packets]
    if not packets or None in times or len(set(times)) != len(times) or not packets[0][1]:
        return [Cut(0, 0, None, None, len(packets))]
    span = max(1, round(seconds / float(tb)))
    starts, latest = [0], times[0]
    for i, (pts, key) in enumerate(packets):
        # A cut only where every packet before it shows before it (no frame crosses it).
        if key and i and pts - times[starts[-1]] >= span and pts > latest:
            starts.append(i)
        latest = max(latest, pts)
    bounds = [times[i] for i in starts]
    ordered = sorted(times)
    cuts = []
    for n, i in enumerate(starts):
        lo = bounds[n] if n else None
        hi = bounds[n + 1] if n + 1 < len(bounds) else None
        frames = (bisect_left(ordered, hi) if hi is not None else len(ordered)) - \
            (bisect_left(ordered, lo) if lo is not None else 0)
        cuts.append(Cut(n, i, lo, hi, frames))
    return cuts


def _extent(packets, cuts: list[Cut], n: int) -> tuple[int, int]:
    """Packet indices [a, b) segment n decodes: to the next keyframe and its leaders."""
    a = cuts[n].first
    if n + 1 >= len(cuts):
        return a, len(packets)
    b = cuts[n + 1].first
    key_pts = packets[b][0]
    b += 1
    while b < len(packets) and packets[b][0] < key_pts:
        b += 1
    return a, b


def decoder_params(v) -> dict:
    cc = v.codec_context
    return {"codec": cc.codec.name, "extradata": bytes(cc.extradata or b""),
            "width": cc.width, "height": cc.height,
            "format": cc.format.name if cc.format else None}


def works(inp, v, packets, cuts: list[Cut], want: set[int], base: dict):
    """SegmentWork for each cut whose index is in ``want``, reading IN once, in order."""
    extents = [_extent(packets, cuts, n) for n in range(len(cuts))]
    todo = sorted(want)
    if not todo:
        return
    keep_from = min(extents[n][0] for n in todo)
    held: dict[int, tuple] = {}
    j = -1
    pos = 0
    for p in inp.demux(v):
        if p.size == 0 and p.pts is None:
            continue
        j += 1
        if j >= keep_from:
            held[j] = (bytes(p), p.pts, p.dts, bool(p.is_keyframe))
        while pos < len(todo) and j + 1 >= extents[todo[pos]][1]:
            n = todo[pos]
            a, b = extents[n]
            yield SegmentWork(packets=[held[k] for k in range(a, b)], index=n,
                              lo=cuts[n].lo, hi=cuts[n].hi, **base)
            pos += 1
            nxt = min((extents[m][0] for m in todo[pos:]), default=j + 1)
            for k in [k for k in held if k < nxt]:
                del held[k]
        if pos >= len(todo):
            break
    inp.seek(0)
    if pos < len(todo):
        raise MediaError("the video ended before its last segment", path=base["file"])


# ---- the worker's side ----------------------------------------------------------------

_cached: dict = {}


def _shader_files(plan: VideoPlan) -> tuple[str, ...]:
    """The plan's shaders as files on this machine: written from the contents the job
    carries (into a folder named after them), so no node needs the driver's paths."""
    if not plan.sources:
        return plan.shaders
    import hashlib
    import tempfile
    digest = hashlib.sha256(b"".join(name.encode() + b"\0" + data
                                     for name, data in plan.sources)).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / f"a4kplay-shaders-{os.getuid()}-{digest}"
    paths = []
    for i, (name, data) in enumerate(plan.sources):
        path = folder / f"{i:02d}-{name}"
        if not path.is_file() or path.read_bytes() != data:
            folder.mkdir(parents=True, exist_ok=True)
            atomic_write(path, lambda f, data=data: f.write(data), "a shader")
        paths.append(str(path))
    return tuple(paths)


def _upscaler(plan: VideoPlan) -> Upscaler:
    """One chain per worker process, rebuilt only when a task needs another one."""
    shaders = _shader_files(plan)
    key = (shaders, plan.scaler, tuple(sorted(plan.params.items())), plan.out_size,
           plan.deep)
    if _cached.get("key") != key:
        if "up" in _cached:
            _cached.pop("up").release()
        _cached["up"] = Upscaler(shaders, plan.scaler, plan.params, plan.out_size,
                                 plan.deep)
        _cached["key"] = key
    return _cached["up"]


def encode_segment(work: SegmentWork) -> SegmentResult:
    """Decode the segment from its keyframe, run the chain, encode. Runs in any process;
    chooses the GL platform itself (EGL, X or OSMesa as player.gl.window decides)."""
    from player.gl.window import setup_platform
    setup_platform(headless=True)
    import av
    t0 = time.monotonic()
    plan, d = work.plan, work.decoder
    dec = av.CodecContext.create(d["codec"], "r")
    if d["extradata"]:
        dec.extradata = d["extradata"]
    dec.width, dec.height = d["width"], d["height"]
    upscaler = _upscaler(plan)
    burner = None
    if work.burn is not None:
        from player.tools.export_subs import Burner, params_for
        src, track = work.burn
        burner = Burner(Path(src), track, plan.in_size, plan.out_size,
                        params_for(plan.matrix, plan.in_range == 2), lambda text: None)
        burner.load()
    pictures = Pictures(plan, upscaler, burner)
    enc = open_encoder(plan, work.global_header)
    tb = plan.time_base
    out, frames, bad, last = [], 0, 0, None

    def keep(packets):
        for p in packets:
            out.append((bytes(p), p.pts, p.dts, bool(p.is_keyframe)))

    def encode(frame):
        nonlocal frames, last
        pts = frame.pts if frame.pts is not None else frame.dts
        if pts is None:
            pts = last + 1 if last is not None else 0
        if (work.lo is not None and pts < work.lo) or (work.hi is not None and pts >= work.hi):
            return
        t = float(pts * tb) - work.zero
        if last is not None and pts <= last:
            pts = last + 1
        last = pts
        keep(enc.encode(pictures(frame, pts, t)))
        frames += 1

    try:
        for data, pts, dts, key in work.packets:
            packet = av.Packet(data)
            packet.pts, packet.dts, packet.time_base = pts, dts, tb
            packet.is_keyframe = key
            try:
                decoded = dec.decode(packet)
            except av.InvalidDataError:
                bad += 1
                continue
            for frame in decoded:
                encode(frame)
        for frame in dec.decode(None):
            encode(frame)
        keep(enc.encode(None))
    finally:
        if burner is not None:
            burner.release()
    return SegmentResult(index=work.index, frames=frames, packets=out,
                         extradata=bytes(enc.extradata) if enc.extradata else None,
                         seconds=time.monotonic() - t0, host=socket.gethostname(), bad=bad)


# ---- results on disk, and the join ----------------------------------------------------

class SegmentStore:
    """One file's finished segments, in a folder of their own: ``seg-NNNNN.bin`` is a
    JSON header line then the packets' bytes, written whole (temporary file + rename)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def path(self, index: int) -> Path:
        return self.folder / f"seg-{index:05d}.bin"

    def done(self) -> set[int]:
        if not self.folder.is_dir():
            return set()
        return {int(n[4:9]) for n in os.listdir(self.folder)
                if n.startswith("seg-") and n.endswith(".bin") and n[4:9].isdigit()}

    def put(self, r: SegmentResult) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        head = {"index": r.index, "frames": r.frames, "seconds": r.seconds, "host": r.host,
                "node": r.node, "bad": r.bad, "attempts": r.attempts,
                "extradata": r.extradata.hex() if r.extradata else None,
                "packets": [[len(d), pts, dts, key] for d, pts, dts, key in r.packets]}
        blob = json.dumps(head).encode()

        def write(f):
            f.write(struct.pack("<Q", len(blob)))
            f.write(blob)
            for d, *_ in r.packets:
                f.write(d)
        atomic_write(self.path(r.index), write, "a segment")

    def get(self, index: int) -> SegmentResult:
        with open(self.path(index), "rb") as f:
            n, = struct.unpack("<Q", f.read(8))
            head = json.loads(f.read(n))
            packets = [(f.read(size), pts, dts, key) for size, pts, dts, key in head["packets"]]
        extradata = bytes.fromhex(head["extradata"]) if head["extradata"] else None
        return SegmentResult(index=index, frames=head["frames"], packets=packets,
                             extradata=extradata, seconds=head["seconds"], host=head["host"],
                             node=head["node"], bad=head["bad"], attempts=head["attempts"])

    def meta(self, index: int) -> dict:
        """A stored segment's header without its packets (for the report)."""
        with open(self.path(index), "rb") as f:
            n, = struct.unpack("<Q", f.read(8))
            head = json.loads(f.read(n))
        head.pop("packets", None)
        return head

    def remove(self) -> None:
        for n in self.done():
            self.path(n).unlink(missing_ok=True)
        try:
            self.folder.rmdir()
        except OSError:
            pass


@dataclass
class Joined:
    """The encoded segments of one file, handed to the muxing pass packet by packet."""
    store: SegmentStore
    count: int
    plan: VideoPlan
    _next: int = 0
    _queue: deque = field(default_factory=deque)
    _last_dts: int | None = None

    def check(self, plan: VideoPlan) -> None:
        if plan.settings != self.plan.settings or plan.time_base != self.plan.time_base:
            raise MediaError("the segments were encoded with other settings",
                             hint="run the export again without the work folder")

    def _packet(self, data, pts, dts, key):
        import av
        p = av.Packet(data)
        if dts is not None and self._last_dts is not None and dts <= self._last_dts:
            dts = self._last_dts + 1 if pts is None or self._last_dts + 1 <= pts else dts
        self._last_dts = dts if dts is not None else self._last_dts
        p.pts, p.dts, p.time_base = pts, dts, self.plan.time_base
        p.is_keyframe = key
        return p

    def _fill(self) -> bool:
        if self._next >= self.count:
            return False
        self._queue.extend(self.store.get(self._next).packets)
        self._next += 1
        return True

    def take(self) -> list:
        """The next packet (one per packet of IN's video, so OUT interleaves as IN)."""
        while not self._queue and self._fill():
            pass
        return [self._packet(*self._queue.popleft())] if self._queue else []

    def rest(self) -> list:
        while self._fill():
            pass
        out = [self._packet(*p) for p in self._queue]
        self._queue.clear()
        return out


__all__ = ["Cut", "SegmentWork", "SegmentResult", "SegmentStore", "Joined", "scan", "cut",
           "works", "decoder_params", "encode_segment", "SEGMENT_SECONDS"]

"""The --cluster half of `a4kplay export SEASON_DIR`: segments out, results in, files joined.

This module owns the driver's loop: cutting each pending file (tools/export_segments.py),
feeding segment tasks to the cluster (tools/export_cluster.py) a bounded number at a time,
storing each finished segment whole, joining a file as soon as its last segment is in
(tools/export.py's muxing pass with the segments' packets as the video), and on Ctrl+C
cancelling what is in flight. Which files, the manifest, the bar and the report are
tools/export_season.py's.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import TextIO

from player.base.errors import A4kError
from player.tools.export_job import WORK, Bar, Item, Manifest, _Silent, key_for


def _cut(item: Item, seconds: float, work_dir: Path) -> None:
    from player.tools import export as ex
    from player.tools import export_segments as seg
    with ex._open_input(item.src) as inp:
        job = ex._Job(item.req, item.src, item.dst, inp)
        item.packets = seg.scan(inp, job.v)
    item.cuts = seg.cut(item.packets, item.plan.time_base, seconds)
    item.frames = sum(c.frames for c in item.cuts)
    item.store = seg.SegmentStore(work_dir / key_for(item, {"segments": [seconds, seg.FORMAT]}))
    item.have = item.store.done() & set(range(len(item.cuts)))
    item.reused = len(item.have)
    item.results = {}


def _feed(items: list[Item], bar: Bar):
    """SegmentWork for every missing segment of every file, in order (one file open at a
    time); a file that fails while it is read is marked and skipped."""
    from player.tools import export as ex
    from player.tools import export_segments as seg
    for item in items:
        want = set(range(len(item.cuts))) - item.have
        if item.status != "pending" or not want:
            continue
        try:
            with ex._open_input(item.src) as inp:
                job = ex._Job(item.req, item.src, item.dst, inp)
                base = dict(file=str(item.src), plan=item.plan.with_sources(),
                            decoder=seg.decoder_params(job.v),
                            zero=(inp.start_time or 0) / 1_000_000.0,
                            burn=(str(item.src.resolve()), job.burn) if job.burn else None,
                            global_header=job.suffix in (".mkv", ".mp4", ".webm"))
                for work in seg.works(inp, job.v, item.packets, item.cuts, want, base):
                    if item.status != "pending":
                        break
                    yield item, work
        except A4kError as e:
            _fail(item, str(e), bar)


def _fail(item: Item, message: str, bar: Bar) -> None:
    if item.status == "pending":
        item.status, item.error = "failed", message
        bar.say(f"a4kplay: {item.src}: {message}" if str(item.src) not in message
                else f"a4kplay: {message}")


def _join(item: Item, runner, manifest: Manifest, bar: Bar) -> None:
    from player.tools.export import export
    from player.tools.export_segments import Joined
    n = len(item.cuts)
    metas = [item.store.meta(i) for i in range(n)]
    item.retries = sum(max(0, m.get("attempts", 1) - 1) for m in metas)
    item.nodes = {m["node"] or m["host"] for m in metas}
    joined = Joined(item.store, n, item.plan)
    result = export(item.req, bar=_Silent(), joined=joined)
    item.status = "done"
    item.done_frames = result.frames
    item.work_seconds = sum(m["seconds"] for m in metas) + result.seconds
    item.seconds = time.monotonic() - (item.started or time.monotonic() - result.seconds)
    manifest.record(item)
    item.store.remove()
    result.seconds = item.seconds
    bar.say(result.summary(item.req.profile) +
            f"; {n} segment{'s' if n != 1 else ''} on {len(item.nodes)} node{'s' if len(item.nodes) != 1 else ''}"
            + (f", {item.retries} retried" if item.retries else ""))


def run_cluster(args, pending: list[Item], out_dir: Path, manifest: Manifest, live: bool,
                out: TextIO) -> None:
    from player.tools import export_cluster
    from player.tools.export_segments import SEGMENT_SECONDS
    seconds = args.segment_seconds or SEGMENT_SECONDS
    runner = export_cluster.connect(args.cluster)
    try:
        print(f"a4kplay: {runner.describe()}", file=out, flush=True)
        for item in pending:
            try:
                _cut(item, seconds, out_dir / WORK)
            except A4kError as e:
                item.status, item.error = "failed", str(e)
                print(f"a4kplay: {e}", file=out)
        items = [i for i in pending if i.status == "pending"]
        total = sum(i.frames for i in items)
        have = sum(c.frames for i in items for c in i.cuts if c.index in i.have)
        bar = Bar(total, live, out, done=have)
        try:
            _loop(items, runner, manifest, bar)
        finally:
            bar.close()
    finally:
        runner.close()
        try:
            (out_dir / WORK).rmdir()          # only when no file's segments wait there
        except OSError:
            pass


def _loop(items: list[Item], runner, manifest: Manifest, bar: Bar) -> None:
    from player.tools.export_cluster import SegmentFailed
    feed = _feed(items, bar)
    flying: dict = {}                    # handle -> (item, index)
    window = max(2, 2 * runner.slots)
    for item in items:                   # files whose segments were all kept last time
        if item.status == "pending" and len(item.have) == len(item.cuts):
            _join_or_fail(item, runner, manifest, bar)
    exhausted = False
    try:
        while True:
            while not exhausted and len(flying) < window:
                nxt = next(feed, None)
                if nxt is None:
                    exhausted = True
                    break
                item, work = nxt
                if item.started is None:
                    item.started = time.monotonic()
                flying[runner.submit(work)] = (item, work.index)
            if not flying:
                break
            for handle in runner.wait(list(flying), timeout=0.5):
                item, index = flying.pop(handle)
                try:
                    result = runner.result(handle)
                except A4kError as e:
                    _fail(item, str(e), bar)
                    continue
                if isinstance(result, SegmentFailed):
                    _fail(item, result.message, bar)
                    continue
                if item.status != "pending":
                    continue
                item.store.put(result)
                item.have.add(index)
                bar.set(bar.done + result.frames)
                if len(item.have) == len(item.cuts):
                    _join_or_fail(item, runner, manifest, bar)
    except BaseException:
        runner.cancel(list(flying))
        raise


def _join_or_fail(item: Item, runner, manifest: Manifest, bar: Bar) -> None:
    try:
        _join(item, runner, manifest, bar)
    except A4kError as e:
        _fail(item, str(e), bar)


__all__ = ["run_cluster"]

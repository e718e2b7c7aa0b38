"""`a4kplay export SEASON_DIR -o OUT_DIR ...`: every video of a folder, resumable.

This module owns the job over a folder: which files (the folder's media files in natural
order, as ``a4kplay FOLDER`` plays them: player/playback/playlist.py), what each output is
called (its input's name in OUT_DIR; .mkv when the input's container is not one export
writes), the resume manifest, the one progress line for the whole job, a line per
finished file, the --json report, and the exit status. Each file is exported as
tools/export.py exports one file (streams copied, subtitles kept or burned, VFR-safe,
written whole or not at all): in this process without --cluster (no Ray needed), or cut
into segments that Ray tasks encode (tools/export_segments.py, tools/export_cluster.py)
and joined here.

Nothing lost, nothing twice:

- ``OUT_DIR/.a4kplay-export.json`` records each finished output with a key made of its
  input (path, size, modification time), the chain (profile, shader files' contents,
  scaler, parameters), the size and the encoder settings. A rerun skips an output whose
  key is unchanged and that still exists; anything else is made again (an existing output
  not made by this job with this key needs --force, which also makes every output again).
- With --cluster, finished segments wait in ``OUT_DIR/.a4kplay-export/KEY/`` (each written
  whole), so an interrupted job resumes from the segments it has; they are removed when
  their file is published. A task whose worker or node dies is retried by Ray.
- Ctrl+C stops the job; no output file is left half-written (each is renamed into place
  only when complete). A file that cannot be exported (not a video, damaged) is one line
  on stderr; the others are still exported, and the exit status is 1.
"""
from __future__ import annotations

import json
import os
import socket
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from player.base.errors import A4kError, MediaError
from player.base.files import atomic_write
from player.tools.export_format import CONTAINERS
from player.tools.export_job import WORK, Bar, Item, Manifest, _Offset, key_for

# ---- the job --------------------------------------------------------------------------

def output_name(src: Path) -> str:
    return src.name if src.suffix.lower() in CONTAINERS else src.stem + ".mkv"


def _items(args, base_req) -> tuple[list[Item], Path]:
    from player.playback.playlist import folder_entries
    folder, out_dir = Path(args.input), Path(args.output).expanduser()
    try:
        inputs = folder_entries(str(folder))
    except OSError as e:
        raise MediaError(f"cannot read this folder: {e.strerror or e}", path=str(folder))
    if not inputs:
        raise MediaError("no media files in this folder", path=str(folder))
    if out_dir.exists() and not out_dir.is_dir():
        raise MediaError("the output must be a folder when the input is one", path=str(out_dir))
    if out_dir.exists() and out_dir.resolve() == folder.resolve():
        raise MediaError("the output folder is the input folder; a4kplay never writes "
                         "over its inputs", path=str(out_dir))
    if not out_dir.parent.is_dir():
        raise MediaError("the output folder's parent does not exist", path=str(out_dir))
    made = not out_dir.exists()
    out_dir.mkdir(exist_ok=True)
    if made:   # a job that writes nothing (no cluster reached...) leaves no empty folder
        import atexit
        atexit.register(lambda: out_dir.is_dir() and not os.listdir(out_dir) and
                        out_dir.rmdir())
    items = []
    for name in inputs:
        src = Path(name)
        dst = out_dir / output_name(src)
        items.append(Item(src, dst, replace(base_req, input=str(src), output=str(dst),
                                            force=True)))
    return items, out_dir


def _probe(item: Item, force: bool, manifest: Manifest) -> None:
    """The file's decisions (every refusal before any work), its key, whether it is done."""
    from player.tools import export as ex
    ex.check_paths(str(item.src), str(item.dst), True)
    with ex._open_input(item.src) as inp:
        job = ex._Job(item.req, item.src, item.dst, inp)
        item.plan = job.vplan
        item.frames = ex._estimate_frames(inp, job.v, None, None) or 0
        item.burn = job.burn
    item.key = key_for(item)
    if manifest.done(item) and not force:      # --force makes every output again
        item.status = "up to date"
    elif item.dst.exists() and not force:
        raise MediaError("the output exists and was not made by this export with these "
                         "settings", path=str(item.dst), hint="use --force to overwrite")


def run_season(args, base_req) -> int:
    """The folder job for the parsed arguments; ``base_req`` the request they make for
    one file (tools/export_args.py), each item's own input and output set here."""
    out = sys.stderr
    live = args.progress or out.isatty()
    items, out_dir = _items(args, base_req)
    manifest = Manifest(out_dir)
    t0 = time.monotonic()
    for item in items:
        try:
            _probe(item, args.force, manifest)
        except A4kError as e:
            item.status, item.error = "failed", str(e)
            print(f"a4kplay: {e}" if str(item.src) in str(e) else
                  f"a4kplay: {item.src}: {e}", file=out)
    for item in items:
        if item.status == "up to date":
            print(f"{item.dst}: up to date", file=out)
    pending = [i for i in items if i.status == "pending"]
    try:
        if pending and args.cluster:
            from player.tools.export_season_ray import run_cluster
            run_cluster(args, pending, out_dir, manifest, live, out)
        elif pending:
            _run_here(pending, manifest, live, out)
    finally:
        if getattr(args, "json", None):
            _write_report(args.json, items, time.monotonic() - t0, args.cluster)
    failed = [i for i in items if i.status == "failed"]
    exported = [i for i in items if i.status == "done"]
    frames = sum(i.done_frames for i in exported)
    print(f"{out_dir}: {len(exported)} exported ({frames} frames), "
          f"{len(items) - len(exported) - len(failed)} up to date, {len(failed)} failed, "
          f"{time.monotonic() - t0:.1f} s", file=out)
    return 1 if failed else 0


def _run_here(pending: list[Item], manifest: Manifest, live: bool, out: TextIO) -> None:
    """Without --cluster: one file after another through the one-file export."""
    from player.tools.export import export
    bar = Bar(sum(i.frames for i in pending), live, out)
    done = 0
    try:
        for item in pending:
            try:
                result = export(item.req, log=out, bar=_Offset(bar, done))
            except A4kError as e:
                item.status, item.error = "failed", str(e)
                bar.say(f"a4kplay: {e}")
                continue
            item.status, item.seconds = "done", result.seconds
            item.done_frames = result.frames
            item.nodes = {socket.gethostname()}
            done += result.frames
            bar.total += result.frames - item.frames   # the estimate becomes the count
            manifest.record(item)
            bar.say(result.summary(item.req.profile))
    finally:
        bar.close()


def _write_report(path: str, items: list[Item], seconds: float, cluster) -> None:
    data = {"cluster": cluster or None, "seconds": round(seconds, 3),
            "frames": sum(i.done_frames for i in items if i.status == "done"),
            "retries": sum(i.retries for i in items),
            "files": [i.report() for i in items]}
    atomic_write(path, lambda f: f.write(json.dumps(data, indent=1).encode()), "the report")


__all__ = ["run_season", "output_name", "WORK"]

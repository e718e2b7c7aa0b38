"""The command line of `a4kplay export`: one file (IN -o OUT) or a folder (SEASON_DIR -o
OUT_DIR, with --cluster, --segment-seconds and --json): the arguments, the request they
make (tools/export.py's ExportRequest) and the command's run: one summary line, Ctrl+C and
SIGTERM reported after the temporary file is gone; a folder goes to export_season.py.
"""
from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from player.base.errors import MediaError
from player.tools.export_format import DEFAULT_CRF


def add_arguments(p: argparse.ArgumentParser) -> None:
    from player.tools.args import positive as _positive, size as _size
    p.add_argument("input", help="the video to read (never modified), or a folder: every "
                   "video in it (SEASON_DIR)")
    p.add_argument("-o", "--output", required=True,
                   help="the file to write (.mkv .mp4 .webm); for a folder, the folder to "
                   "write into (OUT_DIR: each output named after its input)")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--scale", type=_positive, help="output size as a factor of the input's")
    g.add_argument("--size", type=_size, help="output size WxH")
    s = p.add_mutually_exclusive_group()
    s.add_argument("--profile", metavar="NAME", help="a profile from profiles.yaml")
    s.add_argument("--shader", action="append", default=[], metavar="FILE",
                   help="an mpv-format shader to run (repeatable, in order)")
    p.add_argument("--config", metavar="PATH", help="profiles.yaml to use")
    p.add_argument("--scaler", choices=("bilinear", "bicubic", "lanczos"))
    p.add_argument("--codec", metavar="NAME",
                   help="h264 | hevc | vp9 | av1 (default h264; vp9 for .webm)")
    p.add_argument("--crf", type=int, metavar="N", help="constant quality; lower is better "
                   "(default " + ", ".join(f"{c} {n}" for c, n in DEFAULT_CRF.items()) + ")")
    p.add_argument("--preset", metavar="P", help="encoder speed: x264/x265 ultrafast .. "
                   "veryslow (default medium), vp9 cpu-used -8..8 (4), svt-av1 -1..13 (8)")
    p.add_argument("--start", type=float, metavar="SECONDS", help="start of the part to export")
    p.add_argument("--end", type=float, metavar="SECONDS", help="end of the part to export")
    p.add_argument("--force", action="store_true", help="overwrite an existing output")
    p.add_argument("--burn-subs", action="store_true",
                   help="draw a subtitle track into the frames at the output size (that "
                   "stream is then not copied); the default-flagged track, else the first")
    p.add_argument("--sid", type=int, metavar="N",
                   help="with --burn-subs: burn subtitle track N (1-based, as mpv counts)")
    p.add_argument("--sub-file", metavar="PATH",
                   help="with --burn-subs: burn this subtitle file (.ass .srt .vtt ...)")
    p.add_argument("--progress", action="store_true",
                   help="show the progress bar even when stderr is not a terminal")
    c = p.add_argument_group("a folder (SEASON_DIR)")
    c.add_argument("--cluster", metavar="ADDRESS",
                   help="cut each file into segments and encode them as tasks on the Ray "
                   "cluster at HOST:PORT ('local': start one on this machine); needs "
                   "pip install 'a4kplay[cluster]' (docs/export.md)")
    c.add_argument("--segment-seconds", type=_positive, metavar="S",
                   help="with --cluster: the least length of a segment (default 4)")
    c.add_argument("--json", metavar="PATH",
                   help="write a report: per file frames, seconds, retries, nodes")


def request_from_args(args):
    """Resolve --profile / --shader / --config / --scaler into a request (no GL)."""
    from player.config import resolve
    from player.tools.export import ExportRequest
    _, spec = resolve.from_args(args)
    shaders, scaler, params, name = spec.shaders, spec.scaler, dict(spec.params), spec.name
    for flag in ("start", "end"):
        value = getattr(args, flag)
        if value is not None and not (0 <= value < float("inf")):
            raise MediaError(f"--{flag} must be a time in seconds >= 0, got {value:g}")
    return ExportRequest(input=args.input, output=args.output, scale=args.scale,
                         size=args.size, shaders=shaders, scaler=scaler, params=params,
                         profile=name, codec=args.codec, crf=args.crf, preset=args.preset,
                         start=args.start, end=args.end, force=args.force,
                         burn_subs=getattr(args, "burn_subs", False),
                         sid=getattr(args, "sid", None),
                         sub_file=getattr(args, "sub_file", None))


def _stop_on_sigterm():
    """Make SIGTERM (a closing terminal, `kill`) clean up like Ctrl+C; returns the old
    handler, or None when signals cannot be set here (not the main thread)."""
    def stop(signum, frame):
        raise KeyboardInterrupt
    try:
        return signal.signal(signal.SIGTERM, stop)
    except ValueError:
        return None


def run(args) -> int:
    """`a4kplay export ...`. A4kError propagates to the CLI; Ctrl+C is reported here,
    after the temporary file is gone."""
    from player.gl.window import setup_platform
    setup_platform(headless=True)   # before anything imports OpenGL
    from player.tools.export import export
    season = Path(args.input).is_dir()
    if not season:
        for flag in ("cluster", "json", "segment_seconds"):
            if getattr(args, flag, None) is not None:
                raise MediaError(f"--{flag.replace('_', '-')} is for a folder: a4kplay "
                                 "export SEASON_DIR -o OUT_DIR ...")
    elif args.start is not None or args.end is not None:
        raise MediaError("--start/--end are for one file, not a folder")
    previous = _stop_on_sigterm()
    try:
        if season:
            from player.tools.export_season import run_season
            return run_season(args, request_from_args(args))
        req = request_from_args(args)
        result = export(req, progress=args.progress or sys.stderr.isatty())
    except KeyboardInterrupt:
        print("a4kplay: export interrupted; " + (
            "no partial output (finished files and segments are kept for the next run)"
            if season else "nothing written"), file=sys.stderr)
        return 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    print(result.summary(req.profile), file=sys.stderr)
    return 0


__all__ = ["add_arguments", "request_from_args", "run"]

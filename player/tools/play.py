"""`a4kplay FILE|FOLDER ...`: play a playlist in the window (or headless).

Owns the play options of the command line and their translation into PlayOptions; the
playing itself is playback/loop.py's. Files and folders are expanded into the playlist by
playback/playlist.py (a folder's media files in natural order); a bad entry is reported
and the rest plays, unless nothing playable is left.
"""
from __future__ import annotations

import sys
from pathlib import Path

from player.base.errors import MediaError
from player.tools import args as kit


def add_play_options(p) -> None:
    p.add_argument("--size", type=kit.size, help="window size WxH (default: fit the video)")
    p.add_argument("--fullscreen", action="store_true")
    p.add_argument("--start", type=float, metavar="SECONDS", help="start position")
    p.add_argument("--frames", type=kit.count, metavar="N",
                   help="quit after N presented video frames")
    p.add_argument("--headless", action="store_true",
                   help="no visible window (software GL with OSMesa when there is no X)")
    p.add_argument("--screenshot", metavar="PATH", help="PNG of the last presented frame, at exit")
    p.add_argument("--mpv", type=kit.keyvalue, action="append", default=[], metavar="KEY=VALUE",
                   help="an option handed to libmpv (repeatable), e.g. "
                        "input-ipc-server=/tmp/mpvsock, save-position-on-quit=yes")
    p.add_argument("--no-audio", action="store_true")
    p.add_argument("--no-config", action="store_true",
                   help="do not read mpv's mpv.conf and input.conf")
    p.add_argument("--mpv-config", metavar="DIR",
                   help="read mpv.conf and input.conf from DIR (default: $MPV_HOME, else "
                        "~/.config/mpv)")
    kit.add_chain_options(p)
    p.add_argument("--compare", action="store_true", help="start in split-screen A/B compare")
    p.add_argument("--no-auto", action="store_true", help="no automatic quality governor")
    p.add_argument("--stats", metavar="PATH", help="write frame statistics JSON at exit")


def add_arguments(p) -> None:
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="videos or folders to play, in order (or a subcommand: "
                        "demo, upscale, export, quality, bench, profiles)")
    add_play_options(p)


def playlist(items: list[str]) -> list[str]:
    from player.playback.playlist import expand
    from player.playback.mpv_errors import check_path
    if len(items) == 1 and not Path(items[0]).expanduser().is_dir():
        check_path(items[0])              # one file: its problem is the one error line
    entries, problems = expand(items)
    if not entries:
        if len(items) == 1:
            raise MediaError("no media files in this folder", path=items[0],
                             hint="a4kplay plays .mkv .mp4 .webm ... files")
        raise MediaError("nothing to play: " + "; ".join(problems))
    for line in problems:                 # the rest plays; the exit status says so
        print(f"a4kplay: {line}", file=sys.stderr)
    return entries


def run(args) -> int:
    entries = playlist(args.files)
    bad = len(args.files) > 1 and len(entries) < len(args.files)
    return play(args, entries, some_failed=bad)


def mpv_setup(args):
    """The viewer's mpv folder as read for this run (config/mpv_conf.py); its lines that
    are not applied are said once, here, and listed by `a4kplay doctor`."""
    from player.config.mpv_conf import config_folder, read_setup
    setup = read_setup(config_folder(getattr(args, "mpv_config", None),
                                     getattr(args, "no_config", False)))
    if getattr(args, "mpv_config", None) and setup.folder is None:
        raise MediaError("no such folder", path=args.mpv_config,
                         hint="--mpv-config names mpv's config folder (mpv.conf, input.conf)")
    skipped = setup.not_applied()
    if skipped:
        print(f"a4kplay: {len(skipped)} line{'s' * (len(skipped) != 1)} of "
              f"{', '.join(setup.files)} not applied as in mpv (a4kplay doctor lists them)",
              file=sys.stderr)
    return setup


def play(args, entries: list[str], some_failed: bool = False) -> int:
    from player.config import resolve
    from player.config.mpv_conf import applied_to, command_line_options
    setup = mpv_setup(args)
    explicit = args.profile if not args.shader else resolve.SHADERS_PROFILE

    def load():
        return applied_to(resolve.from_args(args)[0], setup, explicit is not None)
    config = load()
    if args.profile and not args.shader:
        config.profile(args.profile)
    from player.gl.window import setup_platform
    setup_platform(args.headless)
    from player.playback.loop import PlayOptions
    from player.playback.play import play as play_loop
    mpv_options = command_line_options(args.mpv)
    if args.headless:
        mpv_options.setdefault("ao", "null")  # scripted runs: no sound device needed
    opts = PlayOptions(paths=entries, size=args.size,
                       fullscreen=args.fullscreen or bool(setup.fullscreen),
                       start=args.start, frames=args.frames, headless=args.headless,
                       screenshot=args.screenshot, mpv_options=mpv_options,
                       audio=not args.no_audio, profile=explicit,
                       compare=args.compare, auto=not args.no_auto, stats=args.stats,
                       reload_config=load, mpv_setup=setup)
    code = play_loop(opts, config)
    if args.screenshot:
        print(f"screenshot written to {Path(args.screenshot).resolve()}", file=sys.stderr)
    return code or (1 if some_failed else 0)

"""The command line: arguments and subcommands, wiring only.

    a4kplay FILE [options]              play a file
    a4kplay demo [options]              play the built-in demo clip
    a4kplay upscale IN -o OUT ...       one image through a chain
    a4kplay quality HR_DIR ...          PSNR/SSIM of the tiers against ground truth
    a4kplay bench ...                   GPU time per frame of each tier
    a4kplay profiles --check [PATH]     validate a profiles file and its shaders

Every project error (A4kError) becomes one line on stderr and a non-zero exit; tracebacks
are shown only with A4KPLAY_DEBUG=1. The GL platform is chosen before anything imports
PyOpenGL, which is why GL modules are imported inside the command functions.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from player.base.errors import A4kError

SUBCOMMANDS = ("demo", "upscale", "quality", "bench", "profiles", "export", "play")


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = text.lower().split("x")
        w, h = int(w), int(h)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 1920x1080, got {text!r}")
    if not (1 <= w <= 16384 and 1 <= h <= 16384):
        raise argparse.ArgumentTypeError(f"size out of range: {text!r} (1..16384 per side)")
    return w, h


def _positive(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}")
    if not v > 0 or v != v or v == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return v


def _count(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}")
    if v < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {text!r}")
    return v


def _keyvalue(text: str) -> tuple[str, str]:
    if "=" not in text or text.startswith("="):
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE such as hwdec=auto, got {text!r}")
    k, v = text.split("=", 1)
    return k.strip(), v


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, as argparse does, without the usage dump
        self.exit(2, f"a4kplay: {message} (see a4kplay --help)\n")


def _play_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--size", type=_size, help="window size WxH (default: fit the video)")
    p.add_argument("--fullscreen", action="store_true")
    p.add_argument("--start", type=float, metavar="SECONDS", help="start position")
    p.add_argument("--frames", type=_count, metavar="N",
                   help="quit after N presented video frames")
    p.add_argument("--headless", action="store_true",
                   help="no visible window (software GL with OSMesa when there is no X)")
    p.add_argument("--screenshot", metavar="PATH", help="PNG of the last presented frame, at exit")
    p.add_argument("--mpv", type=_keyvalue, action="append", default=[], metavar="KEY=VALUE",
                   help="an option handed to libmpv (repeatable)")
    p.add_argument("--no-audio", action="store_true")
    p.add_argument("--shader", action="append", default=[], metavar="FILE",
                   help="an mpv-format shader to run (repeatable, in order)")
    p.add_argument("--scaler", choices=("bilinear", "bicubic", "lanczos"),
                   help="scaler for --shader chains (default bicubic)")
    p.add_argument("--profile", metavar="NAME", help="profile to start with")
    p.add_argument("--config", metavar="PATH", help="profiles.yaml to use")
    p.add_argument("--compare", action="store_true", help="start in split-screen A/B compare")
    p.add_argument("--no-auto", action="store_true", help="no automatic quality governor")
    p.add_argument("--stats", metavar="PATH", help="write frame statistics JSON at exit")


def build_parser() -> dict[str, argparse.ArgumentParser]:
    parsers = {}
    play = _Parser(prog="a4kplay", description="Play a video, upscaled by GPU shader chains.",
                   epilog=USAGE, formatter_class=argparse.RawDescriptionHelpFormatter)
    play.add_argument("file", help="the video to play (or a subcommand: "
                      + ", ".join(SUBCOMMANDS[:-1]) + ")")
    _play_args(play)
    parsers["play"] = play

    demo = _Parser(prog="a4kplay demo", description="Play the built-in demo clip.")
    _play_args(demo)
    parsers["demo"] = demo

    up = _Parser(prog="a4kplay upscale", description="Upscale one image through a chain.")
    up.add_argument("input")
    up.add_argument("-o", "--output", required=True, help="the PNG to write")
    g = up.add_mutually_exclusive_group(required=True)
    g.add_argument("--scale", type=_positive)
    g.add_argument("--size", type=_size)
    up.add_argument("--shader", action="append", default=[], metavar="FILE")
    up.add_argument("--profile", metavar="NAME")
    up.add_argument("--scaler", choices=("bilinear", "bicubic", "lanczos"))
    up.add_argument("--config", metavar="PATH")
    up.add_argument("--force", action="store_true", help="overwrite an existing output")
    parsers["upscale"] = up

    prof = _Parser(prog="a4kplay profiles", description="Validate a profiles file.")
    prof.add_argument("--check", action="store_true", required=True)
    prof.add_argument("path", nargs="?")
    parsers["profiles"] = prof
    return parsers


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        return _dispatch(argv)
    except A4kError as e:
        print(f"a4kplay: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("a4kplay: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # a bug: still one line, unless debugging
        if os.environ.get("A4KPLAY_DEBUG"):
            raise
        print(f"a4kplay: internal error: {type(e).__name__}: {e} "
              "(run with A4KPLAY_DEBUG=1 for details)", file=sys.stderr)
        return 70


USAGE = """usage: a4kplay FILE [options]          play a video (a4kplay --help for the options)
       a4kplay demo [options]          play the built-in demo clip
       a4kplay upscale IN -o OUT ...   one image through a chain
       a4kplay export IN -o OUT ...    a whole video through a chain
       a4kplay quality HR_DIR ...      PSNR/SSIM of the tiers against ground truth
       a4kplay bench ...               GPU time per frame of each tier (--vs-mpv: against mpv)
       a4kplay profiles --check [PATH] validate a profiles file and its shaders"""


def _dispatch(argv: list[str]) -> int:
    if not argv:
        print(USAGE, file=sys.stderr)
        return 2
    parsers = build_parser()
    cmd = argv[0] if argv and argv[0] in SUBCOMMANDS else "play"
    if cmd == "play" and argv and argv[0] == "play":
        argv = argv[1:]
    elif cmd != "play":
        argv = argv[1:]
    if cmd == "export":
        from player.tools.export import main as export_main
        return export_main(argv)
    if cmd == "bench":
        from player.tools.bench import main as bench_main
        return bench_main(argv)
    if cmd == "quality":
        from player.tools.quality import main as quality_main
        return quality_main(argv)
    args = parsers[cmd].parse_args(argv)
    if cmd == "profiles":
        return cmd_profiles(args)
    if cmd == "upscale":
        return cmd_upscale(args)
    if cmd == "demo":
        from player.playback.video import import_mpv
        import_mpv()
        from player.media.demo import demo_clip
        args.file = str(demo_clip())
    return cmd_play(args)


def _config_with_shaders(args):
    """The profiles config, plus a profile made of --shader files when some were given."""
    import dataclasses
    from types import MappingProxyType
    from player.config.profiles import Profile, load_config
    config = load_config(args.config)
    if args.shader:
        for s in args.shader:
            if not Path(s).expanduser().is_file():
                from player.base.errors import ShaderError
                raise ShaderError("no such shader file", path=s)
        custom = Profile(name="shaders", shaders=tuple(str(Path(s).expanduser().resolve())
                                                       for s in args.shader),
                         scaler=args.scaler or "bicubic")
        config = dataclasses.replace(
            config, profiles=MappingProxyType({**config.profiles, "shaders": custom}),
            default="shaders")
    elif args.scaler:
        name = args.profile or config.default
        prof = dataclasses.replace(config.profile(name), scaler=args.scaler)
        config = dataclasses.replace(
            config, profiles=MappingProxyType({**config.profiles, name: prof}))
    return config


def cmd_play(args) -> int:
    from player.playback.video import check_path
    check_path(args.file)                   # a bad path is reported before anything else
    config = _config_with_shaders(args)
    if args.profile:
        config.profile(args.profile)
    from player.gl.window import setup_platform
    setup_platform(args.headless)
    from player.playback.loop import PlayOptions, play
    mpv_options = dict(args.mpv)
    if args.headless:
        mpv_options.setdefault("ao", "null")  # scripted runs: no sound device needed
    opts = PlayOptions(path=args.file, size=args.size, fullscreen=args.fullscreen,
                       start=args.start, frames=args.frames, headless=args.headless,
                       screenshot=args.screenshot, mpv_options=mpv_options,
                       audio=not args.no_audio, profile=args.profile if not args.shader else None,
                       compare=args.compare, auto=not args.no_auto, stats=args.stats,
                       reload_config=lambda: _config_with_shaders(args))
    code = play(opts, config)
    if args.screenshot:
        print(f"screenshot written to {Path(args.screenshot).resolve()}", file=sys.stderr)
    return code


def cmd_profiles(args) -> int:
    from player.config.profiles import check, find_config
    path = find_config(args.path)
    problems = check(args.path)
    if problems:
        for line in problems:
            print(line, file=sys.stderr)
        return 1
    print(f"{path}: OK")
    return 0


def cmd_upscale(args) -> int:
    from player.base.errors import ImageError
    src, dst = Path(args.input), Path(args.output)
    if dst.suffix.lower() != ".png":
        raise ImageError("the output must be a .png file", path=str(dst))
    from player.base.files import check_output
    check_output(src, dst, args.force, ImageError)
    from player.render.offscreen import read_image
    img = read_image(src)
    h, w = img.shape[:2]
    out_w, out_h = args.size if args.size else (max(1, round(w * args.scale)),
                                                 max(1, round(h * args.scale)))
    if out_w > 16384 or out_h > 16384:
        raise ImageError(f"output size {out_w}x{out_h} is larger than 16384 per side")
    if args.shader:
        shaders, scaler, params = args.shader, args.scaler or "bicubic", None
        for s in shaders:
            if not Path(s).is_file():
                from player.base.errors import ShaderError
                raise ShaderError("no such shader file", path=s)
    else:
        from player.config.profiles import load_config
        config = load_config(args.config)
        profile = config.profile(args.profile or "Off")
        shaders, scaler, params = profile.shaders, args.scaler or profile.scaler, profile.params
    from player.gl.window import setup_platform
    setup_platform(headless=True)
    from player.render.offscreen import upscale_array, write_png
    out = upscale_array(img, (out_w, out_h), shaders, scaler, params)
    write_png(dst, out)
    print(f"{dst}: {w}x{h} -> {out_w}x{out_h}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

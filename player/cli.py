"""The command line: one dispatch table from the first word to a tool, and nothing else.

    a4kplay FILE|FOLDER ... [options]   play files (a folder: its media files, in order)
    a4kplay demo [options]              play the built-in demo clip
    a4kplay upscale IN -o OUT ...       one image through a chain
    a4kplay export IN -o OUT ...        a whole video through a chain
    a4kplay quality HR_DIR ...          PSNR/SSIM of the tiers against ground truth
    a4kplay bench ...                   GPU time per frame of each tier
    a4kplay profiles --check [PATH]     validate a profiles file and its shaders
    a4kplay profiles --import-mpv [PATH]  profiles from mpv's input.conf
    a4kplay doctor                      versions, config files read, what is missing

Each tool module (player/tools/) exposes ``add_arguments(parser)`` and ``run(args)``; a
new command is one row of ``COMMANDS``. Every project error (A4kError) becomes one line on
stderr and a non-zero exit; tracebacks only with A4KPLAY_DEBUG=1. Tool modules are imported
only when their command runs: the GL platform must be chosen before anything imports
PyOpenGL.
"""
from __future__ import annotations

import importlib
import os
import sys

from player.base.errors import A4kError

# first word -> (module under player.tools, one line of description)
COMMANDS = {
    "play": ("play", "Play videos, upscaled by GPU shader chains."),
    "demo": ("demo", "Play the built-in demo clip."),
    "upscale": ("upscale", "Upscale one image through a chain."),
    "export": ("export", "Upscale a whole video file through a profile or shader chain."),
    "quality": ("quality", "PSNR/SSIM of the tiers against ground-truth images."),
    "bench": ("bench", "GL time per frame of each tier, per pass, with texture fetches per "
                       "output pixel; --vs-mpv compares with mpv."),
    "profiles": ("profiles", "Validate a profiles file, or import profiles from mpv's "
                             "input.conf."),
    "doctor": ("doctor", "Versions of libmpv, libass, PyAV, GLFW and GL, the config files "
                         "read, their lines not applied, and what is missing."),
}

USAGE = """usage: a4kplay FILE|FOLDER ... [options]  play videos (a4kplay --help for the options)
       a4kplay demo [options]          play the built-in demo clip
       a4kplay upscale IN -o OUT ...   one image through a chain
       a4kplay export IN -o OUT ...    a whole video through a chain
       a4kplay quality HR_DIR ...      PSNR/SSIM of the tiers against ground truth
       a4kplay bench ...               GPU time per frame of each tier (--vs-mpv: against mpv)
       a4kplay profiles --check [PATH] validate a profiles file and its shaders
       a4kplay profiles --import-mpv [PATH]  profiles from mpv's input.conf
       a4kplay doctor                  versions, config files read, what is missing"""


def tool(name: str):
    return importlib.import_module(f"player.tools.{COMMANDS[name][0]}")


def build_parser(name: str):
    from player.tools.args import Parser
    prog = "a4kplay" if name == "play" else f"a4kplay {name}"
    kw = {}
    if name == "play":
        import argparse
        kw = {"epilog": USAGE, "formatter_class": argparse.RawDescriptionHelpFormatter}
    p = Parser(prog=prog, description=COMMANDS[name][1], **kw)
    tool(name).add_arguments(p)
    return p


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


def _dispatch(argv: list[str]) -> int:
    if not argv:
        print(USAGE, file=sys.stderr)
        return 2
    name = argv[0] if argv[0] in COMMANDS else "play"
    if argv[0] in COMMANDS:
        argv = argv[1:]
    args = build_parser(name).parse_args(argv)
    return tool(name).run(args)


if __name__ == "__main__":
    sys.exit(main())

"""The argument kit every command shares: one parser class, the value types, the chain flags.

Each command module under player/tools exposes ``add_arguments(parser)`` and ``run(args)``;
player/cli.py only dispatches. Value types raise ``argparse.ArgumentTypeError`` with what
was expected, and the parser prints one line and exits 2, as argparse does for usage
errors, without the usage dump.
"""
from __future__ import annotations

import argparse

from player.render.scalers import SCALERS


class Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, as argparse does, without the usage dump
        self.exit(2, f"a4kplay: {message} (see a4kplay --help)\n")


def size(text: str) -> tuple[int, int]:
    try:
        w, h = text.lower().split("x")
        w, h = int(w), int(h)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 1920x1080, got {text!r}")
    if not (1 <= w <= 16384 and 1 <= h <= 16384):
        raise argparse.ArgumentTypeError(f"size out of range: {text!r} (1..16384 per side)")
    return w, h


def positive(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}")
    if not v > 0 or v != v or v == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return v


def count(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}")
    if v < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {text!r}")
    return v


def keyvalue(text: str) -> tuple[str, str]:
    if "=" not in text or text.startswith("="):
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE such as hwdec=auto, got {text!r}")
    k, v = text.split("=", 1)
    return k.strip(), v


def add_chain_options(p: argparse.ArgumentParser, exclusive: bool = False,
                      scaler_default: str | None = None) -> None:
    """--profile / --shader / --scaler / --config, as every chain-building command has them.
    ``exclusive``: --profile and --shader may not be given together."""
    g = p.add_mutually_exclusive_group() if exclusive else p
    g.add_argument("--profile", metavar="NAME", help="a profile from profiles.yaml")
    g.add_argument("--shader", action="append", default=[], metavar="FILE",
                   help="an mpv-format shader to run (repeatable, in order)")
    p.add_argument("--scaler", choices=SCALERS, default=scaler_default,
                   help="the scaler (default: the profile's; bicubic for --shader)")
    p.add_argument("--config", metavar="PATH", help="profiles.yaml to use")

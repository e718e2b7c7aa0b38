"""`a4kplay upscale IN -o OUT`: one image through a chain, written as PNG (never over IN)."""
from __future__ import annotations

import sys
from pathlib import Path

from player.base.errors import ImageError
from player.tools import args as kit


def add_arguments(p) -> None:
    p.add_argument("input")
    p.add_argument("-o", "--output", required=True, help="the PNG to write")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--scale", type=kit.positive)
    g.add_argument("--size", type=kit.size)
    kit.add_chain_options(p)
    p.add_argument("--force", action="store_true", help="overwrite an existing output")


def run(args) -> int:
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
    from player.config import resolve
    if not args.shader and not args.profile:
        args.profile = "Off"            # an image alone: the scaler, no shaders
    _, spec = resolve.from_args(args)
    from player.gl.window import setup_platform
    setup_platform(headless=True)
    from player.render.offscreen import upscale_array, write_png
    out = upscale_array(img, (out_w, out_h), spec.shaders, spec.scaler, spec.params)
    write_png(dst, out)
    print(f"{dst}: {w}x{h} -> {out_w}x{out_h}", file=sys.stderr)
    return 0

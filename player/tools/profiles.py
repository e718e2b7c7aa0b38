"""`a4kplay profiles --check [PATH]` and `a4kplay profiles --import-mpv [PATH]`.

--check validates a profiles file and every shader it names, printing each problem as
path:line. --import-mpv turns mpv input.conf bindings that set glsl-shaders into profiles
(config/mpv_import.py) and writes a new profiles.yaml: never over an existing file without
--force, and it lists what it skipped and why.
"""
from __future__ import annotations

import sys
from pathlib import Path

from player.base.errors import ProfileError


def add_arguments(p) -> None:
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--check", action="store_true", help="validate a profiles file")
    g.add_argument("--import-mpv", action="store_true",
                   help="profiles from mpv's input.conf (default: the one in mpv's config "
                        "folder)")
    p.add_argument("path", nargs="?", help="the profiles file (--check) or the input.conf "
                                           "(--import-mpv)")
    p.add_argument("-o", "--output", metavar="PATH",
                   help="--import-mpv: where to write (default: the user's profiles.yaml)")
    p.add_argument("--force", action="store_true", help="--import-mpv: overwrite the output")


def run(args) -> int:
    if args.check:
        return check(args.path)
    return import_mpv(args.path, args.output, args.force)


def check(path: str | None) -> int:
    from player.config.check import check as check_file, plan_warnings
    from player.config.profiles import find_config
    found = find_config(path)
    problems = check_file(path)
    if problems:
        for line in problems:
            print(line, file=sys.stderr)
        return 1
    for line in plan_warnings(path):   # not errors: the player skips such a pass and says so
        print(f"warning: {line}", file=sys.stderr)
    print(f"{found}: OK")
    return 0


def import_mpv(path: str | None, output: str | None, force: bool) -> int:
    from player.base.files import atomic_write
    from player.config import mpv_import
    from player.config.profiles import user_config_path
    src = Path(path).expanduser() if path else mpv_import.default_input_conf()
    if not src.is_file():
        raise ProfileError("no such input.conf", path=str(src),
                           hint="give the path: a4kplay profiles --import-mpv PATH")
    try:
        text = src.read_text(encoding="utf-8", errors="replace")
    except OSError as e:
        raise ProfileError(f"cannot read it: {e.strerror or e}", path=str(src)) from None
    dst = Path(output).expanduser() if output else user_config_path()
    if dst.exists() and not force:
        raise ProfileError("the output exists", path=str(dst),
                           hint="use --force to overwrite, or -o PATH")
    from player.config.profiles import SHIPPED_CONFIG, load_config
    result = mpv_import.import_input_conf(text, str(src), mpv_import.mpv_config_dir())
    for line in result.skipped:
        print(f"skipped {line}", file=sys.stderr)
    for line in result.warnings:
        print(f"note {line}", file=sys.stderr)
    if not result.profiles:
        raise ProfileError("no binding in it sets glsl-shaders: nothing to import",
                           path=str(src))
    notes: list[str] = []
    yaml_text = mpv_import.render_profiles_yaml(result, SHIPPED_CONFIG.read_text(), notes)
    for line in notes:
        print(f"note {line}", file=sys.stderr)
    dst.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(dst, lambda f: f.write(yaml_text.encode("utf-8")), "the profiles file")
    load_config(str(dst))     # what was written must be a profiles file that loads
    print(f"{dst}: {len(result.profiles)} profiles imported from {src}", file=sys.stderr)
    return 0

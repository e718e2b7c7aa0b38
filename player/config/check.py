"""`a4kplay profiles --check`: every problem of a profiles file and the shaders it names.

Reading a profiles file (config/profiles.py) stops at the YAML; checking goes on into the
shader files: each must exist and parse, each PARAM a profile sets must be declared by one
of its shaders and be a value it takes (render/params.py: outside MINIMUM..MAXIMUM it is
clamped, everywhere, and said as a warning), and each profile is planned (without GL) at a few
sizes to warn of passes the chain would skip while playing. Problems are
"path:line: message" lines; warnings are not problems.
"""
from __future__ import annotations

import os
from typing import Any

from player.base.errors import A4kError
from player.config.profiles import _read, find_config, load_config


def check(path: str | None = None) -> list[str]:
    """Every problem in the profiles file and in every shader it names, as
    "path:line: message" lines; an empty list when all is well."""
    yaml_path = find_config(path)
    _config, problems, reader = _read(yaml_path)
    out = [str(p) for p in problems]
    if reader is not None:
        out += _check_shaders(reader)
    return out


# sizes `profiles --check` plans each profile at, to find passes that would be skipped
CHECK_SIZES = (((1280, 720), (1920, 1080)), ((1920, 1080), (3840, 2160)), ((640, 360), (1920, 1080)))


def plan_warnings(path: str | None = None) -> list[str]:
    """Passes the chain would skip (a bound texture that never exists, a size it cannot
    have, a hook point of planes RGB video lacks) for each profile at CHECK_SIZES: what
    the player says once on screen, said before playing. Planned without GL; the plane
    hooks libmpv runs for YUV video are left out as the player leaves them out."""
    from player.render import plan
    from player.render.hookfile import load
    from player.render.params import resolve_params
    from player.render.planes import split_plane_hooks
    config = load_config(path)
    out: list[str] = []
    for profile in config.profiles.values():
        try:
            loaded = [load(s) for s in profile.shaders]
            for note in resolve_params(loaded, profile.params).clamped:
                out.append(f"{note} (profile {profile.name}; played so, as everywhere)")
            _, files = split_plane_hooks(loaded, profile.params)
        except A4kError:
            continue     # check() reports the file itself
        for src, dst in CHECK_SIZES:
            for text in plan.build(files, src, dst, dict(profile.params),
                                   profile.scaler).warnings:
                line = f"{text} (profile {profile.name}, {src[0]}x{src[1]} -> {dst[0]}x{dst[1]})"
                if line not in out:
                    out.append(line)
    return out


def _check_shaders(reader) -> list[str]:
    from player.render import hookfile  # lazy: the parser is not needed to read profiles

    out: list[str] = []
    declared: dict[str, dict[str, Any] | None] = {}  # shader -> PARAM name -> block
    for shader_path, keypath, line in reader.shader_refs:
        if shader_path in declared:
            continue
        where = f"{reader.path}:{line}: {keypath}"
        declared[shader_path] = {}
        if not os.path.exists(shader_path):
            out.append(f"{where}: shader file not found: {shader_path}")
        elif not os.path.isfile(shader_path):
            out.append(f"{where}: not a file: {shader_path}")
        else:
            try:
                params = getattr(hookfile.load(shader_path), "params", None)
                declared[shader_path] = (None if params is None else
                                         {getattr(p, "name", p): p for p in params})
            except A4kError as e:
                out.append(str(e))
                declared[shader_path] = None  # unknown: do not blame its PARAMs
    for profile, refs in reader.param_refs.items():
        tables = [declared.get(s) for s in reader.profile_shaders.get(profile, ())]
        if any(t is None for t in tables):
            continue
        blocks = {name: block for t in tables for name, block in t.items()}
        for name, value, line in refs:
            where = f"{reader.path}:{line}: profiles.{profile}.params.{name}"
            if name not in blocks:
                out.append(f"{where}: no shader of profile {profile!r} declares PARAM {name}")
                continue
            try:   # the one PARAM rule (render/params.py): bad values are errors here too
                blocks[name].parse_value(str(value))
            except A4kError as e:
                out.append(f"{where}: {e.message}")
    return out

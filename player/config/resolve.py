"""From what the user named to what a chain is made of: the one resolver.

`--profile NAME`, `--shader FILE...`, `--scaler NAME` and a profile's params become a
``ChainSpec`` (shader paths, scaler, params, a label) here, for every command that builds a
chain: play, upscale, export, quality and bench. Nothing here touches GL; render builds the
chain from the spec.

A ``--shader`` list is a profile of its own, named ``shaders``, added to the configuration
and made its default, so the player's profile keys, the governor and live reload treat it
like any other profile. ``--scaler`` with a profile replaces that profile's scaler.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping, Sequence

from player.base.errors import ShaderError
from player.config.profiles import DEFAULT_SCALER, Config, Profile, load_config

SHADERS_PROFILE = "shaders"  # the name of the profile a --shader list becomes


@dataclass(frozen=True)
class ChainSpec:
    """Everything a chain is built from; equal specs build equal chains."""
    name: str
    shaders: tuple[str, ...] = ()
    scaler: str = DEFAULT_SCALER
    params: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))


def shader_paths(paths: Sequence[str]) -> tuple[str, ...]:
    """Absolute paths of shader files named on the command line; ShaderError for a missing one."""
    out = []
    for s in paths:
        p = Path(s).expanduser()
        if not p.is_file():
            raise ShaderError("no such shader file", path=s)
        out.append(str(p.resolve()))
    return tuple(out)


def with_overrides(config: Config, shaders: Sequence[str] = (), scaler: str | None = None,
                   profile: str | None = None) -> Config:
    """The configuration with a ``shaders`` profile made of ``shaders`` (then the default),
    or with ``scaler`` replacing the scaler of ``profile`` (the default when None)."""
    if shaders:
        custom = Profile(name=SHADERS_PROFILE, shaders=shader_paths(shaders),
                         scaler=scaler or DEFAULT_SCALER)
        return dataclasses.replace(
            config, profiles=MappingProxyType({**config.profiles, SHADERS_PROFILE: custom}),
            default=SHADERS_PROFILE)
    if scaler:
        name = profile or config.default
        prof = dataclasses.replace(config.profile(name), scaler=scaler)
        return dataclasses.replace(
            config, profiles=MappingProxyType({**config.profiles, name: prof}))
    return config


def load(config_path: str | None, shaders: Sequence[str] = (), scaler: str | None = None,
         profile: str | None = None) -> Config:
    """Read profiles.yaml (the search order when None) and apply the command line."""
    return with_overrides(load_config(config_path), shaders, scaler, profile)


def spec(config: Config, name: str | None = None) -> ChainSpec:
    """The chain of profile ``name`` (the default when None); ProfileError if unknown."""
    prof = config.profile(name or config.default)
    return ChainSpec(prof.name, tuple(prof.shaders), prof.scaler,
                     MappingProxyType(dict(prof.params)))


def from_args(args) -> tuple[Config, ChainSpec]:
    """The configuration and the chain that parsed arguments name (``config``, ``shader``,
    ``scaler`` and ``profile`` attributes, each optional)."""
    shaders = getattr(args, "shader", None) or ()
    profile = None if shaders else getattr(args, "profile", None)
    config = load(getattr(args, "config", None), shaders, getattr(args, "scaler", None),
                  profile)
    return config, spec(config, profile)

"""PARAM overrides: the one rule for the value a shader parameter has.

A profile's ``params:`` override the defaults of its shaders' PARAM blocks. The chain (its
uniforms and ``#define``s), the passes on YUV planes that libmpv runs (values written into
their text), the planner (WHEN conditions and sizes) and ``profiles --check`` all take their
values from ``resolve_params``, so a value means the same everywhere:

- a name no shader of the profile declares, or a value that is not a number (or one of an
  ENUM's choices), or a fraction for an integer PARAM, is a ShaderError;
- a value outside the block's MINIMUM..MAXIMUM is clamped into it, as the chain has always
  played it, and the clamping is said (``clamped``), once, by whoever shows messages:
  ``profiles --check`` lists it as a warning, not as an error.

Pure: no GL.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping, Sequence

from player.base.errors import ShaderError


@dataclass(frozen=True)
class Resolved:
    values: Mapping[str, float]             # every declared PARAM: its value to use
    blocks: Mapping[str, object]            # name -> its ParamBlock (the last declaring it)
    enums: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    clamped: tuple[str, ...] = ()           # "PARAM NAME: 3 is outside 0 to 1; 1 is used"


def resolve_params(files: Sequence, overrides: Mapping[str, object] | None = None) -> Resolved:
    """The value of every PARAM the shader ``files`` declare, with ``overrides`` applied
    (see the module docstring for what is an error and what is clamped)."""
    values: dict[str, float] = {}
    blocks: dict[str, object] = {}
    enums: dict[str, int] = {}
    for f in files:
        for p in f.params:
            blocks[p.name] = p
            values[p.name] = float(p.default)
            enums.update({choice: i for i, choice in enumerate(p.enum_values)})
    clamped = []
    for name, raw in (overrides or {}).items():
        block = blocks.get(name)
        if block is None:
            raise ShaderError(f"parameter '{name}' is not defined by any shader of the chain",
                              hint="known: " + (", ".join(sorted(blocks)) or "none"))
        value = block.parse_value(str(raw))
        if str(raw).strip() not in block.enum_values and value != float(raw):
            lo = "-inf" if block.minimum is None else f"{block.minimum:g}"
            hi = "inf" if block.maximum is None else f"{block.maximum:g}"
            clamped.append(f"PARAM {name}: {float(raw):g} is outside its range {lo} to {hi}; "
                           f"{value:g} is used")
        values[name] = value
    return Resolved(MappingProxyType(values), MappingProxyType(blocks),
                    MappingProxyType(enums), tuple(clamped))

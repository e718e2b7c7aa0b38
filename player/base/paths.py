"""Where the project's own files are: the one place that knows the checkout's layout.

The shipped profiles.yaml, the shipped shaders and the repository root (bench runs child
processes there) are found relative to this file, so a module that moves between layers
does not silently start looking in the wrong folder.
"""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHADERS = ROOT / "shaders"

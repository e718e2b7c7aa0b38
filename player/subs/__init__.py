"""Subtitles drawn at output resolution with libass, over the upscaled picture.

libmpv stays in charge of which track plays and of its timing options; this package reads the
same track itself (PyAV, in a worker), renders it with libass at the window's size and draws
the bitmaps over the presented frame, never through the upscaling shaders. The play loop uses
the facade ``Subtitles`` (track.py) only.
"""
from __future__ import annotations

from .errors import SubtitleError
from .renderer import Params
from .track import Subtitles, TrackInfo, track_info

__all__ = ["Params", "Subtitles", "SubtitleError", "TrackInfo", "track_info"]

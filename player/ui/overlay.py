"""The on-screen overlay: notifications, the stats panel, the frame-time graph, A/B labels.

Drawn by the play loop after the video, into whatever framebuffer is bound, at output
resolution (never through mpv's OSD, which would be upscaled with the video). Everything is
one kind of primitive: an instanced quad with a screen rectangle, an atlas rectangle and a
colour. Glyphs sample the font atlas (``text.Atlas``); boxes, bars and the budget line
sample its solid block. A frame's quads are gathered into one preallocated numpy array,
uploaded with one glBufferSubData and drawn with one instanced call, in painter's order
(boxes before the text on them), with premultiplied-alpha blending.

CPU cost is what matters here (the issue allows 0.5 ms per frame): laid-out lines are cached
by text, so an unchanged line costs two numpy slice assignments; the graph is vectorised;
the GL objects (program, VAO, VBO, atlas per text size) are made once, through gpu.py.
``stats`` counts the VBO/VAO creations and storage growths so tests can check that steady
frames allocate nothing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, NamedTuple, Sequence

import numpy as np

from player.gl.quads import FLOATS, QuadBatch, Quads
from player.ui.text import Atlas, font_size

_FRAGMENT = """
uniform sampler2D atlas;
in vec2 v_uv;
in vec4 v_color;
out vec4 a4k_out;
void main() {
    float a = v_color.a * texelFetch(atlas, ivec2(v_uv), 0).r;
    a4k_out = vec4(v_color.rgb * a, a);   // premultiplied
}
"""

BOX = (0.0, 0.0, 0.0, 0.62)
TEXT = (0.93, 0.93, 0.93, 1.0)
ERROR = (1.0, 0.45, 0.40, 1.0)
BAR = (0.36, 0.80, 0.45, 0.95)
BAR_OVER = (1.0, 0.33, 0.22, 0.95)
BUDGET = (1.0, 0.88, 0.30, 1.0)

GRAPH_BARS = 120        # frames shown by the graph (2 s at 60 fps)
_CACHE_LIMIT = 2048     # laid-out lines kept; the stats panel makes a few new ones per frame
_ERROR_SHAPE = re.compile(r"^\S+:\d+: ")   # "path:line: message", as A4kError prints it


@dataclass
class OverlayStats:
    """Creations of the overlay's own GL buffers (textures are in ``gpu.stats``)."""
    buffers: int = 0
    vertex_arrays: int = 0

    def allocations(self) -> int:
        return self.buffers + self.vertex_arrays


stats = OverlayStats()


class Alert(str):
    """A message drawn in the error colour (messages shaped "path:line: ..." are, too)."""


@dataclass
class Graph:
    """Recent per-frame GPU times (ms, oldest first) and the frame budget they are held to.

    Only the last GRAPH_BARS values are drawn; a ``deque(maxlen=GRAPH_BARS)`` or a numpy
    array is the cheapest container. ``budget_ms <= 0`` scales to the peak, with no line.
    """
    values: Sequence[float] | Iterable[float]
    budget_ms: float
    title: str = ""


@dataclass
class Progress:
    """mpv's seek bar: ``fraction`` of the file played, chapter starts as fractions, and
    the line of text above the bar (time / duration, chapter, playlist entry)."""
    fraction: float
    chapters: Sequence[float] = ()
    text: str = ""


class Box(NamedTuple):
    x: int
    y: int
    w: int
    h: int


@dataclass
class _Label:
    text: str
    x: float
    y: float
    align: str = "left"


class Overlay:
    """Owns the overlay's program, VAO, instance VBO and font atlases; draws one frame."""

    def __init__(self, capacity: int = 2048):
        self._batch = QuadBatch(_FRAGMENT, "<overlay>", capacity, stats)
        self._atlases: dict[int, Atlas] = {}
        self._lines: dict[tuple, tuple[np.ndarray, float]] = {}
        self._wrapped: dict[tuple, list[str]] = {}
        self._labels: list[_Label] = []
        self._staging = np.zeros((capacity, FLOATS), np.float32)
        self.boxes: dict[str, Box] = {}   # where the last frame's boxes went (tests, hit tests)

    # -- public API ---------------------------------------------------------------------

    def label(self, text: str, x: float, y: float, align: str = "left") -> None:
        """Queue a boxed label for the next draw(): (x, y) is the box's top edge and its left
        edge, right edge or centre per ``align`` ("left", "right", "center")."""
        self._labels.append(_Label(text, x, y, align))

    def draw(self, target_w: int, target_h: int, bottom_up: bool = True,
             messages: Sequence[str] = (), panel: Sequence[str] | None = None,
             graph: Graph | None = None, progress: Progress | None = None) -> None:
        """Draw messages (top left), the panel and graph (top right), the progress bar
        (centre) and queued labels into the bound framebuffer of ``target_w`` x
        ``target_h``; leaves blending disabled."""
        labels, self._labels = self._labels, []
        self.boxes = {}
        # nothing to show: no atlas is made (a window being resized must not build fonts)
        if target_w < 1 or target_h < 1 or not (messages or panel or graph or labels
                                                 or progress):
            return
        size = font_size(target_h)
        atlas = self._atlas(size)
        frame = Quads(self._staging)
        self._layout(frame, atlas, target_w, messages, panel, graph, labels)
        if progress is not None:
            self._progress(frame, atlas, target_w, target_h, progress)
        self._staging = frame.data      # may have grown
        self.boxes = frame.boxes
        if frame.n:
            self._submit(frame.n, atlas, target_w, target_h, bottom_up)

    def release(self) -> None:
        self._batch.release()
        for atlas in self._atlases.values():
            atlas.release()
        self._atlases.clear()

    # -- layout (CPU) -------------------------------------------------------------------

    def _atlas(self, size: int) -> Atlas:
        atlas = self._atlases.get(size)
        if atlas is None:
            if len(self._atlases) >= 3:   # a window being resized: keep the newest few
                oldest = next(iter(self._atlases))
                self._atlases.pop(oldest).release()
            atlas = self._atlases[size] = Atlas(size)
        return atlas

    def _line(self, atlas: Atlas, text: str, mono: bool) -> tuple[np.ndarray, float]:
        key = (atlas.glyphs.size, text, mono)
        hit = self._lines.get(key)
        if hit is None:
            if len(self._lines) >= _CACHE_LIMIT:
                self._lines.clear()
            hit = self._lines[key] = atlas.glyphs.layout(text, mono)
        return hit

    def _wrap(self, atlas: Atlas, text: str, max_w: int) -> list[str]:
        key = (atlas.glyphs.size, text, max_w)
        hit = self._wrapped.get(key)
        if hit is None:
            if len(self._wrapped) >= _CACHE_LIMIT:
                self._wrapped.clear()
            hit = self._wrapped[key] = atlas.glyphs.wrap(text, max_w)
        return hit

    def _layout(self, frame: Quads, atlas: Atlas, w: int, messages, panel, graph,
                labels) -> None:
        g = atlas.glyphs
        lh = g.line_height
        margin, pad = round(g.size * 0.75), round(g.size * 0.4)
        solid = g.solid_uv

        y = margin
        for i, msg in enumerate(messages):
            lines = self._wrap(atlas, msg, max(g.size * 8, int(w * 0.6)))
            laid = [self._line(atlas, s, False) for s in lines]
            bw = round(max(width for _, width in laid)) + 2 * pad
            bh = len(lines) * lh + 2 * pad
            box = Box(margin, y, bw, bh)
            frame.boxes[f"message{i}"] = box
            frame.quad(box, solid, BOX)
            color = ERROR if isinstance(msg, Alert) or _ERROR_SHAPE.match(msg) else TEXT
            for j, (rows, _) in enumerate(laid):
                frame.glyphs(rows, margin + pad, y + pad + j * lh, color)
            y += bh + round(g.size * 0.3)

        right, y = w - margin, margin
        panel_w = 0
        if panel:
            laid = [self._line(atlas, s, True) for s in panel]
            panel_w = round(max(width for _, width in laid)) + 2 * pad
            box = Box(right - panel_w, y, panel_w, len(laid) * lh + 2 * pad)
            frame.boxes["panel"] = box
            frame.quad(box, solid, BOX)
            for j, (rows, _) in enumerate(laid):
                frame.glyphs(rows, box.x + pad, y + pad + j * lh, TEXT)
            y += box.h + round(g.size * 0.3)
        if graph is not None:
            gw = max(panel_w, round(24 * g.cell))
            self._graph(frame, atlas, graph, Box(right - gw, y, gw, 4 * lh + 2 * pad), pad)

        for i, lab in enumerate(labels):
            rows, width = self._line(atlas, lab.text, False)
            bw = round(width) + 2 * pad
            x = {"right": lab.x - bw, "center": lab.x - bw / 2}.get(lab.align, lab.x)
            box = Box(round(x), round(lab.y), bw, lh + 2 * pad)
            frame.boxes[f"label{i}"] = box
            frame.quad(box, solid, BOX)
            frame.glyphs(rows, box.x + pad, box.y + pad, TEXT)

    def _progress(self, frame: Quads, atlas: Atlas, w: int, h: int, bar: Progress) -> None:
        """A box in the middle of the screen (where mpv puts its bar, clear of subtitles):
        the text, then the bar with a tick per chapter."""
        g = atlas.glyphs
        pad = round(g.size * 0.4)
        rows, text_w = self._line(atlas, bar.text, False)
        bw = max(round(w * 0.6), round(text_w) + 2 * pad)
        bar_h = max(4, round(g.size * 0.5))
        bh = g.line_height + bar_h + 3 * pad
        box = Box((w - bw) // 2, (h - bh) // 2, bw, bh)
        frame.boxes["progress"] = box
        frame.quad(box, g.solid_uv, BOX)
        frame.glyphs(rows, box.x + (bw - text_w) / 2, box.y + pad, TEXT)
        x0, y0 = box.x + pad, box.y + 2 * pad + g.line_height
        span = bw - 2 * pad
        frame.quad(Box(x0, y0, span, bar_h), g.solid_uv, (0.3, 0.3, 0.3, 0.9))
        filled = round(span * min(1.0, max(0.0, bar.fraction)))
        if filled:
            frame.quad(Box(x0, y0, filled, bar_h), g.solid_uv, TEXT)
        tick = max(1, round(g.size / 10))
        for c in bar.chapters:
            if 0.0 < c < 1.0:
                frame.quad(Box(x0 + round(span * c), y0 - pad // 2, tick, bar_h + pad),
                      g.solid_uv, BUDGET)
        frame.boxes["progress_bar"] = Box(x0, y0, span, bar_h)

    def _graph(self, frame: Quads, atlas: Atlas, graph: Graph, box: Box, pad: int) -> None:
        """Bars of the last GRAPH_BARS frame times under a budget line at half the height."""
        g = atlas.glyphs
        frame.boxes["graph"] = box
        frame.quad(box, g.solid_uv, BOX)
        top = box.y + pad
        if graph.title:
            rows, _ = self._line(atlas, graph.title, False)
            frame.glyphs(rows, box.x + pad, top, TEXT)
            top += g.line_height
        x0, x1, bottom = box.x + pad, box.x + box.w - pad, box.y + box.h - pad
        height = bottom - top
        values = graph.values
        if not isinstance(values, np.ndarray):   # a list or a deque(maxlen=GRAPH_BARS)
            values = np.fromiter(values, np.float32)
        values = np.nan_to_num(values[-GRAPH_BARS:].astype(np.float32, copy=False))
        k = len(values)
        budget = float(graph.budget_ms)
        # the budget sits at mid height; bars over twice the budget are clipped at the top
        if budget > 0:
            scale = height / (2.0 * budget)
        else:
            peak = float(values.max()) if k else 0.0
            scale = height / peak if peak > 0 else 0.0
        if k and scale > 0:
            edges = np.rint(x0 + (x1 - x0) * np.arange(GRAPH_BARS - k, GRAPH_BARS + 1)
                            / GRAPH_BARS)
            heights = np.rint(np.clip(values * scale, 0.0, height))
            rows = frame.reserve(k)
            rows[:, 0] = edges[:-1]
            rows[:, 1] = bottom - heights
            rows[:, 2] = np.maximum(edges[1:] - (1 if (x1 - x0) >= 3 * GRAPH_BARS else 0),
                                    edges[:-1] + 1)
            rows[:, 3] = bottom
            rows[:, 4:8] = (*g.solid_uv, *g.solid_uv)
            over = (values > budget) if budget > 0 else np.zeros(k, bool)
            rows[:, 8:12] = np.where(over[:, None], BAR_OVER, BAR)
        if budget > 0:
            thick = max(1, round(g.size / 14))
            line_y = bottom - round(budget * scale)
            frame.quad(Box(x0, line_y - thick // 2, x1 - x0, thick), g.solid_uv, BUDGET)
        frame.boxes["graph_plot"] = Box(x0, top, x1 - x0, height)

    # -- GL -----------------------------------------------------------------------------

    def _submit(self, n: int, atlas: Atlas, w: int, h: int, bottom_up: bool) -> None:
        self._batch.upload(self._staging, n)
        self._batch.begin(w, h, bottom_up)
        self._batch.draw(atlas.texture.id, n)
        self._batch.end()

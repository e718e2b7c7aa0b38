"""The video half of `a4kplay export`, shared by the one-file job and the segment workers.

This module owns what happens to one decoded picture (IN's matrix and range -> RGB -> the
chain -> subtitles burned at the output size -> back to YUV with the same matrix and range)
and how the video encoder is set up. ``VideoPlan`` is every decision the export made about
the video (tools/export.py makes it from IN), as plain picklable data: a segment worker on
another machine (tools/export_segments.py) gets the plan and encodes exactly as the
one-process export does, and the joining side adds a stream with the same settings, so
the segments' packets go into it unchanged.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Mapping

import numpy as np

from player.tools.export_format import encoder_options, sws_matrix


@dataclass(frozen=True)
class VideoPlan:
    """What the output video is, decided once from IN (see tools/export.py's docstring)."""
    in_size: tuple[int, int]
    out_size: tuple[int, int]
    codec: str
    encoder: str
    crf: int
    preset: str | None
    pix_fmt: str
    deep: bool                     # 10-bit path (rgb48 through the chain)
    matrix: int                    # AVColorSpace converted with and tagged
    in_range: int                  # AVColorRange of IN (1 limited, 2 full)
    out_range: int
    primaries: int
    trc: int
    sar: Fraction | None           # None: square pixels
    time_base: Fraction            # IN's video time base: every pts is in it
    rate: Fraction
    hvc1: bool = False             # HEVC in MP4: the tag Apple players require
    tags: Mapping[str, str] = field(default_factory=dict)
    shaders: tuple[str, ...] = ()
    scaler: str = "bicubic"
    params: Mapping[str, float] = field(default_factory=dict)
    # (file name, contents) of each shader, for a worker on a machine where the paths
    # above do not exist (the job carries the chain itself; see export_segments.py)
    sources: tuple[tuple[str, bytes], ...] = ()

    def with_sources(self) -> "VideoPlan":
        from dataclasses import replace
        from pathlib import Path
        return replace(self, sources=tuple((Path(s).name, Path(s).read_bytes())
                                           for s in self.shaders))

    @property
    def settings(self) -> dict:
        """The settings an encoded result depends on (for the resume manifest)."""
        return {"out_size": list(self.out_size), "codec": self.codec, "encoder": self.encoder,
                "crf": self.crf, "preset": self.preset, "pix_fmt": self.pix_fmt,
                "matrix": self.matrix, "range": self.out_range, "scaler": self.scaler,
                "params": dict(sorted(self.params.items()))}


def _apply(cc, plan: VideoPlan) -> None:
    """The plan's size, format, time base and colour tags on an encoder context."""
    cc.width, cc.height = plan.out_size
    cc.pix_fmt = plan.pix_fmt
    cc.time_base = plan.time_base
    cc.colorspace, cc.color_range = plan.matrix, plan.out_range
    cc.color_primaries, cc.color_trc = plan.primaries, plan.trc
    if plan.sar is not None:
        cc.sample_aspect_ratio = plan.sar
    if plan.hvc1:
        cc.codec_tag = "hvc1"


def add_video_stream(out, plan: VideoPlan):
    """OUT's video stream, its encoder set up as the plan says."""
    ov = out.add_stream(plan.encoder, rate=plan.rate,
                        options=encoder_options(plan.encoder, plan.crf, plan.preset))
    ov.time_base = plan.time_base
    _apply(ov.codec_context, plan)
    ov.metadata.update(plan.tags)
    return ov


def open_encoder(plan: VideoPlan, global_header: bool = True):
    """A standalone encoder as `add_video_stream` sets one up, for a segment: its packets
    can be muxed into a stream `add_video_stream` made (same settings, same headers)."""
    import av
    cc = av.CodecContext.create(plan.encoder, "w")
    _apply(cc, plan)
    cc.framerate = plan.rate
    cc.options = encoder_options(plan.encoder, plan.crf, plan.preset)
    if global_header:
        cc.flags |= av.codec.context.Flags.global_header
    cc.open()
    return cc


class Upscaler:
    """One chain, one persistent source texture and readback buffer, reused every frame."""

    def __init__(self, shaders, scaler: str, params, out_size: tuple[int, int], deep: bool):
        from player.render import offscreen
        self.chain = offscreen.build_chain(shaders, scaler, params, label="export")
        self.out_size = out_size
        self.deep = deep
        self.src = None
        w, h = out_size
        self.buf = np.empty((h, w, 3), np.uint16 if deep else np.uint8)

    def run(self, rgb: np.ndarray, burner=None, t: float = 0.0) -> np.ndarray:
        """The upscaled frame (shared buffer); with ``burner``, its subtitles at ``t``
        drawn over it at the output size."""
        from player.gl import gpu
        h, w = rgb.shape[:2]
        if self.src is None or self.src.size != (w, h):
            if self.src is not None:
                self.src.release()
            self.src = gpu.Texture(w, h, 4, "f16")
        if rgb.dtype == np.uint16:   # Texture.upload takes uint8 or float
            rgb = rgb.astype(np.float32) * (1.0 / 65535.0)
        self.src.upload(rgb)
        out = self.chain.run(self.src, *self.out_size)
        if burner is not None:
            # Over the chain's result (ours until the next run): after every shader.
            burner.draw(t, out.fbo)
        # Reading as unsigned normalised lets GL clamp and round, as write_png does.
        return out.read_into(self.buf)

    def release(self) -> None:
        if self.src is not None:
            self.src.release()
            self.src = None
        self.chain.release()


class Pictures:
    """A decoded frame of IN -> the picture to encode (RGB, chain, subtitles, YUV)."""

    def __init__(self, plan: VideoPlan, upscaler: Upscaler, burner=None):
        from av.video.reformatter import VideoReformatter
        self.plan, self.upscaler, self.burner = plan, upscaler, burner
        self.to_rgb, self.to_yuv = VideoReformatter(), VideoReformatter()
        self.cs = sws_matrix(plan.matrix)
        self.rgb_fmt = "rgb48le" if plan.deep else "rgb24"

    def __call__(self, frame, pts: int, t: float):
        """The encoder's picture of ``frame`` at ``pts`` (ticks of the plan's time base);
        ``t`` is IN's own time of it in seconds (the subtitle engine's clock)."""
        import av
        p = self.plan
        rgb = self.to_rgb.reformat(frame, format=self.rgb_fmt, src_colorspace=self.cs,
                                   src_color_range=p.in_range, dst_color_range=2).to_ndarray()
        pixels = self.upscaler.run(rgb, self.burner, t)
        picture = av.VideoFrame.from_ndarray(pixels, format=self.rgb_fmt)
        picture = self.to_yuv.reformat(picture, format=p.pix_fmt, dst_colorspace=self.cs,
                                       dst_color_range=p.out_range)
        picture.pts, picture.time_base = pts, p.time_base
        return picture


__all__ = ["VideoPlan", "Upscaler", "Pictures", "add_video_stream", "open_encoder"]

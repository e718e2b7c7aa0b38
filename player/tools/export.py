"""`a4kplay export`: a whole video file through a shader chain, into a new file.

This module owns the offline path from one media file to another: probing IN, deciding
what OUT will hold, decoding every video frame with PyAV, running it through one headless
chain, encoding it, and remuxing everything else untouched. Playback never comes here.

Decisions (what the user can rely on):

- Timestamps: the video is encoded in IN's video time base with each decoded frame's own
  pts, so VFR stays VFR and frame k of OUT is shown when frame k of IN was (to the
  precision of OUT's container: Matroska stores milliseconds). A frame whose pts does not
  increase (broken files) is moved one tick after its predecessor rather than dropped.
  One shift is outside our hands: Matroska cannot start before 0, so when IN has packets
  before 0 (AAC priming in MP4) its muxer moves every stream by the same amount, as
  `ffmpeg -c copy` does; sync is kept.
- Colour: the frame is converted to RGB with IN's matrix and range and back with the same
  ones; primaries, transfer, matrix and range are tagged on OUT as IN had them. When IN
  does not say which matrix it uses, BT.709 is assumed for HD (width >= 1280 or height >
  576) and BT.601 otherwise, as players do; that assumption is then written into OUT's
  tags, because after upscaling a player would guess differently.
- Pixel format: yuv420p; yuv420p10le when IN has more than 8 bits and the encoder takes it.
- Size: --scale F or --size WxH; each side is rounded up to an even number (4:2:0 needs
  even sizes) and the summary line says so. Anamorphic input keeps its display aspect
  through the sample aspect ratio; square-pixel input stays square.
- Subtitles burned in (--burn-subs [--sid N | --sub-file PATH]): one track drawn into the
  frames at the output size after the chain, by the player's own subtitle engine; that
  stream is not copied (export_subs.py says how the track and its times are chosen).
- Other streams: audio and subtitles are copied packet by packet (bit-identical). Text
  subtitles the OUT container cannot hold (e.g. SubRip in MP4) are rewritten as the
  container's own text format (mov_text, WebVTT, SubRip) with the same cue times; ASS
  styling is lost in that case. Bitmap subtitles and audio codecs the container cannot
  hold are refused with a hint (use .mkv). Chapters and container/stream tags (title,
  language) are carried over; attachments (fonts) too when OUT is Matroska, else they are
  dropped and the summary says so. Data streams, cover pictures and further video streams
  are dropped likewise (said in the summary). Stream dispositions (default/forced) are not
  carried: PyAV cannot set them.
- Trimming: --start/--end keep frames and copied packets whose time is in [start, end);
  every timestamp (video, audio, subtitles, chapters) is shifted by -start, so sync holds.
  A subtitle cue running across start is cut to begin at it. Times are IN's own
  presentation times (for Matroska, MP4 and WebM, 0 is where the file starts).
- Nothing lost: OUT is written to a hidden temporary file beside it and renamed over OUT
  only when complete; IN is opened read-only; an existing OUT needs --force; OUT == IN is
  refused always. Any failure, Ctrl+C or SIGTERM removes the temporary file.

Codecs: h264 (libx264), hevc (libx265), vp9 (libvpx-vp9), av1 (libsvtav1, else libaom).
The default is h264, or vp9 when OUT is .webm (WebM cannot hold h264).

The pure decisions are in export_format.py, subtitle burning in export_subs.py, the
picture path and encoder set-up in export_video.py, the copied streams in
export_streams.py, the command line's arguments in export_args.py; a folder of files
(and Ray) is export_season.py's.
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Mapping, TextIO


from player.base.errors import MediaError
from player.base.files import atomic_path, check_output
from player.tools.export_format import (
    CONTAINERS,
    CRF_RANGE,
    DEFAULT_CRF,
    TEXT_SUBTITLE,
    _CONTAINER_NAMES,
    _END_MARGIN,
    _TEXT_CODECS,
    check_preset,
    clean_tags,
    encoder_options,
    format_progress,
    matrix_of,
    output_size,
    pick_codec,
    sar_for,
    subtitle_payload,
    subtitle_text)
from player.tools.export_streams import (
    add_other_streams,
    codec_name as _codec_name,
    copy_chapters,
    copy_packet,
    ticks as _ticks)
from player.tools.export_video import Pictures, Upscaler, VideoPlan, add_video_stream

@dataclass(frozen=True)
class ExportRequest:
    """Everything `export` needs; `main` builds one from the command line."""
    input: str
    output: str
    scale: float | None = None
    size: tuple[int, int] | None = None
    shaders: tuple[str, ...] = ()
    scaler: str = "bicubic"
    params: Mapping[str, float] = field(default_factory=dict)
    profile: str = "shaders"      # only for the summary line
    codec: str | None = None      # None: h264, or vp9 for .webm
    crf: int | None = None
    preset: str | None = None
    start: float | None = None
    end: float | None = None
    force: bool = False
    burn_subs: bool = False       # draw a subtitle track into the frames
    sid: int | None = None        # mpv's 1-based subtitle track number (with burn_subs)
    sub_file: str | None = None   # an external subtitle file to burn instead


@dataclass
class ExportResult:
    output: Path
    frames: int
    seconds: float
    in_size: tuple[int, int]
    out_size: tuple[int, int]
    codec: str
    encoder: str
    crf: int
    pix_fmt: str
    copied: dict[str, int]        # stream type -> count copied (or converted)
    notes: list[str]

    @property
    def fps(self) -> float:
        return self.frames / self.seconds if self.seconds > 0 else 0.0

    def summary(self, profile: str) -> str:
        (w, h), (ow, oh) = self.in_size, self.out_size
        text = (f"{self.output}: {self.frames} frames {w}x{h} -> {ow}x{oh} ({profile}), "
                f"{self.codec} crf {self.crf} {self.pix_fmt}, {self.seconds:.1f} s "
                f"({self.fps:.1f} fps)")
        copied = ", ".join(f"{n} {kind}" for kind, n in self.copied.items() if n)
        if copied:
            text += f"; copied {copied}"
        if self.notes:
            text += "; " + "; ".join(self.notes)
        return text


# ---- paths ----------------------------------------------------------------------------

def check_paths(src: str, dst: str, force: bool) -> tuple[Path, Path]:
    """Refuse what must never happen before any work: OUT == IN, OUT exists, no IN."""
    s, d = Path(src).expanduser(), Path(dst).expanduser()
    if d.suffix.lower() not in CONTAINERS:
        raise MediaError(f"cannot write a {d.suffix or 'suffix-less'} file", path=str(d),
                         hint="the output must end in .mkv, .mp4 or .webm")
    if not s.is_file():
        raise MediaError("no such file" if not s.exists() else "not a file", path=str(s))
    check_output(s, d, force, MediaError)
    return s, d


def _open_input(path: Path):
    import av
    try:
        return av.open(str(path), "r")
    except av.FFmpegError as e:
        raise MediaError("not a media file PyAV can read"
                         f" ({getattr(e, 'strerror', None) or e})", path=str(path)) from None


# ---- the job --------------------------------------------------------------------------

class _Progress:
    """A one-line bar on stderr, redrawn at most 5 times a second."""

    def __init__(self, total: int | None, live: bool, out: TextIO):
        self.total, self.live, self.out = total, live, out
        self.t0 = time.monotonic()
        self.last = 0.0
        self.drawn = False

    def update(self, done: int) -> None:
        now = time.monotonic()
        if self.live and now - self.last >= 0.2:
            self.last = now
            self.out.write("\r" + format_progress(done, self.total, now - self.t0) + "\033[K")
            self.out.flush()
            self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.out.write("\r\033[K")
            self.out.flush()
            self.drawn = False


def _estimate_frames(inp, v, start: float | None, end: float | None) -> int | None:
    """Frames to expect, for the progress bar only (VFR and trimming make it a guess)."""
    if v.frames and start is None and end is None:
        return v.frames
    rate = v.guessed_rate or v.average_rate
    length = float(v.duration * v.time_base) if v.duration else (inp.duration or 0) / 1e6
    if end is not None:
        length = min(length, end) if length else end
    if not length or not rate:
        return None
    return max(0, round((length - (start or 0.0)) * float(rate)))


class _Job:
    """One export: the decisions made from IN, then the run. Owns the output container."""

    def __init__(self, req: ExportRequest, src: Path, dst: Path, inp):
        self.req, self.src, self.dst, self.inp = req, src, dst, inp
        self.suffix = dst.suffix.lower()
        self.notes: list[str] = []
        self.copied = {"audio": 0, "subtitle": 0, "attachment": 0, "chapters": 0}
        self._plan_video()
        self.burn = None
        if req.burn_subs:
            from player.tools.export_subs import pick_track
            self.burn = pick_track(inp, src, req.sid, req.sub_file)
            self.notes.append(f"burned {self.burn.label}")
        elif req.sid is not None or req.sub_file is not None:
            flag = "--sid" if req.sid is not None else "--sub-file"
            raise MediaError(f"{flag} needs --burn-subs (without it subtitle streams are "
                             "copied as they are)")
        self._plan_streams()

    # -- decisions, before anything is written --
    def _plan_video(self) -> None:
        req = self.req
        videos = [s for s in self.inp.streams.video if not s.disposition & 0x400]  # not a cover
        if not videos:
            raise MediaError("no video stream to upscale", path=str(self.src))
        self.v = v = videos[0]
        cc = v.codec_context
        if cc is None:
            raise MediaError("this PyAV build has no decoder for the video", path=str(self.src))
        if not cc.width or not cc.height:
            raise MediaError("the video stream has no picture size", path=str(self.src))
        self.in_size = (cc.width, cc.height)
        self.out_size, rounded = output_size(cc.width, cc.height, req.scale, req.size)
        if rounded:
            asked = req.size or (max(1, round(cc.width * req.scale)),
                                 max(1, round(cc.height * req.scale)))
            self.notes.append(f"size rounded to even from {asked[0]}x{asked[1]} (4:2:0)")
        self.codec, self.encoder = pick_codec(req.codec, self.suffix)
        lo, hi = CRF_RANGE[self.codec]
        self.crf = DEFAULT_CRF[self.codec] if req.crf is None else req.crf
        if not lo <= self.crf <= hi:
            raise MediaError(f"--crf {self.crf} is out of range for {self.codec} ({lo}-{hi})")
        check_preset(self.encoder, req.preset)
        self._check_holds(self.encoder, "video", self.codec)
        import av
        fmt = av.VideoFormat(cc.format.name if cc.format else "yuv420p")
        self.deep = max(c.bits for c in fmt.components) > 8
        formats = [f.name for f in av.Codec(self.encoder, "w").video_formats or []]
        self.pix_fmt = "yuv420p10le" if self.deep and "yuv420p10le" in formats else "yuv420p"
        if self.deep and self.pix_fmt == "yuv420p":
            self.notes.append(f"{self.encoder} has no 10-bit 4:2:0: written as 8-bit")
        self.deep = self.pix_fmt == "yuv420p10le"
        # Colour: RGB sources have no matrix of their own; they get the size-based guess.
        rgb_source = fmt.is_rgb
        self.matrix = matrix_of(0 if rgb_source else int(cc.colorspace), *self.in_size)
        full = (not rgb_source) and (int(cc.color_range) == 2 or fmt.name.startswith("yuvj"))
        self.in_range = 2 if full else 1
        self.out_range = self.in_range
        self.primaries, self.trc = int(cc.color_primaries), int(cc.color_trc)
        if req.start is not None and req.end is not None and req.end <= req.start:
            raise MediaError(f"--end {req.end:g} is not after --start {req.start:g}")
        self.vplan = VideoPlan(
            in_size=self.in_size, out_size=self.out_size, codec=self.codec,
            encoder=self.encoder, crf=self.crf, preset=req.preset, pix_fmt=self.pix_fmt,
            deep=self.deep, matrix=self.matrix, in_range=self.in_range,
            out_range=self.out_range, primaries=self.primaries, trc=self.trc,
            sar=sar_for(cc.sample_aspect_ratio, self.in_size, self.out_size),
            time_base=v.time_base, rate=v.guessed_rate or v.average_rate or Fraction(24),
            hvc1=self.encoder == "libx265" and self.suffix == ".mp4",
            tags=clean_tags(v.metadata), shaders=tuple(str(x) for x in req.shaders),
            scaler=req.scaler, params=dict(req.params))

    def _supported(self) -> set[str]:
        if not hasattr(self, "_codecs"):
            import io
            import av
            with av.open(io.BytesIO(), "w", format=CONTAINERS[self.suffix]) as probe:
                self._codecs = set(probe.supported_codecs)
        return self._codecs

    def _check_holds(self, name: str, kind: str, label: str) -> None:
        if name not in self._supported():
            raise MediaError(f"{_CONTAINER_NAMES[self.suffix]} cannot hold {label} {kind}",
                             path=str(self.dst), hint=self._hint(kind))

    def _hint(self, kind: str) -> str:
        if kind == "video":
            return ("WebM takes vp9 or av1: use --codec vp9|av1, or write .mkv"
                    if self.suffix == ".webm" else "write .mkv")
        return "write .mkv, which holds every codec"

    def _plan_streams(self) -> None:
        """Decide, per other stream, copy / convert / drop; refuse what cannot go."""
        import av
        self.plan = []  # (input stream, action, detail)
        for s in self.inp.streams:
            if s is self.v or (self.burn is not None and s.index == self.burn.index):
                continue
            kind = s.type
            name = s.codec_context.codec.name if s.codec_context is not None else None
            if kind == "audio":
                self._check_holds(name, "audio", _codec_name(s))
                self.plan.append((s, "copy", None))
            elif kind == "subtitle":
                descriptor = _codec_name(s)
                if name in self._supported():
                    self.plan.append((s, "copy", None))
                elif descriptor in _TEXT_CODECS:
                    self.plan.append((s, "convert", (descriptor, TEXT_SUBTITLE[self.suffix])))
                else:
                    raise MediaError(f"{_CONTAINER_NAMES[self.suffix]} cannot hold {descriptor} "
                                     "subtitles (bitmap subtitles are copied, not converted)",
                                     path=str(self.dst), hint=self._hint("subtitle"))
            elif kind == "attachment":
                if self.suffix == ".mkv":
                    self.plan.append((s, "attach", None))
                else:
                    self.notes.append(f"dropped attachment {s.metadata.get('filename', '?')} "
                                      f"({_CONTAINER_NAMES[self.suffix]} cannot hold attachments)")
            elif kind == "data" and s.discard == av.stream.Discard.all:
                continue   # an MP4 chapter track: the chapters themselves are carried over
            else:
                what = "cover picture" if kind == "video" else f"{kind} stream"
                self.notes.append(f"dropped {what} #{s.index} (only the main video, audio, "
                                  "subtitles, attachments and chapters are carried over)")

    # -- the run --
    def run(self, out_path: str, progress: _Progress, upscaler: Upscaler | None,
            burner=None, joined=None) -> int:
        """Write OUT to ``out_path``; the number of video frames written. With ``joined``
        (tools/export_segments.py) the video packets are the segments' already encoded
        ones, muxed in IN's order in place of decoding and encoding."""
        import av
        req, v = self.req, self.v
        tb = v.time_base
        start_t = req.start if req.start else None
        shift = _ticks(start_t, tb) or 0
        end_tick = _ticks(req.end, tb)
        if start_t:
            self.inp.seek(int(start_t * 1_000_000), backward=True)
        v.thread_type = "AUTO"
        zero = (self.inp.start_time or 0) / 1_000_000.0   # the subtitle engine's clock

        with av.open(out_path, "w", format=CONTAINERS[self.suffix]) as out:
            out.metadata.update(clean_tags(self.inp.metadata))
            ov = self._video_stream(out)
            streams = self._other_streams(out)
            self._chapters(out, start_t, req.end)
            pictures = Pictures(self.vplan, upscaler, burner) if joined is None else None
            done, last_pts, past_end, bad = 0, None, False, 0

            def encode(frame) -> None:
                nonlocal done, last_pts
                pts = frame.pts if frame.pts is not None else frame.dts
                if pts is None:
                    pts = (last_pts + 1 + shift) if last_pts is not None else shift
                if (start_t and pts < shift) or (end_tick is not None and pts >= end_tick):
                    return
                t = float(pts * tb) - zero       # IN's own time of this picture (subtitles)
                pts -= shift
                if last_pts is not None and pts <= last_pts:
                    pts = last_pts + 1
                last_pts = pts
                out.mux(ov.encode(pictures(frame, pts, t)))
                done += 1
                progress.update(done)

            def put(packets) -> None:
                nonlocal done
                for p in packets:
                    p.stream = ov
                    out.mux(p)
                    done += 1
                    progress.update(done)

            for packet in self.inp.demux():
                s = packet.stream
                if s is v:
                    if packet.size == 0 and packet.pts is None:
                        continue   # demuxer's end marker; the decoder is flushed below
                    if joined is not None:
                        put(joined.take())     # keeps OUT interleaved as IN is
                        continue
                    try:
                        frames = v.decode(packet)
                    except av.InvalidDataError:
                        bad += 1   # as players do: a damaged packet costs its frame only
                        continue
                    except av.FFmpegError as e:
                        raise MediaError(f"cannot decode the video: {e}",
                                         path=str(self.src)) from None
                    for frame in frames:
                        if end_tick is not None and frame.pts is not None \
                                and frame.pts >= end_tick:
                            past_end = True
                        encode(frame)
                elif s.index in streams and packet.size:
                    self._copy(out, packet, streams[s.index], start_t, req.end)
                if past_end and packet.pts is not None and packet.time_base and \
                        float(packet.pts * packet.time_base) > req.end + _END_MARGIN:
                    break
            if joined is not None:
                put(joined.rest())
            else:
                for frame in v.decode(None):
                    encode(frame)
            if done == 0:
                raise MediaError("no video frames to export"
                                 + (" in the chosen range" if start_t or req.end else ""),
                                 path=str(self.src))
            if joined is None:
                out.mux(ov.encode(None))
        if bad:
            self.notes.append(f"{bad} undecodable video packet{'s' if bad > 1 else ''} skipped")
        return done

    def _video_stream(self, out):
        return add_video_stream(out, self.vplan)

    def _other_streams(self, out) -> dict:
        return add_other_streams(out, self.plan, self.copied, self.notes)

    def _copy(self, out, packet, target, start: float | None, end: float | None) -> None:
        copy_packet(out, packet, target, start, end)

    def _chapters(self, out, start: float | None, end: float | None) -> None:
        kept = copy_chapters(self.inp, out, start, end)
        if kept:
            self.copied["chapters"] = kept


# ---- entry points ---------------------------------------------------------------------

def export(req: ExportRequest, progress: bool = False, log: TextIO | None = None,
           bar=None, joined=None) -> ExportResult:
    """Export IN to OUT as `req` says; returns what was done. Raises A4kError subclasses;
    on any failure or KeyboardInterrupt no OUT and no temporary file are left.

    ``bar``: a progress object (``update(frames)``, ``close()``) to report to instead of
    this file's own bar (a season's one bar). ``joined``: the video is already encoded,
    in segments (tools/export_segments.py); no chain runs here, the rest is as always."""
    import av
    log = sys.stderr if log is None else log
    pick_codec(req.codec, Path(req.output).suffix.lower())   # a bad codec fails first
    src, dst = check_paths(req.input, req.output, req.force)
    from player.gl.window import setup_platform
    setup_platform(headless=True)
    t0 = time.monotonic()
    with _open_input(src) as inp:
        job = _Job(req, src, dst, inp)
        if joined is not None:
            joined.check(job.vplan)       # the segments were made for this very plan
        upscaler = None if joined is not None else \
            Upscaler(req.shaders, req.scaler, req.params, job.out_size, job.deep)
        own_bar = bar is None
        if own_bar:
            bar = _Progress(_estimate_frames(inp, job.v, req.start, req.end), progress, log)
        burner = None

        def say(text: str) -> None:        # a subtitle notice: one line, under the bar
            bar.close()
            print(f"a4kplay: {text}", file=log, flush=True)

        try:
            if job.burn is not None and joined is None:
                from player.tools.export_subs import Burner, params_for
                burner = Burner(src, job.burn, job.in_size, job.out_size,
                                params_for(job.matrix, job.in_range == 2), say)
                burner.load()              # the whole track, or an error: before OUT
            with atomic_path(dst) as tmp:   # OUT appears only when complete
                frames = job.run(tmp, bar, upscaler, burner, joined)
        except av.FFmpegError as e:
            if isinstance(e.__context__, KeyboardInterrupt):
                raise e.__context__ from None   # closing after Ctrl+C failed: still Ctrl+C
            raise MediaError(f"cannot write the output: {e}", path=str(dst)) from None
        except OSError as e:
            raise MediaError(f"cannot write the output: {e.strerror or e}",
                             path=str(dst)) from None
        finally:
            if own_bar:
                bar.close()
            if burner is not None:
                burner.release()
            if upscaler is not None:
                upscaler.release()
    return ExportResult(output=dst, frames=frames, seconds=time.monotonic() - t0,
                        in_size=job.in_size, out_size=job.out_size, codec=job.codec,
                        encoder=job.encoder, crf=job.crf, pix_fmt=job.pix_fmt,
                        copied=job.copied, notes=job.notes)


__all__ = ["ExportRequest", "ExportResult", "export",
           "output_size", "pick_codec", "encoder_options", "matrix_of",
           "subtitle_text", "subtitle_payload", "check_paths"]

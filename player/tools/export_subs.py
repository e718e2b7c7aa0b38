"""`a4kplay export --burn-subs`: one subtitle track drawn into the exported frames.

This module owns the burning half of export: choosing the track as mpv would, refusing a
track that cannot be burned before any output exists, and drawing the track into each
upscaled frame at the OUTPUT resolution, after the chain (never through the shaders), with
the same engine the player draws with (``player.subs``: libass, our PGS decoder, the
subtitle layer), so an exported frame looks as the same moment looks in playback.

Decisions (what the user can rely on):

- Track: ``--sid N`` is mpv's 1-based number among IN's subtitle streams; without it the
  stream flagged default, else the first one (mpv itself would show none without a default
  flag; asking for --burn-subs says to show one). ``--sub-file PATH`` burns an external
  file instead (any text encoding, as libmpv loads it). The burned stream is not copied
  into OUT; every other subtitle stream still is.
- Time: the frame's own presentation time, relative to IN's container start (the engine's
  clock, as mpv's), so with --start the cues stay on their pictures.
- Geometry: the whole output frame is the video rectangle (no letterbox); the video's
  storage size is IN's, so the script's PlayRes, pixel aspect and sizes come out as mpv
  shows them fullscreen at the output size. Colour: VSFilter compatibility follows IN's
  matrix and range, as in playback.
- Completeness: the engine reads the track in a worker; before the first frame the whole
  track has been read (``Subtitles.done``), so every frame gets its lines, whatever order
  the file stores them in. Reading a track costs about a second per 24-minute episode.
- Bad input: no subtitle stream, a --sid out of range, a --sub-file that is missing, and a
  track the engine cannot open at all (VobSub/DVB, an unreadable file, libass missing) are
  A4kErrors before anything is written. Problems the engine survives (a missing font, an
  attachment that is not a font, one undecodable line or bitmap) are one notice line each
  on stderr, and the export goes on, as playback goes on.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from player.base.errors import MediaError

# Codecs the engine cannot draw (it says so too; here it is said before any output).
_UNSUPPORTED = {"dvd_subtitle": "VobSub", "dvdsub": "VobSub", "dvb_subtitle": "DVB",
                "dvbsub": "DVB"}
_DEFAULT = 1           # AV_DISPOSITION_DEFAULT
_POLL_S = 0.005        # how often loading is checked (not a limit: loading always ends)
# AVColorSpace -> mpv's video-params/colormatrix name (what the engine's Params expect).
_MATRIX_NAMES = {1: "bt.709", 4: "fcc", 5: "bt.601", 6: "bt.601", 7: "smpte-240m",
                 9: "bt.2020-ncl", 10: "bt.2020-cl"}


@dataclass(frozen=True)
class BurnTrack:
    """The track to burn: a stream of IN (``index``) or an external file."""
    index: int | None = None
    external: str | None = None
    label: str = ""


def pick_track(inp, src: Path, sid: int | None = None,
               sub_file: str | None = None) -> BurnTrack:
    """The track --burn-subs draws (mpv's choice), or MediaError before any output."""
    if sub_file is not None:
        if sid is not None:
            raise MediaError("--sid and --sub-file choose the same thing; give one")
        p = Path(sub_file).expanduser()
        if not p.is_file():
            raise MediaError("no such subtitle file" if not p.exists() else "not a file",
                             path=str(p))
        return BurnTrack(external=str(p), label=f"subtitles from {p.name}")
    subs = list(inp.streams.subtitles)
    if not subs:
        raise MediaError("no subtitle stream to burn", path=str(src),
                         hint="give one with --sub-file PATH")
    if sid is not None:
        if not 1 <= sid <= len(subs):
            raise MediaError(f"--sid {sid}: the file has {len(subs)} subtitle "
                             f"stream{'s' if len(subs) > 1 else ''}", path=str(src),
                             hint=f"use 1..{len(subs)}")
        stream = subs[sid - 1]
    else:
        stream = next((s for s in subs if int(s.disposition) & _DEFAULT), subs[0])
    cc = stream.codec_context
    name = cc.codec.name if cc is not None else "?"
    if name in _UNSUPPORTED:
        raise MediaError(f"cannot burn {_UNSUPPORTED[name]} subtitles (stream "
                         f"#{stream.index}); only text (ASS, SRT, WebVTT, mov_text) and PGS",
                         path=str(src))
    number = subs.index(stream) + 1
    return BurnTrack(index=stream.index, label=f"subtitle track {number} (#{stream.index})")


def params_for(matrix: int, full_range: bool):
    """The engine's Params for IN's colour (VSFilter compatibility follows the video)."""
    from player.subs import Params
    return Params(matrix=_MATRIX_NAMES.get(matrix, "bt.709"),
                  levels="full" if full_range else "limited")


class Burner:
    """One track, read whole, drawn into each output frame. Needs the GL context current
    (the export's chain made it); ``release()`` frees the engine and the layer."""

    def __init__(self, src: Path, track: BurnTrack, video_size: tuple[int, int],
                 out_size: tuple[int, int], params, say: Callable[[str], None]):
        from player.subs import Subtitles, TrackInfo
        from player.subs.layer import SubtitleLayer
        self.track, self.say = track, say
        self.video_size, self.out_size = tuple(video_size), tuple(out_size)
        self.rect = (0, 0, *self.out_size)
        self.start = 0.0
        self.subs = Subtitles()
        self.subs.params = params
        # The layer is ours, not the facade's lazy one: every Frame the facade hands out
        # (while loading too) reaches the layer, so its "unchanged" answers stay true.
        self.layer = SubtitleLayer()
        info = TrackInfo(external=True, external_filename=track.external) \
            if track.external else TrackInfo(ff_index=track.index)
        self.subs.open(str(src), info)
        self.drawn = 0
        self.cpu_s = 0.0

    def load(self) -> None:
        """Wait until the whole track has been read; a track the engine could not open at
        all is a MediaError (before any output), other problems become notices."""
        while not self.subs.done and self.subs.reading:
            self.layer.update(self.subs.frame(self.out_size, self.rect, self.video_size))
            time.sleep(_POLL_S)
        self.layer.update(self.subs.frame(self.out_size, self.rect, self.video_size))
        notices = self._notices()
        if not self._usable():
            reason = notices[-1] if notices else "the engine could not open it"
            raise MediaError(f"cannot burn {self.track.label}: {reason}")
        for text in notices:
            self.say(text)

    def _usable(self) -> bool:
        # The facade has no public "opened" flag yet: a track whose header never arrived
        # (unreadable, unsupported, libass missing) leaves it without a renderer.
        return self.subs.ready

    def _notices(self) -> list[str]:
        out = []
        while (text := self.subs.notice()) is not None:
            out.append(text)
        return out

    def draw(self, t: float, fbo: int) -> None:
        """Draw the track at ``t`` (seconds from IN's container start) into ``fbo``, an
        output-sized framebuffer whose row 0 is the picture's top row."""
        from player.gl import gpu
        t0 = time.perf_counter()
        self.subs.set_time(t)
        self.layer.update(self.subs.frame(self.out_size, self.rect, self.video_size))
        gpu.GL.glBindFramebuffer(gpu.GL.GL_FRAMEBUFFER, fbo)
        self.layer.draw(*self.out_size, bottom_up=False)
        gpu.GL.glBindFramebuffer(gpu.GL.GL_FRAMEBUFFER, 0)
        self.cpu_s += time.perf_counter() - t0
        self.drawn += 1
        for text in self._notices():     # mid-way problems: one line each, export goes on
            self.say(text)

    def release(self) -> None:
        self.subs.release()
        self.layer.release()


__all__ = ["BurnTrack", "Burner", "pick_track", "params_for"]

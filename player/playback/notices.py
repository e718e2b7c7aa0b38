"""What mpv would say on its OSD, said by us: property changes -> short mpv-like notices.

libmpv's OSD is off (it would be drawn into the native-size frame and smeared by the
shaders), so the loop shows these lines in our overlay at output resolution. Pure: the loop
passes each observed property change in, with the track and chapter lists when needed, and
gets the line to show or None.

The first value libmpv reports for a property is the starting state, not a change, and is
never announced. Chapter changes are announced only when a seek follows (``add chapter``
seeks; a chapter boundary crossed while playing does not), as mpv does.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Mapping

# property -> its line, as mpv words it (tracks: libmpv's track-list, for the track names)
ANNOUNCED = {
    "pause": lambda v, tracks: "Paused" if v else "Playing",
    "speed": lambda v, tracks: f"Speed: {float(v):.2f}",
    "volume": lambda v, tracks: f"Volume: {float(v):.0f}%",
    "mute": lambda v, tracks: f"Mute: {'yes' if v else 'no'}",
    "sub-delay": lambda v, tracks: f"Sub delay: {round(float(v) * 1000):d} ms",
    "sub-scale": lambda v, tracks: f"Sub scale: {float(v):.2f}",
    "sub-pos": lambda v, tracks: f"Sub position: {float(v):g}/100",
    "sub-speed": lambda v, tracks: f"Sub speed: {float(v):.3f}",
    "sid": lambda v, tracks: f"Subtitles: {track_label(tracks, 'sub', v)}",
    "secondary-sid": lambda v, tracks: f"Secondary subtitles: {track_label(tracks, 'sub', v)}",
    "aid": lambda v, tracks: f"Audio: {track_label(tracks, 'audio', v)}",
}
NEEDS_TRACKS = frozenset({"sid", "secondary-sid", "aid"})


def track_label(tracks: Iterable[Mapping], kind: str, tid) -> str:
    """'(2) jpn "Commentary"' as mpv writes a track, or 'no'."""
    if tid in (None, False, "no"):
        return "no"
    for t in tracks or ():
        if t.get("type") == kind and t.get("id") == tid:
            parts = [f"({tid})"]
            if t.get("lang"):
                parts.append(str(t["lang"]))
            if t.get("title"):
                parts.append(f"'{t['title']}'")
            if t.get("external"):
                parts.append("[external]")
            return " ".join(parts)
    return f"({tid})"


def chapter_label(chapters: Iterable[Mapping] | None, index) -> str:
    if not isinstance(index, int) or index < 0:
        return "(none)"
    chapters = list(chapters or ())
    title = chapters[index].get("title") if index < len(chapters) else None
    return f"({index + 1}) {title}" if title else f"({index + 1})"


def playlist_label(name: str, pos, count) -> str:
    """'[2/12] ep02.mkv' for the title bar and the overlay: libmpv's playlist position and
    length, and the file (or URL) it plays; '' when libmpv has no position."""
    if not isinstance(pos, int) or not isinstance(count, int) or not (0 <= pos < count):
        return ""
    return f"[{pos + 1}/{count}] {entry_name(name)}"


def entry_name(path: str) -> str:
    """A file's name; a URL's last path part (its query dropped), or the URL if none."""
    if "://" in path:
        tail = path.split("://", 1)[1].split("?", 1)[0].rstrip("/")
        return tail.rsplit("/", 1)[-1] if "/" in tail else path
    return Path(path).name


class Notices:
    """Turns the stream of property changes into lines, remembering the starting state."""

    def __init__(self):
        self._seen: set[str] = set()
        self._chapter: str | None = None   # a chapter change waiting for its seek

    def change(self, name: str, value, tracks=None, chapters=None) -> str | None:
        first = name not in self._seen
        self._seen.add(name)
        if name == "chapter":
            if not first:
                self._chapter = f"Chapter: {chapter_label(chapters, value)}"
            return None
        if first or name not in ANNOUNCED:
            return None
        return ANNOUNCED[name](value, tracks)

    def seeked(self) -> str | None:
        """A seek finished: the chapter line it caused, if any."""
        line, self._chapter = self._chapter, None
        return line


def clock(seconds) -> str:
    """mpv's OSD time: H:MM:SS, or MM:SS under an hour."""
    if not isinstance(seconds, (int, float)) or seconds != seconds:
        return "--:--"
    s = max(0, int(seconds))
    h, m, s = s // 3600, s // 60 % 60, s % 60
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def progress_bar(pos, duration, chapter_starts=(), cells: int = 40) -> str:
    """mpv's seek bar in text: '#' played, '-' to come, '|' where a chapter starts."""
    if not isinstance(duration, (int, float)) or duration <= 0 or \
            not isinstance(pos, (int, float)):
        return ""
    filled = max(0, min(cells, round(cells * pos / duration)))
    bar = ["#" if i < filled else "-" for i in range(cells)]
    for start in chapter_starts:
        if isinstance(start, (int, float)) and 0 < start < duration:
            bar[min(cells - 1, int(cells * start / duration))] = "|"
    return "[" + "".join(bar) + "]"


def progress_text(pos, duration, paused: bool, chapter, chapters=(), playlist: str = "",
                  bar: bool = True) -> str:
    """The progress line of `o`, `P` and every seek: time / duration, (a text bar, where
    it is not drawn), chapter, playlist entry."""
    starts = [c.get("time") for c in chapters or ()]
    parts = [f"{clock(pos)} / {clock(duration)}",
             progress_bar(pos, duration, starts) if bar else ""]
    if paused:
        parts.insert(0, "Paused")
    if isinstance(chapter, int) and chapter >= 0:
        parts.append(f"Chapter: {chapter_label(chapters, chapter)}")
    if playlist:
        parts.append(playlist)
    return "  ".join(p for p in parts if p)

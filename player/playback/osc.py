"""The on-screen controller in the player: pointer events in, commands out, drawn per frame.

Owns the link between the pure controller (``ui/osc.py``: visibility, hover, drag, menus),
its drawing (``ui/osc_draw.py``) and the player: it turns window coordinates into
framebuffer pixels (HiDPI), reads the model (position, duration, chapters, the demuxer's
cached ranges, pause, volume, tracks) from libmpv's observed properties, runs the
controller's commands through libmpv (``video.command``: mpv's commands as mpv runs them,
ours as ``script-message a4kplay ...``, so they come back through the one action path),
builds the menus (tracks from ``track-list``, chapters, profiles with the tier playing and
the governor's state), starts the hover thumbnails' worker (``media/thumbs.py``) for the
file playing, hides the pointer with the controller in fullscreen, and stamps its GPU time
as the pass "controller". A headless player has no controller.

The loop calls: ``due()`` (must a frame be drawn because it timed out), ``draw()`` after
the subtitles, the Input hooks (``motion``, ``leave``, ``button``, ``scroll``, ``key``),
``configure()`` on a live reload, and ``release()``.
"""
from __future__ import annotations

import time

from player.base.paths import is_url
from player.playback.notices import track_label
from player.ui.osc import Controller, Menu
from player.ui.osc_layout import OURS, MenuItem, Model, clock

CACHE_POLL_S = 0.5        # demuxer-cache-state is read at most this often, while shown
TITLE_CHARS = 56


def cached_ranges(state) -> tuple[tuple[float, float], ...]:
    """What the demuxer holds, from mpv's ``demuxer-cache-state``: its seekable ranges (a
    stream with the cache on), or else what it has read ahead of the reader."""
    if not isinstance(state, dict):
        return ()
    ranges = tuple((float(r["start"]), float(r["end"])) for r in state.get("seekable-ranges")
                   or () if isinstance(r, dict) and "start" in r and "end" in r)
    if ranges:
        return ranges
    start, end = state.get("reader-pts"), state.get("cache-end")
    if isinstance(start, (int, float)) and isinstance(end, (int, float)) and end > start:
        return ((float(start), float(end)),)
    return ()


class Osc:
    def __init__(self, player):
        self.p = player
        s = player.config.osc
        self.enabled = not player.opts.headless
        self.ctl = Controller(s.visibility if self.enabled else "never", s.timeout, s.size,
                              s.show_paused)
        self.drawer = None                       # ui/osc_draw.OscDraw, made when first shown
        self._cached: tuple = ()
        self._cache_read = 0.0
        self._chapters_of = None
        self._chapters: tuple = ()
        self._was_over = False                   # the pointer was over the controller
        self.thumbs = None                       # media/thumbs.Thumbnailer of the file
        self._thumbs_of = None
        self._thumb_new = False                  # the worker has a new picture

    def configure(self, s) -> None:
        """profiles.yaml's ``osc:`` again (a live reload): mode, timeout, size."""
        if self.enabled:
            self.ctl.set_mode(s.visibility, time.monotonic())
            self.ctl.timeout, self.ctl.size, self.ctl.show_paused = s.timeout, s.size, \
                s.show_paused
            self.ctl.lay = None                  # laid out again at the new size
            self.p.redraw = True

    # ---- coordinates and the model ---------------------------------------------------------
    def _fb(self, x: float, y: float) -> tuple[float, float]:
        """Window coordinates (GLFW's cursor) -> framebuffer pixels."""
        win = self.p.window
        ww, wh = win.window_size()
        fw, fh = win.framebuffer_size()
        return x * fw / max(1, ww), y * fh / max(1, wh)

    def model(self, now: float) -> Model:
        v = self.p.video
        pr = v.props
        if self._chapters_of is not self.p.chapters:      # a new file's list
            self._chapters_of = self.p.chapters
            self._chapters = tuple(
                (float(c.get("time") or 0.0), str(c.get("title") or f"Chapter {i + 1}"))
                for i, c in enumerate(self.p.chapters or ()))
        if now - self._cache_read > CACHE_POLL_S:
            self._cache_read = now
            self._cached = cached_ranges(v.get("demuxer-cache-state"))
        dur = pr.get("duration")
        return Model(pos=v.time_pos(), duration=dur if isinstance(dur, (int, float)) else None,
                     paused=bool(pr.get("pause")), chapters=self._chapters,
                     cached=self._cached, volume=float(pr.get("volume") or 0.0),
                     mute=bool(pr.get("mute")), fullscreen=self.p.window.fullscreen,
                     compare=self.p.compare != "off",
                     playlist=(v.playlist_pos(), int(pr.get("playlist-count") or
                                                     len(v.paths))))

    # ---- Input's hooks: True when the controller took the event -----------------------------
    def motion(self, ev) -> bool:
        if not self.enabled:
            return False
        now = time.monotonic()
        x, y = self._fb(ev.x, ev.y)
        before = self.ctl.visible(now)
        cmds = self.ctl.motion(x, y, now)
        if cmds is None:
            return False
        self._run(cmds)
        # a frame only where the picture changes: shown or hidden now, or the pointer over
        # the controller (hover, label) or just off it; moving over the video costs nothing
        over = self._over(x, y)
        if self.ctl.visible(now) != before or over or self._was_over:
            self.p.redraw = True
        self._was_over = over
        self._cursor(now)
        return True

    def leave(self) -> None:
        if self.enabled:
            self.ctl.leave(time.monotonic())
            self.p.redraw = True

    def button(self, ev) -> bool:
        if not self.enabled:
            return False
        now = time.monotonic()
        x, y = self._fb(ev.x, ev.y)
        self._layout(now)
        cmds = (self.ctl.press(ev.key, x, y, now) if ev.pressed
                else self.ctl.release(ev.key, x, y, now))
        return self._took(cmds)

    def scroll(self, ev) -> bool:
        if not self.enabled or not ev.y:
            return False
        now = time.monotonic()
        x, y = self._fb(ev.px, ev.py)
        self._layout(now)
        return self._took(self.ctl.scroll(ev.y, x, y, now))

    def key(self, name: str) -> bool:
        return self._took(self.ctl.key(name))

    def _took(self, cmds) -> bool:
        if cmds is None:
            return False
        self._run(cmds)
        self.p.redraw = True
        return True

    def _over(self, x: float, y: float) -> bool:
        ctl = self.ctl
        return ((ctl.lay is not None and ctl.lay.band.contains(x, y))
                or (ctl.menu is not None and ctl.menu.contains(x, y)))

    def _layout(self, now: float) -> None:
        """The layout for the window as it is now (a press may come before any draw)."""
        fw, fh = self.p.window.framebuffer_size()
        self.ctl.resize(fw, fh, self.p.window.content_scale(),
                        self.drawer.measure if self.drawer else None, self.model(now))

    def _run(self, cmds) -> None:
        for cmd in cmds:
            self.p.video.command(*cmd)

    # ---- actions ---------------------------------------------------------------------------
    def set_visibility(self, mode: str) -> None:
        if not self.enabled:
            self.p.notify("controller: none in a headless player")
            return
        try:
            mode = self.ctl.set_mode(mode, time.monotonic())
        except ValueError as e:
            self.p.notify(f"osc-visibility: {e}")
            return
        self.p.notify(f"controller: {mode}")
        self.p.redraw = True

    def open_menu(self, kind: str) -> None:
        if not self.enabled:
            self.p.notify("controller: none in a headless player")
            return
        builder = {"audio": self._tracks, "sub": self._tracks, "chapter": self._chapter_menu,
                   "profile": self._profile_menu}[kind]
        title, items = builder(kind)
        self.ctl.open_menu(Menu(kind, title, items))
        self.p.redraw = True

    def _tracks(self, kind: str):
        v = self.p.video
        mpv_type, prop = ("audio", "aid") if kind == "audio" else ("sub", "sid")
        tracks = [t for t in (v.get("track-list") or []) if t.get("type") == mpv_type]
        selected = v.props.get(prop)
        items = [MenuItem("Off", ("set", prop, "no"),
                          current=not any(t.get("selected") for t in tracks))]
        for t in tracks:
            label = track_label(tracks, mpv_type, t.get("id"))
            if t.get("codec"):
                label += f"  [{t['codec']}]"
            items.append(MenuItem(label, ("set", prop, str(t.get("id"))),
                                  current=bool(t.get("selected")) or t.get("id") == selected))
        title = "Audio tracks" if kind == "audio" else "Subtitle tracks"
        return title, items

    def _chapter_menu(self, kind: str):
        now = self.p.video.props.get("chapter")
        hours = any(t >= 3600 for t, _ in self._chapters)
        self.model(time.monotonic())                 # the chapter list of this file
        items = [MenuItem(f"{clock(t, hours)}  {title}", ("set", "chapter", str(i)),
                          current=now == i) for i, (t, title) in enumerate(self._chapters)]
        return ("Chapters" if items else "Chapters: none in this file"), items

    def _profile_menu(self, kind: str):
        p = self.p
        items = []
        for name in p.config.profile_names:
            label = name
            if name == p.tier and name != p.profile:
                label += "  (playing: the governor's step down)"
            elif name == p.profile and name != p.tier:
                label += "  (chosen, the ceiling)"
            items.append(MenuItem(label, OURS + ("profile", name), current=name == p.tier))
        g = p.governor
        if g is None:
            state = f"auto: {p.tier} is not on the ladder"
        elif g.enabled:
            state = f"auto on: playing {p.tier}, ceiling {p.profile}"
        else:
            state = f"auto off: playing {p.tier}"
        title = f"Profiles - {state}"
        if len(title) > TITLE_CHARS:
            title = title[:TITLE_CHARS - 1] + "\u2026"
        return title, items

    # ---- per frame -------------------------------------------------------------------------
    def due(self) -> bool:
        """The controller timed out (or paused/unpaused with show_paused): draw once more."""
        if not self.enabled:
            return False
        now = time.monotonic()
        self.ctl.paused = bool(self.p.video.props.get("pause"))
        if self.ctl.due(now):
            self._cursor(now)
            return True
        if self._thumb_new:
            self._thumb_new = False
            return self.ctl.hover_time(self.model(now), now) is not None
        return False

    def _thumbnail(self, model: Model, now: float, scale: float, fh: int):
        """(key, picture) for the time under the pointer, if the worker has it; starts a
        worker for this file the first time the timeline is hovered."""
        t = self.ctl.hover_time(model, now)
        if t is None or not self.p.config.osc.thumbnails:
            return None
        path = self.p.video.current_file()
        if self._thumbs_of != path:
            self._close_thumbs()
            self._thumbs_of = path
            if not is_url(str(path)):
                from player.media.thumbs import Thumbnailer
                height = max(16, min(round(72 * scale), fh // 4))
                self.thumbs = Thumbnailer(str(path), height, model.duration, self._ready)
        if self.thumbs is None:
            return None
        got = self.thumbs.get(t)
        if got is not None and self.thumbs.size:
            model.thumb = self.thumbs.size
            return (self._thumbs_of, got[0]), got[1]
        return None

    def _ready(self) -> None:
        """From the worker's thread: a picture is ready; wake the loop."""
        self._thumb_new = True
        self.p._wakeup()

    def _close_thumbs(self) -> None:
        if self.thumbs is not None:
            self.thumbs.close()
            self.thumbs = None

    def _cursor(self, now: float) -> None:
        """In fullscreen the pointer hides with the controller."""
        win = self.p.window
        win.set_cursor_hidden(bool(win.fullscreen) and self.ctl.mode != "never"
                              and not self.ctl.visible(now))

    def draw(self, fw: int, fh: int, bottom_up: bool = True, timer=None) -> bool:
        """Draw into the bound framebuffer; with ``timer`` (the window's frame) the GPU time
        is stamped as "controller" and what was shown is remembered for ``due``."""
        if not self.enabled:
            return False
        now = time.monotonic()
        self.ctl.paused = bool(self.p.video.props.get("pause"))
        visible = self.ctl.visible(now)
        if timer is not None:
            self.ctl.drawn(visible)
            self._cursor(now)
        if not visible:
            return False
        if self.drawer is None:
            from player.ui.osc_draw import OscDraw
            self.drawer = OscDraw()
        model = self.model(now)
        lay = self.ctl.resize(fw, fh, self.p.window.content_scale(), self.drawer.measure,
                              model)
        thumb = self._thumbnail(model, now, lay.scale, fh)
        scene = self.ctl.scene(model, now, self.drawer.measure)
        drew = self.drawer.draw(scene, fw, fh, lay.font, lay.icon, bottom_up, thumb)
        if drew and timer is not None:
            timer.stamp("controller")
        return drew

    def release(self) -> None:
        self._close_thumbs()
        if self.drawer is not None:
            self.drawer.release()
            self.drawer = None

"""What the player draws over the picture, and screenshots of it: a mixin of Player.

The overlay's messages, compare labels, progress line and stats panel (the wording is
ui/hud.py's and playback/notices.py's), and the screenshot modes of mpv's screenshot command
at output resolution: ``subtitles`` (the picture with subtitles), ``video`` (without) and
``window`` (as shown, overlay too). A screenshot is composed offscreen by the presenter, so
it never reads the window's buffer and costs nothing per frame.
"""
from __future__ import annotations

from pathlib import Path

from player.base.errors import MediaError
from player.playback.notices import playlist_label, progress_text
from player.ui.hud import panel
from player.ui.overlay import Alert, Graph, Progress
from player.ui.present import Rect
from player.ui.text import font_size


class Screen:
    """Mixin of Player: needs its overlay, presenter, chains, subtitles and video; what is
    on screen and until when is its ``onscreen`` (onscreen.py)."""

    def _draw_overlay(self, fw: int, fh: int, rect: Rect, bottom_up: bool = True) -> None:
        """Messages, compare labels and (when shown) the stats panel, at output resolution."""
        messages = self.onscreen.live_messages()
        if self.reload_error:
            messages.append(Alert(self.reload_error))
        progress = self.progress() if self.onscreen.progress_shown() else None
        margin = max(8, fh // 60)
        y = rect.y + rect.h - margin - 2 * font_size(fh)   # labels at the bottom corners
        if self.compare == "split":
            scaler = self.config.profile(self.tier).scaler
            self.overlay.label(scaler, rect.x + margin, y)
            self.overlay.label(self.tier, rect.x + rect.w - margin, y, "right")
        elif self.compare == "flip":
            side = self.config.profile(self.tier).scaler if self.flip_show_baseline else self.tier
            self.overlay.label(side, rect.x + rect.w - margin, y, "right")
        panel_lines = graph = None
        if self.onscreen.panel_shown():
            self._update_hud(rect)
            panel_lines = panel(self.hud, self.timings)
            graph = Graph(self.hud.gpu, self.hud.budget_ms, "GPU ms per frame")
        self.overlay.draw(fw, fh, bottom_up, messages, panel_lines, graph, progress)

    def _divider_at(self, x: float) -> bool:
        """In split compare, put the divider under the pointer (x in window coordinates)."""
        if not self._last or not self._last[2].w:
            return False
        fw, rect = self._last[0], self._last[2]
        if self.comparing.place((x * fw / max(1, self.window.window_size()[0]) - rect.x)
                                / rect.w):
            self.redraw = True
            return True
        return False

    def show_panel(self, seconds: float | None) -> None:
        """The statistics panel: for a while (i), or on/off (I, ``None``)."""
        self.onscreen.show_panel(seconds)
        self.redraw = True

    def progress(self) -> Progress:
        """mpv's seek bar: position, chapter marks, and its line of text."""
        v = self.video
        pos, count = v.playlist_place()
        label = playlist_label(v.current_name(), pos, count) if count > 1 else ""
        pos, dur = v.time_pos(), v.props.get("duration")
        text = progress_text(pos, dur, bool(v.props.get("pause")), v.props.get("chapter"),
                             self.chapters, label, bar=False)
        if not isinstance(dur, (int, float)) or dur <= 0:
            return Progress(0.0, (), text)
        marks = [c.get("time", 0) / dur for c in self.chapters
                 if isinstance(c.get("time"), (int, float))]
        return Progress(pos / dur, marks, text)

    def _update_hud(self, rect: Rect) -> None:
        h = self.hud
        h.profile, h.tier = self.profile, self.tier
        h.video_size, h.output_size = self.video.size, (rect.w, rect.h)
        h.fps = self.video.fps
        h.budget_ms = self.budget_ms()
        h.cpu_ms, h.late, h.dropped = self.cpu_ms, self.late_frames, self.dropped_frames
        h.presented = self.presented
        if self.governor is not None:
            h.governor = self.governor.status()
            d = self.governor.last_decision
            h.decision = f"{d.from_} -> {d.to}: {d.reason}" if d else ""
        else:
            h.governor, h.decision = f"auto: {self.tier} is not on the ladder", ""
        if self.rule:
            h.decision = (h.decision + "; " if h.decision else "") + self.rule
        pos, count = self.video.playlist_place()
        if count > 1:
            h.governor = (playlist_label(self.video.current_name(), pos, count) + "  "
                          + h.governor)

    def capture(self, overlay: bool = True, subtitles: bool | None = None):
        """The screen as the user sees it, at output resolution: subtitles (as shown, unless
        ``subtitles`` is False) and the overlay (unless ``overlay`` is False)."""
        if self._last is None:
            raise MediaError("no frame has been shown yet")
        fw, fh, rect, left, right, split = self._last
        if left is None:   # drawn straight into the window: the chain's picture again
            left = self.chains.get(self.tier, self.bridge.whole).run(self.src, rect.w, rect.h)
        subs = self.sub_visible if subtitles is None else subtitles

        def after(bottom_up: bool) -> None:
            if subs:
                self.subtitles.draw(fw, fh, rect, self.frames.video_size(), bottom_up)
            if overlay:      # the window as shown: the controller too (not in s / S)
                self.osc.draw(fw, fh, bottom_up)
                self._draw_overlay(fw, fh, rect, bottom_up)
        self.redraw = True
        return self.presenter.capture(fw, fh, rect, left, right, split, after)

    def screenshot(self, path: str | None = None, mode: str = "window") -> Path:
        """A PNG at output resolution: ``window`` as shown (overlay too), ``subtitles`` the
        picture with subtitles, ``video`` the picture alone (mpv's screenshot flags)."""
        image = self.capture(overlay=mode == "window",
                             subtitles=False if mode == "video" else None)
        if path is None:
            return self._shots.save(image)
        from player.render.offscreen import write_png
        write_png(path, image)
        return Path(path)

    def screenshot_both(self) -> list[Path]:
        if self._last is None:
            raise MediaError("no frame has been shown yet")
        fw, fh, rect = self._last[0], self._last[1], self._last[2]
        profile = self.config.profile(self.tier)
        out = self.chains.get(self.tier, self.bridge.whole).run(self.src, rect.w, rect.h)
        base = self.chains.baseline(profile.scaler).run(self.src, rect.w, rect.h)
        paths = []
        for suffix, tex in (("-baseline", base), (f"-{self.tier}", out)):
            paths.append(self._shots.save(self.presenter.capture(fw, fh, rect, tex), suffix))
        self.redraw = True
        return paths

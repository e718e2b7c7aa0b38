"""The quality governor: pure policy that keeps playback real-time.

It owns one decision: which tier of the ladder (dearest first, e.g. Full, Fast,
UltraFast, Off) should render the next frames, given per-frame GPU times, late and
dropped flags, and the frame budget (headroom x frame interval). It does no timing, no
GL and no switching itself: the player feeds it one observation per frame and applies
the tier it returns. Keeping it pure lets tests drive it with synthetic traces.

Policy, and why:
- Step down one tier when the p-th percentile (p90 by default) of the current tier's GPU
  times over a short window exceeds the budget: a percentile ignores a lone spike but
  reacts within a few frames to a real overload.
- Step down sooner, without waiting for a full window or the dwell time, when frames
  are actually late or dropped: that is the loss the governor exists to prevent.
- Step up only when the dearer tier's cost, estimated as the current p90 times the cost
  ratio between the two tiers, fits under ``up_margin`` x budget, and only after
  ``hold`` seconds since the last step down. Ratios, not absolute costs, are learned:
  an absolute cost measured during a heavy scene would forbid climbing back forever,
  while the ratio between two tiers stays about the same from scene to scene.
- A step up that has to be undone within the hold time doubles the hold (up to
  ``max_hold``), so a tier that only nearly fits cannot make the governor oscillate;
  a step up that lasts ``max_hold`` seconds resets it.
- The user's manual choice is the ceiling: the governor never climbs above it.
"""
from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import Sequence

from player.config.governor_settings import GovernorSettings

@dataclass(frozen=True)
class Decision:
    """One tier change and why; t is the video time of the frame that caused it."""
    t: float
    from_: str
    to: str
    reason: str


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile: always one of the values, so a reason quotes a real frame."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100.0 * len(ordered)))
    return ordered[rank - 1]


class Governor:
    """Chooses the tier; call observe() once per frame, in frame order.

    GPU times arrive a few frames late; call observe() when a frame's time is known
    (gpu_ms None when it never will be) and pass the tier that rendered that frame, so
    frames still in flight from before a switch are not blamed on the new tier.
    """

    def __init__(self, ladder: Sequence[str], settings: GovernorSettings, fps: float,
                 start: str):
        if not ladder:
            raise ValueError("the ladder needs at least one tier")
        if len(set(ladder)) != len(ladder):
            raise ValueError(f"the ladder names a tier twice: {list(ladder)}")
        self._ladder = tuple(ladder)
        self._settings = settings
        self._enabled = settings.enabled
        self._decisions: list[Decision] = []
        self._ratios: dict[int, float] = {}   # i -> cost(ladder[i]) / cost(ladder[i+1])
        self._hold_factor = 1.0
        self._clock = 0.0                      # seconds of video seen, seek-proof
        self._last_t: float | None = None
        self._last_down: float | None = None   # clock of the last step down
        self._last_up: float | None = None     # clock of the last step up
        self._pending_ratio: tuple[str, float] | None = None
        self.set_fps(fps)
        self._current = start
        self._ceiling = start
        self._reset_tier()

    # ---- state the player and the overlay read ----
    @property
    def ladder(self) -> tuple[str, ...]:
        return self._ladder

    @property
    def current(self) -> str:
        return self._current

    @property
    def ceiling(self) -> str:
        return self._ceiling

    @property
    def budget_ms(self) -> float:
        return self._settings.headroom * 1000.0 / self._fps

    @property
    def fps(self) -> float:
        return self._fps

    @property
    def decisions(self) -> list[Decision]:
        return list(self._decisions)

    @property
    def last_decision(self) -> Decision | None:
        return self._decisions[-1] if self._decisions else None

    @property
    def enabled(self) -> bool:
        return self._enabled

    @enabled.setter
    def enabled(self, value: bool) -> None:
        if value and not self._enabled:
            self._reset_tier()  # old samples say nothing about the time we were off
        self._enabled = bool(value)

    def estimates(self) -> dict[str, float]:
        """Tier -> estimated GPU ms now (measured for the current tier, ratio-scaled
        for the others); tiers with no basis yet are left out."""
        p = self._window_percentile()
        if p is None or self._current not in self._ladder:
            return {}
        here = self._ladder.index(self._current)
        out = {self._current: p}
        cost = p
        for i in range(here - 1, -1, -1):
            cost *= self._ratio(i)
            out[self._ladder[i]] = cost
        cost = p
        for i in range(here, len(self._ladder) - 1):
            cost /= self._ratio(i)
            out[self._ladder[i + 1]] = cost
        return out

    def status(self) -> str:
        """One line for the overlay."""
        if not self._enabled:
            return f"auto off: {self._current}"
        if self._current not in self._ladder:
            return f"auto idle: {self._current} is not on the ladder"
        p = self._window_percentile()
        stat = (f"p{self._settings.percentile:g} {p:.1f} ms" if p is not None
                else "measuring")
        return (f"auto: {self._current} (ceiling {self._ceiling}), {stat}, "
                f"budget {self.budget_ms:.1f} ms")

    # ---- inputs ----
    def set_fps(self, fps: float) -> None:
        if not (isinstance(fps, (int, float)) and math.isfinite(fps) and fps > 0):
            raise ValueError(f"fps must be a positive number, got {fps!r}")
        self._fps = float(fps)
        self._window_frames = max(3, round(self._settings.window * self._fps))
        self._samples: deque = deque(maxlen=self._window_frames)

    def set_ceiling(self, tier: str, t: float | None = None) -> None:
        """The user chose `tier`: play it now and never climb above it."""
        if tier != self._current:
            when = t if t is not None else (self._last_t or 0.0)
            self._decisions.append(Decision(when, self._current, tier, "manual choice"))
        self._current = tier
        self._ceiling = tier
        self._hold_factor = 1.0
        self._last_down = None
        self._reset_tier()

    def observe(self, t_video: float, tier: str, gpu_ms: float | None, late: bool,
                dropped: bool) -> str | None:
        """Record one frame; return the tier to switch to, or None to stay."""
        self._advance_clock(t_video)
        if not self._enabled or tier != self._current or tier not in self._ladder:
            return None
        if gpu_ms is not None and not (math.isfinite(gpu_ms) and gpu_ms >= 0):
            gpu_ms = None
        self._samples.append((gpu_ms, bool(late or dropped)))
        if (self._last_up is not None and self._clock - self._last_up >= self._settings.max_hold
                and (self._last_down is None or self._last_down < self._last_up)):
            self._hold_factor = 1.0  # the last step up has proved itself
        self._learn_ratio()
        target = self._step_down(t_video)
        if target is None:
            target = self._step_up(t_video)
        return target

    # ---- policy ----
    def _step_down(self, t: float) -> str | None:
        here = self._ladder.index(self._current)
        if here == len(self._ladder) - 1:
            return None
        s = self._settings
        late = sum(1 for _, bad in self._samples if bad)
        p = self._window_percentile()
        if late >= s.late_frames:
            stat = f", p{s.percentile:g} {p:.1f} ms" if p is not None else ""
            reason = (f"{late} late or dropped frames in the last {len(self._samples)}"
                      f"{stat}, budget {self.budget_ms:.1f} ms")
            return self._switch(t, here + 1, reason)
        measured = self._measured()
        if (p is not None and len(measured) >= self._min_samples() and p > self.budget_ms
                and self._clock - self._entered >= s.dwell):
            reason = (f"p{s.percentile:g} {p:.1f} ms > budget {self.budget_ms:.1f} ms "
                      f"over {len(measured)} frames")
            return self._switch(t, here + 1, reason)
        return None

    def _step_up(self, t: float) -> str | None:
        here = self._ladder.index(self._current)
        top = self._ladder.index(self._ceiling) if self._ceiling in self._ladder else 0
        if here <= top:
            return None
        s = self._settings
        hold = self._hold()
        if self._last_down is not None and self._clock - self._last_down < hold:
            return None
        if self._clock - self._entered < s.dwell:
            return None
        measured = self._measured()
        if len(measured) < self._window_frames or any(bad for _, bad in self._samples):
            return None
        p = percentile(measured, s.percentile)
        ratio = self._ratio(here - 1)
        estimate = p * ratio
        limit = s.up_margin * self.budget_ms
        if estimate > limit:
            return None
        reason = (f"{self._ladder[here - 1]} estimated {estimate:.1f} ms "
                  f"(p{s.percentile:g} {p:.1f} ms x {ratio:.2f}) <= {limit:.1f} ms "
                  f"({s.up_margin:g} x budget), held {hold:g} s")
        return self._switch(t, here - 1, reason)

    def _switch(self, t: float, to_index: int, reason: str) -> str:
        old = self._current
        new = self._ladder[to_index]
        going_down = to_index > self._ladder.index(old)
        if going_down:
            # undoing a recent step up: that tier only nearly fits, wait longer next time
            if self._last_up is not None and self._clock - self._last_up < self._hold():
                self._hold_factor = min(self._hold_factor * 2, 1024.0)
            self._last_down = self._clock
        else:
            self._last_up = self._clock
        # Remember this tier's cost even from a short window (late frames switch early):
        # otherwise a failed step up would teach nothing and be retried.
        p = self._window_percentile()
        self._pending_ratio = (old, p) if p is not None else None
        self._decisions.append(Decision(t, old, new, reason))
        self._current = new
        self._reset_tier(keep_ratio=True)
        return new

    def _learn_ratio(self) -> None:
        """Once the new tier has a usable window, compare it with the tier just left."""
        if self._pending_ratio is None or len(self._measured()) < self._min_samples():
            return
        old, p_old = self._pending_ratio
        self._pending_ratio = None
        p_new = self._window_percentile()
        if old not in self._ladder or not p_new or not p_old:
            return
        i, j = self._ladder.index(old), self._ladder.index(self._current)
        if abs(i - j) != 1:
            return
        dear, cheap = (p_old, p_new) if i < j else (p_new, p_old)
        # a dearer tier never costs less; noise must not teach the governor otherwise
        self._ratios[min(i, j)] = max(1.0, dear / cheap)

    # ---- helpers ----
    def _advance_clock(self, t: float) -> None:
        # Seeks make video time jump; count a jump as one frame so hold and dwell
        # measure time actually played, not distance seeked.
        step = 1.0 / self._fps
        if self._last_t is not None:
            dt = t - self._last_t
            if 0 <= dt <= max(1.0, 4 * step):
                step = dt
        self._clock += step
        self._last_t = t

    def _reset_tier(self, keep_ratio: bool = False) -> None:
        self._samples.clear()
        self._entered = self._clock
        if not keep_ratio:
            self._pending_ratio = None

    def _measured(self) -> list[float]:
        return [ms for ms, _ in self._samples if ms is not None]

    def _window_percentile(self) -> float | None:
        measured = self._measured()
        return percentile(measured, self._settings.percentile) if measured else None

    def _min_samples(self) -> int:
        return max(3, self._window_frames // 2)

    def _hold(self) -> float:
        return min(self._settings.hold * self._hold_factor, self._settings.max_hold)

    def _ratio(self, i: int) -> float:
        return self._ratios.get(i, self._settings.step_cost)

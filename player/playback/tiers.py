"""Which profile plays: the viewer's choice, the tier playing now, the rule that chose it, and
the governor that may lower it.

One object, long-lived, changed only through its methods (the loop's action path calls
them): ``select`` is the viewer's (or a source rule's) choice and the governor's ceiling;
``step_to`` is the governor's move; ``new_file`` applies the source rules and starts a
governor window for a playlist entry; ``reloaded`` takes a new profiles.yaml. Every method
builds the chain it is about to play first (chainset.py), so a profile that cannot be built
is refused with its message and the last good tier keeps playing. What changed is said
through ``notify``; the caller redraws.
"""
from __future__ import annotations

from typing import Callable

from player.base.errors import A4kError
from player.config.profiles import Config
from player.gl import gpu
from player.playback.governor import Governor


class Tiers:
    def __init__(self, config: Config, chains, choice: str | None, auto: bool,
                 notify: Callable[[str], None]):
        self.config = config
        self.chains = chains
        self.profile = choice or config.default   # the viewer's choice: the ceiling
        config.profile(self.profile)               # ProfileError now, before any window
        self.tier = self.profile                   # what plays now (the governor may lower)
        self.rule = ""                             # the source rule that chose it
        self.governor: Governor | None = None
        self.auto = auto                           # --no-auto turns the governor off
        self.past_decisions: list = []             # of governors replaced
        self._choice = choice
        self._notify = notify

    # ---- the viewer's choice ---------------------------------------------------------------
    def select(self, name: str, why: str = "", whole: bool = False, t: float = 0.0) -> bool:
        """Play ``name`` from now on, and make it the governor's ceiling; False (said) when
        its chain cannot be built."""
        try:
            self.config.profile(name)
            self.chains.get(name, whole)
        except A4kError as e:
            self._notify(f"cannot switch to {name}: {e}")
            return False
        self.profile = self.tier = name
        if self.governor is not None and name in self.governor.ladder:
            self.governor.set_ceiling(name, t)
        self._notify(f"profile: {name}" + (f" ({why})" if why else ""))
        return True

    def add_profile(self, config: Config, name: str) -> None:
        """A profile made while playing (libmpv's glsl-shaders, playback/mpv_modes.py)."""
        self.config = config
        self.chains.define(config, name)

    # ---- the governor -----------------------------------------------------------------------
    def step_to(self, tier: str, whole: bool) -> bool:
        """The governor's move to ``tier``; False when that chain cannot be built (the
        governor then stays where it is)."""
        try:
            self.chains.get(tier, whole)
        except A4kError as e:
            self._notify(f"auto quality cannot use {tier}: {e}")
            self.governor.set_ceiling(self.tier)
            return False
        d = self.governor.last_decision
        self._notify(f"auto: {self.tier} -> {tier} ({d.reason if d else ''})")
        self.tier = tier
        return True

    def toggle_auto(self) -> str:
        """The a key: the governor on or off (kept for the next files); what to say."""
        if self.governor is None:
            return "auto quality: this profile is not on the ladder"
        self.governor.enabled = not self.governor.enabled
        return "auto quality: " + ("on" if self.governor.enabled else "off")

    def start_governor(self, fps: float) -> None:
        """A new governor window (a new file, a new ladder), at the viewer's choice."""
        enabled = self.governor.enabled if self.governor is not None else None
        if self.governor is not None:
            self.past_decisions += self.governor.decisions
        self.governor = None
        ladder = self.config.ladder
        if self.profile in ladder:
            self.governor = Governor(ladder, self.config.governor, fps, start=self.profile)
            on = self.auto if enabled is None else enabled
            self.governor.enabled = on and self.config.governor.enabled
            self.tier = self.profile

    def budget_ms(self, fps: float) -> float:
        if self.governor is not None:
            return self.governor.budget_ms
        return self.config.governor.headroom * 1000.0 / fps

    def decisions(self) -> list:
        """Every governor decision of the session, oldest first."""
        return self.past_decisions + (self.governor.decisions if self.governor else [])

    def warm_ladder(self) -> None:
        """Build, and run once on a small frame, the tiers the governor may step down to:
        drivers finish compiling on the first draw, and a switch must not stall on that."""
        ladder = self.config.ladder
        if self.profile not in ladder:
            return
        dummy = gpu.Texture(64, 36, 4, "f16")
        try:
            for name in ladder[ladder.index(self.profile):]:
                self.chains.get(name, False).run(dummy, 128, 72)
        finally:
            dummy.release()

    # ---- files and configurations -----------------------------------------------------------
    def new_file(self, size: tuple[int, int], fps: float, whole: bool) -> None:
        """A playlist entry's video is up: the source rules choose its profile (unless the
        viewer named one on the command line), and the governor starts a new window."""
        if self._choice is None and self.config.rules:
            from player.config.rules import choose, describe
            rule = choose(self.config.rules, size[0], size[1], fps)
            self.rule = describe(rule) if rule is not None else ""
            if rule is not None and rule.profile != self.profile:
                self.select(rule.profile, why=self.rule, whole=whole)
        self.start_governor(fps)

    def reloaded(self, config: Config, fps: float) -> None:
        """profiles.yaml changed (its chains already built, chainset.py): a profile that is
        gone falls back to the default; a new ladder starts a new governor window."""
        old_ladder = self.config.ladder
        self.config = config
        if self.profile not in config.profiles:
            self._notify(f"profile {self.profile} is gone; playing {config.default}")
            self.profile = self.tier = config.default
        if self.tier not in config.profiles:
            self.tier = self.profile
        if config.ladder != old_ladder or self.governor is None:
            self.start_governor(fps)

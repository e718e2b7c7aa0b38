"""The chains a playback session keeps built, by profile name: long-lived state, apart from
the per-frame state of the loop.

A chain is compiled on first use and kept, so a profile switch, a governor step or the next
file of a playlist costs no compile. A reload builds the new chains beside the live ones
and swaps them in only when all of them build (build-then-swap): on any error the live
chains stay and the error propagates to the loop, which shows it and plays on.
"""
from __future__ import annotations

from player.config.profiles import Config
from player.render.chain import Chain


class ChainSet:
    """The built chains by profile name (built on first use, kept for instant switching)."""

    def __init__(self, config: Config):
        self.config = config
        self._chains: dict[str, Chain] = {}
        self._baselines: dict[str, Chain] = {}
        self._planes: dict[str, str | None] = {}   # profile -> shader text for libmpv
        self.builds = 0  # chains compiled so far (a frame that compiles one is not 'late')

    def _build(self, config: Config, name: str) -> tuple[Chain, str | None]:
        """The chain of a profile, and the text of its passes that hook planes only YUV
        video has (CHROMA, the true LUMA, NATIVE...): those run in libmpv's renderer, on the
        real planes, at native size (render/planes.py); the rest runs in our chain."""
        from player.render.offscreen import load_shaders
        from player.render.planes import split_plane_hooks
        profile = config.profile(name)
        planes, files = split_plane_hooks(load_shaders(profile.shaders), profile.params)
        chain = Chain(files, profile.scaler, profile.params, label=name)
        self.builds += 1
        return chain, planes

    def get(self, name: str) -> Chain:
        chain = self._chains.get(name)
        if chain is None:
            chain, self._planes[name] = self._build(self.config, name)
            self._chains[name] = chain
        return chain

    def plane_shader(self, name: str) -> str | None:
        """The shader text libmpv runs for profile ``name`` (None: nothing of it there)."""
        self.get(name)
        return self._planes.get(name)

    def baseline(self, scaler: str) -> Chain:
        chain = self._baselines.get(scaler)
        if chain is None:
            self.builds += 1
            chain = self._baselines[scaler] = Chain([], scaler, label=f"baseline {scaler}")
        return chain

    def rebuild(self, config: Config) -> None:
        """Build, beside the live chains, every chain that is live now (by profile name, as
        ``config`` now defines it); swap them in only when all build. On error the live
        chains stay and the error propagates."""
        new: dict[str, tuple[Chain, str | None]] = {}
        try:
            for name in self._chains:
                if name in config.profiles:
                    new[name] = self._build(config, name)
        except BaseException:
            for chain, _ in new.values():
                chain.release()
            raise
        for chain in self._chains.values():
            chain.release()
        self.config = config
        self._chains = {name: chain for name, (chain, _) in new.items()}
        self._planes = {name: planes for name, (_, planes) in new.items()}

    def release(self) -> None:
        for chain in list(self._chains.values()) + list(self._baselines.values()):
            chain.release()
        self._chains.clear()
        self._baselines.clear()

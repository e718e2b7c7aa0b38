"""The chains a playback session keeps built, by profile name: long-lived state, apart from
the per-frame state of the loop.

A chain is compiled on first use and kept, so a profile switch, a governor step or the next
file of a playlist costs no compile. For YUV video a profile's passes on the planes only YUV
run in libmpv (render/planes.py: ``plane_stage``) and the rest here. With ``whole`` set the
whole profile runs here, LUMA made from RGB: for RGB video (the only way it can have them)
and in A/B compare (both sides must start from the same frame, which libmpv renders once). A reload builds the new chains beside the live ones
and swaps them in only when all of them build (build-then-swap): on any error the live
chains stay and the error propagates to the loop, which shows it and plays on.
"""
from __future__ import annotations

from player.config.profiles import Config
from player.gl import gpu
from player.render.chain import Chain
from player.render.planes import PlaneStage


class ChainSet:
    """The built chains by profile name (built on first use, kept for instant switching)."""

    def __init__(self, config: Config):
        self.config = config
        self.whole = False   # no plane passes in libmpv: the whole profile in our chain
        self._chains: dict[tuple[str, bool], Chain] = {}
        self._baselines: dict[str, Chain] = {}
        self._planes: dict[tuple[str, bool], PlaneStage | None] = {}
        self._extensions: frozenset[str] | None = None   # the driver's, asked once
        self.builds = 0  # chains compiled so far (a frame that compiles one is not 'late')

    def _build(self, config: Config, name: str, whole: bool
               ) -> tuple[Chain, PlaneStage | None]:
        """The chain of a profile, and (for YUV video) its passes that hook planes only YUV
        video has (CHROMA, the true LUMA, NATIVE...): those run in libmpv's renderer, on the
        real planes (render/planes.py); the rest runs in our chain."""
        from player.render.offscreen import load_shaders
        from player.render.planes import split_plane_hooks
        profile = config.profile(name)
        files = load_shaders(profile.shaders)
        planes = None
        if not whole:
            if self._extensions is None:
                self._extensions = gpu.extensions()
            planes, files = split_plane_hooks(files, profile.params, self._extensions)
        chain = Chain(files, profile.scaler, profile.params, label=name)
        self.builds += 1
        return chain, planes

    def get(self, name: str) -> Chain:
        key = (name, self.whole)
        chain = self._chains.get(key)
        if chain is None:
            chain, self._planes[key] = self._build(self.config, name, self.whole)
            self._chains[key] = chain
        return chain

    def define(self, config: Config, name: str) -> None:
        """``config`` (re)defines profile ``name`` at run time (an mpv glsl-shaders mode):
        its chain is built anew on next use; the other built chains stay."""
        self.config = config
        for key in [k for k in self._chains if k[0] == name]:
            self._chains.pop(key).release()
            self._planes.pop(key, None)

    def plane_stage(self, name: str) -> PlaneStage | None:
        """What libmpv runs for profile ``name`` (None: nothing of it there)."""
        self.get(name)
        return self._planes.get((name, self.whole))

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
        new: dict[tuple[str, bool], tuple[Chain, PlaneStage | None]] = {}
        try:
            for key in self._chains:
                if key[0] in config.profiles:
                    new[key] = self._build(config, *key)
        except BaseException:
            for chain, _ in new.values():
                chain.release()
            raise
        for chain in self._chains.values():
            chain.release()
        self.config = config
        self._chains = {key: chain for key, (chain, _) in new.items()}
        self._planes = {key: planes for key, (_, planes) in new.items()}

    def release(self) -> None:
        for chain in list(self._chains.values()) + list(self._baselines.values()):
            chain.release()
        self._chains.clear()
        self._baselines.clear()

"""What libmpv runs for us: the passes of the tier that hook the planes only YUV video has.

render/planes.py splits a profile: passes on CHROMA, the true LUMA and NATIVE run in
libmpv's own renderer on the real planes (CuNNy's 2x LUMA included), the rest in our chain.
This object owns that bridge, long-lived: deciding whether the profile runs whole in our
chain (RGB video has no planes; A/B compare needs one libmpv frame for both sides), sending
libmpv the plane passes for (tier, video, output size) when they change, the size libmpv
renders at (larger where a plane pass enlarges luma, so mpv's scaler has nothing to do),
the GPU timer's name for libmpv's render, and what to do when libmpv cannot compile a pass
(libmpv has no other channel than its log for that: video.py turns those lines into
"renderer-error" events; here the tier's plane passes are turned off, said once).
"""
from __future__ import annotations

import os
import shutil
import tempfile

from player.render.planes import chroma_size

MPV_RENDER = "mpv render"


class PlaneBridge:
    def __init__(self, video, chains):
        self.video = video
        self.chains = chains
        self.whole = False            # the whole profile in our chain, nothing in libmpv
        self.label = MPV_RENDER       # the GPU timer's name for libmpv's render
        self._sent = None             # the plane shader text libmpv has now
        self.sent_count = 0           # texts sent so far: the version libmpv renders with
        self._folder: str | None = None   # our files of plane passes (one per text sent)
        self._key = None              # what update() last computed it for
        self._broken: set = set()     # plane stages libmpv could not compile
        self._errors: set[str] = set()   # libmpv compile errors already said

    def update(self, tier: str, compare: bool, out_w: int, out_h: int) -> tuple[int, int]:
        """Send libmpv the tier's plane passes for this video and output size (only when
        they change); the size libmpv must render at."""
        vp = self.video.props.get("video-params") or {}
        self.whole = vp.get("colormatrix") == "rgb" or compare
        stage = None if self.whole else self.chains.plane_stage(tier, False)
        if stage in self._broken:
            stage = None
        size = self.video.size
        key = (stage, vp.get("w"), vp.get("h"), vp.get("pixelformat"), size, out_w, out_h)
        if key == self._key:
            return self._size
        self._key = key
        text = None
        if stage is not None:
            w, h = int(vp.get("w") or size[0]), int(vp.get("h") or size[1])
            plan = stage.plan((w, h), chroma_size(w, h, vp.get("pixelformat")), (out_w, out_h))
            if plan.text is not None:
                text = plan.text
                size = (max(1, round(size[0] * plan.size[0] / w)),
                        max(1, round(size[1] * plan.size[1] / h)))
        if text != self._sent:
            self._sent = text
            self.sent_count += 1
            self.video.set_plane_file(self._write(text) if text is not None else None)
            n = 0 if text is None else text.count("//!HOOK ")
            self.label = f"{MPV_RENDER} + {n} plane pass{'es' * (n != 1)}" if n else MPV_RENDER
        self._size = size
        return size

    def _write(self, text: str) -> str:
        """The passes as a file of ours for libmpv (a new name each time: libmpv reloads
        a list whose names changed)."""
        if self._folder is None:
            self._folder = tempfile.mkdtemp(prefix="a4kplay-planes-")
        path = os.path.join(self._folder, f"planes-{self.sent_count}.glsl")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def release(self) -> None:
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def resend(self) -> None:
        """Someone else set libmpv's shader list: send ours again at the next frame."""
        self._sent, self._key = False, None

    def compile_failed(self, tier: str, text: str) -> str | None:
        """libmpv could not compile a pass (it then shows a broken, blue frame): the tier's
        plane passes are turned off until a reload; the message to show once, or None."""
        stage = None if self.whole or self._sent is None else \
            self.chains.plane_stage(tier, False)
        said = text in self._errors
        self._errors.add(text)
        if stage is not None and stage not in self._broken:
            self._broken.add(stage)
            self._key = None
            return (f"libmpv cannot compile the passes of {tier} on YUV planes here ({text}); "
                    "playing without them")
        return None if said else f"libmpv: {text}"

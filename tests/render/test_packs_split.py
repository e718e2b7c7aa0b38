"""The plane-hook split (render/planes.py) on a CuNNy/ArtCNN-shaped LUMA pack whose feature
passes keep LUMA's size without saying so (no WIDTH/HEIGHT) and whose last pass doubles it
while binding their saved textures. Pure: no GL, no libmpv.

Before the fix the size-keeping passes moved to libmpv and the 2x pass stays in our chain, where the
textures it binds never exist: the plan skips it quietly ("no texture named feat yet", as
mpv skips such a pass) and playback of YUV video shows the plain scaler, with no warning.
Fixed: a pass that stays keeps every pass whose SAVE it binds, so the pack stays whole."""
from __future__ import annotations

from player.render.hookfile import parse
from player.render.planes import split_plane_hooks

PACK = """//!DESC feat (LUMA size, no WIDTH/HEIGHT)
//!HOOK LUMA
//!BIND LUMA
//!SAVE feat
//!COMPONENTS 4
vec4 hook() { return vec4(LUMA_tex(LUMA_pos).x); }

//!DESC out 2x (binds feat)
//!HOOK LUMA
//!BIND LUMA
//!BIND feat
//!WIDTH LUMA.w 2 *
//!HEIGHT LUMA.h 2 *
vec4 hook() { return LUMA_tex(LUMA_pos) + 0.01 * feat_tex(feat_pos); }
"""

STATED = PACK.replace("//!SAVE feat\n", "//!SAVE feat\n//!WIDTH LUMA.w\n//!HEIGHT LUMA.h\n")


def _kept(text):
    moved, files = split_plane_hooks([parse(text)])
    return moved, [h.desc for f in files for h in f.hooks]


def test_a_pack_that_states_its_sizes_stays_whole_in_our_chain():
    moved, kept = _kept(STATED)
    assert moved is None and kept == ["feat (LUMA size, no WIDTH/HEIGHT)", "out 2x (binds feat)"]


def test_a_kept_pass_keeps_the_passes_whose_textures_it_binds():
    moved, kept = _kept(PACK)
    assert "out 2x (binds feat)" in kept
    assert "feat (LUMA size, no WIDTH/HEIGHT)" in kept or moved is None

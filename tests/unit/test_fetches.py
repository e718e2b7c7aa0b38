"""The fetch counter (player/render/fetches.py), pure: per output pixel, a fragment pass's
count is weighed by the pixels it writes, a compute pass's by the threads it dispatches."""
from __future__ import annotations

import pytest

from player.render import fetches
from player.render.hookfile import parse

FRAGMENT = """//!HOOK MAIN
//!BIND HOOKED
//!DESC two fetches per pixel
vec4 hook() { return HOOKED_tex(HOOKED_pos) + HOOKED_texOff(vec2(1.0, 0.0)); }
"""
# 16x16 pixels per group, 8x8 threads: each thread fetches once and writes 2x2 pixels
COMPUTE = """//!HOOK MAIN
//!BIND HOOKED
//!COMPUTE 16 16 8 8
//!DESC one fetch per thread, four pixels each
void hook() {
    vec4 c = HOOKED_tex(HOOKED_pos);
    ivec2 base = 2 * ivec2(gl_GlobalInvocationID.xy);
    for (int y = 0; y < 2; y++) {
        for (int x = 0; x < 2; x++) {
            imageStore(out_image, base + ivec2(x, y), c);
        }
    }
}
"""


def per_px(text, size=(64, 32)):
    planned = fetches.plan([parse(text)], size, size)
    return fetches.per_output_pixel(planned, size)


def test_a_fragment_pass_counts_per_pixel_written():
    assert per_px(FRAGMENT) == pytest.approx(2.0)      # same size: no scaler step


def test_a_compute_pass_counts_per_thread_not_per_pixel():
    assert per_px(COMPUTE) == pytest.approx(0.25)

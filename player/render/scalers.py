"""GLSL of the built-in passes: scalers (bilinear, bicubic, lanczos), luma extraction and the
luma merge. Text only; the chain compiles it. Formulas: docs/chain.md (mirrored in numpy by
player/media/reference.py, which the tests compare against).

``a4k_offset`` is the OFFSET correction (plan.py): the source position is moved by it, in
source texels, as mpv shifts the scaler's source rectangle by the accumulated offset.
"""
from __future__ import annotations

SCALERS = ("bilinear", "bicubic", "lanczos")

# Separable convolution scaler: one axis per pass. `a4k_axis` 0 = horizontal, 1 = vertical.
_SEPARABLE = """
uniform sampler2D src;
uniform vec2 src_size;
uniform vec2 dst_size;
uniform int a4k_axis;
uniform vec2 a4k_offset;
in vec2 a4k_pos;
out vec4 a4k_out;
{weight}
void main() {{
    vec2 px = a4k_pos * dst_size;            // output pixel centre, in pixels
    ivec2 at = ivec2(px);                     // integer pixel (same row/column in src)
    float p = px[a4k_axis] * src_size[a4k_axis] / dst_size[a4k_axis] - 0.5
              + a4k_offset[a4k_axis];
    float i = floor(p);
    float f = p - i;
    int last = int(src_size[a4k_axis]) - 1;
    vec4 sum = vec4(0.0);
    float wsum = 0.0;
    for (int k = {first}; k <= {lastk}; k++) {{
        float w = a4k_weight(f - float(k));
        ivec2 q = at;
        q[a4k_axis] = clamp(int(i) + k, 0, last);
        sum += w * texelFetch(src, q, 0);
        wsum += w;
    }}
    a4k_out = sum / wsum;
}}
"""

_CUBIC = """
float a4k_weight(float t) {
    t = abs(t);
    if (t <= 1.0) return (1.5 * t - 2.5) * t * t + 1.0;
    if (t < 2.0) return ((-0.5 * t + 2.5) * t - 4.0) * t + 2.0;
    return 0.0;
}
"""

_LANCZOS = """
const float A4K_PI = 3.14159265358979;
float a4k_sinc(float x) { return abs(x) < 1e-5 ? 1.0 : sin(A4K_PI * x) / (A4K_PI * x); }
float a4k_weight(float t) { return abs(t) < 3.0 ? a4k_sinc(t) * a4k_sinc(t / 3.0) : 0.0; }
"""

BILINEAR = """
uniform sampler2D src;
uniform vec2 src_size;
uniform vec2 a4k_offset;
in vec2 a4k_pos;
out vec4 a4k_out;
void main() { a4k_out = texture(src, a4k_pos + a4k_offset / src_size); }
"""

LUMA = """
uniform sampler2D src;
in vec2 a4k_pos;
out vec4 a4k_out;
void main() { a4k_out = vec4(dot(texture(src, a4k_pos).rgb, vec3(0.2126, 0.7152, 0.0722))); }
"""

# A LUMA pass changed the luma: add the difference to every channel (chroma kept).
LUMA_MERGE = """
uniform sampler2D src;
uniform sampler2D old_luma;
uniform sampler2D new_luma;
in vec2 a4k_pos;
out vec4 a4k_out;
void main() {
    vec4 c = texture(src, a4k_pos);
    float d = texture(new_luma, a4k_pos).r - texture(old_luma, a4k_pos).r;
    a4k_out = vec4(c.rgb + d, c.a);
}
"""


def separable(kind: str) -> str:
    if kind == "bicubic":
        return _SEPARABLE.format(weight=_CUBIC, first=-1, lastk=2)
    if kind == "lanczos":
        return _SEPARABLE.format(weight=_LANCZOS, first=-2, lastk=3)
    raise ValueError(kind)


def taps(kind: str) -> int:
    """Texture fetches per output pixel of a scaler (for the fetch counts of the bench)."""
    return {"bilinear": 1, "bicubic": 8, "lanczos": 12}[kind]

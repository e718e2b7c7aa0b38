"""GLSL of the built-in passes: scalers (bilinear, bicubic, lanczos), luma extraction and the
luma merge. Text only; the chain compiles it. Formulas: docs/chain.md (mirrored in numpy by
player/media/reference.py, which the tests compare against).

``a4k_offset`` is the OFFSET correction (plan.py): the source position is moved by it, in
source texels, as mpv shifts the scaler's source rectangle by the accumulated offset.

Bicubic and lanczos are separable: two passes, one per axis, each compiled for its axis
(``separable(kind, "x")``: the axis is a compile-time constant, not a uniform indexing
vectors). Bicubic computes its four Catmull-Rom weights in closed form (they sum to 1, so
nothing is normalised, no branches). On llvmpipe both changes together made bicubic's two
passes ~17% faster and lanczos' ~16% (960x540 -> 1920x1080, interleaved runs).

Why not one 2D pass: on llvmpipe (measured at 1920x1080) a pass costs ~7 ns per pixel
written, each texelFetch ~3 ns more and each GL_LINEAR fetch ~6 ns. A 4x4 Catmull-Rom
footprint needs 16 texelFetch, or 9 GL_LINEAR fetches (the middle pair of each axis merged
into one bilinear fetch); two passes need 4 fetches per pixel of each. At 960x540 ->
1920x1080 one pass took 1.3-1.7x the time of the old two passes (9 linear, 16 texelFetch,
4 texelFetch + 5 linear alike) and 1.5-1.9x that of these, so the two passes stay.
"""
from __future__ import annotations

SCALERS = ("bilinear", "bicubic", "lanczos")
AXES = ("x", "y")

_HEAD = """
uniform sampler2D src;
uniform vec2 src_size;
uniform vec2 dst_size;
uniform vec2 a4k_offset;
in vec2 a4k_pos;
out vec4 a4k_out;
"""

# The source position along AX of this output pixel: integer part i, fraction f. The other
# axis keeps the output pixel's row/column (`at`), which the source shares.
_POSITION = """
    vec2 px = a4k_pos * dst_size;            // output pixel centre, in pixels
    ivec2 at = ivec2(px);                     // integer pixel (same row/column in src)
    float p = px.AX * src_size.AX / dst_size.AX - 0.5 + a4k_offset.AX;
    float i = floor(p);
    float f = p - i;
    int last = int(src_size.AX) - 1;
"""

# Catmull-Rom (a = -0.5) at distances 1 + f, f, 1 - f, 2 - f from taps i-1 .. i+2, with
# g = 1 - f: w(t) = 1.5t^3 - 2.5t^2 + 1 (|t| <= 1), -0.5t^3 + 2.5t^2 - 4t + 2 (1 < |t| < 2)
# expands to the four lines below; their sum is exactly 1 (docs/chain.md).
_CUBIC_AXIS = _HEAD + """
void main() {""" + _POSITION + """
    float g = 1.0 - f;
    float w0 = -0.5 * f * g * g;
    float w1 = (1.5 * f - 2.5) * f * f + 1.0;
    float w2 = (1.5 * g - 2.5) * g * g + 1.0;
    float w3 = -0.5 * g * f * f;
    int k = int(i);
    ivec2 q0 = at, q1 = at, q2 = at, q3 = at;
    q0.AX = clamp(k - 1, 0, last);
    q1.AX = clamp(k, 0, last);
    q2.AX = clamp(k + 1, 0, last);
    q3.AX = clamp(k + 2, 0, last);
    a4k_out = texelFetch(src, q0, 0) * w0 + texelFetch(src, q1, 0) * w1
            + texelFetch(src, q2, 0) * w2 + texelFetch(src, q3, 0) * w3;
}
"""

# A weight function ``a4k_weight`` over taps i+first .. i+lastk, normalised by their sum.
_LOOP_AXIS = _HEAD + """{weight}
void main() {{""" + _POSITION + """
    vec4 sum = vec4(0.0);
    float wsum = 0.0;
    for (int k = {first}; k <= {lastk}; k++) {{
        float w = a4k_weight(f - float(k));
        ivec2 q = at;
        q.AX = clamp(int(i) + k, 0, last);
        sum += w * texelFetch(src, q, 0);
        wsum += w;
    }}
    a4k_out = sum / wsum;
}}
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


def separable(kind: str, axis: str) -> str:
    """The one-axis pass of a separable scaler, ``axis`` "x" (horizontal) or "y"."""
    if axis not in AXES:
        raise ValueError(axis)
    if kind == "bicubic":
        text = _CUBIC_AXIS
    elif kind == "lanczos":
        text = _LOOP_AXIS.format(weight=_LANCZOS, first=-2, lastk=3)
    else:
        raise ValueError(kind)
    return text.replace(".AX", "." + axis)


def taps(kind: str) -> int:
    """Texture fetches per output pixel of a scaler (for the fetch counts of the bench)."""
    return {"bilinear": 1, "bicubic": 8, "lanczos": 12}[kind]

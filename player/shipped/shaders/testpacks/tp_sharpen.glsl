// TP Sharpen (CAS-style, at the upscaled size)
// a4kplay bench test pack (our own synthetic shader, arbitrary weights):
// a 3x3 edge map, then an edge-weighted 3x3 unsharp mask; a pass for downscaling only, skipped by WHEN when upscaling.
// Plain mpv user shader (no PARAM blocks) so mpv 0.35 runs it too.

//!DESC TP Sharpen edge map 3x3
//!HOOK MAIN
//!BIND HOOKED
//!SAVE TP_EDGE
//!COMPONENTS 1
//!WHEN OUTPUT.w MAIN.w / 0.9 >
#define L(x, y) dot(HOOKED_texOff(vec2(x, y)).rgb, vec3(0.299, 0.587, 0.114))
vec4 hook() {
    float a = L(-1, -1), b = L(0, -1), c = L(1, -1);
    float d = L(-1, 0), e = L(0, 0), f = L(1, 0);
    float g = L(-1, 1), h = L(0, 1), i = L(1, 1);
    float gx = (c + 2.0 * f + i) - (a + 2.0 * d + g);
    float gy = (g + 2.0 * h + i) - (a + 2.0 * b + c);
    return vec4(clamp(length(vec2(gx, gy)), 0.0, 1.0));
}

//!DESC TP Sharpen unsharp 3x3
//!HOOK MAIN
//!BIND HOOKED
//!BIND TP_EDGE
//!WHEN OUTPUT.w MAIN.w / 0.9 >
vec4 hook() {
    vec4 c = HOOKED_texOff(vec2(0.0));
    vec4 blur = vec4(0.0);
    for (int y = -1; y <= 1; y++)
        for (int x = -1; x <= 1; x++)
            blur += HOOKED_texOff(vec2(x, y)) * ((x == 0 ? 2.0 : 1.0) * (y == 0 ? 2.0 : 1.0) / 16.0);
    float edge = TP_EDGE_tex(TP_EDGE_pos).x;
    return vec4(c.rgb + 0.6 * edge * (c.rgb - blur.rgb), c.a);
}

//!DESC TP Sharpen antiring (downscaling only)
//!HOOK MAIN
//!BIND HOOKED
//!WHEN MAIN.w OUTPUT.w >
vec4 hook() {
    vec4 lo = HOOKED_texOff(vec2(0.0)), hi = lo;
    for (int k = 0; k < 9; k++) {
        vec4 t = HOOKED_texOff(vec2(k % 3 - 1, k / 3 - 1));
        lo = min(lo, t);
        hi = max(hi, t);
    }
    return clamp(HOOKED_texOff(vec2(0.0)), lo, hi);
}

// Anime4K v1.0 "UltraFast" tier for a4kplay (mpv user-shader format).
// Written from docs/anime4k-v1-algorithm.md (Anime4K v1.0 RC2, B. Peng, 2019, MIT).
//
// No luma blur and no colour-divide line detector: the line map is the blurred gradient
// magnitude, P = 1 - blur5(G), with the Sobel taken at SOURCE-texel steps (as published)
// and the maps stored at OUTPUT size. Then one gradient refine on the scaled image
// (threshold 0.4, constant strength 0.3: half the published 0.6, which fell 0.34 dB below
// bicubic on realistic anime frames; variants/ultrafast_published.glsl keeps 0.6).
// Below a 1.4x upscale nothing runs. Ratio bands (issue 28; WHEN on OUTPUT / MAIN, one of the
// two refine passes runs): above 3.5x the refine runs at a quarter of that (0.075). At 4x
// 0.3 was 0.015 dB below bicubic on clean line art; a quarter is level with it there and
// still above it on the realistic set (docs/training.md, "Every scale";
// player/media/reference.py RATIO_BANDS).
// Luma comes from RGB (Rec.709) because a4kplay receives RGB frames.
//
// Every read of a same-size texture at whole-pixel offsets uses texelFetch with the index
// clamped to the texture: exactly what texture() returns at that texel centre with
// clamp-to-edge, at a fraction of the cost on software renderers (llvmpipe).

//!DESC Anime4K UltraFast: Sobel rows
//!HOOK MAIN
//!BIND HOOKED
//!SAVE A4KU_ROWS
//!WIDTH OUTPUT.w
//!HEIGHT OUTPUT.h
//!COMPONENTS 2
//!WHEN OUTPUT.w MAIN.w / 1.4 > OUTPUT.h MAIN.h / 1.4 > *

#define Y(k) dot(HOOKED_tex(HOOKED_pos + vec2(k * HOOKED_pt.x, 0.0)).rgb, vec3(0.2126, 0.7152, 0.0722))

vec4 hook() {
    float l = Y(-1.0), c = Y(0.0), r = Y(1.0);
    return vec4(r - l, l + 2.0 * c + r, 0.0, 0.0);
}

//!DESC Anime4K UltraFast: Sobel
//!HOOK MAIN
//!BIND HOOKED
//!BIND A4KU_ROWS
//!SAVE A4KU_G
//!WIDTH OUTPUT.w
//!HEIGHT OUTPUT.h
//!COMPONENTS 1
//!WHEN OUTPUT.w MAIN.w / 1.4 > OUTPUT.h MAIN.h / 1.4 > *

// HOOKED (MAIN) is bound only for its texel size: the Sobel steps are source texels.
#define R(k) A4KU_ROWS_tex(A4KU_ROWS_pos + vec2(0.0, k * HOOKED_pt.y))

vec4 hook() {
    vec2 t = R(-1.0).xy, c = R(0.0).xy, b = R(1.0).xy;
    float gx = t.x + 2.0 * c.x + b.x;
    float gy = b.y - t.y;
    return vec4(1.0 - clamp(length(vec2(gx, gy)), 0.0, 1.0), 0.0, 0.0, 0.0);
}

//!DESC Anime4K UltraFast: gradient blur H
//!HOOK MAIN
//!BIND A4KU_G
//!SAVE A4KU_GH
//!WIDTH OUTPUT.w
//!HEIGHT OUTPUT.h
//!COMPONENTS 2
//!WHEN OUTPUT.w MAIN.w / 1.4 > OUTPUT.h MAIN.h / 1.4 > *

// Whole-pixel reads of a same-size texture: texelFetch, index clamped (see the header).
ivec2 a4k_at, a4k_last;
#define S(k) texelFetch(A4KU_G_raw, clamp(a4k_at + ivec2(k, 0), ivec2(0), a4k_last), 0).x

vec4 hook() {
    a4k_at = ivec2(A4KU_G_pos * A4KU_G_size);
    a4k_last = ivec2(A4KU_G_size) - 1;
    float c = S(0);
    float blur = 0.212543 * c + 0.206038 * (S(-1) + S(1)) + 0.187691 * (S(-2) + S(2));
    return vec4(clamp(blur, 0.0, 1.0), c, 0.0, 0.0);  // G rides along in y
}

//!DESC Anime4K UltraFast: gradient blur V
//!HOOK MAIN
//!BIND A4KU_GH
//!SAVE A4KU_PG
//!WIDTH OUTPUT.w
//!HEIGHT OUTPUT.h
//!COMPONENTS 2
//!WHEN OUTPUT.w MAIN.w / 1.4 > OUTPUT.h MAIN.h / 1.4 > *

// Whole-pixel reads of a same-size texture: texelFetch, index clamped (see the header).
ivec2 a4k_at, a4k_last;
#define S(k) texelFetch(A4KU_GH_raw, clamp(a4k_at + ivec2(0, k), ivec2(0), a4k_last), 0)

vec4 hook() {
    a4k_at = ivec2(A4KU_GH_pos * A4KU_GH_size);
    a4k_last = ivec2(A4KU_GH_size) - 1;
    vec4 c = S(0);
    float blur = 0.212543 * c.x + 0.206038 * (S(-1).x + S(1).x)
               + 0.187691 * (S(-2).x + S(2).x);
    // x: line probability P = blurred gradient magnitude, y: G
    return vec4(1.0 - clamp(blur, 0.0, 1.0), c.y, 0.0, 0.0);
}

//!DESC Anime4K UltraFast: refine (1.4x-3.5x)
//!HOOK SCALED
//!BIND HOOKED
//!BIND A4KU_PG
//!WHEN OUTPUT.w MAIN.w / 1.4 > OUTPUT.h MAIN.h / 1.4 > * OUTPUT.w MAIN.w / 3.5 > OUTPUT.h MAIN.h / 3.5 > * ! *

const ivec3 LIGHT[8] = ivec3[8](ivec3(0, 1, 2), ivec3(5, 1, 2), ivec3(5, 8, 2), ivec3(5, 8, 7),
                                ivec3(6, 7, 8), ivec3(6, 3, 7), ivec3(3, 0, 6), ivec3(1, 3, 0));
const ivec3 DARK[8] = ivec3[8](ivec3(6, 7, 8), ivec3(4, 3, 7), ivec3(3, 0, 6), ivec3(4, 3, 1),
                               ivec3(0, 1, 2), ivec3(4, 5, 1), ivec3(5, 8, 2), ivec3(4, 5, 7));
bool matches(int k, float key[9]) {
    ivec3 l = LIGHT[k], d = DARK[k];
    float lmin = min(min(key[l.x], key[l.y]), key[l.z]);
    bool centre = (k % 2 == 1) || lmin > key[4] + 1.0 / 128.0;
    return centre && lmin > max(max(key[d.x], key[d.y]), key[d.z]) + 1.0 / 128.0;
}

// Whole-pixel reads of a same-size texture: texelFetch, index clamped (see the header).
ivec2 a4k_at, a4k_last;
#define PX(off) texelFetch(HOOKED_raw, clamp(a4k_at + (off), ivec2(0), a4k_last), 0)
#define MAP(off) texelFetch(A4KU_PG_raw, clamp(a4k_at + (off), ivec2(0), a4k_last), 0)
ivec2 cell(int i) { return ivec2(i % 3 - 1, i / 3 - 1); }  // 3x3 window, row-major

vec4 hook() {
    a4k_at = ivec2(HOOKED_pos * HOOKED_size);
    a4k_last = ivec2(HOOKED_size) - 1;
    vec4 c = PX(ivec2(0));
    vec2 pg = MAP(ivec2(0)).xy;
    if (pg.x < 0.4)
        return c;
    // Key = flatness G: colour is pulled from the flatter side, which steepens the ramp.
    float key[9];
    for (int i = 0; i < 9; i++)
        key[i] = i == 4 ? pg.y : MAP(cell(i)).y;
    const float s = 0.3;
    for (int i = 0; i < 8; i++) {
        int k = i / 2 + (i % 2) * 4;  // K0, K4, K1, K5, K2, K6, K3, K7
        if (matches(k, key)) {
            ivec3 l = LIGHT[k];
            vec4 light = PX(cell(l.x)) + PX(cell(l.y)) + PX(cell(l.z));
            return mix(c, light / 3.0, s);
        }
    }
    return c;
}

//!DESC Anime4K UltraFast: refine (above 3.5x, quarter strength)
//!HOOK SCALED
//!BIND HOOKED
//!BIND A4KU_PG
//!WHEN OUTPUT.w MAIN.w / 3.5 > OUTPUT.h MAIN.h / 3.5 > *

const ivec3 LIGHT[8] = ivec3[8](ivec3(0, 1, 2), ivec3(5, 1, 2), ivec3(5, 8, 2), ivec3(5, 8, 7),
                                ivec3(6, 7, 8), ivec3(6, 3, 7), ivec3(3, 0, 6), ivec3(1, 3, 0));
const ivec3 DARK[8] = ivec3[8](ivec3(6, 7, 8), ivec3(4, 3, 7), ivec3(3, 0, 6), ivec3(4, 3, 1),
                               ivec3(0, 1, 2), ivec3(4, 5, 1), ivec3(5, 8, 2), ivec3(4, 5, 7));
bool matches(int k, float key[9]) {
    ivec3 l = LIGHT[k], d = DARK[k];
    float lmin = min(min(key[l.x], key[l.y]), key[l.z]);
    bool centre = (k % 2 == 1) || lmin > key[4] + 1.0 / 128.0;
    return centre && lmin > max(max(key[d.x], key[d.y]), key[d.z]) + 1.0 / 128.0;
}

// Whole-pixel reads of a same-size texture: texelFetch, index clamped (see the header).
ivec2 a4k_at, a4k_last;
#define PX(off) texelFetch(HOOKED_raw, clamp(a4k_at + (off), ivec2(0), a4k_last), 0)
#define MAP(off) texelFetch(A4KU_PG_raw, clamp(a4k_at + (off), ivec2(0), a4k_last), 0)
ivec2 cell(int i) { return ivec2(i % 3 - 1, i / 3 - 1); }  // 3x3 window, row-major

vec4 hook() {
    a4k_at = ivec2(HOOKED_pos * HOOKED_size);
    a4k_last = ivec2(HOOKED_size) - 1;
    vec4 c = PX(ivec2(0));
    vec2 pg = MAP(ivec2(0)).xy;
    if (pg.x < 0.4)
        return c;
    // Key = flatness G: colour is pulled from the flatter side, which steepens the ramp.
    float key[9];
    for (int i = 0; i < 9; i++)
        key[i] = i == 4 ? pg.y : MAP(cell(i)).y;
    const float s = 0.075;  // a quarter of 0.3: at 4x more fell below bicubic (header)
    for (int i = 0; i < 8; i++) {
        int k = i / 2 + (i % 2) * 4;  // K0, K4, K1, K5, K2, K6, K3, K7
        if (matches(k, key)) {
            ivec3 l = LIGHT[k];
            vec4 light = PX(cell(l.x)) + PX(cell(l.y)) + PX(cell(l.z));
            return mix(c, light / 3.0, s);
        }
    }
    return c;
}


// Anime4K v1.0 "Fast" tier for a4kplay (mpv user-shader format).
// Written from docs/anime4k-v1-algorithm.md (Anime4K v1.0 RC2, B. Peng, 2019, MIT).
//
// The Full tier's analysis with 5-tap blurs (maps at OUTPUT size, output-pixel steps),
// then only the gradient refine (threshold 0.07, strength at most 0.6) on the scaled
// image; no thin lines, no FXAA. Below a 1.4x upscale in either axis nothing runs.
// Ratio bands (issue 28; WHEN on OUTPUT / MAIN, one of the two refine passes runs): up to
// 1.75x the refine runs at half strength (at most 0.3). At 1.5x the 2x strength was 0.06 dB
// below bicubic on the realistic validation set; half is above it there and on clean line
// art (docs/training.md, "Every scale"; player/media/reference.py RATIO_BANDS).
// Luma comes from RGB (Rec.709) because a4kplay receives RGB frames.
//
// Every read of a same-size texture at whole-pixel offsets uses texelFetch with the index
// clamped to the texture: exactly what texture() returns at that texel centre with
// clamp-to-edge, at a fraction of the cost on software renderers (llvmpipe).

//!DESC Anime4K Fast: luma blur H + Sobel rows
//!HOOK MAIN
//!BIND HOOKED
//!SAVE A4KA_ROWS
//!WIDTH OUTPUT.w
//!HEIGHT OUTPUT.h
//!COMPONENTS 4
//!WHEN OUTPUT.w MAIN.w / 1.4 > OUTPUT.h MAIN.h / 1.4 > *

#define Y(k) dot(HOOKED_tex(HOOKED_pos + vec2(k, 0.0) / target_size).rgb, vec3(0.2126, 0.7152, 0.0722))

vec4 hook() {
    float c = Y(0.0);
    float l1 = Y(-1.0), r1 = Y(1.0), l2 = Y(-2.0), r2 = Y(2.0);
    float blur = 0.212543 * c + 0.206038 * (l1 + r1) + 0.187691 * (l2 + r2);
    // x: blurred luma (H), y: luma, z/w: the Sobel row terms Y(r)-Y(l) and Y(l)+2Y(c)+Y(r)
    return vec4(clamp(blur, 0.0, 1.0), c, r1 - l1, l1 + 2.0 * c + r1);
}

//!DESC Anime4K Fast: luma blur V + line detect + Sobel
//!HOOK MAIN
//!BIND A4KA_ROWS
//!SAVE A4KA_LG
//!WIDTH OUTPUT.w
//!HEIGHT OUTPUT.h
//!COMPONENTS 2
//!WHEN OUTPUT.w MAIN.w / 1.4 > OUTPUT.h MAIN.h / 1.4 > *

// Whole-pixel reads of a same-size texture: texelFetch, index clamped (see the header).
ivec2 a4k_at, a4k_last;
#define R(k) texelFetch(A4KA_ROWS_raw, clamp(a4k_at + ivec2(0, k), ivec2(0), a4k_last), 0)

vec4 hook() {
    a4k_at = ivec2(A4KA_ROWS_pos * A4KA_ROWS_size);
    a4k_last = ivec2(A4KA_ROWS_size) - 1;
    vec4 c = R(0);
    vec4 t1 = R(-1), b1 = R(1), t2 = R(-2), b2 = R(2);
    float blur = 0.212543 * c.x + 0.206038 * (t1.x + b1.x) + 0.187691 * (t2.x + b2.x);
    // "Colour divide": a pixel darker than its blurred surroundings is likely a line.
    float ratio = min(clamp(c.y, 0.001, 0.999) / clamp(blur, 0.001, 0.999), 1.0);
    float line = 1.0 - clamp(ratio - 0.05, 0.0, 1.0);
    float gx = t1.z + 2.0 * c.z + b1.z;
    float gy = b1.w - t1.w;
    return vec4(line, 1.0 - clamp(length(vec2(gx, gy)), 0.0, 1.0), 0.0, 0.0);
}

//!DESC Anime4K Fast: line blur H
//!HOOK MAIN
//!BIND A4KA_LG
//!SAVE A4KA_LH
//!WIDTH OUTPUT.w
//!HEIGHT OUTPUT.h
//!COMPONENTS 2
//!WHEN OUTPUT.w MAIN.w / 1.4 > OUTPUT.h MAIN.h / 1.4 > *

// Whole-pixel reads of a same-size texture: texelFetch, index clamped (see the header).
ivec2 a4k_at, a4k_last;
#define S(k) texelFetch(A4KA_LG_raw, clamp(a4k_at + ivec2(k, 0), ivec2(0), a4k_last), 0)

vec4 hook() {
    a4k_at = ivec2(A4KA_LG_pos * A4KA_LG_size);
    a4k_last = ivec2(A4KA_LG_size) - 1;
    vec4 c = S(0);
    float blur = 0.212543 * c.x + 0.206038 * (S(-1).x + S(1).x)
               + 0.187691 * (S(-2).x + S(2).x);
    return vec4(clamp(blur, 0.0, 1.0), c.y, 0.0, 0.0);  // G rides along in y
}

//!DESC Anime4K Fast: line blur V
//!HOOK MAIN
//!BIND A4KA_LH
//!SAVE A4KA_PG
//!WIDTH OUTPUT.w
//!HEIGHT OUTPUT.h
//!COMPONENTS 2
//!WHEN OUTPUT.w MAIN.w / 1.4 > OUTPUT.h MAIN.h / 1.4 > *

// Whole-pixel reads of a same-size texture: texelFetch, index clamped (see the header).
ivec2 a4k_at, a4k_last;
#define S(k) texelFetch(A4KA_LH_raw, clamp(a4k_at + ivec2(0, k), ivec2(0), a4k_last), 0)

vec4 hook() {
    a4k_at = ivec2(A4KA_LH_pos * A4KA_LH_size);
    a4k_last = ivec2(A4KA_LH_size) - 1;
    vec4 c = S(0);
    float blur = 0.212543 * c.x + 0.206038 * (S(-1).x + S(1).x)
               + 0.187691 * (S(-2).x + S(2).x);
    return vec4(clamp(blur, 0.0, 1.0), c.y, 0.0, 0.0);  // x: line probability P, y: G
}

//!DESC Anime4K Fast: refine (above 1.75x)
//!HOOK SCALED
//!BIND HOOKED
//!BIND A4KA_PG
//!WHEN OUTPUT.w MAIN.w / 1.75 > OUTPUT.h MAIN.h / 1.75 > *

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
#define MAP(off) texelFetch(A4KA_PG_raw, clamp(a4k_at + (off), ivec2(0), a4k_last), 0)
ivec2 cell(int i) { return ivec2(i % 3 - 1, i / 3 - 1); }  // 3x3 window, row-major

vec4 hook() {
    a4k_at = ivec2(HOOKED_pos * HOOKED_size);
    a4k_last = ivec2(HOOKED_size) - 1;
    vec4 c = PX(ivec2(0));
    vec2 pg = MAP(ivec2(0)).xy;
    if (pg.x < 0.07)
        return c;
    // Key = flatness G: colour is pulled from the flatter side, which steepens the ramp.
    float key[9];
    for (int i = 0; i < 9; i++)
        key[i] = i == 4 ? pg.y : MAP(cell(i)).y;
    float s = clamp(min(target_size.x / input_size.x, 1.0) * pg.x * 6.0, 0.0, 0.6);
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

//!DESC Anime4K Fast: refine (1.4x-1.75x, half strength)
//!HOOK SCALED
//!BIND HOOKED
//!BIND A4KA_PG
//!WHEN OUTPUT.w MAIN.w / 1.4 > OUTPUT.h MAIN.h / 1.4 > * OUTPUT.w MAIN.w / 1.75 > OUTPUT.h MAIN.h / 1.75 > * ! *

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
#define MAP(off) texelFetch(A4KA_PG_raw, clamp(a4k_at + (off), ivec2(0), a4k_last), 0)
ivec2 cell(int i) { return ivec2(i % 3 - 1, i / 3 - 1); }  // 3x3 window, row-major

vec4 hook() {
    a4k_at = ivec2(HOOKED_pos * HOOKED_size);
    a4k_last = ivec2(HOOKED_size) - 1;
    vec4 c = PX(ivec2(0));
    vec2 pg = MAP(ivec2(0)).xy;
    if (pg.x < 0.07)
        return c;
    // Key = flatness G: colour is pulled from the flatter side, which steepens the ramp.
    float key[9];
    for (int i = 0; i < 9; i++)
        key[i] = i == 4 ? pg.y : MAP(cell(i)).y;
    // Half the 2x strength: at 1.5x the full one fell below bicubic on val-real (header).
    float s = clamp(min(target_size.x / input_size.x, 1.0) * pg.x * 6.0, 0.0, 0.6) * 0.5;
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


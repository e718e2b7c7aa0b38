// Anime4K v1.0 "Full" tier, variant with the analysis maps stored at SOURCE size.
// Written from docs/anime4k-v1-algorithm.md (Anime4K v1.0 RC2, B. Peng, 2019, MIT).
//
// Identical to ../full.glsl except that the four analysis passes write their maps at
// MAIN size (as the original does) while still stepping in output pixels; the
// refinement passes then read P and G back bilinearly. A quarter of the analysis work
// and bandwidth at 2x, at the cost of blurrier maps. Kept to measure against full.glsl
// (both with full.glsl's retuned strengths; a4kplay quality, GL, 2x, BT.601 luma PSNR):
// on the 8-image corpus 36.23 dB against full.glsl's 35.83 (sharpness 0.903 vs 0.912), but
// on the realistic validation set 39.25 against 40.14, below bicubic's 39.66, so it is
// not the tier.

//!DESC Anime4K Full (source maps): luma blur H + Sobel rows
//!HOOK MAIN
//!BIND HOOKED
//!SAVE A4KV_ROWS
//!COMPONENTS 4
//!WHEN OUTPUT.w MAIN.w / 1.4 > OUTPUT.h MAIN.h / 1.4 > *

#define Y(k) dot(HOOKED_tex(HOOKED_pos + vec2(k, 0.0) / target_size).rgb, vec3(0.2126, 0.7152, 0.0722))

vec4 hook() {
    float c = Y(0.0);
    float l1 = Y(-1.0), r1 = Y(1.0), l2 = Y(-2.0), r2 = Y(2.0), l3 = Y(-3.0), r3 = Y(3.0);
    float blur = 0.160854 * c + 0.155931 * (l1 + r1) + 0.142046 * (l2 + r2) + 0.121597 * (l3 + r3);
    // x: blurred luma (H), y: luma, z/w: the Sobel row terms Y(r)-Y(l) and Y(l)+2Y(c)+Y(r)
    return vec4(clamp(blur, 0.0, 1.0), c, r1 - l1, l1 + 2.0 * c + r1);
}

//!DESC Anime4K Full (source maps): luma blur V + line detect + Sobel
//!HOOK MAIN
//!BIND A4KV_ROWS
//!SAVE A4KV_LG
//!COMPONENTS 2
//!WHEN OUTPUT.w MAIN.w / 1.4 > OUTPUT.h MAIN.h / 1.4 > *

#define R(k) A4KV_ROWS_tex(A4KV_ROWS_pos + vec2(0.0, k) / target_size)

vec4 hook() {
    vec4 c = R(0.0);
    vec4 t1 = R(-1.0), b1 = R(1.0), t2 = R(-2.0), b2 = R(2.0), t3 = R(-3.0), b3 = R(3.0);
    float blur = 0.160854 * c.x + 0.155931 * (t1.x + b1.x) + 0.142046 * (t2.x + b2.x)
               + 0.121597 * (t3.x + b3.x);
    // "Colour divide": a pixel darker than its blurred surroundings is likely a line.
    float ratio = min(clamp(c.y, 0.001, 0.999) / clamp(blur, 0.001, 0.999), 1.0);
    float line = 1.0 - clamp(ratio - 0.05, 0.0, 1.0);
    float gx = t1.z + 2.0 * c.z + b1.z;
    float gy = b1.w - t1.w;
    return vec4(line, 1.0 - clamp(length(vec2(gx, gy)), 0.0, 1.0), 0.0, 0.0);
}

//!DESC Anime4K Full (source maps): line blur H
//!HOOK MAIN
//!BIND A4KV_LG
//!SAVE A4KV_LH
//!COMPONENTS 2
//!WHEN OUTPUT.w MAIN.w / 1.4 > OUTPUT.h MAIN.h / 1.4 > *

#define S(k) A4KV_LG_tex(A4KV_LG_pos + vec2(k, 0.0) / target_size)

vec4 hook() {
    vec4 c = S(0.0);
    float blur = 0.160854 * c.x + 0.155931 * (S(-1.0).x + S(1.0).x)
               + 0.142046 * (S(-2.0).x + S(2.0).x) + 0.121597 * (S(-3.0).x + S(3.0).x);
    return vec4(clamp(blur, 0.0, 1.0), c.y, 0.0, 0.0);  // G rides along in y
}

//!DESC Anime4K Full (source maps): line blur V
//!HOOK MAIN
//!BIND A4KV_LH
//!SAVE A4KV_PG
//!COMPONENTS 2
//!WHEN OUTPUT.w MAIN.w / 1.4 > OUTPUT.h MAIN.h / 1.4 > *

#define S(k) A4KV_LH_tex(A4KV_LH_pos + vec2(0.0, k) / target_size)

vec4 hook() {
    vec4 c = S(0.0);
    float blur = 0.160854 * c.x + 0.155931 * (S(-1.0).x + S(1.0).x)
               + 0.142046 * (S(-2.0).x + S(2.0).x) + 0.121597 * (S(-3.0).x + S(3.0).x);
    return vec4(clamp(blur, 0.0, 1.0), c.y, 0.0, 0.0);  // x: line probability P, y: G
}

//!DESC Anime4K Full (source maps): thin lines
//!HOOK SCALED
//!BIND HOOKED
//!BIND A4KV_PG
//!WHEN OUTPUT.w MAIN.w / 1.4 > OUTPUT.h MAIN.h / 1.4 > *

// 3x3 window, row-major from the top left; kernel k and its mirror k + 4.
const ivec3 LIGHT[8] = ivec3[8](ivec3(0, 1, 2), ivec3(5, 1, 2), ivec3(5, 8, 2), ivec3(5, 8, 7),
                                ivec3(6, 7, 8), ivec3(6, 3, 7), ivec3(3, 0, 6), ivec3(1, 3, 0));
const ivec3 DARK[8] = ivec3[8](ivec3(6, 7, 8), ivec3(4, 3, 7), ivec3(3, 0, 6), ivec3(4, 3, 1),
                               ivec3(0, 1, 2), ivec3(4, 5, 1), ivec3(5, 8, 2), ivec3(4, 5, 7));
bool matches(int k, float key[9]) {
    ivec3 l = LIGHT[k], d = DARK[k];
    float lmin = min(min(key[l.x], key[l.y]), key[l.z]);
    // K0, K4, K2, K6 also need a darker centre. The 1/128 margin keeps exact ties (common:
    // G is clamped to 0 or 1) from flipping on sampler rounding.
    bool centre = (k % 2 == 1) || lmin > key[4] + 1.0 / 128.0;
    return centre && lmin > max(max(key[d.x], key[d.y]), key[d.z]) + 1.0 / 128.0;
}

vec4 hook() {
    vec4 c = HOOKED_tex(HOOKED_pos);
    float p = A4KV_PG_tex(HOOKED_pos).x;
    if (p < 0.06)
        return c;
    vec4 px[9];
    float key[9];
    for (int i = 0; i < 9; i++) {
        px[i] = i == 4 ? c : HOOKED_tex(HOOKED_pos + vec2(i % 3 - 1, i / 3 - 1) / target_size);
        key[i] = dot(px[i].rgb, vec3(0.2126, 0.7152, 0.0722));
    }
    // Published strength min(scale / 6, 1), scaled by 0.10: thinning lines costs PSNR
    // against area-downscaled ground truth (measured, see player/reference.py).
    float st = min(target_size.x / input_size.x / 6.0, 1.0) * 0.10;
    vec4 best = c;
    float best_key = key[4];
    for (int i = 0; i < 4; i++) {
        int k = matches(i, key) ? i : (matches(i + 4, key) ? i + 4 : -1);
        if (k < 0)
            continue;
        ivec3 l = LIGHT[k];
        vec4 cand = mix(c, (px[l.x] + px[l.y] + px[l.z]) / 3.0, st);
        float cand_key = mix(key[4], (key[l.x] + key[l.y] + key[l.z]) / 3.0, st);
        if (cand_key > best_key) {
            best = cand;
            best_key = cand_key;
        }
    }
    return best;
}

//!DESC Anime4K Full (source maps): refine
//!HOOK SCALED
//!BIND HOOKED
//!BIND A4KV_PG
//!WHEN OUTPUT.w MAIN.w / 1.4 > OUTPUT.h MAIN.h / 1.4 > *

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

vec4 hook() {
    vec4 c = HOOKED_tex(HOOKED_pos);
    vec2 pg = A4KV_PG_tex(HOOKED_pos).xy;
    if (pg.x < 0.06)
        return c;
    // Key = flatness G: colour is pulled from the flatter side, which steepens the ramp.
    float key[9];
    for (int i = 0; i < 9; i++)
        key[i] = i == 4 ? pg.y : A4KV_PG_tex(HOOKED_pos + vec2(i % 3 - 1, i / 3 - 1) / target_size).y;
    float s = clamp(min(target_size.x / input_size.x, 1.0) * pg.x * 6.0, 0.0, 1.0) * 0.75;
    for (int i = 0; i < 8; i++) {
        int k = i / 2 + (i % 2) * 4;  // K0, K4, K1, K5, K2, K6, K3, K7
        if (matches(k, key)) {
            ivec3 l = LIGHT[k];
            vec4 light = HOOKED_tex(HOOKED_pos + vec2(l.x % 3 - 1, l.x / 3 - 1) / target_size)
                       + HOOKED_tex(HOOKED_pos + vec2(l.y % 3 - 1, l.y / 3 - 1) / target_size)
                       + HOOKED_tex(HOOKED_pos + vec2(l.z % 3 - 1, l.z / 3 - 1) / target_size);
            return mix(c, light / 3.0, s);
        }
    }
    return c;
}

//!DESC Anime4K Full (source maps): FXAA
//!HOOK SCALED
//!BIND HOOKED
//!BIND A4KV_PG
//!WHEN OUTPUT.w MAIN.w / 1.4 > OUTPUT.h MAIN.h / 1.4 > *

#define LUMA(v) dot((v).rgb, vec3(2.0, 3.0, 1.0) / 6.0)
#define AT(off) HOOKED_tex(HOOKED_pos + (off))

vec4 hook() {
    vec4 c = HOOKED_tex(HOOKED_pos);
    float p = A4KV_PG_tex(HOOKED_pos).x;
    if (p < 0.06)
        return c;
    vec2 d = 1.0 / target_size;
    float tl = LUMA(AT(vec2(-d.x, -d.y))), tr = LUMA(AT(vec2(d.x, -d.y)));
    float bl = LUMA(AT(vec2(-d.x, d.y))), br = LUMA(AT(d));
    float lc = LUMA(c);
    vec2 dir = vec2((bl + br) - (tl + tr), (tl + bl) - (tr + br));
    float reduce = max((tl + tr + bl + br) * (0.25 / 8.0), 1.0 / 128.0);
    dir = clamp(dir / (min(abs(dir.x), abs(dir.y)) + reduce), -8.0, 8.0) * d;
    vec4 a = 0.5 * (AT(-dir / 6.0) + AT(dir / 6.0));
    vec4 b = 0.5 * a + 0.25 * (AT(-dir * 0.5) + AT(dir * 0.5));
    float lb = LUMA(b);
    float lmin = min(lc, min(min(tl, tr), min(bl, br)));
    float lmax = max(lc, max(max(tl, tr), max(bl, br)));
    vec4 picked = (lb < lmin || lb > lmax) ? a : b;
    // Published strength clamp(min(scale, 1) * P * 6, 0, 1), scaled by 0.25: at full
    // strength FXAA softens the lines the refine just sharpened (measured).
    return mix(c, picked, clamp(min(target_size.x / input_size.x, 1.0) * p * 6.0, 0.0, 1.0) * 0.25);
}

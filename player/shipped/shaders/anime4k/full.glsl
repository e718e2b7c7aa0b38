// Anime4K v1.0 "Full" tier for a4kplay (mpv user-shader format).
// Written from docs/anime4k-v1-algorithm.md (Anime4K v1.0 RC2, B. Peng, 2019, MIT).
//
// Four analysis passes hook MAIN and store their maps at OUTPUT size, stepping in
// output pixels: luma blur, "colour divide" line detection, blurred line probability P
// and the Sobel flatness map G (1 = flat). Three refinement passes then work on the
// scaled image at SCALED: thin lines, gradient refine, targeted FXAA. Pixels whose line
// probability P is below the threshold are left exactly as the scaler made them.
// Below a 1.4x upscale in either axis nothing runs.
// Ratio bands (issue 28; WHEN on OUTPUT / MAIN): up to 1.75x only the refine runs, at half
// its 2x strength (no thin lines, no FXAA); above 1.75x all three as tuned at 2x. At 1.5x
// the 2x setting was 0.25 dB below bicubic on the realistic validation set; this one is
// above it there and on clean line art (docs/training.md, "Every scale";
// player/media/reference.py RATIO_BANDS).
//
// Departures from the original, each for a stated reason:
// - luma comes from RGB (Rec.709) because a4kplay receives RGB frames;
// - maps are stored at output size rather than source size (see variants/full_srcmaps.glsl);
// - thin lines keys on the luma of the scaled colours it moves, FXAA uses (2R+3G+B)/6
//   throughout (the original mixed source-plane luma and the red channel).
// - thin lines run at 0.10x, the gradient refine at 0.75x and FXAA at 0.25x the published
//   strength, and kernels need a 1/128 margin instead of a strict ">" (measured reasons
//   in player/reference.py: at full strength each step costs PSNR against the source).
//
// Every read of a same-size texture at whole-pixel offsets uses texelFetch with the index
// clamped to the texture: exactly what texture() returns at that texel centre with
// clamp-to-edge, at a fraction of the cost on software renderers (llvmpipe).

//!DESC Anime4K Full: luma blur H + Sobel rows
//!HOOK MAIN
//!BIND HOOKED
//!SAVE A4KF_ROWS
//!WIDTH OUTPUT.w
//!HEIGHT OUTPUT.h
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

//!DESC Anime4K Full: luma blur V + line detect + Sobel
//!HOOK MAIN
//!BIND A4KF_ROWS
//!SAVE A4KF_LG
//!WIDTH OUTPUT.w
//!HEIGHT OUTPUT.h
//!COMPONENTS 2
//!WHEN OUTPUT.w MAIN.w / 1.4 > OUTPUT.h MAIN.h / 1.4 > *

// Whole-pixel reads of a same-size texture: texelFetch, index clamped (see the header).
ivec2 a4k_at, a4k_last;
#define R(k) texelFetch(A4KF_ROWS_raw, clamp(a4k_at + ivec2(0, k), ivec2(0), a4k_last), 0)

vec4 hook() {
    a4k_at = ivec2(A4KF_ROWS_pos * A4KF_ROWS_size);
    a4k_last = ivec2(A4KF_ROWS_size) - 1;
    vec4 c = R(0);
    vec4 t1 = R(-1), b1 = R(1), t2 = R(-2), b2 = R(2), t3 = R(-3), b3 = R(3);
    float blur = 0.160854 * c.x + 0.155931 * (t1.x + b1.x) + 0.142046 * (t2.x + b2.x)
               + 0.121597 * (t3.x + b3.x);
    // "Colour divide": a pixel darker than its blurred surroundings is likely a line.
    float ratio = min(clamp(c.y, 0.001, 0.999) / clamp(blur, 0.001, 0.999), 1.0);
    float line = 1.0 - clamp(ratio - 0.05, 0.0, 1.0);
    float gx = t1.z + 2.0 * c.z + b1.z;
    float gy = b1.w - t1.w;
    return vec4(line, 1.0 - clamp(length(vec2(gx, gy)), 0.0, 1.0), 0.0, 0.0);
}

//!DESC Anime4K Full: line blur H
//!HOOK MAIN
//!BIND A4KF_LG
//!SAVE A4KF_LH
//!WIDTH OUTPUT.w
//!HEIGHT OUTPUT.h
//!COMPONENTS 2
//!WHEN OUTPUT.w MAIN.w / 1.4 > OUTPUT.h MAIN.h / 1.4 > *

// Whole-pixel reads of a same-size texture: texelFetch, index clamped (see the header).
ivec2 a4k_at, a4k_last;
#define S(k) texelFetch(A4KF_LG_raw, clamp(a4k_at + ivec2(k, 0), ivec2(0), a4k_last), 0)

vec4 hook() {
    a4k_at = ivec2(A4KF_LG_pos * A4KF_LG_size);
    a4k_last = ivec2(A4KF_LG_size) - 1;
    vec4 c = S(0);
    float blur = 0.160854 * c.x + 0.155931 * (S(-1).x + S(1).x)
               + 0.142046 * (S(-2).x + S(2).x) + 0.121597 * (S(-3).x + S(3).x);
    return vec4(clamp(blur, 0.0, 1.0), c.y, 0.0, 0.0);  // G rides along in y
}

//!DESC Anime4K Full: line blur V
//!HOOK MAIN
//!BIND A4KF_LH
//!SAVE A4KF_PG
//!WIDTH OUTPUT.w
//!HEIGHT OUTPUT.h
//!COMPONENTS 2
//!WHEN OUTPUT.w MAIN.w / 1.4 > OUTPUT.h MAIN.h / 1.4 > *

// Whole-pixel reads of a same-size texture: texelFetch, index clamped (see the header).
ivec2 a4k_at, a4k_last;
#define S(k) texelFetch(A4KF_LH_raw, clamp(a4k_at + ivec2(0, k), ivec2(0), a4k_last), 0)

vec4 hook() {
    a4k_at = ivec2(A4KF_LH_pos * A4KF_LH_size);
    a4k_last = ivec2(A4KF_LH_size) - 1;
    vec4 c = S(0);
    float blur = 0.160854 * c.x + 0.155931 * (S(-1).x + S(1).x)
               + 0.142046 * (S(-2).x + S(2).x) + 0.121597 * (S(-3).x + S(3).x);
    return vec4(clamp(blur, 0.0, 1.0), c.y, 0.0, 0.0);  // x: line probability P, y: G
}

//!DESC Anime4K Full: thin lines (above 1.75x)
//!HOOK SCALED
//!BIND HOOKED
//!BIND A4KF_PG
//!WHEN OUTPUT.w MAIN.w / 1.75 > OUTPUT.h MAIN.h / 1.75 > *

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

// Kernel k's candidate (the centre moved towards its light side) wins if it is lighter.
void consider(int k, vec4 c, vec4 px[9], float key[9], float st, inout vec4 best,
              inout float best_key) {
    ivec3 l = LIGHT[k];
    vec4 cand = mix(c, (px[l.x] + px[l.y] + px[l.z]) / 3.0, st);
    float cand_key = mix(key[4], (key[l.x] + key[l.y] + key[l.z]) / 3.0, st);
    if (cand_key > best_key) {
        best = cand;
        best_key = cand_key;
    }
}

// Whole-pixel reads of a same-size texture: texelFetch, index clamped (see the header).
ivec2 a4k_at, a4k_last;
#define PX(off) texelFetch(HOOKED_raw, clamp(a4k_at + (off), ivec2(0), a4k_last), 0)

vec4 hook() {
    a4k_at = ivec2(HOOKED_pos * HOOKED_size);
    a4k_last = ivec2(HOOKED_size) - 1;
    vec4 c = PX(ivec2(0));
    float p = texelFetch(A4KF_PG_raw, a4k_at, 0).x;
    if (p < 0.06)
        return c;
    vec4 px[9];
    float key[9];
    for (int i = 0; i < 9; i++) {
        px[i] = i == 4 ? c : PX(ivec2(i % 3 - 1, i / 3 - 1));
        key[i] = dot(px[i].rgb, vec3(0.2126, 0.7152, 0.0722));
    }
    // Published strength min(scale / 6, 1), scaled by 0.10: thinning lines costs PSNR
    // against area-downscaled ground truth (measured, see player/reference.py).
    float st = min(target_size.x / input_size.x / 6.0, 1.0) * 0.10;
    vec4 best = c;
    float best_key = key[4];
    // Kernel k, else its mirror k + 4. Written so that k is a constant once the loop is
    // unrolled: a variable index into px/key costs llvmpipe a gather per read.
    for (int i = 0; i < 4; i++) {
        if (matches(i, key))
            consider(i, c, px, key, st, best, best_key);
        else if (matches(i + 4, key))
            consider(i + 4, c, px, key, st, best, best_key);
    }
    return best;
}

//!DESC Anime4K Full: refine (above 1.75x)
//!HOOK SCALED
//!BIND HOOKED
//!BIND A4KF_PG
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
#define MAP(off) texelFetch(A4KF_PG_raw, clamp(a4k_at + (off), ivec2(0), a4k_last), 0)
ivec2 cell(int i) { return ivec2(i % 3 - 1, i / 3 - 1); }  // 3x3 window, row-major

vec4 hook() {
    a4k_at = ivec2(HOOKED_pos * HOOKED_size);
    a4k_last = ivec2(HOOKED_size) - 1;
    vec4 c = PX(ivec2(0));
    vec2 pg = MAP(ivec2(0)).xy;
    if (pg.x < 0.06)
        return c;
    // Key = flatness G: colour is pulled from the flatter side, which steepens the ramp.
    float key[9];
    for (int i = 0; i < 9; i++)
        key[i] = i == 4 ? pg.y : MAP(cell(i)).y;
    // Published strength clamp(min(scale, 1) * P * 6, 0, 1), scaled by 0.75 (measured).
    float s = clamp(min(target_size.x / input_size.x, 1.0) * pg.x * 6.0, 0.0, 1.0) * 0.75;
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

//!DESC Anime4K Full: refine (1.4x-1.75x, half strength)
//!HOOK SCALED
//!BIND HOOKED
//!BIND A4KF_PG
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
#define MAP(off) texelFetch(A4KF_PG_raw, clamp(a4k_at + (off), ivec2(0), a4k_last), 0)
ivec2 cell(int i) { return ivec2(i % 3 - 1, i / 3 - 1); }  // 3x3 window, row-major

vec4 hook() {
    a4k_at = ivec2(HOOKED_pos * HOOKED_size);
    a4k_last = ivec2(HOOKED_size) - 1;
    vec4 c = PX(ivec2(0));
    vec2 pg = MAP(ivec2(0)).xy;
    if (pg.x < 0.06)
        return c;
    // Key = flatness G: colour is pulled from the flatter side, which steepens the ramp.
    float key[9];
    for (int i = 0; i < 9; i++)
        key[i] = i == 4 ? pg.y : MAP(cell(i)).y;
    // Published strength clamp(min(scale, 1) * P * 6, 0, 1), scaled by 0.75 (measured).
    // Half the 2x strength (0.375x published): at 1.5x more fell below bicubic (header).
    float s = clamp(min(target_size.x / input_size.x, 1.0) * pg.x * 6.0, 0.0, 1.0) * 0.375;
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

//!DESC Anime4K Full: FXAA (above 1.75x)
//!HOOK SCALED
//!BIND HOOKED
//!BIND A4KF_PG
//!WHEN OUTPUT.w MAIN.w / 1.75 > OUTPUT.h MAIN.h / 1.75 > *

#define LUMA(v) dot((v).rgb, vec3(2.0, 3.0, 1.0) / 6.0)
#define AT(off) HOOKED_tex(HOOKED_pos + (off))
// The centre, the map and the four corners are whole-pixel reads: texelFetch, index clamped.
ivec2 a4k_at, a4k_last;
#define PX(off) texelFetch(HOOKED_raw, clamp(a4k_at + (off), ivec2(0), a4k_last), 0)

vec4 hook() {
    a4k_at = ivec2(HOOKED_pos * HOOKED_size);
    a4k_last = ivec2(HOOKED_size) - 1;
    vec4 c = PX(ivec2(0));
    float p = texelFetch(A4KF_PG_raw, a4k_at, 0).x;
    if (p < 0.06)
        return c;
    vec2 d = 1.0 / target_size;
    float tl = LUMA(PX(ivec2(-1, -1))), tr = LUMA(PX(ivec2(1, -1)));
    float bl = LUMA(PX(ivec2(-1, 1))), br = LUMA(PX(ivec2(1, 1)));
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

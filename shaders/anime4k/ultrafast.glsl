// Anime4K v1.0 "UltraFast" tier for a4kplay (mpv user-shader format).
// Written from docs/anime4k-v1-algorithm.md (Anime4K v1.0 RC2, B. Peng, 2019, MIT).
//
// No luma blur and no colour-divide line detector: the line map is the blurred gradient
// magnitude, P = 1 - blur5(G), with the Sobel taken at SOURCE-texel steps (as published)
// and the maps stored at OUTPUT size. Then one gradient refine on the scaled image
// (threshold 0.4, constant strength 0.6). Below a 1.4x upscale nothing runs.
// Luma comes from RGB (Rec.709) because a4kplay receives RGB frames.

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

#define S(k) A4KU_G_tex(A4KU_G_pos + vec2(k, 0.0) / target_size).x

vec4 hook() {
    float c = S(0.0);
    float blur = 0.212543 * c + 0.206038 * (S(-1.0) + S(1.0)) + 0.187691 * (S(-2.0) + S(2.0));
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

#define S(k) A4KU_GH_tex(A4KU_GH_pos + vec2(0.0, k) / target_size)

vec4 hook() {
    vec4 c = S(0.0);
    float blur = 0.212543 * c.x + 0.206038 * (S(-1.0).x + S(1.0).x)
               + 0.187691 * (S(-2.0).x + S(2.0).x);
    // x: line probability P = blurred gradient magnitude, y: G
    return vec4(1.0 - clamp(blur, 0.0, 1.0), c.y, 0.0, 0.0);
}

//!DESC Anime4K UltraFast: refine
//!HOOK SCALED
//!BIND HOOKED
//!BIND A4KU_PG
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
    vec2 pg = A4KU_PG_tex(HOOKED_pos).xy;
    if (pg.x < 0.4)
        return c;
    // Key = flatness G: colour is pulled from the flatter side, which steepens the ramp.
    float key[9];
    for (int i = 0; i < 9; i++)
        key[i] = i == 4 ? pg.y : A4KU_PG_tex(HOOKED_pos + vec2(i % 3 - 1, i / 3 - 1) / target_size).y;
    const float s = 0.6;
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


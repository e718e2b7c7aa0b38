// TP CuNNy-style 2x: a test pack written for a4kplay's bench (shaders/testpacks/), in the
// shape of CuNNy (funnyplanter): LUMA hook, compute passes that stage an 8x8 tile plus a
// 1-pixel border in shared memory, the float16 extension enabled mid-body with an #ifdef
// fallback, and a last pass that writes 2x2 output pixels per thread (depth-to-space) on a
// bilinear base. Every pass states its size from LUMA, as CuNNy's and ArtCNN's do. Our own
// code; the weights are arbitrary (seeded random), not trained.

//!DESC TP CuNNy-style in (conv3x3 1->4, compute)
//!HOOK LUMA
//!COMPUTE 8 8 8 8
//!BIND LUMA
//!SAVE tpc_in
//!WIDTH LUMA.w
//!HEIGHT LUMA.h
//!COMPONENTS 4
//!WHEN OUTPUT.w LUMA.w / 1.3 > OUTPUT.h LUMA.h / 1.3 > *
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : enable
#ifdef GL_EXT_shader_explicit_arithmetic_types_float16
#	define V4 f16vec4
#	define M4 f16mat4
#	define F float16_t
#else
#	define V4 vec4
#	define M4 mat4
#	define F float
#endif
#define L(p) F(LUMA_tex((vec2(clamp(p, ivec2(0), sz)) + vec2(0.5)) * LUMA_pt).r)
shared F G[10][10];
void hook() {
	ivec2 xy = ivec2(gl_LocalInvocationID.xy);
	ivec2 base = ivec2(gl_WorkGroupID.xy) * ivec2(8, 8);
	ivec2 sz = ivec2(LUMA_size) - ivec2(1);
	for (int y = xy.y; y < 10; y += 8)
		for (int x = xy.x; x < 10; x += 8)
			G[y][x] = L(base + ivec2(x - 1, y - 1));
	barrier();
	ivec2 pos = base + xy;
	V4 r = V4(2.8675e-02, 4.4964e-02, 6.7914e-02, 3.0307e-02);
	r += V4(-2.3789e-01, 2.5231e-01, 4.1574e-01, 4.1237e-01) * G[xy.y + 0][xy.x + 0];
	r += V4(7.2714e-01, -1.5408e-01, 2.1767e-01, -1.4649e-01) * G[xy.y + 0][xy.x + 1];
	r += V4(-5.6994e-01, -2.8154e-01, 5.4465e-02, -3.6607e-01) * G[xy.y + 0][xy.x + 2];
	r += V4(-7.6588e-02, 4.4810e-01, 2.2818e-01, 2.2894e-01) * G[xy.y + 1][xy.x + 0];
	r += V4(1.3805e-01, -7.0110e-02, -7.4710e-01, 3.9658e-01) * G[xy.y + 1][xy.x + 1];
	r += V4(-6.0266e-01, 8.6434e-02, -4.3357e-02, 5.4909e-02) * G[xy.y + 1][xy.x + 2];
	r += V4(1.0093e-01, -1.3354e-01, 3.6039e-01, -5.1404e-01) * G[xy.y + 2][xy.x + 0];
	r += V4(3.1676e-01, -6.7678e-01, 4.7453e-01, -2.0359e-01) * G[xy.y + 2][xy.x + 1];
	r += V4(1.4962e-01, 6.0322e-01, -8.6507e-01, -1.2585e-01) * G[xy.y + 2][xy.x + 2];
	imageStore(out_image, pos, vec4(max(r, V4(0.0))));
}

//!DESC TP CuNNy-style conv1 (conv3x3 4->4, compute)
//!HOOK LUMA
//!COMPUTE 8 8 8 8
//!BIND tpc_in
//!BIND LUMA
//!SAVE tpc_c1
//!WIDTH LUMA.w
//!HEIGHT LUMA.h
//!COMPONENTS 4
//!WHEN OUTPUT.w LUMA.w / 1.3 > OUTPUT.h LUMA.h / 1.3 > *
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : enable
#ifdef GL_EXT_shader_explicit_arithmetic_types_float16
#	define V4 f16vec4
#	define M4 f16mat4
#	define F float16_t
#else
#	define V4 vec4
#	define M4 mat4
#	define F float
#endif
#define L(p) V4(tpc_in_tex((vec2(clamp(p, ivec2(0), sz)) + vec2(0.5)) * tpc_in_pt))
shared V4 G[10][10];
void hook() {
	ivec2 xy = ivec2(gl_LocalInvocationID.xy);
	ivec2 base = ivec2(gl_WorkGroupID.xy) * ivec2(8, 8);
	ivec2 sz = ivec2(LUMA_size) - ivec2(1);
	for (int y = xy.y; y < 10; y += 8)
		for (int x = xy.x; x < 10; x += 8)
			G[y][x] = L(base + ivec2(x - 1, y - 1));
	barrier();
	ivec2 pos = base + xy;
	V4 r = V4(-8.2326e-02, -6.3299e-02, 1.0886e-02, 7.1353e-02);
	r += M4(1.2853e-01, 2.6584e-02, 6.6391e-02, 1.7745e-02, 2.4795e-01, 3.9833e-02, 1.6722e-01, 4.0403e-01, 2.9255e-01, -8.6031e-02, -2.5857e-02, 1.8371e-01, -1.6058e-01, -4.5773e-01, -2.5286e-01, 1.3466e-01) * G[xy.y + 0][xy.x + 0];
	r += M4(-5.2765e-02, -8.9228e-02, 1.8677e-01, -2.6292e-01, 5.6613e-01, 5.7594e-03, -8.1045e-02, 5.0925e-01, -2.7225e-01, -1.2432e-01, -2.2362e-02, -2.4007e-01, -8.5028e-02, 1.4566e-01, 4.2346e-02, -1.2132e-02) * G[xy.y + 0][xy.x + 1];
	r += M4(2.4706e-01, 4.7164e-01, 3.9087e-01, -5.2334e-01, 3.4276e-01, 1.9393e-01, 1.0200e-01, -2.4579e-01, -1.1299e-01, -5.2409e-02, -3.4816e-01, 3.0854e-01, 2.2267e-01, -3.3373e-03, -2.3700e-01, 3.3647e-01) * G[xy.y + 0][xy.x + 2];
	r += M4(1.6025e-01, 2.6580e-01, -1.0465e-01, 5.9895e-01, -3.4712e-02, 4.8869e-01, -5.0123e-01, 7.7075e-02, 2.0636e-02, -6.3043e-01, -1.6128e-01, -3.0634e-01, -3.5167e-01, -1.8845e-01, -2.9260e-01, 8.1380e-02) * G[xy.y + 1][xy.x + 0];
	r += M4(1.1620e-01, 6.7160e-02, -2.0723e-01, -1.2056e-01, 4.1959e-01, -8.6178e-02, -5.1962e-03, -1.4694e-01, 1.3186e-01, 2.2133e-01, 1.9890e-01, 1.0645e-01, 1.7761e-01, -5.3299e-02, 1.5529e-01, -2.4733e-01) * G[xy.y + 1][xy.x + 1];
	r += M4(2.5237e-02, 2.1624e-01, -2.5387e-01, 1.9473e-01, 7.9391e-02, -3.0629e-01, -4.2577e-01, -4.1309e-01, -2.6152e-01, 7.9709e-02, 6.1896e-02, 3.0707e-01, 5.6725e-01, -1.1966e-01, -5.0983e-01, -3.7247e-01) * G[xy.y + 1][xy.x + 2];
	r += M4(-5.0772e-01, -1.7264e-01, -1.3526e-01, 3.1910e-01, -3.7731e-01, -6.2365e-02, -6.3728e-02, -3.3315e-02, -1.4386e-01, 5.2750e-01, -4.7195e-02, 8.5008e-03, 1.7577e-01, 5.4259e-02, 4.4291e-01, -3.0214e-01) * G[xy.y + 2][xy.x + 0];
	r += M4(-5.0340e-02, -1.2813e-01, -2.0818e-02, 2.2272e-01, -1.5275e-01, -4.9192e-01, 1.6399e-02, -2.6317e-01, 1.5291e-01, 5.5523e-02, 5.2293e-01, 1.3404e-01, -2.0806e-01, 9.0740e-02, 2.6569e-01, 1.9956e-02) * G[xy.y + 2][xy.x + 1];
	r += M4(-8.4044e-03, -6.7813e-02, -1.0313e-01, -2.3053e-01, 3.0164e-01, 9.9240e-02, -3.5799e-01, 2.6844e-01, 5.5437e-03, 5.6676e-02, 3.8677e-02, 2.9730e-01, -5.5668e-01, -4.3892e-03, 1.3907e-01, -3.2097e-02) * G[xy.y + 2][xy.x + 2];
	imageStore(out_image, pos, vec4(max(r, V4(0.0))));
}

//!DESC TP CuNNy-style out (conv3x3 4->4, depth-to-space 2x, compute)
//!HOOK LUMA
//!COMPUTE 16 16 8 8
//!BIND tpc_c1
//!BIND LUMA
//!WIDTH LUMA.w 2 *
//!HEIGHT LUMA.h 2 *
//!COMPONENTS 1
//!WHEN OUTPUT.w LUMA.w / 1.3 > OUTPUT.h LUMA.h / 1.3 > *
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : enable
#ifdef GL_EXT_shader_explicit_arithmetic_types_float16
#	define V4 f16vec4
#	define M4 f16mat4
#	define F float16_t
#else
#	define V4 vec4
#	define M4 mat4
#	define F float
#endif
#define L(p) V4(tpc_c1_tex((vec2(clamp(p, ivec2(0), sz)) + vec2(0.5)) * tpc_c1_pt))
shared V4 G[10][10];
void hook() {
	ivec2 xy = ivec2(gl_LocalInvocationID.xy);
	ivec2 base = ivec2(gl_WorkGroupID.xy) * ivec2(8, 8);
	ivec2 sz = ivec2(LUMA_size) - ivec2(1);
	for (int y = xy.y; y < 10; y += 8)
		for (int x = xy.x; x < 10; x += 8)
			G[y][x] = L(base + ivec2(x - 1, y - 1));
	barrier();
	ivec2 pos = base + xy;
	V4 r = V4(0.0000e+00, 0.0000e+00, 0.0000e+00, 0.0000e+00);
	r += M4(-3.8654e-02, -1.1620e-02, 6.5060e-03, 5.0219e-03, 1.1216e-02, 2.3634e-02, 1.5907e-02, -2.8924e-02, -5.4430e-03, -2.1349e-02, 4.0646e-04, 3.0841e-02, 2.1228e-02, 4.7109e-02, 2.8406e-02, 2.2749e-02) * G[xy.y + 0][xy.x + 0];
	r += M4(2.1448e-02, -1.2538e-02, -1.7276e-03, 1.2959e-02, 1.6335e-02, 1.3233e-02, -1.7585e-02, -2.0097e-02, -2.1526e-02, 3.8128e-02, -1.0534e-03, 1.7818e-02, 3.2864e-05, -2.2172e-03, -3.5573e-03, -6.5348e-03) * G[xy.y + 0][xy.x + 1];
	r += M4(2.5394e-03, 1.7183e-02, -2.4571e-02, 1.8797e-03, -4.8357e-03, -7.6796e-03, 1.4127e-02, 3.2873e-02, -2.5934e-02, 4.0280e-03, 2.2495e-02, 1.7883e-02, -3.1385e-02, 1.0854e-02, -7.0994e-03, -7.9073e-03) * G[xy.y + 0][xy.x + 2];
	r += M4(1.5926e-02, -1.9567e-02, 5.5872e-03, 1.7923e-02, -1.2003e-02, -1.8995e-02, 4.3689e-02, -1.9199e-02, 2.7114e-02, -1.2764e-02, 4.5559e-03, -9.1366e-03, 3.7511e-03, 3.9701e-03, -2.1005e-02, -2.3161e-03) * G[xy.y + 1][xy.x + 0];
	r += M4(1.9294e-02, -1.4873e-02, -4.3852e-02, 6.0459e-03, -1.6238e-02, 7.8067e-03, -7.4038e-03, -1.5230e-02, -4.8593e-03, 7.4460e-03, 6.7842e-03, -2.5806e-02, -2.7304e-02, -2.4761e-02, 2.3030e-02, 3.4606e-03) * G[xy.y + 1][xy.x + 1];
	r += M4(-1.8357e-02, -5.5852e-03, 2.6227e-02, -2.3011e-02, -8.7480e-03, 1.4722e-02, 1.4152e-02, 1.2530e-02, -1.8483e-02, -4.1642e-04, -4.8429e-02, -8.0499e-03, -1.2836e-02, -1.2157e-02, 2.2957e-02, -4.5981e-03) * G[xy.y + 1][xy.x + 2];
	r += M4(-4.7906e-03, 1.3288e-02, 3.5266e-02, -1.7294e-02, 1.3847e-02, -6.5945e-03, -3.1736e-02, -1.1901e-02, 5.9518e-03, -5.4687e-03, -9.4385e-03, -7.3003e-04, -6.1460e-03, -6.1801e-03, -2.1062e-02, 1.1163e-02) * G[xy.y + 2][xy.x + 0];
	r += M4(-4.6134e-02, 3.2123e-03, -1.5855e-02, 1.4992e-02, -2.3434e-02, -4.7451e-02, 9.3777e-03, 1.9920e-02, -3.7118e-02, 7.8053e-03, 5.1677e-03, -2.0047e-02, 1.2047e-02, -1.7551e-02, 1.9669e-02, 2.3568e-02) * G[xy.y + 2][xy.x + 1];
	r += M4(-8.6324e-03, -7.0467e-03, 1.2336e-03, -3.8475e-02, -1.3471e-02, -3.3616e-04, 4.4348e-02, 2.3726e-02, 4.8760e-03, -1.7664e-02, 7.2633e-03, 1.4394e-03, -2.7265e-02, -5.5257e-03, -2.7316e-02, -1.0417e-02) * G[xy.y + 2][xy.x + 2];
	vec2 opt = 0.5 * LUMA_pt;
	ivec2 opos = pos * ivec2(2);
	for (int k = 0; k < 4; k++) {
		ivec2 o = opos + ivec2(k & 1, k >> 1);
		float y = LUMA_tex((vec2(o) + vec2(0.5)) * opt).r + float(r[k]);
		imageStore(out_image, o, vec4(y, 0.0, 0.0, 1.0));
	}
}

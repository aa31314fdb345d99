// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.
//
// Winograd F(2×2, 3×3) filter transform U = G g Gᵀ, eight filters at a time,
//
//     G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]],
//
// with the eight filters in vector lanes. Gathering tap t of eight filters
// lane by lane costs eight scalar loads and inserts per tap (72 per group,
// most of the transform's time in a profile); here each filter's first eight
// taps are one vector load and an 8 × 8 transpose turns filters into lanes.
// The arithmetic, and so every rounding, is that of the lane-by-lane form.
#include "ccblas.h"

#if defined(__x86_64__) && !defined(__APPLE__)
#include <immintrin.h>

// Rows r[0 … 7] become columns: r[t] lane k = old r[k] lane t.
__attribute__((target("avx2"))) static inline void transpose8(__m256 r[8]) {
    __m256 t[8], s[8];
    for (int i = 0; i < 4; i++) {
        t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 2; i++) {
        s[4 * i] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], 0x44);
        s[4 * i + 1] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], 0xEE);
        s[4 * i + 2] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
        s[4 * i + 3] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
    }
    for (int i = 0; i < 4; i++) {
        r[i] = _mm256_permute2f128_ps(s[i], s[i + 4], 0x20);
        r[i + 4] = _mm256_permute2f128_ps(s[i], s[i + 4], 0x31);
    }
}

__attribute__((target("avx2"))) void
distill_winograd_filters8(const float *first, long filter_stride, int flipped, float *u, long stride) {
    __m256 taps[9];
    for (int k = 0; k < 8; k++) taps[k] = _mm256_loadu_ps(first + k * filter_stride);
    transpose8(taps);
    const float *last = first + 8;
    taps[8] = _mm256_setr_ps(last[0], last[filter_stride], last[2 * filter_stride], last[3 * filter_stride],
                             last[4 * filter_stride], last[5 * filter_stride], last[6 * filter_stride],
                             last[7 * filter_stride]);
    // Tap (row, column) of the filter, rotated by 180° when flipped.
#define TAP(row, column) taps[flipped ? 8 - 3 * (row) - (column) : 3 * (row) + (column)]
    const __m256 half = _mm256_set1_ps(0.5f);
    // Column j of G g: G applied to column j of g.
    __m256 gg[3][4];
    for (int j = 0; j < 3; j++) {
        __m256 a = TAP(0, j), b = TAP(1, j), c = TAP(2, j);
        gg[j][0] = a;
        gg[j][1] = _mm256_mul_ps(_mm256_add_ps(_mm256_add_ps(a, b), c), half);
        gg[j][2] = _mm256_mul_ps(_mm256_add_ps(_mm256_sub_ps(a, b), c), half);
        gg[j][3] = c;
    }
#undef TAP
    // Row i of U: G applied to row i of G g.
    for (int i = 0; i < 4; i++) {
        __m256 a = gg[0][i], b = gg[1][i], c = gg[2][i];
        _mm256_storeu_ps(u + (4 * i) * stride, a);
        _mm256_storeu_ps(u + (4 * i + 1) * stride, _mm256_mul_ps(_mm256_add_ps(_mm256_add_ps(a, b), c), half));
        _mm256_storeu_ps(u + (4 * i + 2) * stride, _mm256_mul_ps(_mm256_add_ps(_mm256_sub_ps(a, b), c), half));
        _mm256_storeu_ps(u + (4 * i + 3) * stride, c);
    }
}

#else

void distill_winograd_filters8(const float *first, long filter_stride, int flipped, float *u, long stride) {
    for (int k = 0; k < 8; k++) {
        const float *g = first + k * filter_stride;
        float gg[3][4];
        for (int j = 0; j < 3; j++) {
            float a = g[flipped ? 8 - j : j], b = g[flipped ? 5 - j : 3 + j], c = g[flipped ? 2 - j : 6 + j];
            gg[j][0] = a;
            gg[j][1] = (a + b + c) * 0.5f;
            gg[j][2] = (a - b + c) * 0.5f;
            gg[j][3] = c;
        }
        for (int i = 0; i < 4; i++) {
            float a = gg[0][i], b = gg[1][i], c = gg[2][i];
            u[(4 * i) * stride + k] = a;
            u[(4 * i + 1) * stride + k] = (a + b + c) * 0.5f;
            u[(4 * i + 2) * stride + k] = (a - b + c) * 0.5f;
            u[(4 * i + 3) * stride + k] = c;
        }
    }
}

#endif

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.
//
// What the AVX2 kernels of this target share; not part of the module's API.
#ifndef DISTILL_KERNELS_AVX2_H
#define DISTILL_KERNELS_AVX2_H

#if defined(__x86_64__) && !defined(__APPLE__)
#include <immintrin.h>

// An integer mask for maskload/maskstore with the lanes below `lanes` set
// (none when `lanes` ≤ 0, all when ≥ 8).
__attribute__((target("avx2"))) static inline __m256i lane_mask8(int lanes) {
    const __m256i index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(lanes), index);
}

// Lanes k of an eight-int vector, for k = 0 … 7, whose first + k lies in begin ..< end.
__attribute__((target("avx2"))) static inline __m256i lanes_within(int first, int begin, int end) {
    const __m256i index = _mm256_add_epi32(_mm256_set1_epi32(first), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    return _mm256_andnot_si256(_mm256_cmpgt_epi32(_mm256_set1_epi32(begin), index),
                               _mm256_cmpgt_epi32(_mm256_set1_epi32(end), index));
}

// Lanes begin ..< end of `v` (clipped to 0 … 4) to out[begin ..< end]: one
// plain store when that is all four, else lane by lane. Not a masked store:
// AMD Zen microcodes VEX masked stores (vmaskmovps), and with one per tile
// row they took over a third of the time of the transforms that stored
// four-float rows of a plane that way.
__attribute__((target("avx2"))) static inline void store4_within(float *out, __m128 v, int begin, int end) {
    if (begin <= 0 && end >= 4) {
        _mm_storeu_ps(out, v);
        return;
    }
    for (int i = begin > 0 ? begin : 0; i < end && i < 4; i++) {
        _mm_store_ss(out + i, _mm_permutevar_ps(v, _mm_set1_epi32(i)));
    }
}

// Rows x[0 … 3] (lane k: column c of tile k) into x[k] = (row of tile k, row of tile k + 4), or back.
__attribute__((target("avx2"))) static inline void transpose4x8(__m256 x[4]) {
    const __m256 a = _mm256_unpacklo_ps(x[0], x[1]), b = _mm256_unpackhi_ps(x[0], x[1]);
    const __m256 c = _mm256_unpacklo_ps(x[2], x[3]), d = _mm256_unpackhi_ps(x[2], x[3]);
    x[0] = _mm256_shuffle_ps(a, c, 0x44);
    x[1] = _mm256_shuffle_ps(a, c, 0xEE);
    x[2] = _mm256_shuffle_ps(b, d, 0x44);
    x[3] = _mm256_shuffle_ps(b, d, 0xEE);
}

// Rows r[0 … 7] become columns: r[t] lane k = old r[k] lane t.
__attribute__((target("avx2"))) static inline void distill_transpose8(__m256 r[8]) {
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

// The top row and left column of 4×4 tiles first … first + lanes − 1 of
// `tiles_per_plane` per plane and `tile_columns` per row, and the offset of
// their plane (`plane_stride` floats per plane); lanes past them repeat the
// last tile's. One division per group: per lane they took a fifth of a transform.
__attribute__((always_inline)) static inline void
tile_origins(int first, int lanes, int tile_columns, int tiles_per_plane, long plane_stride, int top[8], int left[8],
             long plane[8]) {
    const int image = first / tiles_per_plane, in_plane = first % tiles_per_plane;
    int row = in_plane / tile_columns, column = in_plane % tile_columns;
    long offset = image * plane_stride;
    for (int k = 0; k < 8; k++) {
        top[k] = 4 * row;
        left[k] = 4 * column;
        plane[k] = offset;
        if (k + 1 < lanes && ++column == tile_columns) {
            column = 0;
            if (++row == tiles_per_plane / tile_columns) {
                row = 0;
                offset += plane_stride;
            }
        }
    }
}

// Positions 6i + j (i = 0 … 5) of transformed tiles first … first + 7, position ξ of tile t at
// `m[ξ · step + t]`; lanes past the `lanes` tiles there are (`keep`: lane_mask8(lanes)) read as zero.
__attribute__((target("avx2"))) static inline void
load_position_column(const float *m, long step, int first, int lanes, __m256i keep, int j, __m256 column[6]) {
    for (int i = 0; i < 6; i++) {
        const float *p = m + (size_t)(6 * i + j) * (size_t)step + first;
        column[i] = lanes == 8 ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, keep);
    }
}

// The AVX2 + FMA kernel of distill_small_sgemm (small_sgemm_avx2.c).
void distill_small_sgemm_avx2(int transposed, int m, int n, int k, const float *a, int lda, const float *b, int ldb,
                              float beta, float *c, int ldc);

#endif

#endif

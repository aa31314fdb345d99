// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.
//
// Winograd F(2×2, 3×3) output transform Y = Aᵀ M A (+ bias) of every tile of
// one plane, eight tiles at a time in vector lanes,
//
//     Aᵀ = [[1, 1, 1, 0], [0, 1, −1, −1]].
//
// The Swift form built each output row from the lanes of two vectors one
// lane at a time, which compiled to scalar adds and stack traffic (a tenth
// of a 256-image step in a profile); here two unpacks and a lane swap put
// the tiles' two columns side by side. The sums are those of the Swift form,
// in the same order.
#include "ccblas.h"

#if defined(__x86_64__) && !defined(__APPLE__)
#include <immintrin.h>

__attribute__((target("avx2"))) void
distill_winograd_output_plane(const float *m, long step, int height, int width, float shift, float *y) {
    const int tile_columns = width / 2, tiles = height / 2 * tile_columns;
    const __m256 bias = _mm256_set1_ps(shift);
    for (int first = 0; first < tiles; first += 8) {
        const float *tile = m + first;
        // Rows 0 and 1 of Aᵀ M in column j: positions j, 4 + j, 8 + j, 12 + j.
        __m256 top[4], bottom[4];
        for (int j = 0; j < 4; j++) {
            __m256 m0 = _mm256_loadu_ps(tile + (size_t)j * step), m1 = _mm256_loadu_ps(tile + (size_t)(4 + j) * step);
            __m256 m2 = _mm256_loadu_ps(tile + (size_t)(8 + j) * step);
            __m256 m3 = _mm256_loadu_ps(tile + (size_t)(12 + j) * step);
            top[j] = _mm256_add_ps(_mm256_add_ps(m0, m1), m2);
            bottom[j] = _mm256_sub_ps(_mm256_sub_ps(m1, m2), m3);
        }
        // (Aᵀ M) A: output columns 0 and 1 of rows 0 and 1.
        __m256 rows[2][2];
        __m256 *columns[2] = {top, bottom};
        for (int r = 0; r < 2; r++) {
            __m256 *c = columns[r];
            rows[r][0] = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(c[0], c[1]), c[2]), bias);
            rows[r][1] = _mm256_add_ps(_mm256_sub_ps(_mm256_sub_ps(c[1], c[2]), c[3]), bias);
        }
        for (int r = 0; r < 2; r++) {
            // Tiles 0 … 3 and 4 … 7 as (column 0, column 1) pairs.
            __m256 low = _mm256_unpacklo_ps(rows[r][0], rows[r][1]), high = _mm256_unpackhi_ps(rows[r][0], rows[r][1]);
            __m256 halves[2] = {_mm256_permute2f128_ps(low, high, 0x20), _mm256_permute2f128_ps(low, high, 0x31)};
            for (int half = 0; half < 2; half++) {
                const int t = first + 4 * half;
                const int row = 2 * (t / tile_columns) + r, column = 2 * (t % tile_columns);
                _mm256_storeu_ps(y + (size_t)row * (size_t)width + column, halves[half]);
            }
        }
    }
}

#else

void distill_winograd_output_plane(const float *m, long step, int height, int width, float shift, float *y) {
    const int tile_columns = width / 2, tiles = height / 2 * tile_columns;
    for (int t = 0; t < tiles; t++) {
        float top[4], bottom[4];
        for (int j = 0; j < 4; j++) {
            float m0 = m[(size_t)j * step + t], m1 = m[(size_t)(4 + j) * step + t];
            float m2 = m[(size_t)(8 + j) * step + t], m3 = m[(size_t)(12 + j) * step + t];
            top[j] = m0 + m1 + m2;
            bottom[j] = m1 - m2 - m3;
        }
        float *columns[2] = {top, bottom};
        for (int r = 0; r < 2; r++) {
            float *c = columns[r], *out = y + (size_t)(2 * (t / tile_columns) + r) * (size_t)width;
            out[2 * (t % tile_columns)] = c[0] + c[1] + c[2] + shift;
            out[2 * (t % tile_columns) + 1] = c[1] - c[2] - c[3] + shift;
        }
    }
}

#endif

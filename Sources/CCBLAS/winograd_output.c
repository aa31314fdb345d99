// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.
//
// Winograd F(4×4, 3×3) output transform Y = Aᵀ M A (+ bias) of every tile of
// one plane, and its adjoint D = A ∂L/∂Y Aᵀ (the output gradient's transform
// for the weight gradient), eight tiles at a time in vector lanes,
//
//     Aᵀ = [[1, 1,  1, 1,  1, 0],
//           [0, 1, −1, 2, −2, 0],
//           [0, 1,  1, 4,  4, 0],
//           [0, 1, −1, 8, −8, 1]].
//
// Outputs of tiles past the bottom or right edge are dropped; their
// gradients are zero. A 4 × 8 transpose turns the lanes of the four values
// of a tile row back into one four-float row per tile, and back again.
#include <stddef.h>

#include "ccblas.h"
#include "kernels_avx2.h"

// Aᵀ applied to six values x[0 … 5], into y[0 … 3].
#define WINOGRAD_AT(x, y, ADD, SUB, MUL)                                           \
    do {                                                                           \
        y[0] = ADD(ADD(x[0], ADD(x[1], x[2])), ADD(x[3], x[4]));                   \
        y[1] = ADD(SUB(x[1], x[2]), MUL(two, SUB(x[3], x[4])));                    \
        y[2] = ADD(ADD(x[1], x[2]), MUL(four, ADD(x[3], x[4])));                   \
        y[3] = ADD(ADD(SUB(x[1], x[2]), MUL(eight, SUB(x[3], x[4]))), x[5]);       \
    } while (0)

// A applied to four values y[0 … 3], into z[0 … 5].
#define WINOGRAD_A(y, z, ADD, SUB, MUL)                                            \
    do {                                                                           \
        z[0] = y[0];                                                               \
        z[1] = ADD(ADD(y[0], y[2]), ADD(y[1], y[3]));                              \
        z[2] = SUB(ADD(y[0], y[2]), ADD(y[1], y[3]));                              \
        z[3] = ADD(ADD(y[0], MUL(four, y[2])), ADD(MUL(two, y[1]), MUL(eight, y[3]))); \
        z[4] = SUB(ADD(y[0], MUL(four, y[2])), ADD(MUL(two, y[1]), MUL(eight, y[3]))); \
        z[5] = y[3];                                                               \
    } while (0)

#if defined(__x86_64__) && !defined(__APPLE__)

// The first `lanes` lanes (≤ 0: none) of a four-float mask.
__attribute__((target("avx2"))) static inline __m128i lane_mask4(int lanes) {
    return _mm_cmpgt_epi32(_mm_set1_epi32(lanes), _mm_setr_epi32(0, 1, 2, 3));
}

__attribute__((target("avx2"))) void
distill_winograd_output_planes(const float *m, long step, int count, int height, int width, float shift, float *y,
                                long plane_stride) {
    const int tile_columns = (width + 3) / 4, tiles_per_plane = (height + 3) / 4 * tile_columns;
    const int tiles = count * tiles_per_plane;
    const __m256 two = _mm256_set1_ps(2), four = _mm256_set1_ps(4), eight = _mm256_set1_ps(8);
    const __m256 bias = _mm256_set1_ps(shift);
    for (int first = 0; first < tiles; first += 8) {
        const int lanes = tiles - first < 8 ? tiles - first : 8;
        const __m256i keep = lane_mask8(lanes);
        // Aᵀ M, column by column; kept in L1 between the two passes.
        __m256 am[4][6];
        for (int j = 0; j < 6; j++) {
            __m256 column[6], out[4];
            load_position_column(m, step, first, lanes, keep, j, column);
            WINOGRAD_AT(column, out, _mm256_add_ps, _mm256_sub_ps, _mm256_mul_ps);
            for (int r = 0; r < 4; r++) am[r][j] = out[r];
        }
        // Per lane: the tile's top row and left column.
        int top[8], left[8];
        long plane[8];
        tile_origins(first, lanes, tile_columns, tiles_per_plane, plane_stride, top, left, plane);
        for (int r = 0; r < 4; r++) {
            __m256 row[4];
            WINOGRAD_AT(am[r], row, _mm256_add_ps, _mm256_sub_ps, _mm256_mul_ps);
            for (int c = 0; c < 4; c++) row[c] = _mm256_add_ps(row[c], bias);
            transpose4x8(row);
            for (int k = 0; k < lanes; k++) {
                if (top[k] + r >= height) continue;
                const __m128 values = k < 4 ? _mm256_castps256_ps128(row[k]) : _mm256_extractf128_ps(row[k - 4], 1);
                float *out = y + plane[k] + (size_t)(top[k] + r) * (size_t)width + left[k];
                store4_within(out, values, 0, width - left[k]);
            }
        }
    }
}

__attribute__((target("avx2"))) void
distill_winograd_output_gradient_planes(const float *dy, long plane_stride, int count, int height, int width, float *d,
                                         long step) {
    const int tile_columns = (width + 3) / 4, tiles_per_plane = (height + 3) / 4 * tile_columns;
    const int tiles = count * tiles_per_plane;
    const __m256 two = _mm256_set1_ps(2), four = _mm256_set1_ps(4), eight = _mm256_set1_ps(8);
    for (int first = 0; first < tiles; first += 8) {
        const int lanes = tiles - first < 8 ? tiles - first : 8;
        // Per lane: the tile's top row, left column and the mask of its columns inside the plane.
        int top[8], left[8];
        long plane[8];
        __m128i inside[8];
        tile_origins(first, lanes, tile_columns, tiles_per_plane, plane_stride, top, left, plane);
        for (int k = 0; k < 8; k++) {
            if (k >= lanes) top[k] = height;
            inside[k] = lane_mask4(width - left[k]);
        }
        // ∂L/∂Y Aᵀ, row by row; kept in L1 between the two passes.
        __m256 ya[4][6];
        for (int r = 0; r < 4; r++) {
            __m128 rows[8];
            for (int k = 0; k < 8; k++) {
                // Masked only where the tile overhangs the right edge: on AMD Zen 4, masked
                // loads of every row made this transform about 1.25× slower on 16×16 maps.
                const float *row = dy + plane[k] + (size_t)(top[k] + r) * (size_t)width + left[k];
                rows[k] = top[k] + r >= height     ? _mm_setzero_ps()
                          : left[k] + 4 <= width ? _mm_loadu_ps(row)
                                                 : _mm_maskload_ps(row, inside[k]);
            }
            __m256 values[4];
            for (int k = 0; k < 4; k++) values[k] = _mm256_set_m128(rows[k + 4], rows[k]);
            transpose4x8(values);
            WINOGRAD_A(values, ya[r], _mm256_add_ps, _mm256_sub_ps, _mm256_mul_ps);
        }
        const __m256i keep = lane_mask8(lanes);
        for (int j = 0; j < 6; j++) {
            __m256 column[4] = {ya[0][j], ya[1][j], ya[2][j], ya[3][j]}, out[6];
            WINOGRAD_A(column, out, _mm256_add_ps, _mm256_sub_ps, _mm256_mul_ps);
            for (int i = 0; i < 6; i++) {
                float *p = d + (size_t)(6 * i + j) * step + first;
                if (lanes == 8) _mm256_storeu_ps(p, out[i]);
                else _mm256_maskstore_ps(p, keep, out[i]);
            }
        }
    }
}

#else

#define SCALAR_ADD(a, b) ((a) + (b))
#define SCALAR_SUB(a, b) ((a) - (b))
#define SCALAR_MUL(a, b) ((a) * (b))

void distill_winograd_output_planes(const float *m, long step, int count, int height, int width, float shift, float *y,
                                     long plane_stride) {
    const int tile_columns = (width + 3) / 4, tiles_per_plane = (height + 3) / 4 * tile_columns;
    const float two = 2, four = 4, eight = 8;
    for (int t = 0; t < count * tiles_per_plane; t++) {
        float *plane = y + (t / tiles_per_plane) * plane_stride;
        float am[4][6];
        for (int j = 0; j < 6; j++) {
            float column[6], out[4];
            for (int i = 0; i < 6; i++) column[i] = m[(size_t)(6 * i + j) * step + t];
            WINOGRAD_AT(column, out, SCALAR_ADD, SCALAR_SUB, SCALAR_MUL);
            for (int r = 0; r < 4; r++) am[r][j] = out[r];
        }
        for (int r = 0; r < 4; r++) {
            float row[4];
            WINOGRAD_AT(am[r], row, SCALAR_ADD, SCALAR_SUB, SCALAR_MUL);
            const int output_row = 4 * (t % tiles_per_plane / tile_columns) + r, column = 4 * (t % tile_columns);
            for (int c = 0; c < 4 && output_row < height && column + c < width; c++)
                plane[(size_t)output_row * (size_t)width + column + c] = row[c] + shift;
        }
    }
}

void distill_winograd_output_gradient_planes(const float *dy, long plane_stride, int count, int height, int width,
                                              float *d, long step) {
    const int tile_columns = (width + 3) / 4, tiles_per_plane = (height + 3) / 4 * tile_columns;
    const float two = 2, four = 4, eight = 8;
    for (int t = 0; t < count * tiles_per_plane; t++) {
        const float *plane = dy + (t / tiles_per_plane) * plane_stride;
        float ya[4][6];
        for (int r = 0; r < 4; r++) {
            const int row = 4 * (t % tiles_per_plane / tile_columns) + r, column = 4 * (t % tile_columns);
            float values[4];
            for (int c = 0; c < 4; c++)
                values[c] = row < height && column + c < width ? plane[(size_t)row * (size_t)width + column + c] : 0.0f;
            WINOGRAD_A(values, ya[r], SCALAR_ADD, SCALAR_SUB, SCALAR_MUL);
        }
        for (int j = 0; j < 6; j++) {
            float column[4] = {ya[0][j], ya[1][j], ya[2][j], ya[3][j]}, out[6];
            WINOGRAD_A(column, out, SCALAR_ADD, SCALAR_SUB, SCALAR_MUL);
            for (int i = 0; i < 6; i++) d[(size_t)(6 * i + j) * step + t] = out[i];
        }
    }
}

#endif

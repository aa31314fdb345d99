// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.
//
// Winograd F(4×4, 3×3) input transform V = Bᵀ d B of every 6×6 patch of one
// plane (padding 1; tiles past the bottom or right edge read zeros), eight
// tiles at a time in vector lanes,
//
//     Bᵀ = [[4,  0, −5,  0, 1, 0],
//           [0, −4, −4,  1, 1, 0],
//           [0,  4, −4, −1, 1, 0],
//           [0, −2, −1,  2, 1, 0],
//           [0,  2, −1, −2, 1, 0],
//           [0,  4,  0, −5, 0, 1]].
//
// Each tile's patch row is one masked eight-float load from the plane itself
// and an 8 × 8 transpose turns tiles into lanes.
// The patches are not read from a zero-bordered copy of the plane: in the
// F(2×2, 3×3) form of this kernel, a profile of a 256-image step put 28 % of
// the transform's samples on one patch load and 14 % on the copy's store,
// each load straddling two of the copy's stores still in flight.
#include <stddef.h>

#include "ccblas.h"
#include "kernels_avx2.h"

// Bᵀ applied to six values x[0 … 5] (one patch row or column), into y[0 … 5].
#define WINOGRAD_BT(x, y, ADD, SUB, MUL)                                                        \
    do {                                                                                        \
        y[0] = ADD(SUB(MUL(four, x[0]), MUL(five, x[2])), x[4]);                                \
        y[1] = SUB(ADD(x[3], x[4]), MUL(four, ADD(x[1], x[2])));                                \
        y[2] = ADD(MUL(four, SUB(x[1], x[2])), SUB(x[4], x[3]));                                \
        y[3] = ADD(MUL(two, SUB(x[3], x[1])), SUB(x[4], x[2]));                                 \
        y[4] = ADD(MUL(two, SUB(x[1], x[3])), SUB(x[4], x[2]));                                 \
        y[5] = ADD(SUB(MUL(four, x[1]), MUL(five, x[3])), x[5]);                                \
    } while (0)

#if defined(__x86_64__) && !defined(__APPLE__)

__attribute__((target("avx2"))) static void
input_planes_avx2(const float *planes, long plane_stride, int count, int height, int width, float *v, long step) {
    const int tile_columns = (width + 3) / 4, tiles_per_plane = (height + 3) / 4 * tile_columns;
    const int tiles = count * tiles_per_plane;
    const __m256 two = _mm256_set1_ps(2), four = _mm256_set1_ps(4), five = _mm256_set1_ps(5);
    for (int first = 0; first < tiles; first += 8) {
        const int lanes = tiles - first < 8 ? tiles - first : 8;
        // Per lane: the patch's top row and left column, and which of its columns lie in the plane
        // (none for lanes past the last tile). The pointer is only read through the mask.
        int top[8], left[8];
        long plane[8];
        __m256i inside[8];
        tile_origins(first, lanes, tile_columns, tiles_per_plane, plane_stride, top, left, plane);
        for (int k = 0; k < 8; k++) {
            top[k] -= 1;
            left[k] -= 1;
            inside[k] = k < lanes ? lanes_within(left[k], 0, width) : _mm256_setzero_si256();
        }
        // d B of the six patch rows, tiles in lanes; kept in L1 between the two passes.
        __m256 db[6][6];
        for (int i = 0; i < 6; i++) {
            __m256 rows[8];
            for (int k = 0; k < 8; k++) {
                const int r = top[k] + i;
                rows[k] = r >= 0 && r < height
                    ? _mm256_maskload_ps(planes + plane[k] + (long)r * width + left[k], inside[k])
                    : _mm256_setzero_ps();
            }
            distill_transpose8(rows);
            WINOGRAD_BT(rows, db[i], _mm256_add_ps, _mm256_sub_ps, _mm256_mul_ps);
        }
        const __m256i keep = lane_mask8(lanes);
        for (int j = 0; j < 6; j++) {
            __m256 column[6] = {db[0][j], db[1][j], db[2][j], db[3][j], db[4][j], db[5][j]}, out[6];
            WINOGRAD_BT(column, out, _mm256_add_ps, _mm256_sub_ps, _mm256_mul_ps);
            for (int i = 0; i < 6; i++) {
                float *p = v + (size_t)(6 * i + j) * step + first;
                if (lanes == 8) _mm256_storeu_ps(p, out[i]);
                else _mm256_maskstore_ps(p, keep, out[i]);
            }
        }
    }
}

// Maps 13 … 16 wide (four tiles per row, the ConvNet's second block on 28×28
// and 32×32 images): a group of eight tiles is two tile rows, and one patch
// row of all eight is two 16-float loads per tile row (from columns −1 and
// 1) and one two-source permute per patch column, instead of eight loads and
// an 8 × 8 transpose (24 shuffles): 1.5–1.7× faster in a C harness, same
// values bit for bit.
__attribute__((target("avx512f,avx2"))) static void
input_planes_rows4_avx512(const float *planes, long plane_stride, int count, int height, int width, float *v,
                          long step) {
    const int tile_rows = (height + 3) / 4, tiles = count * tile_rows * 4;
    const __m256 two = _mm256_set1_ps(2), four = _mm256_set1_ps(4), five = _mm256_set1_ps(5);
    // Lanes of a 16-float load from column −1 (near) and from column 1 (far) inside the row.
    const __mmask16 near = (__mmask16)(((1u << width) - 1u) << 1), far = (__mmask16)((1u << (width - 1)) - 1u);
    // Patch column j of lane k: tile k of the first row (k < 4) or k − 4 of the second, column 4k' − 1 + j,
    // at lane 4k' + j of the near loads (j < 4) or 4k' + j − 2 of the far ones (j ≥ 4); lanes 8 … 15 unused.
    static const int pick_lanes[4][16] = {
        {0, 4, 8, 12, 16, 20, 24, 28}, {1, 5, 9, 13, 17, 21, 25, 29},
        {2, 6, 10, 14, 18, 22, 26, 30}, {3, 7, 11, 15, 19, 23, 27, 31},
    };
    __m512i pick[6];
    for (int j = 0; j < 6; j++) pick[j] = _mm512_loadu_si512(pick_lanes[j < 4 ? j : j - 2]);
    for (int first = 0; first < tiles; first += 8) {
        const int lanes = tiles - first < 8 ? tiles - first : 8;
        // The two tile rows' planes and top patch rows (past the last tile: none).
        const float *row_plane[2];
        int top[2];
        for (int h = 0; h < 2; h++) {
            const int tile_row = (first / 4 + h) % tile_rows, plane = (first / 4 + h) / tile_rows;
            row_plane[h] = planes + (long)plane * plane_stride;
            top[h] = h * 4 < lanes ? 4 * tile_row - 1 : height;
        }
        __m256 db[6][6];
        for (int i = 0; i < 6; i++) {
            __m512 n[2], f[2];
            for (int h = 0; h < 2; h++) {
                const int r = top[h] + i;
                const int inside = r >= 0 && r < height;
                const float *p = row_plane[h] + (long)(inside ? r : 0) * width;
                n[h] = _mm512_maskz_loadu_ps(inside ? near : 0, p - 1);
                f[h] = _mm512_maskz_loadu_ps(inside ? far : 0, p + 1);
            }
            __m256 d[6];
            for (int j = 0; j < 6; j++)
                d[j] = _mm512_castps512_ps256(j < 4 ? _mm512_permutex2var_ps(n[0], pick[j], n[1])
                                                    : _mm512_permutex2var_ps(f[0], pick[j], f[1]));
            WINOGRAD_BT(d, db[i], _mm256_add_ps, _mm256_sub_ps, _mm256_mul_ps);
        }
        const __m256i keep = lane_mask8(lanes);
        for (int j = 0; j < 6; j++) {
            __m256 column[6] = {db[0][j], db[1][j], db[2][j], db[3][j], db[4][j], db[5][j]}, out[6];
            WINOGRAD_BT(column, out, _mm256_add_ps, _mm256_sub_ps, _mm256_mul_ps);
            for (int i = 0; i < 6; i++) {
                float *q = v + (size_t)(6 * i + j) * step + first;
                if (lanes == 8) _mm256_storeu_ps(q, out[i]);
                else _mm256_maskstore_ps(q, keep, out[i]);
            }
        }
    }
}

void distill_winograd_input_planes(int kernels, const float *planes, long plane_stride, int count, int height,
                                   int width, float *v, long step) {
    if (kernels == DISTILL_KERNELS_AVX512 && (width + 3) / 4 == 4) {
        input_planes_rows4_avx512(planes, plane_stride, count, height, width, v, step);
    } else {
        input_planes_avx2(planes, plane_stride, count, height, width, v, step);
    }
}

#else

#define SCALAR_ADD(a, b) ((a) + (b))
#define SCALAR_SUB(a, b) ((a) - (b))
#define SCALAR_MUL(a, b) ((a) * (b))

void distill_winograd_input_planes(int kernels, const float *planes, long plane_stride, int count, int height,
                                   int width, float *v, long step) {
    (void)kernels;
    const int tile_columns = (width + 3) / 4, tiles_per_plane = (height + 3) / 4 * tile_columns;
    const float two = 2, four = 4, five = 5;
    for (int t = 0; t < count * tiles_per_plane; t++) {
        const float *plane = planes + (t / tiles_per_plane) * plane_stride;
        const int row = 4 * (t % tiles_per_plane / tile_columns) - 1, column = 4 * (t % tile_columns) - 1;
        float db[6][6];
        for (int i = 0; i < 6; i++) {
            float d[6];
            for (int j = 0; j < 6; j++) {
                int r = row + i, c = column + j;
                d[j] = r >= 0 && r < height && c >= 0 && c < width ? plane[(size_t)r * (size_t)width + c] : 0.0f;
            }
            WINOGRAD_BT(d, db[i], SCALAR_ADD, SCALAR_SUB, SCALAR_MUL);
        }
        for (int j = 0; j < 6; j++) {
            float column_in[6] = {db[0][j], db[1][j], db[2][j], db[3][j], db[4][j], db[5][j]}, out[6];
            WINOGRAD_BT(column_in, out, SCALAR_ADD, SCALAR_SUB, SCALAR_MUL);
            for (int i = 0; i < 6; i++) v[(size_t)(6 * i + j) * step + t] = out[i];
        }
    }
}

#endif

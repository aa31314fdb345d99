// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.
//
// The adjoint of winograd_input.c's transform: from E[ξ][t] (the gradient of
// every tile's V = Bᵀ d B), the gradient of the planes, Σ_tiles B E Bᵀ with
// each tile's 6×6 patch added where it was read (padding 1; what falls on the
// padding or past the plane is dropped), with Bᵀ as in winograd_input.c.
//
// Neighbouring patches overlap by two rows and two columns, and adding them
// one by one would make each read wait for the overlapping store before it.
// Instead the patches of a run of planes are computed first (eight tiles at a
// time in vector lanes), and each output row is then gathered from them: cut
// the plane into 4×4 blocks from row and column −1, one more block per row
// and column than tiles; block (i, j) is the top-left 4×4 of tile (i, j)'s
// patch plus the overhanging two rows and two columns of tiles (i − 1, j),
// (i, j − 1) and (i − 1, j − 1). Lanes run over the blocks of a block row.
#include <stddef.h>
#include <stdlib.h>

#include "ccblas.h"
#include "kernels_avx2.h"

// B applied to six values y[0 … 5] (the transpose of winograd_input.c's Bᵀ), into x[0 … 5].
#define WINOGRAD_B(y, x, ADD, SUB, MUL)                                                  \
    do {                                                                                 \
        const __typeof__(y[0]) d12 = SUB(y[1], y[2]), d34 = SUB(y[3], y[4]);             \
        const __typeof__(y[0]) s12 = ADD(y[1], y[2]), s34 = ADD(y[3], y[4]);             \
        x[0] = MUL(four, y[0]);                                                          \
        x[1] = SUB(MUL(four, SUB(y[5], d12)), MUL(two, d34));                            \
        x[2] = SUB(SUB(SUB(zero, MUL(five, y[0])), MUL(four, s12)), s34);                \
        x[3] = SUB(ADD(d12, MUL(two, d34)), MUL(five, y[5]));                            \
        x[4] = ADD(ADD(y[0], s12), s34);                                                 \
        x[5] = y[5];                                                                     \
    } while (0)

// Patches of at most this many tiles are kept on the stack.
enum { StackTiles = 64 };

#if defined(__x86_64__) && !defined(__APPLE__)

// P[6a + b][t] = (B E Bᵀ)[a][b] of tiles 0 ..< tiles, E's position ξ of tile t at `e[ξ · step + t]`;
// P's positions lie `stride` (a multiple of 8, at least `tiles`) floats apart.
__attribute__((target("avx2"))) static void
patches_avx2(const float *e, long step, int tiles, float *p, int stride) {
    const __m256 zero = _mm256_setzero_ps(), two = _mm256_set1_ps(2), four = _mm256_set1_ps(4);
    const __m256 five = _mm256_set1_ps(5);
    for (int first = 0; first < tiles; first += 8) {
        const int lanes = tiles - first < 8 ? tiles - first : 8;
        const __m256i keep = lane_mask8(lanes);
        // B E, column by column; kept in L1 between the two passes.
        __m256 be[6][6];
        for (int j = 0; j < 6; j++) {
            __m256 column[6], out[6];
            load_position_column(e, step, first, lanes, keep, j, column);
            WINOGRAD_B(column, out, _mm256_add_ps, _mm256_sub_ps, _mm256_mul_ps);
            for (int a = 0; a < 6; a++) be[a][j] = out[a];
        }
        for (int a = 0; a < 6; a++) {
            __m256 out[6];
            WINOGRAD_B(be[a], out, _mm256_add_ps, _mm256_sub_ps, _mm256_mul_ps);
            for (int b = 0; b < 6; b++) _mm256_store_ps(p + (size_t)(6 * a + b) * stride + first, out[b]);
        }
    }
}

// Adds row a of the patches of tile row `tile_row`, block columns first … first + 7, column b of each
// block into sum[b]: the patch's own column b, and column b + 4 of the tile to the left for b < 2.
__attribute__((target("avx2"))) static inline void
add_patch_row(const float *p, int stride, int tile_row, int tile_columns, int a, int first, __m256 sum[4]) {
    const float *row = p + (size_t)tile_row * (size_t)tile_columns + first;
    const __m256i own = lanes_within(first, 0, tile_columns), left = lanes_within(first, 1, tile_columns + 1);
    for (int b = 0; b < 4; b++) {
        sum[b] = _mm256_add_ps(sum[b], _mm256_maskload_ps(row + (size_t)(6 * a + b) * stride, own));
        if (b < 2) sum[b] = _mm256_add_ps(sum[b], _mm256_maskload_ps(row + (size_t)(6 * a + b + 4) * stride - 1, left));
    }
}

// One plane's rows from its tiles' patches `p` (tile 0 of the plane at p[0]).
__attribute__((target("avx2"))) static void
gather_plane(const float *p, int stride, int height, int width, float *dx) {
    const int tile_columns = (width + 3) / 4, tile_rows = (height + 3) / 4;
    for (int y = 0; y < height; y++) {
        // Row y is row a of block row i: row a of tile row i, and row a + 4 of tile row i − 1 for a < 2.
        const int i = (y + 1) / 4, a = (y + 1) % 4;
        float *out = dx + (size_t)y * (size_t)width;
        for (int first = 0; first <= tile_columns; first += 8) {
            __m256 sum[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
            if (i < tile_rows) add_patch_row(p, stride, i, tile_columns, a, first, sum);
            if (a < 2 && i > 0) add_patch_row(p, stride, i - 1, tile_columns, a + 4, first, sum);
            transpose4x8(sum);  // sum[k]: blocks k and k + 4
            // Block k covers columns 4k − 1 … 4k + 2; store those inside the row.
            for (int k = 0; k < 8 && first + k <= tile_columns; k++) {
                const int column = 4 * (first + k) - 1;
                const __m128 values = k < 4 ? _mm256_castps256_ps128(sum[k]) : _mm256_extractf128_ps(sum[k - 4], 1);
                store4_within(out + column, values, -column, width - column);
            }
        }
    }
}

__attribute__((target("avx2"))) void
distill_winograd_input_gradient_planes(const float *e, long step, int count, int height, int width, float *dx,
                                        long plane_stride) {
    const int tiles_per_plane = (height + 3) / 4 * ((width + 3) / 4), tiles = count * tiles_per_plane;
    const int stride = (tiles + 7) / 8 * 8;
    float stack[36 * StackTiles] __attribute__((aligned(32)));
    float *p = stride <= StackTiles ? stack : aligned_alloc(32, sizeof(float) * 36 * (size_t)stride);
    patches_avx2(e, step, tiles, p, stride);
    for (int plane = 0; plane < count; plane++) {
        gather_plane(p + (size_t)plane * (size_t)tiles_per_plane, stride, height, width, dx + plane * plane_stride);
    }
    if (p != stack) free(p);
}

#else

#define SCALAR_ADD(a, b) ((a) + (b))
#define SCALAR_SUB(a, b) ((a) - (b))
#define SCALAR_MUL(a, b) ((a) * (b))

void distill_winograd_input_gradient_planes(const float *e, long step, int count, int height, int width, float *dx,
                                             long plane_stride) {
    const int tile_columns = (width + 3) / 4, tile_rows = (height + 3) / 4, tiles_per_plane = tile_rows * tile_columns;
    const int tiles = count * tiles_per_plane;
    const float zero = 0, two = 2, four = 4, five = 5;
    float stack[36 * StackTiles];
    float *p = tiles <= StackTiles ? stack : malloc(sizeof(float) * 36 * (size_t)tiles);
    for (int t = 0; t < tiles; t++) {
        float be[6][6];
        for (int j = 0; j < 6; j++) {
            float column[6], out[6];
            for (int i = 0; i < 6; i++) column[i] = e[(size_t)(6 * i + j) * (size_t)step + t];
            WINOGRAD_B(column, out, SCALAR_ADD, SCALAR_SUB, SCALAR_MUL);
            for (int a = 0; a < 6; a++) be[a][j] = out[a];
        }
        for (int a = 0; a < 6; a++) {
            float out[6];
            WINOGRAD_B(be[a], out, SCALAR_ADD, SCALAR_SUB, SCALAR_MUL);
            for (int b = 0; b < 6; b++) p[(size_t)(6 * a + b) * (size_t)tiles + t] = out[b];
        }
    }
    // The vector form's sums in its order: per block, the tile's own patch, the one to its left, then the
    // two of the tile row above.
    for (int plane = 0; plane < count; plane++) {
        float *out = dx + plane * plane_stride;
        for (int y = 0; y < height; y++) {
            const int i = (y + 1) / 4, a = (y + 1) % 4;
            for (int x = 0; x < width; x++) {
                const int j = (x + 1) / 4, b = (x + 1) % 4;
                float sum = 0;
                for (int up = 0; up < 2; up++) {
                    const int row = i - up, patch_row = a + 4 * up;
                    for (int left = 0; left < 2; left++) {
                        const int column = j - left, patch_column = b + 4 * left;
                        if (row < 0 || row >= tile_rows || patch_row > 5 || column < 0 || column >= tile_columns
                            || patch_column > 5)
                            continue;
                        const int t = plane * tiles_per_plane + row * tile_columns + column;
                        sum += p[(size_t)(6 * patch_row + patch_column) * (size_t)tiles + t];
                    }
                }
                out[(size_t)y * (size_t)width + x] = sum;
            }
        }
    }
    if (p != stack) free(p);
}

#endif

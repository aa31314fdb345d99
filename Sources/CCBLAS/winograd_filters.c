// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.
//
// Winograd F(4×4, 3×3) filter transform U = G g Gᵀ and its adjoint, the
// filter gradient Gᵀ ∂L/∂U G, eight filters at a time in vector lanes,
//
//     G = [[ 1/4,     0,    0],
//          [−1/6,  −1/6, −1/6],
//          [−1/6,   1/6, −1/6],
//          [1/24,  1/12,  1/6],
//          [1/24, −1/12,  1/6],
//          [   0,     0,    1]].
//
// Gathering tap t of eight filters lane by lane costs eight scalar loads and
// inserts per tap (72 per group, most of the transform's time in a profile
// of the F(2×2, 3×3) form); here each filter's first eight taps are one
// vector load and an 8 × 8 transpose turns filters into lanes.
#include <stddef.h>

#include "ccblas.h"
#include "kernels_avx2.h"

// G applied to three values x[0 … 2], into y[0 … 5].
#define WINOGRAD_G(x, y, ADD, SUB, MUL)                                      \
    do {                                                                     \
        y[0] = MUL(quarter, x[0]);                                           \
        y[1] = MUL(minus_sixth, ADD(ADD(x[0], x[2]), x[1]));                 \
        y[2] = MUL(minus_sixth, SUB(ADD(x[0], x[2]), x[1]));                 \
        y[3] = MUL(twenty_fourth, ADD(ADD(x[0], MUL(four, x[2])), MUL(two, x[1]))); \
        y[4] = MUL(twenty_fourth, SUB(ADD(x[0], MUL(four, x[2])), MUL(two, x[1]))); \
        y[5] = x[2];                                                         \
    } while (0)

// Gᵀ applied to six values x[0 … 5], into y[0 … 2].
#define WINOGRAD_GT(x, y, ADD, SUB, MUL)                                                              \
    do {                                                                                              \
        y[0] = ADD(SUB(MUL(quarter, x[0]), MUL(sixth, ADD(x[1], x[2]))), MUL(twenty_fourth, ADD(x[3], x[4]))); \
        y[1] = ADD(MUL(sixth, SUB(x[2], x[1])), MUL(twelfth, SUB(x[3], x[4])));                       \
        y[2] = ADD(MUL(sixth, SUB(ADD(x[3], x[4]), ADD(x[1], x[2]))), x[5]);                          \
    } while (0)

#if defined(__x86_64__) && !defined(__APPLE__)

__attribute__((target("avx2"))) void
distill_winograd_filters8(const float *g, float *u, long stride) {
    const __m256 quarter = _mm256_set1_ps(0.25f), minus_sixth = _mm256_set1_ps(-1.0f / 6);
    const __m256 twenty_fourth = _mm256_set1_ps(1.0f / 24), two = _mm256_set1_ps(2), four = _mm256_set1_ps(4);
    __m256 taps[9];
    for (int k = 0; k < 8; k++) taps[k] = _mm256_loadu_ps(g + 9 * k);
    distill_transpose8(taps);
    taps[8] = _mm256_setr_ps(g[8], g[17], g[26], g[35], g[44], g[53], g[62], g[71]);
#define TAP(row, column) taps[3 * (row) + (column)]
    // Column j of G g: G applied to column j of g.
    __m256 gg[3][6];
    for (int j = 0; j < 3; j++) {
        __m256 column[3] = {TAP(0, j), TAP(1, j), TAP(2, j)};
        WINOGRAD_G(column, gg[j], _mm256_add_ps, _mm256_sub_ps, _mm256_mul_ps);
    }
#undef TAP
    // Row i of U: G applied to row i of G g.
    for (int i = 0; i < 6; i++) {
        __m256 row[3] = {gg[0][i], gg[1][i], gg[2][i]}, out[6];
        WINOGRAD_G(row, out, _mm256_add_ps, _mm256_sub_ps, _mm256_mul_ps);
        for (int j = 0; j < 6; j++) _mm256_storeu_ps(u + (6 * i + j) * stride, out[j]);
    }
}

__attribute__((target("avx2"))) void distill_winograd_filter_gradients8(const float *du, long stride, float *g) {
    const __m256 quarter = _mm256_set1_ps(0.25f), sixth = _mm256_set1_ps(1.0f / 6);
    const __m256 twelfth = _mm256_set1_ps(1.0f / 12), twenty_fourth = _mm256_set1_ps(1.0f / 24);
    // ∂L/∂U G, row by row.
    __m256 dug[6][3];
    for (int i = 0; i < 6; i++) {
        __m256 row[6];
        for (int j = 0; j < 6; j++) row[j] = _mm256_loadu_ps(du + (6 * i + j) * stride);
        WINOGRAD_GT(row, dug[i], _mm256_add_ps, _mm256_sub_ps, _mm256_mul_ps);
    }
    // Column c of Gᵀ (∂L/∂U G), lanes = filters; written out filter by filter.
    float taps[3][3][8];
    for (int c = 0; c < 3; c++) {
        __m256 column[6] = {dug[0][c], dug[1][c], dug[2][c], dug[3][c], dug[4][c], dug[5][c]}, out[3];
        WINOGRAD_GT(column, out, _mm256_add_ps, _mm256_sub_ps, _mm256_mul_ps);
        for (int r = 0; r < 3; r++) _mm256_storeu_ps(taps[r][c], out[r]);
    }
    for (int k = 0; k < 8; k++)
        for (int tap = 0; tap < 9; tap++) g[9 * k + tap] = taps[tap / 3][tap % 3][k];
}

#else

#define SCALAR_ADD(a, b) ((a) + (b))
#define SCALAR_SUB(a, b) ((a) - (b))
#define SCALAR_MUL(a, b) ((a) * (b))

void distill_winograd_filters8(const float *filters, float *u, long stride) {
    const float quarter = 0.25f, minus_sixth = -1.0f / 6, twenty_fourth = 1.0f / 24, two = 2, four = 4;
    for (int k = 0; k < 8; k++) {
        const float *g = filters + 9 * k;
        float gg[3][6];
        for (int j = 0; j < 3; j++) {
            float column[3] = {g[j], g[3 + j], g[6 + j]};
            WINOGRAD_G(column, gg[j], SCALAR_ADD, SCALAR_SUB, SCALAR_MUL);
        }
        for (int i = 0; i < 6; i++) {
            float row[3] = {gg[0][i], gg[1][i], gg[2][i]}, out[6];
            WINOGRAD_G(row, out, SCALAR_ADD, SCALAR_SUB, SCALAR_MUL);
            for (int j = 0; j < 6; j++) u[(6 * i + j) * stride + k] = out[j];
        }
    }
}

void distill_winograd_filter_gradients8(const float *du, long stride, float *g) {
    const float quarter = 0.25f, sixth = 1.0f / 6, twelfth = 1.0f / 12, twenty_fourth = 1.0f / 24;
    for (int k = 0; k < 8; k++) {
        float dug[6][3];
        for (int i = 0; i < 6; i++) {
            float row[6];
            for (int j = 0; j < 6; j++) row[j] = du[(6 * i + j) * stride + k];
            WINOGRAD_GT(row, dug[i], SCALAR_ADD, SCALAR_SUB, SCALAR_MUL);
        }
        for (int c = 0; c < 3; c++) {
            float column[6] = {dug[0][c], dug[1][c], dug[2][c], dug[3][c], dug[4][c], dug[5][c]}, out[3];
            WINOGRAD_GT(column, out, SCALAR_ADD, SCALAR_SUB, SCALAR_MUL);
            for (int r = 0; r < 3; r++) g[9 * k + 3 * r + c] = out[r];
        }
    }
}

#endif

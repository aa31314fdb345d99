// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.
//
// C = op(A)·op(B) + beta·C for the Winograd GEMMs of a convolution: the
// forward pass and input gradient, where M and K are channel counts
// (16 … 512), N a chunk of tiles (40 … 640) and op(A) is A or, for the input
// gradient's transposed filters, Aᵀ; and, with AVX-512, the weight gradient,
// A·Bᵀ with M and N channel counts and K the tiles. At these sizes a BLAS spends a
// quarter of its time copying both operands into its panel layout on every
// call (and, for beta = 0, clearing C first). Here A is read in place (a
// block of eight of its rows is a few KiB, read in order; of Aᵀ, eight side
// by side columns) and only a K × 48 panel of op(B) is copied, once per
// panel (of Bᵀ, transposed eight by eight in registers): it then stays in
// L1 while every block of eight rows of A passes over it, each loaded B
// vector feeding eight FMAs from registers. Sums run over k in order, one
// depth block at a time.
#include "ccblas.h"
#include "kernels_avx2.h"

#if defined(__x86_64__) && !defined(__APPLE__)
#include <immintrin.h>

enum { BlockRows = 8, BlockColumns = 48, DepthBlock = 128 };

// The first `lanes` (at most 16; none when ≤ 0) lanes of a vector.
static inline __mmask16 lane_mask(int lanes) {
    return lanes <= 0 ? (__mmask16)0 : lanes >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << lanes) - 1u);
}

// Copies a `k` × `width` (≤ 48) panel of B to `panel[p · 48 + j]`, columns
// past `width` zero. Read in place, the rows of a panel lie a multiple of
// 1 KiB apart (B's rows are chunks of 256 or 640 tiles) and fall into a few
// L1 sets, so the panel kept evicting itself (measured: 40 GFLOP/s instead
// of 90 on one core); contiguous, it stays in L1.
__attribute__((target("avx512f"))) static void
pack_panel(int k, int width, const float *b, int ldb, float *panel) {
    __mmask16 m0 = lane_mask(width), m1 = lane_mask(width - 16), m2 = lane_mask(width - 32);
    for (int p = 0; p < k; p++) {
        const float *row = b + (size_t)p * (size_t)ldb;
        _mm512_storeu_ps(panel + p * BlockColumns, _mm512_maskz_loadu_ps(m0, row));
        _mm512_storeu_ps(panel + p * BlockColumns + 16, _mm512_maskz_loadu_ps(m1, row + 16));
        _mm512_storeu_ps(panel + p * BlockColumns + 32, _mm512_maskz_loadu_ps(m2, row + 32));
    }
}

// Copies a `k` × `width` (≤ 48) panel of Bᵀ from B's rows (each `k` floats from
// `b`, `ldb` apart) to `panel[p · 48 + j] = b[j · ldb + p]`, columns past
// `width` zero: eight rows by eight columns at a time, transposed in registers.
__attribute__((target("avx512f,avx512vl"))) static void
pack_panel_transposed(int k, int width, const float *b, int ldb, float *panel) {
    for (int j = 0; j < BlockColumns; j += 8) {
        for (int p = 0; p < k; p += 8) {
            const int lanes = k - p < 8 ? k - p : 8;
            const __mmask8 keep = (__mmask8)((1u << lanes) - 1u);
            __m256 r[8];
            for (int i = 0; i < 8; i++) {
                r[i] = j + i < width ? _mm256_maskz_loadu_ps(keep, b + (size_t)(j + i) * (size_t)ldb + p)
                                     : _mm256_setzero_ps();
            }
            distill_transpose8(r);
            for (int i = 0; i < lanes; i++) _mm256_store_ps(panel + (p + i) * BlockColumns + j, r[i]);
        }
    }
}

// One block of `rows` (≤ 8) rows and `vectors` · 16 (at most 48) columns of C.
// Both are compile-time constants at each call, so the accumulators stay in
// registers. `last_mask` trims the last vector of a short block when storing.
__attribute__((target("avx512f"), always_inline)) static inline void
block(const int transpose_a, const int rows, const int vectors, int k, const float *a, int lda, const float *panel,
      float beta,
      float *c, int ldc, __mmask16 last_mask) {
    __m512 acc[BlockRows][3];
    for (int r = 0; r < rows; r++) {
        for (int v = 0; v < vectors; v++) acc[r][v] = _mm512_setzero_ps();
    }
    for (int p = 0; p < k; p++) {
        const float *row = panel + p * BlockColumns;
        __m512 b0 = _mm512_loadu_ps(row);
        __m512 b1 = vectors >= 2 ? _mm512_loadu_ps(row + 16) : b0;
        __m512 b2 = vectors == 3 ? _mm512_loadu_ps(row + 32) : b0;
        for (int r = 0; r < rows; r++) {
            __m512 value = _mm512_set1_ps(a[transpose_a ? (size_t)p * (size_t)lda + r : (size_t)r * (size_t)lda + p]);
            acc[r][0] = _mm512_fmadd_ps(value, b0, acc[r][0]);
            if (vectors >= 2) acc[r][1] = _mm512_fmadd_ps(value, b1, acc[r][1]);
            if (vectors == 3) acc[r][2] = _mm512_fmadd_ps(value, b2, acc[r][2]);
        }
    }
    const __m512 scale = _mm512_set1_ps(beta);
    for (int r = 0; r < rows; r++) {
        float *out = c + (size_t)r * (size_t)ldc;
        for (int v = 0; v < vectors; v++) {
            __mmask16 mask = v == vectors - 1 ? last_mask : (__mmask16)0xFFFF;
            __m512 sum = acc[r][v];
            // beta == 0 must not read C: it may hold NaN or uninitialised memory.
            if (beta != 0.0f) sum = _mm512_fmadd_ps(scale, _mm512_maskz_loadu_ps(mask, out + 16 * v), sum);
            _mm512_mask_storeu_ps(out + 16 * v, mask, sum);
        }
    }
}

// `block` for the `rows` (1 … 8) at hand, each count a constant.
__attribute__((target("avx512f"), always_inline)) static inline void
rows_block(const int transpose_a, int rows, const int vectors, int k, const float *a, int lda, const float *panel,
           float beta,
           float *c, int ldc, __mmask16 last_mask) {
    switch (rows) {
#define ROWS(R) case R: block(transpose_a, R, vectors, k, a, lda, panel, beta, c, ldc, last_mask); break;
    ROWS(8) ROWS(7) ROWS(6) ROWS(5) ROWS(4) ROWS(3) ROWS(2) ROWS(1)
#undef ROWS
    default: break;
    }
}

// The whole product, `transpose_a` and `transpose_b` constants at each call.
__attribute__((target("avx512f"), always_inline)) static inline void
gemm(const int transpose_a, const int transpose_b, int m, int n, int k, const float *a, int lda, const float *b,
     int ldb, float beta, float *c, int ldc) {
    float panel[DepthBlock * BlockColumns] __attribute__((aligned(64)));
    for (int depth = 0; depth < k; depth += DepthBlock) {
        int span = k - depth < DepthBlock ? k - depth : DepthBlock;
        // Later depth blocks add to what the earlier ones stored.
        float scale = depth == 0 ? beta : 1.0f;
        for (int column = 0; column < n; column += BlockColumns) {
            int width = n - column < BlockColumns ? n - column : BlockColumns;
            if (transpose_b) {
                pack_panel_transposed(span, width, b + (size_t)column * (size_t)ldb + depth, ldb, panel);
            } else {
                pack_panel(span, width, b + (size_t)depth * (size_t)ldb + column, ldb, panel);
            }
            int vectors = (width + 15) / 16;
            __mmask16 last = lane_mask(width - 16 * (vectors - 1));
            for (int row = 0; row < m; row += BlockRows) {
                int rows = m - row < BlockRows ? m - row : BlockRows;
                const float *rows_a =
                    transpose_a ? a + (size_t)depth * (size_t)lda + row : a + (size_t)row * (size_t)lda + depth;
                float *rows_c = c + (size_t)row * (size_t)ldc + column;
                if (vectors == 3) {
                    rows_block(transpose_a, rows, 3, span, rows_a, lda, panel, scale, rows_c, ldc, last);
                } else if (vectors == 2) {
                    rows_block(transpose_a, rows, 2, span, rows_a, lda, panel, scale, rows_c, ldc, last);
                } else {
                    rows_block(transpose_a, rows, 1, span, rows_a, lda, panel, scale, rows_c, ldc, last);
                }
            }
        }
    }
}

__attribute__((target("avx512f"))) static void
small_sgemm_avx512(int transpose_a, int transpose_b, int m, int n, int k, const float *a, int lda, const float *b,
                   int ldb, float beta, float *c, int ldc) {
    if (transpose_b) gemm(0, 1, m, n, k, a, lda, b, ldb, beta, c, ldc);
    else if (transpose_a) gemm(1, 0, m, n, k, a, lda, b, ldb, beta, c, ldc);
    else gemm(0, 0, m, n, k, a, lda, b, ldb, beta, c, ldc);
}

#endif

void distill_small_sgemm(int kernels, int transposeA, int transposeB, int m, int n, int k, const float *a, int lda,
                         const float *b, int ldb, float beta, float *c, int ldc) {
#if defined(__x86_64__) && !defined(__APPLE__)
    // Both operands transposed is no Winograd product: the BLAS takes it.
    if (kernels == DISTILL_KERNELS_AVX512 && !(transposeA && transposeB)) {
        small_sgemm_avx512(transposeA, transposeB, m, n, k, a, lda, b, ldb, beta, c, ldc);
        return;
    }
    // Bᵀ copied into the AVX2 kernel's 16-column panels ran at 0.66-0.93× OpenBLAS's
    // Haswell kernel on the weight gradient's products (one core, k = 32 … 160).
    if (kernels == DISTILL_KERNELS_AVX2 && !transposeB) {
        distill_small_sgemm_avx2(transposeA, m, n, k, a, lda, b, ldb, beta, c, ldc);
        return;
    }
#endif
    distill_sgemm(transposeA, transposeB, m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc);
}

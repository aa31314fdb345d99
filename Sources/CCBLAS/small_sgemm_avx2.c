// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.
//
// The AVX2 + FMA version of small_sgemm.c's kernel, for x86-64 CPUs without
// AVX-512 (AMD Zen 2 and 3, Intel client parts): the same scheme, A read in
// place and a K × 16 panel of B copied once and kept in L1, with blocks of
// six rows of C by two 8-float vectors: twelve accumulators, two B vectors
// and a broadcast fill all but one of the 16 vector registers, enough
// independent FMAs to cover their latency on two FMA units.
#include "ccblas.h"
#include "kernels_avx2.h"

#if defined(__x86_64__) && !defined(__APPLE__)

enum { BlockRows = 6, BlockColumns = 16, DepthBlock = 128 };

// Copies a `k` × `width` (≤ 16) panel of B to `panel[p · 16 + j]`, columns
// past `width` zero (see pack_panel in small_sgemm.c for why it is copied).
__attribute__((target("avx2,fma"))) static void
pack_panel(int k, int width, const float *b, int ldb, float *panel) {
    if (width == BlockColumns) {
        for (int p = 0; p < k; p++) {
            const float *row = b + (size_t)p * (size_t)ldb;
            _mm256_store_ps(panel + p * BlockColumns, _mm256_loadu_ps(row));
            _mm256_store_ps(panel + p * BlockColumns + 8, _mm256_loadu_ps(row + 8));
        }
        return;
    }
    __m256i m0 = lane_mask8(width), m1 = lane_mask8(width - 8);
    for (int p = 0; p < k; p++) {
        const float *row = b + (size_t)p * (size_t)ldb;
        _mm256_store_ps(panel + p * BlockColumns, _mm256_maskload_ps(row, m0));
        _mm256_store_ps(panel + p * BlockColumns + 8, _mm256_maskload_ps(row + 8, m1));
    }
}

// One block of `rows` (≤ 6) rows and `vectors` · 8 (at most 16) columns of C,
// both compile-time constants at each call so the accumulators stay in
// registers. Unless `full`, `last_mask` trims the last vector.
__attribute__((target("avx2,fma"), always_inline)) static inline void
block(const int transposed, const int rows, const int vectors, int k, const float *a, int lda, const float *panel,
      float beta,
      float *c, int ldc, int full, __m256i last_mask) {
    __m256 acc[BlockRows][2];
    for (int r = 0; r < rows; r++) {
        for (int v = 0; v < vectors; v++) acc[r][v] = _mm256_setzero_ps();
    }
    for (int p = 0; p < k; p++) {
        const float *row = panel + p * BlockColumns;
        __m256 b0 = _mm256_load_ps(row);
        __m256 b1 = vectors == 2 ? _mm256_load_ps(row + 8) : b0;
        for (int r = 0; r < rows; r++) {
            const size_t at = transposed ? (size_t)p * (size_t)lda + r : (size_t)r * (size_t)lda + p;
            __m256 value = _mm256_broadcast_ss(a + at);
            acc[r][0] = _mm256_fmadd_ps(value, b0, acc[r][0]);
            if (vectors == 2) acc[r][1] = _mm256_fmadd_ps(value, b1, acc[r][1]);
        }
    }
    const __m256 scale = _mm256_set1_ps(beta);
    for (int r = 0; r < rows; r++) {
        float *out = c + (size_t)r * (size_t)ldc;
        for (int v = 0; v < vectors; v++) {
            __m256 sum = acc[r][v];
            // beta == 0 must not read C: it may hold NaN or uninitialised memory.
            // Masked moves only where a vector is partial: on AMD Zen they
            // are microcoded, a masked store costing as much as ~20 FMAs.
            if (v < vectors - 1 || full) {
                if (beta != 0.0f) sum = _mm256_fmadd_ps(scale, _mm256_loadu_ps(out + 8 * v), sum);
                _mm256_storeu_ps(out + 8 * v, sum);
            } else {
                if (beta != 0.0f) sum = _mm256_fmadd_ps(scale, _mm256_maskload_ps(out + 8 * v, last_mask), sum);
                _mm256_maskstore_ps(out + 8 * v, last_mask, sum);
            }
        }
    }
}

// `block` for the `rows` (1 … 6) at hand, each count a constant.
__attribute__((target("avx2,fma"), always_inline)) static inline void
rows_block(const int transposed, int rows, const int vectors, int k, const float *a, int lda, const float *panel,
           float beta,
           float *c, int ldc, int full, __m256i last_mask) {
    switch (rows) {
#define ROWS(R) case R: block(transposed, R, vectors, k, a, lda, panel, beta, c, ldc, full, last_mask); break;
    ROWS(6) ROWS(5) ROWS(4) ROWS(3) ROWS(2) ROWS(1)
#undef ROWS
    default: break;
    }
}

// The whole product, `transposed` a constant at each call.
__attribute__((target("avx2,fma"), always_inline)) static inline void
gemm(const int transposed, int m, int n, int k, const float *a, int lda, const float *b, int ldb, float beta,
     float *c, int ldc) {
    float panel[DepthBlock * BlockColumns] __attribute__((aligned(64)));
    for (int depth = 0; depth < k; depth += DepthBlock) {
        int span = k - depth < DepthBlock ? k - depth : DepthBlock;
        // Later depth blocks add to what the earlier ones stored.
        float scale = depth == 0 ? beta : 1.0f;
        for (int column = 0; column < n; column += BlockColumns) {
            int width = n - column < BlockColumns ? n - column : BlockColumns;
            pack_panel(span, width, b + (size_t)depth * (size_t)ldb + column, ldb, panel);
            int vectors = (width + 7) / 8;
            int full = width == 8 * vectors;
            __m256i last = lane_mask8(width - 8 * (vectors - 1));
            for (int row = 0; row < m; row += BlockRows) {
                int rows = m - row < BlockRows ? m - row : BlockRows;
                const float *rows_a =
                    transposed ? a + (size_t)depth * (size_t)lda + row : a + (size_t)row * (size_t)lda + depth;
                float *rows_c = c + (size_t)row * (size_t)ldc + column;
                if (vectors == 2) {
                    rows_block(transposed, rows, 2, span, rows_a, lda, panel, scale, rows_c, ldc, full, last);
                } else {
                    rows_block(transposed, rows, 1, span, rows_a, lda, panel, scale, rows_c, ldc, full, last);
                }
            }
        }
    }
}

__attribute__((target("avx2,fma"))) void
distill_small_sgemm_avx2(int transposed, int m, int n, int k, const float *a, int lda, const float *b, int ldb,
                         float beta, float *c, int ldc) {
    if (transposed) gemm(1, m, n, k, a, lda, b, ldb, beta, c, ldc);
    else gemm(0, m, n, k, a, lda, b, ldb, beta, c, ldc);
}

#endif

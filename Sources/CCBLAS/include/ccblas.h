// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.
//
// The one BLAS entry point distill needs (single-precision GEMM), plus the
// knobs that choose kernels and threads. On Apple platforms this is
// Accelerate; elsewhere OpenBLAS, loaded at first use (see ccblas.c for why).
#ifndef DISTILL_CCBLAS_H
#define DISTILL_CCBLAS_H

#ifdef __cplusplus
extern "C" {
#endif

/// Loads the BLAS library if needed. Returns 0 on success; otherwise fills
/// `message` (at most `capacity` bytes) with a one-line reason.
int distill_blas_load(char *message, int capacity);

/// C = alpha * op(A) * op(B) + beta * C, row-major. op(X) is X or X^T.
/// A is M x K after op, B is K x N after op, C is M x N.
void distill_sgemm(int transposeA, int transposeB, int m, int n, int k,
                   float alpha, const float *a, int lda,
                   const float *b, int ldb,
                   float beta, float *c, int ldc);

/// C = A * B + beta * C, row-major, neither operand transposed, single-threaded,
/// for the channel-sized GEMMs of a Winograd convolution: on x86-64 CPUs with
/// AVX-512 a kernel of our own (see small_sgemm.c), elsewhere distill_sgemm.
void distill_small_sgemm(int m, int n, int k, const float *a, int lda,
                         const float *b, int ldb, float beta, float *c, int ldc);

/// Whether distill_small_sgemm runs its own kernel here (1) or the BLAS (0).
int distill_small_sgemm_available(void);

/// Human-readable name of the library and kernel set in use, e.g.
/// "OpenBLAS 0.3.21 (SkylakeX kernels)".
const char *distill_blas_description(void);

/// Nesting depth of the engine's parallel regions on the calling thread.
int distill_parallel_depth(void);
void distill_set_parallel_depth(int depth);

/// Number of threads the BLAS uses for one call.
int distill_blas_threads(void);
void distill_blas_set_threads(int threads);

#ifdef __cplusplus
}
#endif

#endif

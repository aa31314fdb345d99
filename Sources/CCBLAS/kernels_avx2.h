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

// The AVX2 + FMA kernel of distill_small_sgemm (small_sgemm_avx2.c).
void distill_small_sgemm_avx2(int m, int n, int k, const float *a, int lda, const float *b, int ldb, float beta,
                              float *c, int ldc);

#endif

#endif

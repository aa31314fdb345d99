// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.
//
// Direct 3×3, stride-1 convolution for the first layer of a network, whose
// input has one to four channels (Fashion-MNIST, CIFAR). As a GEMM over
// im2col columns its depth is 9·C_in, 9 for grey images, and a BLAS runs such
// a thin product at a fifth of its rate (measured: 425 µs for the forward
// pass of ten 1×28×28 images into 128 channels, 290 µs for the weight
// gradient). Here every loaded input vector feeds the FMAs of four output
// channels (forward) or every tap of two (weight gradient) from registers.
//
// Inputs are zero-padded by the caller: `padded` holds C_in planes of
// `rows` × `pitch` floats, with the convolution's padding on the top and left
// and at least 16 floats of zeros right of the last column read, so that
// full vectors may be read past the row's end.
#include "ccblas.h"
#include "kernels_avx2.h"

#if defined(__x86_64__) && !defined(__APPLE__)
#include <immintrin.h>

static inline __mmask16 lanes_mask(int lanes) {
    return lanes >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << lanes) - 1u);
}

// Four output planes (channels o … o+3, `outHeight × outWidth` each, stored
// one after another) of one image: y = bias + Σ_c Σ_taps w · x.
__attribute__((target("avx512f"))) static void
forward4_avx512(const float *padded, int rows, int pitch, int inChannels, int outHeight, int outWidth,
                const float *weights, const float *bias, float *out) {
    const int plane = outHeight * outWidth;
    for (int i = 0; i < outHeight; i++) {
        for (int j = 0; j < outWidth; j += 16) {
            __m512 acc[4];
            for (int q = 0; q < 4; q++) acc[q] = _mm512_set1_ps(bias != NULL ? bias[q] : 0.0f);
            for (int c = 0; c < inChannels; c++) {
                const float *x = padded + (size_t)c * rows * pitch + (size_t)i * pitch + j;
                const float *w = weights + c * 9;
                for (int a = 0; a < 3; a++) {
                    for (int b = 0; b < 3; b++) {
                        __m512 v = _mm512_loadu_ps(x + a * pitch + b);
                        for (int q = 0; q < 4; q++) {
                            acc[q] = _mm512_fmadd_ps(_mm512_set1_ps(w[q * inChannels * 9 + a * 3 + b]), v, acc[q]);
                        }
                    }
                }
            }
            __mmask16 mask = lanes_mask(outWidth - j);
            for (int q = 0; q < 4; q++) {
                _mm512_mask_storeu_ps(out + (size_t)q * plane + (size_t)i * outWidth + j, mask, acc[q]);
            }
        }
    }
}

// ∂L/∂w of two output channels, [2][C_in][3][3], summed over `images`
// images in order: Σ_n Σ_{i,j} dy[n, o, i, j] · x[n, c, i + a, j + b].
__attribute__((target("avx512f"))) static void
weight_gradient2_avx512(const float *padded, size_t paddedImageStride, int rows, int pitch, int inChannels,
                        const float *dy, size_t dyImageStride, int images, int outHeight, int outWidth,
                        float *dw) {
    const int plane = outHeight * outWidth;
    for (int c = 0; c < inChannels; c++) {
        __m512 acc[2][9];
        for (int q = 0; q < 2; q++)
            for (int t = 0; t < 9; t++) acc[q][t] = _mm512_setzero_ps();
        for (int n = 0; n < images; n++) {
            const float *x = padded + n * paddedImageStride + (size_t)c * rows * pitch;
            const float *g = dy + n * dyImageStride;
            for (int i = 0; i < outHeight; i++) {
                for (int j = 0; j < outWidth; j += 16) {
                    __mmask16 mask = lanes_mask(outWidth - j);
                    __m512 g0 = _mm512_maskz_loadu_ps(mask, g + (size_t)i * outWidth + j);
                    __m512 g1 = _mm512_maskz_loadu_ps(mask, g + plane + (size_t)i * outWidth + j);
                    const float *row = x + (size_t)i * pitch + j;
                    for (int a = 0; a < 3; a++) {
                        for (int b = 0; b < 3; b++) {
                            __m512 v = _mm512_loadu_ps(row + a * pitch + b);
                            acc[0][a * 3 + b] = _mm512_fmadd_ps(g0, v, acc[0][a * 3 + b]);
                            acc[1][a * 3 + b] = _mm512_fmadd_ps(g1, v, acc[1][a * 3 + b]);
                        }
                    }
                }
            }
        }
        for (int q = 0; q < 2; q++)
            for (int t = 0; t < 9; t++) dw[(q * inChannels + c) * 9 + t] = _mm512_reduce_add_ps(acc[q][t]);
    }
}

// The AVX2 + FMA versions: eight lanes per vector, so the forward pass takes
// two vectors of a row at once (eight accumulator chains, enough to cover the
// FMA latency on two units), and the weight gradient one output channel at a
// time (nine accumulators; two would need 18 of the 16 registers).

__attribute__((target("avx2,fma"))) static void
forward4_avx2(const float *padded, int rows, int pitch, int inChannels, int outHeight, int outWidth,
              const float *weights, const float *bias, float *out) {
    const int plane = outHeight * outWidth;
    for (int i = 0; i < outHeight; i++) {
        for (int j = 0; j < outWidth; j += 16) {
            __m256 acc[4][2];
            for (int q = 0; q < 4; q++) acc[q][0] = acc[q][1] = _mm256_set1_ps(bias != NULL ? bias[q] : 0.0f);
            for (int c = 0; c < inChannels; c++) {
                const float *x = padded + (size_t)c * rows * pitch + (size_t)i * pitch + j;
                const float *w = weights + c * 9;
                for (int a = 0; a < 3; a++) {
                    for (int b = 0; b < 3; b++) {
                        __m256 v0 = _mm256_loadu_ps(x + a * pitch + b);
                        __m256 v1 = _mm256_loadu_ps(x + a * pitch + b + 8);
                        for (int q = 0; q < 4; q++) {
                            __m256 tap = _mm256_broadcast_ss(w + q * inChannels * 9 + a * 3 + b);
                            acc[q][0] = _mm256_fmadd_ps(tap, v0, acc[q][0]);
                            acc[q][1] = _mm256_fmadd_ps(tap, v1, acc[q][1]);
                        }
                    }
                }
            }
            // Masked stores only for a partial pair: on AMD Zen they are
            // microcoded and cost as much as the FMAs of a whole pair.
            if (outWidth - j >= 16) {
                for (int q = 0; q < 4; q++) {
                    float *target = out + (size_t)q * plane + (size_t)i * outWidth + j;
                    _mm256_storeu_ps(target, acc[q][0]);
                    _mm256_storeu_ps(target + 8, acc[q][1]);
                }
            } else {
                __m256i mask0 = lane_mask8(outWidth - j), mask1 = lane_mask8(outWidth - j - 8);
                for (int q = 0; q < 4; q++) {
                    float *target = out + (size_t)q * plane + (size_t)i * outWidth + j;
                    _mm256_maskstore_ps(target, mask0, acc[q][0]);
                    _mm256_maskstore_ps(target + 8, mask1, acc[q][1]);
                }
            }
        }
    }
}

__attribute__((target("avx2,fma"))) static inline float sum_lanes8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

__attribute__((target("avx2,fma"))) static void
weight_gradient2_avx2(const float *padded, size_t paddedImageStride, int rows, int pitch, int inChannels,
                      const float *dy, size_t dyImageStride, int images, int outHeight, int outWidth, float *dw) {
    const int plane = outHeight * outWidth;
    for (int q = 0; q < 2; q++) {
        for (int c = 0; c < inChannels; c++) {
            __m256 acc[9];
            for (int t = 0; t < 9; t++) acc[t] = _mm256_setzero_ps();
            for (int n = 0; n < images; n++) {
                const float *x = padded + n * paddedImageStride + (size_t)c * rows * pitch;
                const float *g = dy + n * dyImageStride + (size_t)q * plane;
                for (int i = 0; i < outHeight; i++) {
                    for (int j = 0; j < outWidth; j += 8) {
                        const float *from = g + (size_t)i * outWidth + j;
                        __m256 gradient = outWidth - j >= 8 ? _mm256_loadu_ps(from)
                                                            : _mm256_maskload_ps(from, lane_mask8(outWidth - j));
                        const float *row = x + (size_t)i * pitch + j;
                        for (int a = 0; a < 3; a++) {
                            for (int b = 0; b < 3; b++) {
                                acc[a * 3 + b] =
                                    _mm256_fmadd_ps(gradient, _mm256_loadu_ps(row + a * pitch + b), acc[a * 3 + b]);
                            }
                        }
                    }
                }
            }
            for (int t = 0; t < 9; t++) dw[(q * inChannels + c) * 9 + t] = sum_lanes8(acc[t]);
        }
    }
}

void distill_direct_conv3x3_forward4(int kernels, const float *padded, int rows, int pitch, int inChannels,
                                     int outHeight, int outWidth, const float *weights, const float *bias,
                                     float *out) {
    if (kernels == DISTILL_KERNELS_AVX512) {
        forward4_avx512(padded, rows, pitch, inChannels, outHeight, outWidth, weights, bias, out);
    } else {
        forward4_avx2(padded, rows, pitch, inChannels, outHeight, outWidth, weights, bias, out);
    }
}

void distill_direct_conv3x3_weight_gradient2(int kernels, const float *padded, long paddedImageStride, int rows,
                                             int pitch, int inChannels, const float *dy, long dyImageStride,
                                             int images, int outHeight, int outWidth, float *dw) {
    if (kernels == DISTILL_KERNELS_AVX512) {
        weight_gradient2_avx512(padded, (size_t)paddedImageStride, rows, pitch, inChannels, dy,
                                (size_t)dyImageStride, images, outHeight, outWidth, dw);
    } else {
        weight_gradient2_avx2(padded, (size_t)paddedImageStride, rows, pitch, inChannels, dy,
                              (size_t)dyImageStride, images, outHeight, outWidth, dw);
    }
}

#else

#include <stdio.h>
#include <stdlib.h>

// Without x86-64 vector kernels the engine convolves through the BLAS
// instead; these are never called (distill_cpu_kernels() is NONE).
static void unavailable(void) {
    fprintf(stderr, "distill: direct convolution kernel called on a CPU without AVX2\n");
    abort();
}

void distill_direct_conv3x3_forward4(int kernels, const float *padded, int rows, int pitch, int inChannels,
                                     int outHeight, int outWidth, const float *weights, const float *bias,
                                     float *out) {
    (void)kernels; (void)padded; (void)rows; (void)pitch; (void)inChannels; (void)outHeight; (void)outWidth;
    (void)weights; (void)bias; (void)out;
    unavailable();
}

void distill_direct_conv3x3_weight_gradient2(int kernels, const float *padded, long paddedImageStride, int rows,
                                             int pitch, int inChannels, const float *dy, long dyImageStride,
                                             int images, int outHeight, int outWidth, float *dw) {
    (void)kernels; (void)padded; (void)paddedImageStride; (void)rows; (void)pitch; (void)inChannels; (void)dy;
    (void)dyImageStride; (void)images; (void)outHeight; (void)outWidth; (void)dw;
    unavailable();
}

#endif

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

/// Instruction sets the engine's own vector kernels are written for, in
/// increasing order. A kernel asked for a set the CPU lacks faults.
enum { DISTILL_KERNELS_NONE = 0, DISTILL_KERNELS_AVX2 = 1, DISTILL_KERNELS_AVX512 = 2 };

/// The best set this CPU runs: AVX-512 (F, BW, VL and DQ), AVX2 with FMA, or none.
int distill_cpu_kernels(void);

/// NULL when this CPU has the instructions of OpenBLAS's kernels for the
/// x86-64 core type `name` (case ignored), or the name is not one the check
/// knows; otherwise the instructions it lacks, e.g. "fma4 and xop". Forcing
/// such a core type would stop the process with an illegal instruction.
const char *distill_blas_core_type_lacks(const char *name);

/// C = op(A) * op(B) + beta * C, row-major, op(X) = X or X^T, single-threaded,
/// for the channel-sized GEMMs of a Winograd convolution: a kernel of our own
/// for the given set (see small_sgemm.c), or distill_sgemm for
/// DISTILL_KERNELS_NONE or when both operands are transposed.
void distill_small_sgemm(int kernels, int transposeA, int transposeB, int m, int n, int k, const float *a, int lda,
                         const float *b, int ldb, float beta, float *c, int ldc);

/// Output channels o ... o+3 of one image of a 3x3, stride-1 convolution with
/// 1-4 input channels (see direct_conv.c): `padded` is the image's zero-padded
/// input, `inChannels` planes of `rows` x `pitch` floats with 16 spare zero
/// columns; `weights` the four channels' [4][inChannels][3][3]; `bias` four
/// values or NULL; `out` the four output planes, one after another. `kernels`
/// is DISTILL_KERNELS_AVX2 or DISTILL_KERNELS_AVX512.
void distill_direct_conv3x3_forward4(int kernels, const float *padded, int rows, int pitch, int inChannels,
                                     int outHeight, int outWidth, const float *weights, const float *bias,
                                     float *out);

/// dL/dw [2][inChannels][3][3] of output channels o and o+1, summed over
/// `images` images in order: `padded` as above for the first image (the next
/// `paddedImageStride` floats on), `dy` channel o's output gradient in the
/// first image (channel o+1 follows it, the next image `dyImageStride` on).
void distill_direct_conv3x3_weight_gradient2(int kernels, const float *padded, long paddedImageStride, int rows,
                                             int pitch, int inChannels, const float *dy, long dyImageStride,
                                             int images, int outHeight, int outWidth, float *dw);

/// U = G g G^T of Winograd F(4x4, 3x3) for eight 3x3 filters (see
/// winograd_filters.c), row-major, filter k at `g + 9 k`; position xi (0 ..<
/// 36) of filter k goes to `u[xi * stride + k]`.
void distill_winograd_filters8(const float *g, float *u, long stride);

/// G^T dU G of Winograd F(4x4, 3x3): the gradients of eight 3x3 filters
/// (row-major, filter k at `g + 9 k`) from those of their transforms, position
/// xi of filter k at `du[xi * stride + k]`.
void distill_winograd_filter_gradients8(const float *du, long stride, float *g);

/// V = B^T d B of Winograd F(4x4, 3x3) for every 6x6 patch (padding 1) of
/// `count` `height` x `width` planes, plane k at `planes + k * plane_stride`
/// (see winograd_input.c): position xi of tile t goes to `v[xi * step + t]`,
/// tiles (4x4 output tiles, row-major, ceil(width / 4) per row, ceil(height /
/// 4) rows) numbered plane after plane. `kernels` (DISTILL_KERNELS_*) picks
/// an AVX-512 kernel for maps 13 to 16 wide; the values are the same.
void distill_winograd_input_planes(int kernels, const float *planes, long plane_stride, int count, int height,
                                   int width, float *v, long step);

/// Y = A^T M A + shift of Winograd F(4x4, 3x3) for every tile of `count`
/// `height` x `width` output planes, plane k at `y + k * plane_stride` (see
/// winograd_output.c), position xi of tile t read from `m[xi * step + t]`;
/// tiles as for the input transform.
void distill_winograd_output_planes(const float *m, long step, int count, int height, int width, float shift, float *y,
                                     long plane_stride);

/// D = A dY A^T, the adjoint of the output transform, for every tile of
/// `count` `height` x `width` output gradient planes, plane k at
/// `dy + k * plane_stride`: position xi of tile t goes to `d[xi * step + t]`.
void distill_winograd_output_gradient_planes(const float *dy, long plane_stride, int count, int height, int width,
                                              float *d, long step);

/// dX = sum over tiles of B E B^T, the adjoint of the input transform, for
/// `count` `height` x `width` planes, plane k at `dx + k * plane_stride` (see
/// winograd_input_gradient.c): position xi of tile t read from `e[xi * step +
/// t]`, tiles as for the input transform; every value of the planes is written.
void distill_winograd_input_gradient_planes(const float *e, long step, int count, int height, int width, float *dx,
                                             long plane_stride);

/// Human-readable name of the library and kernel set in use, e.g.
/// "OpenBLAS 0.3.21 (SkylakeX kernels)".
const char *distill_blas_description(void);

/// Nesting depth of the engine's parallel regions on the calling thread.
int distill_parallel_depth(void);
void distill_set_parallel_depth(int depth);

/// The calling thread's index in the pool: 1 ... threads - 1 for its
/// workers, 0 for any other thread (such as the one that runs a region). The
/// threads inside one region have distinct indices.
int distill_parallel_thread(void);

/// Bytes of L2 cache per core as the system reports it, 0 when unknown.
long distill_l2_cache_bytes(void);

/// The number of cores the process may run on (its CPU affinity on Linux).
int distill_available_cores(void);

/// A task of a parallel region: runs item `index` with the caller's `context`.
typedef void (*distill_task_fn)(void *context, long index);

/// Runs `task(context, i)` for every i in [0, count), spread over `threads`
/// threads (the caller and `threads - 1` workers started on first use), and
/// returns when all are done. Serial when another region is running.
void distill_parallel_run(long count, int threads, void *context, distill_task_fn task);

/// Number of threads the BLAS uses for one call.
int distill_blas_threads(void);
void distill_blas_set_threads(int threads);

#ifdef __cplusplus
}
#endif

#endif

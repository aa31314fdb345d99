// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.
#include "ccblas.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

// Whether the calling thread is one of the engine's parallel workers, so that
// nested parallel regions and GEMM splitting run serially there instead of
// oversubscribing the cores. Swift has no thread-local storage of its own.
static _Thread_local int parallel_depth;
int distill_parallel_depth(void) { return parallel_depth; }
void distill_set_parallel_depth(int depth) { parallel_depth = depth; }

int distill_cpu_kernels(void) {
#if defined(__x86_64__) && !defined(__APPLE__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq")) {
        return DISTILL_KERNELS_AVX512;
    }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return DISTILL_KERNELS_AVX2;
#endif
    return DISTILL_KERNELS_NONE;
}

const char *distill_blas_core_type_lacks(const char *name) {
#if defined(__x86_64__) && !defined(__APPLE__)
    __builtin_cpu_init();
    int avx = __builtin_cpu_supports("avx");
    int avx2 = avx && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    int fma4 = avx && __builtin_cpu_supports("fma4") && __builtin_cpu_supports("xop");
    int avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                 __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
                 __builtin_cpu_supports("avx512cd");
    int bf16 = avx512 && __builtin_cpu_supports("avx512bf16");
    // The instructions each core type's kernels assume. Forcing each one on a
    // Zen 4 stopped with an illegal instruction for Opteron (AMD's 3DNow!,
    // which no current CPU has) and the Bulldozer family (FMA4, dropped with
    // Zen); Barcelona's AMD-only kernels are kept to CPUs with AMD's SSE4a.
    const struct { const char *name, *needs; int runs; } table[] = {
        {"Prescott", "sse3", __builtin_cpu_supports("sse3")},
        {"Nano", "ssse3", __builtin_cpu_supports("ssse3")},
        {"Atom", "ssse3", __builtin_cpu_supports("ssse3")},
        {"Core2", "ssse3", __builtin_cpu_supports("ssse3")},
        {"Penryn", "sse4.1", __builtin_cpu_supports("sse4.1")},
        {"Dunnington", "sse4.1", __builtin_cpu_supports("sse4.1")},
        {"Nehalem", "sse4.2", __builtin_cpu_supports("sse4.2")},
        {"Barcelona", "sse4a", __builtin_cpu_supports("sse4a")},
        {"Opteron", "3DNow!", 0},
        {"Opteron_SSE3", "3DNow!", 0},
        {"Sandybridge", "avx", avx},
        {"Bulldozer", "fma4 and xop", fma4},
        {"Piledriver", "fma4 and xop", fma4},
        {"Steamroller", "fma4 and xop", fma4},
        {"Excavator", "fma4 and xop", fma4},
        {"Haswell", "avx2 and fma", avx2},
        {"Zen", "avx2 and fma", avx2},
        {"SkylakeX", "avx512 (f, bw, vl, dq and cd)", avx512},
        {"Cooperlake", "avx512 (f, bw, vl, dq and cd) and avx512bf16", bf16},
        {"SapphireRapids", "avx512 (f, bw, vl, dq and cd) and avx512bf16", bf16},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (strcasecmp(name, table[i].name) == 0) return table[i].runs ? NULL : table[i].needs;
    }
#else
    (void)name;
#endif
    return NULL;
}

#if defined(__APPLE__)

#include <Accelerate/Accelerate.h>

int distill_blas_load(char *message, int capacity) { (void)message; (void)capacity; return 0; }

void distill_sgemm(int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda,
                   const float *b, int ldb, float beta, float *c, int ldc) {
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

const char *distill_blas_description(void) { return "Accelerate"; }
int distill_blas_threads(void) { return 0; }
void distill_blas_set_threads(int threads) { (void)threads; }

#else

// OpenBLAS chooses its kernels once, in a constructor that runs when the
// library is loaded, from the CPU model or the OPENBLAS_CORETYPE variable.
// Version 0.3.21 does not know recent AVX-512 CPUs (AMD Zen 4, for one) and
// falls back to AVX2 kernels at half the speed. Linking it normally would run
// that constructor before any of our code, so we load it ourselves after
// pointing it at its AVX-512 kernels when the CPU has them.
#include <dlfcn.h>
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>

// The engine allocates a fresh buffer for every intermediate tensor, many of
// them megabytes large. glibc serves such sizes with mmap and returns them to
// the kernel on free, so every op paid page faults on fresh memory (measured:
// as much system time as user time while training). Serving every block from
// the heap and never trimming it lets freed buffers be reused, as a caching
// allocator would. (The mmap threshold alone cannot be raised past 32 MB.)
// Work runs on pool threads, and glibc gives each thread its own arena, whose
// heaps are at most 64 MB: the 100 MB feature maps of a 256-image batch then
// fell back to fresh pages on every step. A single arena keeps one heap that
// they all reuse (measured: 0.72 → 0.56 s per 256-image forward-backward).
__attribute__((constructor)) static void distill_keep_large_allocations(void) {
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, 0x7FFFFFFF);
    mallopt(M_ARENA_MAX, 1);
}

enum { RowMajor = 101, NoTrans = 111, Trans = 112 };

typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int,
                         const float *, int, float, float *, int);
typedef void (*set_threads_fn)(int);
typedef int (*get_threads_fn)(void);
typedef char *(*get_string_fn)(void);

static sgemm_fn sgemm_ptr;
static set_threads_fn set_threads_ptr;
static get_threads_fn get_threads_ptr;
static get_string_fn corename_ptr;
static get_string_fn config_ptr;
static char load_error[512];
static char description[256];
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void load_library(void) {
    // DISTILL_BLAS_CORETYPE is the explicit override. An inherited
    // OPENBLAS_CORETYPE is not trusted on an AVX-512 CPU: machines set it to
    // Haswell or Zen to work around this same detection gap, and it halves speed.
    const char *requested = getenv("DISTILL_BLAS_CORETYPE");
    if (requested != NULL && requested[0] != '\0') {
        setenv("OPENBLAS_CORETYPE", requested, 1);
    } else if (distill_cpu_kernels() == DISTILL_KERNELS_AVX512) {
        setenv("OPENBLAS_CORETYPE", "SkylakeX", 1);
    }
    static const char *candidates[] = {
        "libopenblas.so.0", "libopenblas.so", "libopenblasp.so.0", "libblas.so.3", NULL,
    };
    void *handle = NULL;
    for (int i = 0; candidates[i] != NULL && handle == NULL; i++) {
        handle = dlopen(candidates[i], RTLD_NOW | RTLD_GLOBAL);
    }
    if (handle == NULL) {
        snprintf(load_error, sizeof load_error,
                 "cannot load OpenBLAS (libopenblas.so.0): install it with "
                 "'apt-get install libopenblas-dev'");
        return;
    }
    sgemm_ptr = (sgemm_fn)dlsym(handle, "cblas_sgemm");
    if (sgemm_ptr == NULL) {
        snprintf(load_error, sizeof load_error,
                 "the BLAS library found has no cblas_sgemm: install libopenblas-dev");
        return;
    }
    set_threads_ptr = (set_threads_fn)dlsym(handle, "openblas_set_num_threads");
    get_threads_ptr = (get_threads_fn)dlsym(handle, "openblas_get_num_threads");
    corename_ptr = (get_string_fn)dlsym(handle, "openblas_get_corename");
    config_ptr = (get_string_fn)dlsym(handle, "openblas_get_config");
    // The engine splits work across cores itself (several single-threaded
    // GEMMs at once, one per image chunk or per block of columns). OpenBLAS's
    // own threads would oversubscribe the cores, and for the small GEMMs of a
    // convolution they spend much of their time yielding while they wait.
    if (set_threads_ptr != NULL) set_threads_ptr(1);
    // OpenBLAS maps a core type it was not built with to another without a
    // word (0.3.21 runs its Cooperlake kernels for SapphireRapids): a forced
    // core type must be the one that runs, or numbers meant to come from one
    // set of kernels would come from another.
    if (requested != NULL && requested[0] != '\0' && corename_ptr != NULL &&
        strcasecmp(requested, corename_ptr()) != 0) {
        snprintf(load_error, sizeof load_error,
                 "DISTILL_BLAS_CORETYPE=%s: this OpenBLAS (%s) has no %s kernels and would run its %s kernels; "
                 "ask for those by name or leave the variable unset",
                 requested, config_ptr != NULL ? config_ptr() : "unknown version", requested, corename_ptr());
        sgemm_ptr = NULL;
        return;
    }
    if (config_ptr != NULL && corename_ptr != NULL) {
        snprintf(description, sizeof description, "%s (%s kernels)", config_ptr(), corename_ptr());
    } else {
        snprintf(description, sizeof description, "CBLAS");
    }
}

int distill_blas_load(char *message, int capacity) {
    pthread_once(&load_once, load_library);
    if (sgemm_ptr != NULL) return 0;
    if (message != NULL && capacity > 0) snprintf(message, (size_t)capacity, "%s", load_error);
    return 1;
}

void distill_sgemm(int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda,
                   const float *b, int ldb, float beta, float *c, int ldc) {
    pthread_once(&load_once, load_library);
    if (sgemm_ptr == NULL) {
        fprintf(stderr, "distill: %s\n", load_error);
        exit(70);
    }
    sgemm_ptr(RowMajor, ta ? Trans : NoTrans, tb ? Trans : NoTrans, m, n, k, alpha, a, lda, b,
              ldb, beta, c, ldc);
}

const char *distill_blas_description(void) {
    pthread_once(&load_once, load_library);
    return sgemm_ptr != NULL ? description : load_error;
}

int distill_blas_threads(void) {
    pthread_once(&load_once, load_library);
    return get_threads_ptr != NULL ? get_threads_ptr() : 1;
}

void distill_blas_set_threads(int threads) {
    pthread_once(&load_once, load_library);
    if (set_threads_ptr != NULL) set_threads_ptr(threads);
}

#endif

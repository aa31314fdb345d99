// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.
//
// The engine's worker threads. A training step at the batch sizes of
// dataset distillation (ten synthetic images) takes about 7 ms and opens
// about thirty parallel regions, most of tens of microseconds. Dispatch
// parks its threads as soon as a region ends, and waking one on a virtual
// machine took 15-20 µs (measured: a region of two 7 µs halves took 26 µs),
// so the second core idled through much of every short region. These workers instead spin for a while after each
// region, as OpenMP runtimes do, and only then sleep on a condition variable.
#define _GNU_SOURCE
#include "ccblas.h"

#include <pthread.h>
#include <sched.h>
#include <unistd.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#if defined(__x86_64__)
#include <immintrin.h>
#define cpu_relax() _mm_pause()
#else
#define cpu_relax() ((void)0)
#endif

// How long an idle worker keeps watching for the next region before sleeping:
// longer than the serial stretches between the regions of one training step,
// short enough that an idle process soon stops using the cores.
static const int64_t spin_nanoseconds = 300 * 1000;

static struct {
    // One region at a time; a caller that finds the pool busy runs serially.
    pthread_mutex_t region;
    pthread_mutex_t sleep_lock;
    pthread_cond_t wake;
    // Even while a region is published; odd while the caller rewrites it.
    _Atomic uint64_t generation;
    // Workers between reading `generation` and leaving the region they saw.
    _Atomic int active;
    _Atomic int sleepers;
    _Atomic long finished;  // indices run to completion
    long count;
    int threads;
    distill_task_fn task;
    void *context;
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER};

static pthread_once_t start_once = PTHREAD_ONCE_INIT;
static int started_threads;
static int requested_threads;

static int64_t now_nanoseconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

// Thread t (0 is the caller) owns the t-th of `threads` contiguous blocks of
// a region's indices and runs them in order; the assignment is the same in
// every region, so a thread gets the same part of a batch in consecutive ops
// and finds the data it wrote in its own cache (measured: with first-come
// claiming, the worker's half of a convolution ran 10-20% slower than the
// caller's, and a training step on ten images 5-10% slower overall). A
// thread done with its block then takes the next unclaimed indices of the
// others', so that the region does not wait for a thread that fell behind
// (measured: with four ranges per core, the median of 30 training steps on
// ten images fell by 12-17% in four of five alternations against one fixed
// range per core; the threads' halves had differed by a few per cent).
enum { MaxThreads = 256 };
static struct {
    _Atomic long next;
    long end;
    char padding[64 - sizeof(long) - sizeof(_Atomic long)];
} blocks[MaxThreads];

static void run_block(int owner) {
    long index;
    while ((index = atomic_fetch_add(&blocks[owner].next, 1)) < blocks[owner].end) {
        pool.task(pool.context, index);
        atomic_fetch_add(&pool.finished, 1);
    }
}

static void run_share(int thread) {
    run_block(thread);
    for (int other = 1; other < pool.threads; other++) run_block((thread + other) % pool.threads);
}

static uint64_t wait_for_region(uint64_t seen) {
    int64_t deadline = now_nanoseconds() + spin_nanoseconds;
    for (int spins = 1;; spins++) {
        uint64_t generation = atomic_load(&pool.generation);
        if (generation != seen && generation % 2 == 0) return generation;
        cpu_relax();
        if (spins % 64 == 0 && now_nanoseconds() > deadline) break;
    }
    pthread_mutex_lock(&pool.sleep_lock);
    atomic_fetch_add(&pool.sleepers, 1);
    uint64_t generation;
    while ((generation = atomic_load(&pool.generation)) == seen || generation % 2 == 1) {
        pthread_cond_wait(&pool.wake, &pool.sleep_lock);
    }
    atomic_fetch_sub(&pool.sleepers, 1);
    pthread_mutex_unlock(&pool.sleep_lock);
    return generation;
}

// The calling thread's index in the pool: workers are 1 … threads − 1; the
// thread that runs a region (whichever it is) and every other thread are 0.
static _Thread_local int pool_thread;

int distill_parallel_thread(void) { return pool_thread; }

static void *worker_main(void *argument) {
    const int thread = (int)(intptr_t)argument;
    pool_thread = thread;
    uint64_t seen = 0;
    for (;;) {
        uint64_t generation = wait_for_region(seen);
        seen = generation;
        // Announce before re-checking, so that a caller about to rewrite the
        // region either is seen here (odd generation) or waits for us.
        atomic_fetch_add(&pool.active, 1);
        if (atomic_load(&pool.generation) == generation) run_share(thread);
        atomic_fetch_sub(&pool.active, 1);
    }
    return NULL;
}

static void start_workers(void) {
    for (int i = 1; i < requested_threads && i < MaxThreads; i++) {
        pthread_t thread;
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        // The tasks are engine kernels with deep Swift frames: a generous stack.
        pthread_attr_setstacksize(&attributes, 8 << 20);
        if (pthread_create(&thread, &attributes, worker_main, (void *)(intptr_t)i) == 0) started_threads++;
        pthread_attr_destroy(&attributes);
    }
}

void distill_parallel_run(long count, int threads, void *context, distill_task_fn task) {
    if (count <= 0) return;
    requested_threads = threads;
    pthread_once(&start_once, start_workers);
    if (count == 1 || started_threads == 0 || pthread_mutex_trylock(&pool.region) != 0) {
        for (long index = 0; index < count; index++) task(context, index);
        return;
    }
    atomic_fetch_add(&pool.generation, 1);  // odd: rewriting
    while (atomic_load(&pool.active) != 0) cpu_relax();
    pool.task = task;
    pool.context = context;
    pool.count = count;
    pool.threads = started_threads + 1;
    for (int t = 0; t < pool.threads; t++) {
        atomic_store(&blocks[t].next, count * t / pool.threads);
        blocks[t].end = count * (t + 1) / pool.threads;
    }
    atomic_store(&pool.finished, 0);
    atomic_fetch_add(&pool.generation, 1);  // even: published
    if (atomic_load(&pool.sleepers) > 0) {
        pthread_mutex_lock(&pool.sleep_lock);
        pthread_cond_broadcast(&pool.wake);
        pthread_mutex_unlock(&pool.sleep_lock);
    }
    run_share(0);
    while (atomic_load(&pool.finished) < count) cpu_relax();
    pthread_mutex_unlock(&pool.region);
}

int distill_available_cores(void) {
#if defined(__linux__)
    // The cores this process may run on (taskset, a container's cpuset), not
    // all the machine's: spinning workers on a shared core would take turns.
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int count = CPU_COUNT(&set);
        if (count > 0) return count;
    }
#endif
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? (int)online : 1;
}

long distill_l2_cache_bytes(void) {
#if defined(_SC_LEVEL2_CACHE_SIZE)
    long bytes = sysconf(_SC_LEVEL2_CACHE_SIZE);
    return bytes > 0 ? bytes : 0;
#else
    return 0;
#endif
}

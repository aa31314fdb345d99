// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import CCBLAS
import Foundation

/// Splits work across the machine's cores.
///
/// Every range is computed by one thread and the split depends only on the
/// problem size and core count, so any reduction done per range and combined
/// in range order gives the same result on every run. A parallel region
/// inside another one runs serially on its worker: the outer split already
/// occupies every core.
public enum Parallel {
    /// Number of worker threads the engine uses: `DISTILL_THREADS` when set,
    /// else the cores the process may run on (its CPU affinity, as `taskset`
    /// or a container sets it). Reductions and GEMM blocks are split by the
    /// problem's sizes, and this count only decides which thread runs which
    /// part, so results are the same bit for bit for any count (tested by
    /// `ThreadCountTests`).
    public static let coreCount = threads(
        requested: ProcessInfo.processInfo.environment["DISTILL_THREADS"], available: Int(distill_available_cores()))

    /// The thread count for a `DISTILL_THREADS` value (nil or empty: the
    /// available cores; at most `maximumThreads`).
    public static func threads(requested: String?, available: Int) -> Int {
        guard let requested, !requested.isEmpty else { return max(1, available) }
        return Int(requested).map { min(max(1, $0), maximumThreads) } ?? max(1, available)
    }

    /// Whether `DISTILL_THREADS` holds a usable value: empty, or a whole number from 1 to `maximumThreads`.
    public static func threadVariableProblem(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        guard let count = Int(value), (1...maximumThreads).contains(count) else {
            return "DISTILL_THREADS=\(value) is not a whole number from 1 to \(maximumThreads)"
        }
        return nil
    }

    /// The most worker threads the pool starts (thread_pool.c's MaxThreads).
    public static let maximumThreads = 256

    /// Bytes of L2 cache per core (512 KiB where the system does not say),
    /// which sizes the chunks that kernels stream through it.
    public static let l2CacheBytes: Int = {
        let bytes = Int(distill_l2_cache_bytes())
        return bytes > 0 ? bytes : 512 * 1024
    }()

    /// Whether the calling thread is already a worker of a parallel region.
    public static var isInsideRegion: Bool { distill_parallel_depth() > 0 }

    /// How many ranges `forEachRange(count, grain:)` splits into here:
    /// 1 inside a parallel region.
    public static func rangeCount(_ count: Int, grain: Int = 1) -> Int {
        isInsideRegion ? 1 : min(coreCount, max(1, count / max(grain, 1)))
    }

    /// Calls `body` on disjoint ranges that cover `0..<count`, in parallel
    /// when each range would hold at least `grain` items.
    public static func forEachRange(_ count: Int, grain: Int = 1, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let workers = rangeCount(count, grain: grain)
        // Several ranges per core, so that a core done early takes over the
        // tail of another's (thread_pool.c).
        let ranges = workers == 1 ? 1 : max(workers, min(rangesPerCore * workers, count / max(grain, 1)))
        forEachSplit(count, into: ranges) { _, range in body(range) }
    }

    /// Ranges per core in `forEachRange`: enough for the cores to even out
    /// a few per cent of jitter between them, few enough to keep each core
    /// on its own part of the data.
    static let rangesPerCore = 4

    /// Calls `body(index, range)` for each of `ranges` near-equal disjoint
    /// ranges covering `0..<count`, in parallel: with one range per core,
    /// one each; with more, each core runs a contiguous block of them and
    /// then helps with the others'. Which thread runs a range never changes
    /// what `body` computes for it.
    /// - Precondition: `1 ≤ ranges ≤ count`, or `count == 0`.
    public static func forEachSplit(_ count: Int, into ranges: Int, _ body: (Int, Range<Int>) -> Void) {
        guard count > 0 else { return }
        precondition(ranges >= 1 && ranges <= count, "Parallel.forEachSplit: \(ranges) ranges of \(count) items")
        if ranges == 1 {
            body(0, 0..<count)
            return
        }
        run(ranges) { chunk in
            let depth = distill_parallel_depth()
            distill_set_parallel_depth(depth + 1)
            defer { distill_set_parallel_depth(depth) }
            body(chunk, range(of: chunk, in: ranges, count: count))
        }
    }

    /// Runs `task(i)` for `i` in `0..<count` on the engine's worker threads
    /// (thread_pool.c: they spin between the many short regions of a step).
    private static func run(_ count: Int, _ task: (Int) -> Void) {
        withoutActuallyEscaping(task) { task in
            var task = task
            withUnsafeMutablePointer(to: &task) { context in
                distill_parallel_run(count, Int32(coreCount), context) { context, index in
                    context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(index)
                }
            }
        }
    }

    /// `forEachSplit` where each range also gets scratch buffers of its own,
    /// `sizes[i]` floats each (uninitialised). They are allocated here, once,
    /// not by the threads: two threads in the allocator at once queue on its
    /// lock, and the one that waits falls behind the other.
    static func forEachSplit(
        _ count: Int, into ranges: Int, scratch sizes: [Int],
        _ body: (Int, Range<Int>, [UnsafeMutablePointer<Float>]) -> Void
    ) {
        let perRange = sizes.reduce(0, +)
        let storage = allocateCacheLines(floats: max(ranges, 1) * perRange)
        defer { UnsafeMutableRawPointer(storage).deallocate() }
        forEachSplit(count, into: ranges) { index, range in
            body(index, range, carve(storage + index * perRange, into: sizes))
        }
    }

    /// `forEachSplit` where each range gets the scratch buffers of the thread
    /// that runs it, `sizes[i]` floats each (uninitialised; a thread reuses
    /// its buffers for every range it runs). Ranges can then be many more
    /// than cores, so that a core that runs faster takes over the ranges of a
    /// slower one, with buffers for each core rather than each range.
    static func forEachSplit(
        _ count: Int, into ranges: Int, threadScratch sizes: [Int],
        _ body: (Int, Range<Int>, [UnsafeMutablePointer<Float>]) -> Void
    ) {
        let perThread = sizes.reduce(0, +)
        let storage = allocateCacheLines(floats: coreCount * perThread)
        defer { UnsafeMutableRawPointer(storage).deallocate() }
        forEachSplit(count, into: ranges) { index, range in
            body(index, range, carve(storage + Int(distill_parallel_thread()) * perThread, into: sizes))
        }
    }

    /// `count` uninitialised floats from the start of a cache line on (free
    /// with `UnsafeMutableRawPointer.deallocate`). Buffers whose sizes are
    /// multiples of 16 floats then all start on a line, and the vector
    /// kernels' 32-byte stores never straddle two lines: with malloc's
    /// 16-byte alignment they did, which made the Winograd filter transform
    /// 2.6× slower in a C harness.
    static func allocateCacheLines(floats count: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.size, alignment: 64)
            .bindMemory(to: Float.self, capacity: count)
    }

    /// Consecutive buffers of `sizes[i]` floats from `start` on.
    private static func carve(
        _ start: UnsafeMutablePointer<Float>, into sizes: [Int]
    ) -> [UnsafeMutablePointer<Float>] {
        var next = start
        return sizes.map { size in
            defer { next += size }
            return next
        }
    }

    /// Calls `body` once per index in `0..<count`, in parallel.
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        forEachRange(count) { range in
            for index in range { body(index) }
        }
    }

    /// The `chunk`-th of `chunks` near-equal contiguous ranges of `0..<count`.
    public static func range(of chunk: Int, in chunks: Int, count: Int) -> Range<Int> {
        let base = count / chunks, extra = count % chunks
        let start = chunk * base + min(chunk, extra)
        return start..<(start + base + (chunk < extra ? 1 : 0))
    }
}

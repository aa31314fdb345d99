// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Dispatch
import Foundation

/// Splits work across the machine's cores.
///
/// Every range is computed by one thread and the split depends only on the
/// problem size and core count, so any reduction done per range and combined
/// in range order gives the same result on every run.
public enum Parallel {
    /// Number of worker threads the engine uses (the active processor count).
    public static let coreCount = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Calls `body` on disjoint ranges that cover `0..<count`, in parallel
    /// when each range would hold at least `grain` items.
    public static func forEachRange(_ count: Int, grain: Int = 1, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let chunks = min(coreCount, max(1, count / max(grain, 1)))
        if chunks == 1 {
            body(0..<count)
            return
        }
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            body(range(of: chunk, in: chunks, count: count))
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

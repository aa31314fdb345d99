// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

@testable import DistillTensor
import Foundation
import XCTest

/// The engine's worker threads (`Parallel`, thread_pool.c): every range of
/// a region runs exactly once, back-to-back regions never mix, regions
/// nested or opened from several threads at once still complete, and
/// per-thread scratch is never shared by two ranges running at once.
final class ParallelTests: XCTestCase {
    func testEveryRangeRunsOnceInManyShortRegions() {
        for round in 0..<2000 {
            let ranges = 2 + round % 7
            var hits = [Int](repeating: 0, count: ranges)
            hits.withUnsafeMutableBufferPointer { hits in
                Parallel.forEachSplit(ranges * 3, into: ranges) { index, range in
                    XCTAssertEqual(range, Parallel.range(of: index, in: ranges, count: ranges * 3))
                    hits[index] += round + 1
                }
            }
            XCTAssertEqual(hits, [Int](repeating: round + 1, count: ranges), "region \(round)")
        }
    }

    func testNestedRegionRunsSeriallyOnItsWorker() {
        var sums = [Int](repeating: 0, count: 4)
        sums.withUnsafeMutableBufferPointer { sums in
            Parallel.forEachSplit(4, into: 4) { outer, _ in
                XCTAssertTrue(Parallel.isInsideRegion)
                Parallel.forEachRange(100) { range in
                    XCTAssertEqual(range, 0..<100, "a nested region must not split")
                    sums[outer] += range.reduce(0, +)
                }
            }
        }
        XCTAssertFalse(Parallel.isInsideRegion)
        XCTAssertEqual(sums, [Int](repeating: 4950, count: 4))
    }

    /// Each range fills its thread's buffers with its own index, works a
    /// while (so that other ranges run meanwhile), and must find them intact.
    func testThreadScratchIsNeverSharedByRangesRunningAtOnce() {
        let sizes = [64, 32], ranges = 24
        for round in 0..<200 {
            var intact = [Bool](repeating: false, count: ranges)
            intact.withUnsafeMutableBufferPointer { intact in
                Parallel.forEachSplit(ranges, into: ranges, threadScratch: sizes) { index, _, buffers in
                    for (buffer, size) in zip(buffers, sizes) { buffer.initialize(repeating: Float(index), count: size) }
                    var work: Float = 0
                    for step in 0..<(1 + round % 4) * 2000 { work += Float(step % 7) }
                    intact[index] = work >= 0 && zip(buffers, sizes).allSatisfy { buffer, size in
                        UnsafeBufferPointer(start: buffer, count: size).allSatisfy { $0 == Float(index) }
                    }
                }
            }
            XCTAssertEqual(intact, [Bool](repeating: true, count: ranges), "region \(round)")
        }
    }

    func testRegionsFromSeveralThreadsAtOnceAllComplete() {
        let threads = 4, rounds = 300
        let totals = UnsafeMutablePointer<Int>.allocate(capacity: threads)
        totals.initialize(repeating: 0, count: threads)
        defer { totals.deallocate() }
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for _ in 0..<rounds {
                var parts = [Int](repeating: 0, count: 3)
                parts.withUnsafeMutableBufferPointer { parts in
                    Parallel.forEachSplit(30, into: 3) { index, range in parts[index] = range.reduce(0, +) }
                }
                totals[thread] += parts.reduce(0, +)
            }
        }
        XCTAssertEqual(Array(UnsafeBufferPointer(start: totals, count: threads)), [Int](repeating: 435 * rounds, count: threads))
    }
}

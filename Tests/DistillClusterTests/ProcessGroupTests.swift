// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillCluster
import XCTest

final class ProcessGroupTests: XCTestCase {
    /// A group of `size` whose rank is `rank`, for the block arithmetic (no collectives).
    private final class Shape: ProcessGroup, @unchecked Sendable {
        let rank: Int
        let size: Int
        init(rank: Int, size: Int) { (self.rank, self.size) = (rank, size) }
        func allGather(_ bytes: [UInt8]) throws -> [[UInt8]] { throw ProcessGroupError("not a transport") }
        func workQueue(count: Int) throws -> any WorkQueue { throw ProcessGroupError("not a transport") }
    }

    func testBlocksCoverEveryItemOnceWithTheFirstRanksTakingTheRemainder() {
        XCTAssertEqual((0..<3).map { Shape(rank: $0, size: 3).ownBlock(of: 10) }, [0..<4, 4..<7, 7..<10])
        XCTAssertEqual((0..<2).map { Shape(rank: $0, size: 2).ownBlock(of: 10) }, [0..<5, 5..<10])
        XCTAssertEqual((0..<4).map { Shape(rank: $0, size: 4).ownBlock(of: 2) }, [0..<1, 1..<2, 2..<2, 2..<2])
        for size in 1...12 {
            for count in 0...25 {
                let blocks = (0..<size).map { Shape(rank: $0, size: size).ownBlock(of: count) }
                XCTAssertEqual(blocks.flatMap { Array($0) }, Array(0..<count), "count \(count) over \(size) ranks")
            }
        }
    }

    func testSingleProcessGathersItselfAndHandsOutEveryIndexInOrder() throws {
        let group = SingleProcess()
        XCTAssertEqual(try group.allGather([1.5, -2] as [Float]), [1.5, -2])
        XCTAssertEqual(try group.allGather([0.25] as [Double]), [0.25])
        let queue = try group.workQueue(count: 3)
        var taken: [Int] = []
        while let index = try queue.next() { taken.append(index) }
        XCTAssertEqual(taken, [0, 1, 2])
        XCTAssertNil(try queue.next())
    }
}

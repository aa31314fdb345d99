// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor
import XCTest

final class BroadcastTests: XCTestCase {
    func testBroadcastShapesFollowNumPyRules() {
        XCTAssertEqual(Broadcast.shape([2, 3, 4], [3, 1]), [2, 3, 4])
        XCTAssertEqual(Broadcast.shape([1], [5]), [5])
        XCTAssertNil(Broadcast.shape([2, 3], [4]))
        XCTAssertEqual(Broadcast.stretchedAxes(of: [1, 4, 1, 1], in: [2, 4, 3, 3]), [0, 2, 3])
    }

    func testElementwiseBroadcastValues() {
        let a = NDArray(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let b = NDArray(shape: [3], scalars: [10, 20, 30])
        XCTAssertEqual(a.elementwise(.add, b).scalars, [11, 22, 33, 14, 25, 36])
        let c = NDArray(shape: [2, 1], scalars: [2, 4])
        XCTAssertEqual(a.elementwise(.divide, c).scalars, [0.5, 1, 1.5, 1, 1.25, 1.5])
    }

    func testSumAlongAxes() {
        let a = NDArray(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(a.sum(alongAxes: [0]).scalars, [5, 7, 9])
        XCTAssertEqual(a.sum(alongAxes: [1]).scalars, [6, 15])
        let b = NDArray(shape: [2, 2, 2], scalars: [1, 2, 3, 4, 5, 6, 7, 8])
        XCTAssertEqual(b.sum(alongAxes: [0, 2]).scalars, [14, 22] as [Float])
        XCTAssertEqual(b.sum(alongAxes: [0, 2]).shape, [1, 2, 1])
    }

    func testSeededGeneratorIsDeterministicAndSplitsIndependently() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42)
        XCTAssertEqual((0..<5).map { _ in a.next() }, (0..<5).map { _ in b.next() })
        var child = a.split()
        XCTAssertNotEqual(child.next(), a.next())
        let normals = NDArray.normal(shape: [10000], using: &b)
        let mean = normals.sumAll() / 10000
        XCTAssertEqual(mean, 0, accuracy: 0.05)
    }
}

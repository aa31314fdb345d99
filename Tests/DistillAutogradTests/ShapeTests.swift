// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillTensor
import XCTest
import _DistillTestSupport

final class ShapeTests: XCTestCase {
    var generator = SeededGenerator(seed: 9)

    func random(_ shape: [Int]) -> NDArray { .normal(shape: shape, using: &generator) }

    /// Builds an array element by element from its multi-index.
    func naive(_ shape: [Int], _ element: ([Int]) -> Float) -> NDArray {
        let strides = shape.rowMajorStrides
        let scalars = (0..<shape.elementCount).map { flat in
            element(strides.indices.map { (flat / strides[$0]) % shape[$0] })
        }
        return NDArray(shape: shape, scalars: scalars)
    }

    func element(_ array: NDArray, _ index: [Int]) -> Float {
        array.scalars[zip(index, array.shape.rowMajorStrides).reduce(0) { $0 + $1.0 * $1.1 }]
    }

    /// First- and second-order finite-difference errors; the second order
    /// squares the output so the linear op's rule is differentiated again.
    func gradientErrors(_ inputs: [NDArray], _ f: @escaping ([Tensor]) -> Tensor) -> [Double] {
        GradientCheck.firstOrder(at: inputs, f) + GradientCheck.secondOrder(at: inputs) { f($0).squared() }
    }

    func testPermutedMatchesIndexMapping() {
        let x = random([2, 3, 4, 5])
        for axes in [[0, 2, 3, 1], [3, 2, 1, 0], [1, 0, 2, 3], [0, 1, 3, 2], [-1, 0, 1, 2]] {
            let resolved = axes.map { $0 < 0 ? $0 + 4 : $0 }
            let expected = naive(resolved.map { x.shape[$0] }) { index in
                var source = [Int](repeating: 0, count: 4)
                for (d, axis) in resolved.enumerated() { source[axis] = index[d] }
                return self.element(x, source)
            }
            XCTAssertEqual(Tensor(x).permuted(axes).array, expected, "axes \(axes)")
            for error in gradientErrors([x], { $0[0].permuted(axes) }) {
                XCTAssertLessThan(error, 1e-3, "axes \(axes)")
            }
        }
        // Large enough to split across threads, with a non-contiguous inner loop.
        let big = random([16, 40, 33, 17])
        let transposed = Tensor(big).permuted([0, 3, 2, 1]).array
        let back = naive(big.shape) { self.element(transposed, [$0[0], $0[3], $0[2], $0[1]]) }
        XCTAssertEqual(back, big)
    }

    func testFlippedMatchesIndexMapping() {
        let x = random([3, 4, 5])
        for axes in [[0], [2], [1, 2], [0, 1, 2], [-1]] {
            let resolved = Set(axes.map { $0 < 0 ? $0 + 3 : $0 })
            let expected = naive(x.shape) { index in
                let source = index.indices.map { resolved.contains($0) ? x.shape[$0] - 1 - index[$0] : index[$0] }
                return self.element(x, source)
            }
            XCTAssertEqual(Tensor(x).flipped(axes: axes).array, expected, "axes \(axes)")
            for error in gradientErrors([x], { $0[0].flipped(axes: axes) }) {
                XCTAssertLessThan(error, 1e-3, "axes \(axes)")
            }
        }
        let images = random([8, 3, 32, 32])
        XCTAssertEqual(Tensor(images).flipped(axes: [3]).flipped(axes: [3]).array, images)
    }

    func testSlicedMatchesIndexMappingAndPadsItsGradient() throws {
        let x = random([4, 5, 6])
        for (axis, range) in [(0, 1..<3), (1, 0..<5), (2, 2..<6), (-1, 0..<1), (1, 3..<3)] {
            let resolved = axis < 0 ? axis + 3 : axis
            var shape = x.shape
            shape[resolved] = range.count
            let expected = naive(shape) { index in
                var source = index
                source[resolved] += range.lowerBound
                return self.element(x, source)
            }
            XCTAssertEqual(Tensor(x).sliced(axis: axis, range: range).array, expected, "axis \(axis) range \(range)")
            if !range.isEmpty {
                for error in gradientErrors([x], { $0[0].sliced(axis: axis, range: range) }) {
                    XCTAssertLessThan(error, 1e-3)
                }
            }
        }
        let variable = Tensor(x).requiringGradient()
        let gradient = try gradients(of: variable.sliced(axis: 1, range: 1..<3).sum(), withRespectTo: [variable])[0]
        XCTAssertEqual(gradient.array, naive(x.shape) { (1..<3).contains($0[1]) ? 1 : 0 })
    }

    func testPaddedMatchesIndexMapping() {
        let x = random([2, 3, 4])
        let padding = [(before: 0, after: 1), (before: 2, after: 0), (before: 1, after: 3)]
        let expected = naive([3, 5, 8]) { index in
            let source = [index[0], index[1] - 2, index[2] - 1]
            let inside = zip(source, x.shape).allSatisfy { $0 >= 0 && $0 < $1 }
            return inside ? self.element(x, source) : -0.5
        }
        XCTAssertEqual(Tensor(x).padded(padding, value: -0.5).array, expected)
        for error in gradientErrors([x], { $0[0].padded(padding, value: 2) }) { XCTAssertLessThan(error, 1e-3) }
        // Padding only the image plane, as an augmentation crop does.
        let images = random([4, 3, 8, 8])
        let framed = Tensor(images).padded([(0, 0), (0, 0), (1, 1), (1, 1)])
        XCTAssertEqual(framed.shape, [4, 3, 10, 10])
        XCTAssertEqual(framed.sliced(axis: 2, range: 1..<9).sliced(axis: 3, range: 1..<9).array, images)
        XCTAssertEqual(framed.array.sumAll(), images.sumAll(), accuracy: 1e-3)
    }

    func testConcatenateMatchesIndexMappingAndSplitsItsGradient() {
        let a = random([2, 3, 4]), b = random([2, 1, 4]), c = random([2, 2, 4])
        let joined = Tensor.concatenate([Tensor(a), Tensor(b), Tensor(c)], axis: 1)
        let expected = naive([2, 6, 4]) { index in
            switch index[1] {
            case 0..<3: return self.element(a, index)
            case 3: return self.element(b, [index[0], 0, index[2]])
            default: return self.element(c, [index[0], index[1] - 4, index[2]])
            }
        }
        XCTAssertEqual(joined.array, expected)
        for error in gradientErrors([a, b, c], { Tensor.concatenate($0, axis: 1) }) { XCTAssertLessThan(error, 1e-3) }
        let rows = [random([2, 3]), random([4, 3])]
        XCTAssertEqual(Tensor.concatenate(rows.map(Tensor.init), axis: 0).scalars, rows[0].scalars + rows[1].scalars)
        for error in gradientErrors(rows, { Tensor.concatenate($0, axis: -2) }) { XCTAssertLessThan(error, 1e-3) }
        let columns = [random([3, 2]), random([3, 5])]
        for error in gradientErrors(columns, { Tensor.concatenate($0, axis: -1) }) { XCTAssertLessThan(error, 1e-3) }
    }

    func testConcatenateGradientReachesOnlyRequestedInputs() throws {
        let constant = Tensor(random([2, 3]))
        let variable = Tensor(random([2, 2])).requiringGradient()
        let joined = Tensor.concatenate([constant, variable], axis: 1)
        let weights = Tensor(random([2, 5]))
        let gradient = try gradients(of: (joined * weights).sum(), withRespectTo: [variable])[0]
        XCTAssertEqual(gradient.array, weights.array.sliced(axis: 1, range: 3..<5))
    }

    func testComposedMovesInvertEachOther() {
        let x = random([2, 3, 4, 5])
        let t = Tensor(x)
        XCTAssertEqual(t.permuted([2, 0, 3, 1]).permuted([1, 3, 0, 2]).array, x)
        let parts = (0..<4).map { t.sliced(axis: 2, range: $0..<($0 + 1)) }
        XCTAssertEqual(Tensor.concatenate(parts, axis: 2).array, x)
        XCTAssertEqual(t.padded([(1, 2), (0, 0), (3, 0), (0, 1)]).sliced(axis: 0, range: 1..<3)
            .sliced(axis: 2, range: 3..<7).sliced(axis: 3, range: 0..<5).array, x)
    }
}

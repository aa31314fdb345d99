// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillTensor
import XCTest
import _DistillTestSupport

final class ArithmeticTests: XCTestCase {
    var generator = SeededGenerator(seed: 1)

    func random(_ shape: [Int]) -> NDArray { .normal(shape: shape, using: &generator) }

    func testBroadcastingArithmeticMatchesFiniteDifferences() {
        let a = random([2, 3, 4]), b = random([3, 1])
        let positive = random([3, 1]).map { abs($0) + 1 }
        for error in GradientCheck.firstOrder(at: [a, b], { $0[0] + $0[1] }) { XCTAssertLessThan(error, 1e-3) }
        for error in GradientCheck.firstOrder(at: [a, b], { $0[0] - $0[1] }) { XCTAssertLessThan(error, 1e-3) }
        for error in GradientCheck.firstOrder(at: [a, b], { $0[0] * $0[1] }) { XCTAssertLessThan(error, 1e-3) }
        for error in GradientCheck.firstOrder(at: [a, positive], { $0[0] / $0[1] }) { XCTAssertLessThan(error, 1e-3) }
    }

    func testSecondOrderOfProductAndQuotient() {
        let a = random([4, 3]), b = random([4, 3]).map { abs($0) + 1 }
        for error in GradientCheck.secondOrder(at: [a, b], { $0[0] * $0[1] * $0[0] }) { XCTAssertLessThan(error, 1e-3) }
        for error in GradientCheck.secondOrder(at: [a, b], { $0[0] / $0[1] }) { XCTAssertLessThan(error, 2e-3) }
    }

    func testReductionsAndMatmulMatchFiniteDifferences() {
        let x = random([3, 4, 5])
        for axes in [[0], [1], [2], [0, 2], [0, 1, 2]] {
            let errors = GradientCheck.firstOrder(at: [x]) { $0[0].sum(alongAxes: axes) * $0[0].mean(alongAxes: axes, keepingDimensions: true).sum() }
            XCTAssertLessThan(errors[0], 1e-3, "axes \(axes)")
        }
        let a = random([3, 5]), b = random([5, 4])
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let lhs = ta ? NDArray(shape: [5, 3], scalars: a.scalars) : a
            let rhs = tb ? NDArray(shape: [4, 5], scalars: b.scalars) : b
            let first = GradientCheck.firstOrder(at: [lhs, rhs]) { $0[0].matmul($0[1], transposeSelf: ta, transposeOther: tb) }
            let second = GradientCheck.secondOrder(at: [lhs, rhs]) {
                let y = $0[0].matmul($0[1], transposeSelf: ta, transposeOther: tb)
                return y * y
            }
            for error in first + second { XCTAssertLessThan(error, 2e-3, "transposes \(ta) \(tb)") }
        }
    }

    func testMatmulForwardMatchesNaiveProduct() {
        let a = random([7, 9]), b = random([9, 5])
        let c = a.matmul(b)
        for i in 0..<7 {
            for j in 0..<5 {
                var s: Float = 0
                for k in 0..<9 { s += a.scalars[i * 9 + k] * b.scalars[k * 5 + j] }
                XCTAssertEqual(c.scalars[i * 5 + j], s, accuracy: 1e-4)
            }
        }
    }
}

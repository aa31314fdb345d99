// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillTensor
import Foundation
import XCTest
import _DistillTestSupport

final class UnaryTests: XCTestCase {
    var generator = SeededGenerator(seed: 3)

    func random(_ shape: [Int]) -> NDArray { .normal(shape: shape, using: &generator) }

    /// Normal samples pushed at least 0.05 away from 0, the kink of ReLU and leaky ReLU.
    func awayFromZero(_ shape: [Int]) -> NDArray {
        random(shape).map { $0 < 0 ? $0 - 0.05 : $0 + 0.05 }
    }

    /// Element-by-element comparison against a Double reference.
    func assertMatches(
        _ result: NDArray, _ input: NDArray, tolerance: Double, _ reference: (Double) -> Double,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(result.shape, input.shape, file: file, line: line)
        let expected = input.scalars.map { reference(Double($0)) }
        XCTAssertLessThan(relativeError(result.scalars.map(Double.init), expected), tolerance, file: file, line: line)
    }

    func testActivationsMatchNaiveDefinitions() {
        // Larger than one parallel grain, with magnitudes that reach the exp limits.
        let x = random([3, 50_000]).map { $0 * 30 }
        let sigmoid: (Double) -> Double = { 1 / (1 + Foundation.exp(-$0)) }
        assertMatches(Tensor(x).relu().array, x, tolerance: 1e-7) { max($0, 0) }
        assertMatches(Tensor(x).leakyRelu().array, x, tolerance: 1e-7) { $0 > 0 ? $0 : 0.01 * $0 }
        assertMatches(Tensor(x).leakyRelu(slope: 0.2).array, x, tolerance: 1e-7) { $0 > 0 ? $0 : 0.2 * $0 }
        assertMatches(Tensor(x).sigmoid().array, x, tolerance: 1e-6, sigmoid)
        assertMatches(Tensor(x).swish().array, x, tolerance: 1e-6) { $0 * sigmoid($0) }
        assertMatches(Tensor(x).tanh().array, x, tolerance: 1e-6) { Foundation.tanh($0) }
        assertMatches(Tensor(x).squared().array, x, tolerance: 1e-7) { $0 * $0 }
        assertMatches(Tensor(x).clamped(min: -2, max: 3).array, x, tolerance: 1e-7) { min(max($0, -2), 3) }
        let positive = x.map { abs($0) + 1e-3 }
        assertMatches(Tensor(positive).log().array, positive, tolerance: 1e-6) { Foundation.log($0) }
        assertMatches(Tensor(positive).sqrt().array, positive, tolerance: 1e-7) { $0.squareRoot() }
    }

    func testFastExpIsAccurateToAFewUlpsOverItsWholeRange() {
        var worst = 0.0
        var x: Float = -87.3
        while x < 88.3 {
            let reference = Foundation.exp(Double(x))
            worst = max(worst, abs(Double(FastMath.exp(x)) - reference) / reference)
            x += 0.00731
        }
        XCTAssertLessThan(worst, 3e-7)  // 2.5 ulp of Float32
        let input = NDArray(shape: [7], scalars: [-200, -88, 0, 1, 89, 200, .nan])
        let result = Tensor(input).exp().scalars
        XCTAssertEqual(Array(result[0..<2]), [0, 0])
        XCTAssertEqual(result[2], 1)
        XCTAssertEqual(result[3], Float(M_E), accuracy: 1e-6)
        XCTAssertEqual(Array(result[4..<6]), [.infinity, .infinity])
        XCTAssertTrue(result[6].isNaN)
    }

    func testSaturatedAndSpecialValuesFollowPyTorch() {
        let x = NDArray(shape: [5], scalars: [-1000, -90, 0, 90, .nan])
        XCTAssertEqual(Tensor(x).sigmoid().scalars.prefix(4).map { $0 }, [0, 0, 0.5, 1])
        XCTAssertEqual(Tensor(x).swish().scalars.prefix(4).map { $0 }, [0, 0, 0, 90])
        XCTAssertTrue(Tensor(x).sigmoid().scalars[4].isNaN)
        XCTAssertTrue(Tensor(x).relu().scalars[4].isNaN)
        XCTAssertTrue(Tensor(x).clamped(min: 0, max: 1).scalars[4].isNaN)
        // ReLU's gradient at exactly 0 is 0, as in PyTorch.
        let zero = Tensor(shape: [2], scalars: [0, 1]).requiringGradient()
        let gradient = try! gradients(of: zero.relu().sum(), withRespectTo: [zero])[0]
        XCTAssertEqual(gradient.scalars, [0, 1])
    }

    func testFirstOrderGradientsMatchFiniteDifferences() {
        let x = awayFromZero([3, 4, 5])
        let positive = random([3, 4, 5]).map { abs($0) + 0.5 }
        let cases: [(String, NDArray, (Tensor) -> Tensor)] = [
            ("relu", x, { $0.relu() }),
            ("leakyRelu", x, { $0.leakyRelu(slope: 0.1) }),
            ("sigmoid", x, { $0.sigmoid() }),
            ("swish", x, { $0.swish() }),
            ("exp", x, { $0.exp() }),
            ("log", positive, { $0.log() }),
            ("sqrt", positive, { $0.sqrt() }),
            ("squared", x, { $0.squared() }),
            ("tanh", x, { $0.tanh() }),
            ("clamped", x.map { abs($0) < 0.6 ? $0 : $0 * 2 }, { $0.clamped(min: -0.55, max: 0.55) }),
        ]
        for (name, input, f) in cases {
            let error = GradientCheck.firstOrder(at: [input]) { f($0[0]) }[0]
            XCTAssertLessThan(error, 2e-3, name)
        }
    }

    func testSecondOrderGradientsMatchFiniteDifferences() {
        let x = awayFromZero([3, 7])
        let positive = random([3, 7]).map { abs($0) + 0.5 }
        // Multiplying by x makes piecewise-linear activations curve, so the
        // double-backward of every rule (masks included) is exercised.
        let cases: [(String, NDArray, (Tensor) -> Tensor)] = [
            ("relu", x, { $0.relu() * $0 }),
            ("leakyRelu", x, { $0.leakyRelu(slope: 0.1) * $0 }),
            ("sigmoid", x, { $0.sigmoid() }),
            ("swish", x, { $0.swish() }),
            ("swish·x", x, { $0.swish() * $0 }),
            ("exp", x, { $0.exp() }),
            ("log", positive, { $0.log() }),
            ("sqrt", positive, { $0.sqrt() }),
            ("squared", x, { $0.squared() * $0 }),
            ("tanh", x, { $0.tanh() }),
        ]
        for (name, input, f) in cases {
            let error = GradientCheck.secondOrder(at: [input]) { f($0[0]) }[0]
            XCTAssertLessThan(error, 3e-3, name)
        }
    }

    func testThirdOrderOfSigmoidThroughItsRecordedResult() throws {
        // d³/dx³ σ = σ(1−σ)(1 − 6σ + 6σ²); differentiating three times walks
        // the result-reusing rule through itself twice.
        let values: [Float] = [-1.3, 0.2, 0.9]
        let x = Tensor(shape: [3], scalars: values).requiringGradient()
        let first = try gradients(of: x.sigmoid().sum(), withRespectTo: [x], createGraph: true)[0]
        let second = try gradients(of: first.sum(), withRespectTo: [x], createGraph: true)[0]
        let third = try gradients(of: second.sum(), withRespectTo: [x])[0]
        for (value, result) in zip(values, third.scalars) {
            let s = 1 / (1 + Foundation.exp(-Double(value)))
            XCTAssertEqual(Double(result), s * (1 - s) * (1 - 6 * s + 6 * s * s), accuracy: 1e-5)
        }
    }

    func testKernelsAreIndependentOfChunking() {
        // Arrays above and below the parallel grain give identical elements.
        let large = random([1 << 17])
        let small = NDArray(shape: [100], scalars: Array(large.scalars.suffix(100)))
        for function in [UnaryFunction.sigmoid, .swish, .swishDerivative, .exp, .relu] {
            XCTAssertEqual(Array(large.applying(function).scalars.suffix(100)), small.applying(function).scalars)
        }
    }
}

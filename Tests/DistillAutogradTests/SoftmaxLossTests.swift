// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillTensor
import Foundation
import XCTest
import _DistillTestSupport

final class SoftmaxLossTests: XCTestCase {
    var generator = SeededGenerator(seed: 5)

    func random(_ shape: [Int]) -> NDArray { .normal(shape: shape, using: &generator) }

    /// Log-softmax in Double along `axis`, by explicit index arithmetic.
    func naiveLogSoftmax(_ x: NDArray, axis: Int) -> [Double] {
        let n = x.shape[axis], inner = x.shape[(axis + 1)...].reduce(1, *)
        var result = [Double](repeating: 0, count: x.count)
        for flat in 0..<x.count {
            let position = (flat / inner) % n
            let start = flat - position * inner
            let slice = (0..<n).map { Double(x.scalars[start + $0 * inner]) }
            let peak = slice.max()!
            result[flat] = slice[position] - peak - Foundation.log(slice.map { Foundation.exp($0 - peak) }.reduce(0, +))
        }
        return result
    }

    func testSoftmaxAndLogSoftmaxMatchNaiveDefinitions() {
        // Offsets of ±1000 would overflow a naive float exp: the kernels must subtract the maximum.
        let x = random([4, 5, 6]).map { $0 * 3 + 1000 }
        for axis in [-1, 0, 1, 2] {
            let resolved = axis < 0 ? axis + 3 : axis
            let expected = naiveLogSoftmax(x, axis: resolved)
            let logResult = Tensor(x).logSoftmax(axis: axis).scalars.map(Double.init)
            XCTAssertLessThan(relativeError(logResult, expected), 1e-6, "axis \(axis)")
            let result = Tensor(x).softmax(axis: axis).scalars.map(Double.init)
            XCTAssertLessThan(relativeError(result, expected.map { Foundation.exp($0) }), 1e-6, "axis \(axis)")
        }
        let rows = Tensor(random([3, 10]).map { $0 - 500 }).softmax().sum(alongAxes: [1])
        for total in rows.scalars { XCTAssertEqual(total, 1, accuracy: 1e-6) }
    }

    func testSoftmaxKernelSplitsWorkDeterministically() {
        // Many rows (parallel) and one wide strided block give the same values as row-by-row work.
        let x = random([4096, 10])
        let whole = x.logSoftmax(alongAxis: 1)
        let last = NDArray(shape: [1, 10], scalars: Array(x.scalars.suffix(10))).logSoftmax(alongAxis: 1)
        XCTAssertEqual(Array(whole.scalars.suffix(10)), last.scalars)
        let transposed = x.permuted([1, 0]).softmax(alongAxis: 0).permuted([1, 0])
        XCTAssertLessThan(relativeError(transposed, x.softmax(alongAxis: 1)), 1e-7)
    }

    func testSoftmaxGradientsMatchFiniteDifferences() {
        let x = random([3, 4, 5])
        for axis in [-1, 1, 0] {
            let errors =
                GradientCheck.firstOrder(at: [x]) { $0[0].softmax(axis: axis) }
                + GradientCheck.firstOrder(at: [x]) { $0[0].logSoftmax(axis: axis) }
                + GradientCheck.secondOrder(at: [x]) { $0[0].softmax(axis: axis) }
                + GradientCheck.secondOrder(at: [x]) { $0[0].logSoftmax(axis: axis) }
            for error in errors { XCTAssertLessThan(error, 3e-3, "axis \(axis)") }
        }
    }

    func testCrossEntropyMatchesDefinitionAndGradient() throws {
        let logits = random([6, 4]).map { $0 * 2 }
        let labels = [0, 3, 1, 1, 2, 3]
        let expected = naiveLogSoftmax(logits, axis: 1)
        let reference = -labels.enumerated().map { expected[$0.offset * 4 + $0.element] }.reduce(0, +) / 6
        let variable = Tensor(logits).requiringGradient()
        let loss = crossEntropy(logits: variable, labels: labels)
        XCTAssertEqual(loss.shape, [])
        XCTAssertEqual(Double(loss.scalar), reference, accuracy: 1e-6)
        // ∂CE/∂logits = (softmax − onehot) / N.
        let gradient = try gradients(of: loss, withRespectTo: [variable])[0]
        var analytic = expected.map { Foundation.exp($0) / 6 }
        for (row, label) in labels.enumerated() { analytic[row * 4 + label] -= 1.0 / 6 }
        XCTAssertLessThan(relativeError(gradient.scalars.map(Double.init), analytic), 1e-5)
    }

    func testCrossEntropyIsTwiceDifferentiableThroughALinearLayer() {
        // The gradient-matching shape: differentiate ∇_W CE(x·Wᵀ + b) with respect to x and W.
        let x = random([5, 3]), w = random([4, 3]), b = random([4])
        let labels = [2, 0, 3, 1, 2]
        let first = GradientCheck.firstOrder(at: [x, w, b]) {
            crossEntropy(logits: $0[0].linear(weight: $0[1], bias: $0[2]), labels: labels)
        }
        let second = GradientCheck.secondOrder(at: [x, w, b]) {
            crossEntropy(logits: $0[0].linear(weight: $0[1], bias: $0[2]), labels: labels)
        }
        for error in first + second { XCTAssertLessThan(error, 3e-3) }
    }

    func testKLDivergenceMatchesBatchMeanDefinition() throws {
        let student = random([3, 5]), teacher = random([3, 5])
        var target = Tensor(teacher).softmax().array
        target.scalars[2] = 0  // 0 · log 0 counts as 0
        let logInput = Tensor(student).logSoftmax()
        var reference = 0.0
        for (t, l) in zip(target.scalars, logInput.scalars) where t > 0 {
            reference += Double(t) * (Foundation.log(Double(t)) - Double(l))
        }
        let loss = klDivergence(logInput: logInput, target: Tensor(target))
        XCTAssertEqual(loss.shape, [])
        XCTAssertEqual(Double(loss.scalar), reference / 3, accuracy: 1e-6)
        // The target's gradient is finite everywhere and zero at its zero entry.
        let variables = [logInput.detached().requiringGradient(), Tensor(target).requiringGradient()]
        let divergence = klDivergence(logInput: variables[0], target: variables[1])
        let grads = try gradients(of: divergence, withRespectTo: variables)
        XCTAssertTrue(grads[1].scalars.allSatisfy(\.isFinite))
        XCTAssertEqual(grads[1].scalars[2], 0)
        XCTAssertLessThan(relativeError(grads[0].array, target.map { -$0 / 3 }), 1e-6)
    }

    func testKLDivergenceGradientsInBothArguments() {
        let logInput = Tensor(random([4, 3])).logSoftmax().array
        let target = random([4, 3]).map { abs($0) + 0.3 }
        let first = GradientCheck.firstOrder(at: [logInput, target]) { klDivergence(logInput: $0[0], target: $0[1]) }
        let second = GradientCheck.secondOrder(at: [logInput, target]) {
            klDivergence(logInput: $0[0], target: $0[1])
        }
        // Through softmax on both sides, as in knowledge distillation.
        let logits = [random([4, 3]), random([4, 3])]
        let distillation = GradientCheck.secondOrder(at: logits) {
            klDivergence(logInput: ($0[0] / 2).logSoftmax(), target: ($0[1] / 2).softmax())
        }
        for error in first + second + distillation { XCTAssertLessThan(error, 3e-3) }
    }

    func testLinearMatchesNaiveProductAndGradients() {
        let x = random([4, 3]), w = random([5, 3]), b = random([5])
        let y = Tensor(x).linear(weight: Tensor(w), bias: Tensor(b))
        XCTAssertEqual(y.shape, [4, 5])
        for n in 0..<4 {
            for o in 0..<5 {
                var s = b.scalars[o]
                for i in 0..<3 { s += x.scalars[n * 3 + i] * w.scalars[o * 3 + i] }
                XCTAssertEqual(y.scalars[n * 5 + o], s, accuracy: 1e-5)
            }
        }
        let withoutBias = Tensor(x).linear(weight: Tensor(w), bias: nil)
        XCTAssertEqual(withoutBias.scalars, x.matmul(w, transposeOther: true).scalars)
        let first = GradientCheck.firstOrder(at: [x, w, b]) { $0[0].linear(weight: $0[1], bias: $0[2]) }
        let second = GradientCheck.secondOrder(at: [x, w, b]) {
            let y = $0[0].linear(weight: $0[1], bias: $0[2])
            return y * y
        }
        let noBias = GradientCheck.secondOrder(at: [x, w]) { $0[0].linear(weight: $0[1], bias: nil).squared() }
        for error in first + second + noBias { XCTAssertLessThan(error, 2e-3) }
    }
}

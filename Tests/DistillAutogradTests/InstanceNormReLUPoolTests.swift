// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillTensor
import XCTest
import _DistillTestSupport

/// The fused instance norm → ReLU → 2×2 average pool against the same three
/// ops in sequence, and its gradients against finite differences.
final class InstanceNormReLUPoolTests: XCTestCase {
    var generator = SeededGenerator(seed: 21)

    func random(_ shape: [Int]) -> NDArray { .normal(shape: shape, using: &generator) }

    /// Widths below, at and above the 16-column vector loop.
    let shapes: [[Int]] = [[2, 3, 4, 6], [3, 4, 8, 8], [2, 5, 16, 16], [1, 2, 32, 32], [2, 2, 6, 20]]

    func inputs(_ shape: [Int]) -> [NDArray] {
        // Non-trivial affine parameters, so that ReLU cuts each channel differently.
        [random(shape), random([shape[1]]).map { 1 + 0.5 * $0 }, random([shape[1]])]
    }

    func fused(_ t: [Tensor]) -> Tensor { t[0].instanceNormReLUAvgPool(weight: t[1], bias: t[2]) }

    func unfused(_ t: [Tensor]) -> Tensor {
        t[0].groupNorm(groups: t[0].shape[1], weight: t[1], bias: t[2]).relu().avgPool2d(kernel: 2, stride: 2)
    }

    func testForwardMatchesTheThreeOps() {
        for shape in shapes {
            let values = inputs(shape).map(Tensor.init)
            XCTAssertLessThan(relativeError(fused(values).array, unfused(values).array), 1e-6, "\(shape)")
        }
    }

    func testPlainGradientsMatchTheThreeOps() throws {
        for shape in shapes {
            let variables = inputs(shape).map { Tensor($0).requiringGradient() }
            let projection = Tensor(random(fused(variables).shape))
            let expected = try gradients(of: (unfused(variables) * projection).sum(), withRespectTo: variables)
            let actual = try gradients(of: (fused(variables) * projection).sum(), withRespectTo: variables)
            for (index, name) in ["x", "weight", "bias"].enumerated() {
                XCTAssertLessThan(relativeError(actual[index].array, expected[index].array), 1e-5, "\(shape) d\(name)")
            }
        }
    }

    /// Finite differences need inputs away from ReLU's kink: a step in one
    /// pixel moves every normalised value of its plane, and one crossing zero
    /// changes the difference quotient. Biases of ±4 keep every channel on
    /// one side (|x̂ · w| < 4 here), alternating so both sides are covered;
    /// the kink itself is checked against the three ops above.
    func testGradientsMatchFiniteDifferences() {
        for shape in shapes.prefix(3) {
            let channels = shape[1]
            let values = [
                random(shape), random([channels]).map { 0.5 + 0.1 * $0 },
                NDArray(shape: [channels], scalars: (0..<channels).map { $0 % 2 == 0 ? 4 : -4 }),
            ]
            let normalized = Tensor(values[0]).groupNorm(groups: channels, weight: nil, bias: nil).scalars
            let largestScale = values[1].scalars.map(abs).max()!
            XCTAssertLessThan(normalized.map(abs).max()! * largestScale, 3.5, "inputs must stay off the kink")
            let first = GradientCheck.firstOrder(at: values) { self.fused($0) }
            let second = GradientCheck.secondOrder(at: values) { let y = self.fused($0); return y * y }
            for (index, name) in ["x", "weight", "bias"].enumerated() {
                XCTAssertLessThan(first[index], 2e-3, "\(shape) first order d\(name)")
                XCTAssertLessThan(second[index], 5e-3, "\(shape) second order d\(name)")
            }
        }
    }

    func testOnlyRequestedGradientsAreComputed() throws {
        let values = inputs([2, 3, 4, 4])
        let x = Tensor(values[0]).requiringGradient()
        let y = x.instanceNormReLUAvgPool(weight: Tensor(values[1]), bias: Tensor(values[2]))
        let dx = try gradients(of: y.sum(), withRespectTo: [x])[0]
        let reference = try gradients(
            of: unfused([x, Tensor(values[1]), Tensor(values[2])]).sum(), withRespectTo: [x])[0]
        XCTAssertLessThan(relativeError(dx.array, reference.array), 1e-5)
    }
}

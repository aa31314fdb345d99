// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillTensor
import XCTest
import _DistillTestSupport

/// The gradient-matching path end to end: conv → GroupNorm → ReLU → avgpool
/// → linear → cross-entropy, differentiated twice (DC differentiates the
/// parameter gradient with respect to the input images).
final class ChainTests: XCTestCase {
    private func chain(_ v: [Tensor]) -> Tensor {
        let features = v[0].conv2d(weight: v[1], bias: v[2], stride: 1, padding: 1)
            .groupNorm(groups: 2, weight: v[3], bias: v[4])
            .relu()
            .avgPool2d(kernel: 2, stride: 2)
        return crossEntropy(logits: features.flattened().linear(weight: v[5], bias: v[6]), labels: [1, 0])
    }

    private func inputs() -> [NDArray] {
        var generator = SeededGenerator(seed: 21)
        return [[2, 2, 6, 6], [4, 2, 3, 3], [4], [4], [4], [3, 36], [3]].map {
            NDArray.normal(shape: $0, using: &generator)
        }
    }

    func testFirstOrderMatchesFiniteDifferences() {
        for (index, error) in GradientCheck.firstOrder(at: inputs(), epsilon: 1e-2, chain).enumerated() {
            XCTAssertLessThan(error, 2e-3, "input \(index)")
        }
    }

    func testSecondOrderMatchesFiniteDifferences() {
        for (index, error) in GradientCheck.secondOrder(at: inputs(), epsilon: 1e-2, chain).enumerated() {
            XCTAssertLessThan(error, 2e-3, "input \(index)")
        }
    }
}

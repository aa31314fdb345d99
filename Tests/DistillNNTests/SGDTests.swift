// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillNN
import DistillTensor
import XCTest

final class SGDTests: XCTestCase {
    private func values(_ tensors: [Tensor]) -> [[Float]] { tensors.map(\.scalars) }

    private func assertClose(_ a: [Float], _ b: [Float], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, file: file, line: line)
        for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: 1e-6, file: file, line: line) }
    }

    func testMomentumAndWeightDecayFollowPyTorch() {
        // Hand-computed: d = g + 0.01·p; b = d, then 0.9·b + d; p -= 0.1·b.
        var sgd = SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 0.01)
        var p = [Tensor(shape: [2], scalars: [1, -2]).requiringGradient()]
        p = sgd.update(p, gradients: [Tensor(shape: [2], scalars: [0.5, 0.25])])
        assertClose(p[0].scalars, [0.949, -2.023])
        p = sgd.update(p, gradients: [Tensor(shape: [2], scalars: [-1, 1])])
        assertClose(p[0].scalars, [1.002151, -2.141677])
        XCTAssertTrue(p[0].requiresGradient)
        // After a reset the buffer restarts from d: d = [0.01002151, 0.97858323].
        sgd.resetState()
        p = sgd.update(p, gradients: [Tensor(shape: [2], scalars: [0, 1])])
        assertClose(p[0].scalars, [1.002151 - 0.001002151, -2.141677 - 0.097858323])
    }

    func testPlainStepWithoutMomentumOrDecay() {
        var sgd = SGD(learningRate: 0.5)
        let p = sgd.update([Tensor(shape: [3], scalars: [1, 2, 3])], gradients: [Tensor(shape: [3], scalars: [2, 0, -4])])
        assertClose(p[0].scalars, [0, 2, 5])
    }

    func testStepUpdatesEveryModuleParameterWithIndependentState() {
        var generator = SeededGenerator(seed: 9)
        let linear = Linear(inFeatures: 3, outFeatures: 2, using: &generator)
        let before = values(linear.parameters)
        let ones = linear.parameters.map { Tensor.ones($0.shape) }
        var sgd = SGD(learningRate: 0.1, momentum: 0.5)
        sgd.step(linear, gradients: ones)
        sgd.step(linear, gradients: ones)
        // Two steps with unit gradients: b = 1 then 1.5, so p moves by 0.1 + 0.15.
        for (after, original) in zip(values(linear.parameters), before) {
            assertClose(after, original.map { $0 - 0.25 })
        }
        XCTAssertTrue(linear.parameters.allSatisfy(\.requiresGradient))
    }
}

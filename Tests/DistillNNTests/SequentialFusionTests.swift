// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillNN
import DistillTensor
import XCTest
import _DistillTestSupport

/// A sequential runs instance norm → ReLU → 2×2 average pool as one fused op;
/// outputs and parameter gradients must equal those of the layers one by one.
final class SequentialFusionTests: XCTestCase {
    func testFusedBlockMatchesLayerByLayer() throws {
        var generator = SeededGenerator(seed: 4)
        let block = Sequential(
            Conv2d(inChannels: 3, outChannels: 8, kernelSize: 3, padding: 1, using: &generator),
            GroupNorm(groups: 8, channels: 8), ReLU(), AvgPool2d(kernel: 2),
            Conv2d(inChannels: 8, outChannels: 4, kernelSize: 3, padding: 1, using: &generator),
            GroupNorm(groups: 2, channels: 4), ReLU(), AvgPool2d(kernel: 2))
        let x = Tensor(.normal(shape: [2, 3, 8, 12], using: &generator))
        let layerByLayer = { (input: Tensor) in block.layers.reduce(input) { $1($0) } }
        let fusedOutput = block(x)
        XCTAssertEqual(fusedOutput.shape, [2, 4, 2, 3])
        XCTAssertLessThan(relativeError(fusedOutput.array, layerByLayer(x).array), 1e-6)
        let fusedGradients = try gradients(of: (fusedOutput * fusedOutput).sum(), withRespectTo: block.parameters)
        let reference = layerByLayer(x)
        let referenceGradients = try gradients(of: (reference * reference).sum(), withRespectTo: block.parameters)
        // A convolution bias in front of a norm has zero gradient in exact
        // arithmetic (the norm removes it): compare those against the largest gradient.
        let norm = { (t: Tensor) in t.scalars.map { Double($0 * $0) }.reduce(0, +).squareRoot() }
        let largest = referenceGradients.map(norm).max()!
        for (name, (a, b)) in zip(block.namedParameters().map(\.name), zip(fusedGradients, referenceGradients)) {
            if norm(b) < 1e-4 * largest {
                XCTAssertLessThan(norm(a), 1e-4 * largest, name)
            } else {
                XCTAssertLessThan(relativeError(a.array, b.array), 1e-5, name)
            }
        }
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor
import XCTest

/// `NDArray.sgdStep` against the optimiser's formulas evaluated element by
/// element, on sizes with a vector tail and one split over the cores, with
/// and without a momentum buffer and weight decay.
final class SGDKernelTests: XCTestCase {
    func testMatchesElementwiseFormulas() {
        var generator = SeededGenerator(seed: 21)
        for count in [5, 37, 50_003] {
            let p = NDArray.normal(shape: [count], using: &generator)
            let g = NDArray.normal(shape: [count], using: &generator)
            let previous = NDArray.normal(shape: [count], using: &generator)
            for (buffer, decay) in [(nil, 0), (previous, 0), (nil, 5e-4), (previous, 5e-4)] as [(NDArray?, Float)] {
                let (updated, newBuffer) = p.sgdStep(
                    gradient: g, previousBuffer: buffer, learningRate: 0.01, momentum: 0.9, weightDecay: decay)
                for i in 0..<count {
                    let d = decay == 0 ? g.scalars[i] : g.scalars[i] + decay * p.scalars[i]
                    let v = buffer.map { 0.9 * $0.scalars[i] + d } ?? d
                    XCTAssertEqual(newBuffer.scalars[i], v, "count \(count) element \(i)")
                    XCTAssertEqual(updated.scalars[i], p.scalars[i] - 0.01 * v, "count \(count) element \(i)")
                }
            }
        }
    }
}

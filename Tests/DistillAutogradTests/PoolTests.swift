// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillTensor
import XCTest
import _DistillTestSupport

final class PoolTests: XCTestCase {
    var generator = SeededGenerator(seed: 5)

    /// (input shape, kernel, stride): square and overlapping windows, H ≠ W,
    /// and sizes that leave a remainder (floor).
    let cases: [([Int], Int, Int)] = [
        ([2, 3, 4, 6], 2, 2), ([1, 2, 7, 5], 3, 2), ([2, 1, 5, 6], 2, 1), ([1, 2, 9, 7], 3, 3), ([1, 1, 3, 4], 1, 1),
    ]

    /// Distinct values at least 0.1 apart in random order, so no window has a
    /// near-tie that a finite-difference step (0.01) could flip.
    func tieFree(_ shape: [Int]) -> NDArray {
        var values = (0..<shape.elementCount).map { Float($0) * 0.1 - Float(shape.elementCount) * 0.05 }
        values.shuffle(using: &generator)
        return NDArray(shape: shape, scalars: values)
    }

    /// Direct loops: the max (first in window order on ties) or the mean of each window.
    func naivePool(_ x: NDArray, kernel: Int, stride: Int, max: Bool) -> NDArray {
        let (planes, h, w) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3])
        let (oh, ow) = ((h - kernel) / stride + 1, (w - kernel) / stride + 1)
        var out: [Float] = []
        for p in 0..<planes {
            for i in 0..<oh {
                for j in 0..<ow {
                    let window = (0..<kernel).flatMap { a in
                        (0..<kernel).map { b in x.scalars[(p * h + i * stride + a) * w + j * stride + b] }
                    }
                    out.append(max ? window.max()! : Float(window.map(Double.init).reduce(0, +) / Double(window.count)))
                }
            }
        }
        return NDArray(shape: [x.shape[0], x.shape[1], oh, ow], scalars: out)
    }

    func testForwardMatchesNaiveLoops() {
        for (shape, kernel, stride) in cases {
            let x = NDArray.normal(shape: shape, using: &generator)
            let (maxValue, indices) = x.maxPool2d(kernel: kernel, stride: stride)
            XCTAssertEqual(maxValue, naivePool(x, kernel: kernel, stride: stride, max: true), "\(shape) k\(kernel) s\(stride)")
            XCTAssertEqual(x.gathered(at: indices), maxValue)
            let average = x.avgPool2d(kernel: kernel, stride: stride)
            let reference = naivePool(x, kernel: kernel, stride: stride, max: false)
            XCTAssertEqual(average.shape, reference.shape)
            XCTAssertLessThan(relativeError(average, reference), 1e-6, "\(shape) k\(kernel) s\(stride)")
            XCTAssertEqual(Tensor(x).maxPool2d(kernel: kernel, stride: stride).array, maxValue)
            XCTAssertEqual(Tensor(x).avgPool2d(kernel: kernel, stride: stride).array, average)
        }
    }

    func testMaxPoolTiesGoToFirstPositionAndNaNPropagates() {
        let x = NDArray(shape: [1, 1, 2, 4], scalars: [1, 3, .nan, 0, 3, 2, 5, 1])
        let (value, indices) = x.maxPool2d(kernel: 2, stride: 2)
        XCTAssertEqual(value.scalars[0], 3)
        XCTAssertEqual(indices.offsets[0], 1)
        XCTAssertTrue(value.scalars[1].isNaN)
        XCTAssertEqual(indices.offsets[1], 2)
    }

    /// Overlapping windows that share a maximum send it the sum of their gradients.
    func testMaxPoolScatterAccumulatesOverlappingWindows() throws {
        let x = Tensor(shape: [1, 1, 3, 3], scalars: [0, 0, 0, 0, 9, 0, 0, 0, 0]).requiringGradient()
        let y = x.maxPool2d(kernel: 2, stride: 1)
        let seed = Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4])
        let dx = try gradients(of: y, withRespectTo: [x], seed: seed)[0]
        XCTAssertEqual(dx.scalars, [0, 0, 0, 0, 10, 0, 0, 0, 0])
    }

    func testFirstAndSecondOrderGradients() {
        for (shape, kernel, stride) in cases {
            let x = [tieFree(shape)]
            let maxPool: ([Tensor]) -> Tensor = { $0[0].maxPool2d(kernel: kernel, stride: stride) }
            let avgPool: ([Tensor]) -> Tensor = { $0[0].avgPool2d(kernel: kernel, stride: stride) }
            let squaredMax: ([Tensor]) -> Tensor = { let y = maxPool($0); return y * y }
            let squaredAvg: ([Tensor]) -> Tensor = { let y = avgPool($0); return y * y }
            XCTAssertLessThan(GradientCheck.firstOrder(at: x, maxPool)[0], 1e-3, "max \(shape) k\(kernel) s\(stride)")
            XCTAssertLessThan(GradientCheck.firstOrder(at: x, avgPool)[0], 1e-3, "avg \(shape) k\(kernel) s\(stride)")
            XCTAssertLessThan(GradientCheck.secondOrder(at: x, squaredMax)[0], 2e-3, "max² \(shape) k\(kernel) s\(stride)")
            XCTAssertLessThan(GradientCheck.secondOrder(at: x, squaredAvg)[0], 2e-3, "avg² \(shape) k\(kernel) s\(stride)")
        }
    }

    /// The backward ops as functions of the output gradient, to second order.
    func testBackwardOpsAreTwiceDifferentiable() {
        let shape = [1, 2, 5, 6], kernel = 3, stride = 2
        let x = tieFree(shape)
        let indices = x.maxPool2d(kernel: kernel, stride: stride).indices
        let g = [NDArray.normal(shape: indices.outputShape, using: &generator)]
        let avgBackward: ([Tensor]) -> Tensor = {
            let dx = $0[0].avgPool2dBackward(inputShape: shape, kernel: kernel, stride: stride)
            return dx * dx
        }
        // The scatter through the public API: the gradient of maxPool2d taken with createGraph.
        let maxBackward: ([Tensor]) -> Tensor = { inputs in
            let variable = Tensor(x).requiringGradient()
            let y = variable.maxPool2d(kernel: kernel, stride: stride)
            let dx = try! gradients(of: y, withRespectTo: [variable], seed: inputs[0], createGraph: true)[0]
            return dx * dx
        }
        for check in [avgBackward, maxBackward] {
            XCTAssertLessThan(GradientCheck.firstOrder(at: g, check)[0], 1e-3)
            XCTAssertLessThan(GradientCheck.secondOrder(at: g, check)[0], 2e-3)
        }
    }
}

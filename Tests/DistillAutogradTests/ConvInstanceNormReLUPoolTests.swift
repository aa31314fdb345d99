// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillTensor
import XCTest
import _DistillTestSupport

/// The fused first block (convolution → instance norm → ReLU → 2×2 average
/// pool) against the same ops in sequence, and its gradients against finite
/// differences.
final class ConvInstanceNormReLUPoolTests: XCTestCase {
    var generator = SeededGenerator(seed: 33)

    func random(_ shape: [Int]) -> NDArray { .normal(shape: shape, using: &generator) }

    /// (input, output channels, padding): Fashion-MNIST's first layer, CIFAR's,
    /// and maps narrower than, equal to and wider than one 16-lane vector.
    let cases: [(input: [Int], outChannels: Int, padding: Int)] = [
        ([2, 1, 28, 28], 8, 3), ([2, 3, 8, 12], 4, 1), ([1, 4, 6, 10], 12, 0), ([2, 2, 10, 18], 4, 1),
        ([1, 3, 16, 16], 8, 1),
    ]

    /// x, conv weight, conv bias, norm weight, norm bias.
    func inputs(_ input: [Int], outChannels: Int) -> [NDArray] {
        [
            random(input), random([outChannels, input[1], 3, 3]).map { 0.3 * $0 }, random([outChannels]),
            random([outChannels]).map { 1 + 0.5 * $0 }, random([outChannels]),
        ]
    }

    func fused(_ t: [Tensor], padding: Int) -> Tensor {
        t[0].conv2dInstanceNormReLUAvgPool(weight: t[1], bias: t[2], padding: padding, normWeight: t[3], normBias: t[4])
    }

    func unfused(_ t: [Tensor], padding: Int) -> Tensor {
        t[0].conv2d(weight: t[1], bias: t[2], padding: padding)
            .groupNorm(groups: t[1].shape[0], weight: t[3], bias: t[4]).relu().avgPool2d(kernel: 2, stride: 2)
    }

    /// The same bits as the convolution followed by the fused norm block
    /// (the same kernels on the same planes), and the ops one by one to float rounding.
    func testForwardEqualsTheOpsInSequence() {
        for (input, outChannels, padding) in cases {
            let t = inputs(input, outChannels: outChannels).map(Tensor.init)
            let block = fused(t, padding: padding)
            let convolvedThenFusedNorm = t[0].conv2d(weight: t[1], bias: t[2], padding: padding)
                .instanceNormReLUAvgPool(weight: t[3], bias: t[4])
            XCTAssertTrue(block.array == convolvedThenFusedNorm.array, "\(input)")
            XCTAssertLessThan(relativeError(block.array, unfused(t, padding: padding).array), 1e-6, "\(input)")
        }
    }

    /// Parameter gradients from the fused kernels (the input needs none).
    func testParameterGradientsMatchTheOpsInSequence() throws {
        for (input, outChannels, padding) in cases {
            let values = inputs(input, outChannels: outChannels)
            let parameters = values.dropFirst().map { Tensor($0).requiringGradient() }
            let all = [Tensor(values[0])] + parameters
            let projection = Tensor(random(fused(all, padding: padding).shape))
            let expected = try gradients(
                of: (unfused(all, padding: padding) * projection).sum(), withRespectTo: parameters)
            let actual = try gradients(of: (fused(all, padding: padding) * projection).sum(), withRespectTo: parameters)
            for (index, name) in ["weight", "bias", "normWeight", "normBias"].enumerated() {
                let largest = expected.map(\.magnitude).max()!
                assertClose(actual[index], expected[index], largest: largest, "\(input) d\(name)")
            }
        }
    }

    /// With an input that needs a gradient, and with `createGraph: true`,
    /// the op differentiates the unfused form.
    func testInputAndSecondOrderGradientsMatchTheOpsInSequence() throws {
        let (input, outChannels, padding) = cases[1]
        let variables = inputs(input, outChannels: outChannels).map { Tensor($0).requiringGradient() }
        let projection = Tensor(random(fused(variables, padding: padding).shape))
        let loss = { (block: Tensor) in (block * projection).sum() }
        let expected = try gradients(of: loss(unfused(variables, padding: padding)), withRespectTo: variables)
        let actual = try gradients(of: loss(fused(variables, padding: padding)), withRespectTo: variables)
        XCTAssertLessThan(relativeError(actual[0].array, expected[0].array), 1e-5, "dx")
        // ‖∂L/∂w‖² differentiated with respect to x and w, as DC's gradient matching does.
        let weightGradientNorm = { (block: Tensor) throws -> [Tensor] in
            let dw = try gradients(of: loss(block), withRespectTo: [variables[1]], createGraph: true)[0]
            return try gradients(of: (dw * dw).sum(), withRespectTo: [variables[0], variables[1]])
        }
        let expectedSecond = try weightGradientNorm(unfused(variables, padding: padding))
        let actualSecond = try weightGradientNorm(fused(variables, padding: padding))
        for (index, name) in ["x", "weight"].enumerated() {
            XCTAssertLessThan(
                relativeError(actualSecond[index].array, expectedSecond[index].array), 1e-4, "second order d\(name)")
        }
    }

    /// Finite differences of the parameter gradients (the fused backward
    /// kernels) and of second order. Norm biases of ±4 keep every channel on
    /// one side of ReLU's kink, as in `InstanceNormReLUPoolTests`.
    func testGradientsMatchFiniteDifferences() {
        for (input, outChannels, padding) in cases.prefix(3) {
            var values = inputs(input, outChannels: outChannels)
            values[3] = values[3].map { 0.5 + 0.1 * $0 }
            values[4] = NDArray(shape: [outChannels], scalars: (0..<outChannels).map { $0 % 2 == 0 ? 4 : -4 })
            let x = Tensor(values[0])
            let block = { (parameters: [Tensor]) in self.fused([x] + parameters, padding: padding) }
            let first = GradientCheck.firstOrder(at: Array(values.dropFirst()), block)
            let second = GradientCheck.secondOrder(at: values) {
                let y = self.fused($0, padding: padding)
                return y * y
            }
            for (index, name) in ["weight", "bias", "normWeight", "normBias"].enumerated() where index != 1 {
                // The conv bias's gradient is zero in exact arithmetic (the norm removes it).
                XCTAssertLessThan(first[index], 2e-3, "\(input) first order d\(name)")
            }
            for (index, name) in ["x", "weight", "normWeight"].enumerated() {
                XCTAssertLessThan(second[[0, 1, 3][index]], 5e-3, "\(input) second order d\(name)")
            }
        }
    }

    /// Bitwise the same gradients on one core as on all: every sum runs in a fixed order.
    func testGradientsDoNotDependOnTheSplitOverCores() throws {
        let (input, outChannels, padding) = cases[0]
        let values = inputs(input, outChannels: outChannels)
        let statistics = ConvInstanceNormReLUPool.forward(
            values[0], weight: values[1], bias: values[2].scalars, padding: padding, normWeight: values[3].scalars,
            normBias: values[4].scalars, epsilon: 1e-5)
        let seed = random(statistics.output.shape)
        let backward = {
            ConvInstanceNormReLUPool.backward(
                values[0], gradient: seed, weight: values[1], bias: values[2].scalars, padding: padding,
                normWeight: values[3].scalars, normBias: values[4].scalars, statistics: statistics)
        }
        let parallel = backward()
        // Inside a parallel region the block runs on the calling thread alone.
        var serial: ConvInstanceNormReLUPool.Gradients?
        Parallel.forEachSplit(2, into: 2) { index, _ in if index == 0 { serial = backward() } }
        XCTAssertEqual(parallel.weight, serial!.weight)
        XCTAssertEqual(parallel.bias, serial!.bias)
        XCTAssertEqual(parallel.normWeight, serial!.normWeight)
        XCTAssertEqual(parallel.normBias, serial!.normBias)
    }

    func assertClose(_ actual: Tensor, _ expected: Tensor, largest: Double, _ message: String) {
        if expected.magnitude < 1e-4 * largest {
            XCTAssertLessThan(actual.magnitude, 1e-4 * largest, message)
        } else {
            XCTAssertLessThan(relativeError(actual.array, expected.array), 1e-5, message)
        }
    }
}

private extension Tensor {
    /// ‖t‖ in Double.
    var magnitude: Double { scalars.map { Double($0) * Double($0) }.reduce(0, +).squareRoot() }
}

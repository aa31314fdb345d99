// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillTensor
import XCTest
import _DistillTestSupport

final class NormTests: XCTestCase {
    var generator = SeededGenerator(seed: 3)

    func random(_ shape: [Int]) -> NDArray { .normal(shape: shape, using: &generator) }

    /// A norm under test as a function of [x, weight, bias].
    struct Case {
        let name: String
        let inputs: [NDArray]
        let apply: ([Tensor]) -> Tensor
    }

    /// Every norm configuration: group norm with 1, 2 and C groups, layer norm
    /// over 1, 2 and 3 dimensions, batch norm in both modes on [N, C] and [N, C, H, W].
    func cases() -> [Case] {
        var result: [Case] = []
        let image = random([2, 4, 3, 3])
        for groups in [1, 2, 4] {
            result.append(
                Case(name: "groupNorm(\(groups))", inputs: [image, random([4]), random([4])]) {
                    $0[0].groupNorm(groups: groups, weight: $0[1], bias: $0[2])
                })
        }
        let volume = random([2, 3, 3, 4])
        for rank in 1...3 {
            let affineShape = Array(volume.shape.suffix(rank))
            result.append(
                Case(name: "layerNorm(\(rank))", inputs: [volume, random(affineShape), random(affineShape)]) {
                    $0[0].layerNorm(normalizedRank: rank, weight: $0[1], bias: $0[2])
                })
        }
        let running = BatchNormStatistics(
            mean: random([3]).scaled(by: 0.3), variance: random([3]).map { 0.5 + abs($0) })
        for shape in [[6, 3], [3, 3, 3, 3]] {
            let x = random(shape)
            for training in [true, false] {
                result.append(
                    Case(name: "batchNorm(\(shape), training: \(training))", inputs: [x, random([3]), random([3])]) {
                        var statistics = running
                        return $0[0].batchNorm(weight: $0[1], bias: $0[2], statistics: &statistics, training: training)
                    })
            }
        }
        return result
    }

    // MARK: - Forward against Double-precision loops

    func testGroupNormMatchesReference() {
        for shape in [[2, 4, 3, 3], [3, 6, 5]] {
            let x = random(shape), c = shape[1]
            let weight = random([c]), bias = random([c])
            for groups in [1, 2, c] {
                let y = Tensor(x).groupNorm(groups: groups, weight: Tensor(weight), bias: Tensor(bias))
                let reference = Reference.groupNorm(x, groups: groups, weight: weight.scalars, bias: bias.scalars)
                assertClose(y.array, reference, accuracy: 1e-5, "groupNorm \(shape) groups \(groups)")
                let plain = Tensor(x).groupNorm(groups: groups, weight: nil, bias: nil)
                assertClose(plain.array, Reference.groupNorm(x, groups: groups, weight: nil, bias: nil), accuracy: 1e-5)
            }
        }
    }

    func testLayerNormMatchesReference() {
        let x = random([2, 3, 4, 5])
        for rank in 1...3 {
            let affineShape = Array(x.shape.suffix(rank))
            let weight = random(affineShape), bias = random(affineShape)
            let y = Tensor(x).layerNorm(normalizedRank: rank, weight: Tensor(weight), bias: Tensor(bias))
            let rowLength = affineShape.elementCount
            let reference = Reference.layerNorm(x, rowLength: rowLength, weight: weight.scalars, bias: bias.scalars)
            assertClose(y.array, reference, accuracy: 1e-5, "layerNorm rank \(rank)")
            let plain = Tensor(x).layerNorm(normalizedRank: rank, weight: nil, bias: nil)
            let plainReference = Reference.layerNorm(x, rowLength: rowLength, weight: nil, bias: nil)
            assertClose(plain.array, plainReference, accuracy: 1e-5, "layerNorm rank \(rank) without affine")
        }
    }

    func testBatchNormTrainingUsesBatchStatisticsAndUpdatesRunningOnes() {
        for shape in [[8, 3], [4, 3, 5, 5]] {
            let x = random(shape).map { 2 * $0 + 0.5 }
            let weight = random([3]), bias = random([3])
            let batch = Reference.channelStatistics(x)
            let expected = Reference.affine(
                x, mean: batch.mean, variance: batch.biasedVariance, weight: weight.scalars, bias: bias.scalars)
            for (prior, momentum) in [
                (BatchNormStatistics(channels: 3), Float(0.1)),
                (BatchNormStatistics(mean: random([3]), variance: random([3]).map { 1 + abs($0) }), Float(0.3)),
            ] {
                var statistics = prior
                let y = Tensor(x).batchNorm(
                    weight: Tensor(weight), bias: Tensor(bias), statistics: &statistics, training: true,
                    momentum: momentum)
                assertClose(y.array, expected, accuracy: 1e-5, "batchNorm train \(shape)")
                let m = Double(momentum)
                let unbiased = batch.biasedVariance.map { $0 * Double(batch.count) / Double(batch.count - 1) }
                for channel in 0..<3 {
                    XCTAssertEqual(
                        Double(statistics.mean.scalars[channel]),
                        (1 - m) * Double(prior.mean.scalars[channel]) + m * batch.mean[channel], accuracy: 1e-6)
                    XCTAssertEqual(
                        Double(statistics.variance.scalars[channel]),
                        (1 - m) * Double(prior.variance.scalars[channel]) + m * unbiased[channel], accuracy: 1e-5)
                }
            }
        }
    }

    func testBatchNormEvalUsesRunningStatisticsAndLeavesThemUnchanged() {
        for shape in [[5, 3], [2, 3, 4, 4]] {
            let x = random(shape), weight = random([3]), bias = random([3])
            let running = BatchNormStatistics(mean: random([3]), variance: random([3]).map { 0.2 + abs($0) })
            var statistics = running
            let y = Tensor(x).batchNorm(
                weight: Tensor(weight), bias: Tensor(bias), statistics: &statistics, training: false)
            XCTAssertEqual(statistics, running, "eval mode must not touch the running statistics")
            let expected = Reference.affine(
                x, mean: running.mean.scalars.map(Double.init), variance: running.variance.scalars.map(Double.init),
                weight: weight.scalars, bias: bias.scalars)
            assertClose(y.array, expected, accuracy: 1e-5, "batchNorm eval \(shape)")

            _ = Tensor(x).batchNorm(weight: nil, bias: nil, statistics: &statistics, training: true)
            XCTAssertNotEqual(statistics.mean, running.mean, "train mode updates the running mean")
            XCTAssertNotEqual(statistics.variance, running.variance, "train mode updates the running variance")
            // The update happens outside the graph, so also in a no-grad scope.
            let afterOneStep = statistics
            withoutGradients {
                _ = Tensor(x).batchNorm(weight: nil, bias: nil, statistics: &statistics, training: true)
            }
            XCTAssertNotEqual(statistics, afterOneStep)
        }
    }

    /// Large inputs run the kernels across several threads; a large offset
    /// checks that statistics do not lose precision to cancellation.
    func testKernelsOnLargeOffsetInputs() {
        let x = random([4, 32, 16, 16]).map { 1000 + $0 }
        let weight = random([32]), bias = random([32])
        let group = Tensor(x).groupNorm(groups: 4, weight: Tensor(weight), bias: Tensor(bias))
        let groupReference = Reference.groupNorm(x, groups: 4, weight: weight.scalars, bias: bias.scalars)
        assertClose(group.array, groupReference, accuracy: 2e-4, "groupNorm")
        let layer = Tensor(x).layerNorm(normalizedRank: 3, weight: nil, bias: nil)
        let layerReference = Reference.layerNorm(x, rowLength: 32 * 16 * 16, weight: nil, bias: nil)
        assertClose(layer.array, layerReference, accuracy: 2e-4, "layerNorm")
        var statistics = BatchNormStatistics(channels: 32)
        let batch = Tensor(x).batchNorm(
            weight: Tensor(weight), bias: Tensor(bias), statistics: &statistics, training: true)
        let reference = Reference.channelStatistics(x)
        let expected = Reference.affine(
            x, mean: reference.mean, variance: reference.biasedVariance, weight: weight.scalars, bias: bias.scalars)
        assertClose(batch.array, expected, accuracy: 2e-4, "batchNorm")
    }

    // MARK: - Gradients

    func testFirstOrderGradientsMatchFiniteDifferences() {
        for test in cases() {
            let errors = GradientCheck.firstOrder(at: test.inputs, test.apply)
            for (error, input) in zip(errors, ["x", "weight", "bias"]) {
                XCTAssertLessThan(error, 1e-3, "\(test.name) d/d\(input)")
            }
        }
    }

    /// The upstream gradient of `y²` depends on x, so the graph-building
    /// backward rule sees a differentiable gradient as well as differentiable inputs.
    func testSecondOrderGradientsMatchFiniteDifferences() {
        for test in cases() {
            let errors = GradientCheck.secondOrder(at: test.inputs) { inputs in
                let y = test.apply(inputs)
                return y * y
            }
            for (error, input) in zip(errors, ["x", "weight", "bias"]) {
                XCTAssertLessThan(error, 2e-3, "\(test.name) second order d/d\(input)")
            }
        }
    }

    /// Checks the second order of the graph-building gradient itself, which
    /// runs the backward rules of the ops inside it (third order overall).
    func testGraphBuildingGradientsDifferentiateTwiceMore() {
        for test in cases() {
            // Fixed random weights: with a uniform loss such as Σy², a
            // per-channel norm's x-gradient is nearly zero (J·x̂ = O(ε)).
            let weights = Tensor(random(test.apply(test.inputs.map(Tensor.init)).shape))
            let errors = GradientCheck.secondOrder(at: test.inputs) { inputs in
                let y = test.apply(inputs)
                let loss = (y * y * weights).sum()
                return try! gradients(of: loss, withRespectTo: [inputs[0]], createGraph: true)[0]
            }
            for (error, input) in zip(errors, ["x", "weight", "bias"]) {
                XCTAssertLessThan(error, 5e-3, "\(test.name) third order d/d\(input)")
            }
        }
    }

    func testNormsWithoutAffineParametersDifferentiateTwice() {
        let image = random([3, 4, 2, 3])
        let functions: [(String, (Tensor) -> Tensor)] = [
            ("groupNorm", { $0.groupNorm(groups: 2, weight: nil, bias: nil) }),
            ("layerNorm", { $0.layerNorm(normalizedRank: 2, weight: nil, bias: nil) }),
            ("batchNorm", { x in
                var statistics = BatchNormStatistics(channels: 4)
                return x.batchNorm(weight: nil, bias: nil, statistics: &statistics, training: true)
            }),
        ]
        for (name, function) in functions {
            let first = GradientCheck.firstOrder(at: [image]) { function($0[0]) }
            let second = GradientCheck.secondOrder(at: [image]) { let y = function($0[0]); return y * y }
            XCTAssertLessThan(first[0], 1e-3, name)
            XCTAssertLessThan(second[0], 2e-3, name)
        }
    }

    /// Plain gradients use fused kernels, `createGraph: true` the
    /// differentiable formulas; both must give the same first-order values.
    func testGraphFreeAndGraphBuildingGradientsAgree() throws {
        for test in cases() {
            let variables = test.inputs.map { Tensor($0).requiringGradient() }
            let projection = Tensor(random(test.apply(variables).shape))
            let fused = try gradients(of: (test.apply(variables) * projection).sum(), withRespectTo: variables)
            let recorded = try gradients(
                of: (test.apply(variables) * projection).sum(), withRespectTo: variables, createGraph: true)
            for (index, (a, b)) in zip(fused, recorded).enumerated() {
                XCTAssertFalse(a.requiresGradient)
                XCTAssertTrue(b.requiresGradient || index == 2, "\(test.name) input \(index) gradient is recorded")
                XCTAssertLessThan(relativeError(a.array, b.array), 1e-5, "\(test.name) input \(index)")
            }
        }
    }

    func assertClose(_ actual: NDArray, _ expected: [Double], accuracy: Double, _ message: String = "",
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.count, expected.count, message, file: file, line: line)
        let worst = zip(actual.scalars, expected).map { abs(Double($0) - $1) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst, accuracy, message, file: file, line: line)
    }
}

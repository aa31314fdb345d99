// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillNN
import DistillTensor
import XCTest

/// A small network nested like DC's: `features` (a Sequential with a nested
/// Sequential) and a `classifier`.
final class TinyNet: Module, UnaryLayer {
    let features: Sequential
    let classifier: Linear

    init(using generator: inout SeededGenerator) {
        features = Sequential(
            Conv2d(inChannels: 1, outChannels: 2, kernelSize: 3, padding: 1, using: &generator),
            BatchNorm2d(channels: 2), ReLU(), MaxPool2d(kernel: 2),
            Sequential(Conv2d(inChannels: 2, outChannels: 3, kernelSize: 1, bias: false, using: &generator),
                       GroupNorm(groups: 3, channels: 3)))
        classifier = Linear(inFeatures: 3 * 2 * 2, outFeatures: 4, using: &generator)
        super.init()
        registerChild("features", features)
        registerChild("classifier", classifier)
    }

    func callAsFunction(_ x: Tensor) -> Tensor { classifier(features(x).flattened()) }
}

final class ModuleTests: XCTestCase {
    func testParameterAndStateDictKeysFollowPyTorchOrder() {
        var generator = SeededGenerator(seed: 1)
        let net = TinyNet(using: &generator)
        XCTAssertEqual(
            net.namedParameters().map(\.name),
            [
                "features.0.weight", "features.0.bias", "features.1.weight", "features.1.bias",
                "features.4.0.weight", "features.4.1.weight", "features.4.1.bias",
                "classifier.weight", "classifier.bias",
            ])
        XCTAssertEqual(
            net.namedParameters().map(\.tensor.shape),
            [[2, 1, 3, 3], [2], [2], [2], [3, 2, 1, 1], [3], [3], [4, 12], [4]])
        XCTAssertEqual(
            net.stateDict().keys,
            [
                "features.0.weight", "features.0.bias", "features.1.weight", "features.1.bias",
                "features.1.running_mean", "features.1.running_var", "features.1.num_batches_tracked",
                "features.4.0.weight", "features.4.1.weight", "features.4.1.bias",
                "classifier.weight", "classifier.bias",
            ])
        XCTAssertEqual(net.stateDict()["features.1.num_batches_tracked"], .int64(shape: [], values: [0]))
        XCTAssertEqual(net.parameterCount, 18 + 2 + 2 + 2 + 6 + 3 + 3 + 48 + 4)
        XCTAssertTrue(net.parameters.allSatisfy(\.requiresGradient))
    }

    func testDefaultInitialisationMatchesPyTorchBounds() {
        var generator = SeededGenerator(seed: 2)
        let conv = Conv2d(inChannels: 8, outChannels: 16, kernelSize: 3, using: &generator)
        let linear = Linear(inFeatures: 50, outFeatures: 40, using: &generator)
        for (tensor, fanIn) in [(conv.weight, 72), (conv.bias!, 72), (linear.weight, 50), (linear.bias!, 50)] {
            let bound = 1 / Float(fanIn).squareRoot()
            let largest = tensor.scalars.map(abs).max()!
            XCTAssertLessThanOrEqual(largest, bound)
            // Uniform draws fill the range: the largest of ≥ 16 draws is close to the bound.
            XCTAssertGreaterThan(largest, 0.75 * bound)
            XCTAssertLessThan(abs(tensor.scalars.reduce(0, +) / Float(tensor.count)), 0.35 * bound)
        }
        let norm = BatchNorm2d(channels: 5)
        XCTAssertEqual(norm.weight.scalars, [Float](repeating: 1, count: 5))
        XCTAssertEqual(norm.bias.scalars, [Float](repeating: 0, count: 5))
        XCTAssertEqual(norm.statistics.mean.scalars, [Float](repeating: 0, count: 5))
        XCTAssertEqual(norm.statistics.variance.scalars, [Float](repeating: 1, count: 5))
        let layerNorm = LayerNorm(normalizedShape: [2, 3, 3])
        XCTAssertEqual(layerNorm.weight.shape, [2, 3, 3])
        XCTAssertEqual(layerNorm.bias.scalars, [Float](repeating: 0, count: 18))
        var same = SeededGenerator(seed: 2)
        let repeated = Conv2d(inChannels: 8, outChannels: 16, kernelSize: 3, using: &same)
        XCTAssertEqual(repeated.weight.scalars, conv.weight.scalars)
    }

    func testTrainAndEvalPropagateToEveryDescendant() {
        var generator = SeededGenerator(seed: 3)
        let net = TinyNet(using: &generator)
        func modes(_ module: Module) -> [Bool] { [module.isTraining] + module.children.flatMap { modes($0.module) } }
        XCTAssertTrue(modes(net).allSatisfy { $0 })
        net.eval()
        XCTAssertEqual(modes(net).count, 10)
        XCTAssertTrue(modes(net).allSatisfy { !$0 })
        net.features.train()
        XCTAssertFalse(net.isTraining)
        XCTAssertFalse(net.classifier.isTraining)
        XCTAssertTrue(modes(net.features).allSatisfy { $0 })
        XCTAssertEqual(net.modules().count, 10)
        XCTAssertEqual(net.modules().filter { $0 is BatchNorm2d }.count, 1)
        XCTAssertTrue(net.modules().first === net)
    }

    func testBatchNormUsesBatchStatisticsOnlyInTrainingMode() {
        var generator = SeededGenerator(seed: 4)
        let norm = BatchNorm2d(channels: 2)
        let x = Tensor(.normal(shape: [3, 2, 2, 2], using: &generator)) * 3 + 5
        let trained = norm(x)
        XCTAssertEqual(norm.batchesTracked, 1)
        XCTAssertLessThan(abs(trained.mean().scalar), 1e-5)
        XCTAssertNotEqual(norm.statistics.mean.scalars, [0, 0])
        norm.eval()
        let before = norm.statistics
        let evaluated = norm(x)
        XCTAssertEqual(norm.batchesTracked, 1)
        XCTAssertEqual(norm.statistics.mean, before.mean)
        let expected = (x.array.scalars[0] - before.mean.scalars[0]) / (before.variance.scalars[0] + 1e-5).squareRoot()
        XCTAssertEqual(evaluated.scalars[0], expected, accuracy: 1e-5)
    }

    func testSetParametersReplacesInOrderAndGradientsReachThem() throws {
        var generator = SeededGenerator(seed: 5)
        let net = TinyNet(using: &generator)
        let replacement = net.parameters.map { Tensor($0.array.map { $0 * 0.5 }).requiringGradient() }
        net.setParameters(replacement)
        XCTAssertTrue(zip(net.parameters, replacement).allSatisfy { $0.isIdentical(to: $1) })
        let x = Tensor(.normal(shape: [2, 1, 4, 4], using: &generator))
        let loss = crossEntropy(logits: net(x), labels: [1, 3])
        let grads = try gradients(of: loss, withRespectTo: net.parameters, unreachable: .error)
        XCTAssertEqual(grads.map(\.shape), net.parameters.map(\.shape))
        XCTAssertGreaterThan(grads.last!.scalars.map(abs).max()!, 0)
    }
}

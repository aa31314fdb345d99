// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillData
import DistillMethods
import DistillNN
import DistillTensor
import DistillZoo
import Foundation
import XCTest

/// Method settings and their defaults, the image optimiser, and DC's BatchNorm freeze.
final class ConfigurationTests: XCTestCase {
    func testLoopsFollowDCsTableAndOtherIPCNeedExplicitLoops() throws {
        let expected = [1: (1, 1), 10: (10, 50), 20: (20, 25), 30: (30, 20), 40: (40, 15), 50: (50, 10)]
        for (ipc, loops) in expected {
            let configuration = try GradientMatchingConfiguration(imagesPerClass: ipc)
            XCTAssertEqual(configuration.outerLoop, loops.0, "ipc \(ipc)")
            XCTAssertEqual(configuration.innerLoop, loops.1, "ipc \(ipc)")
        }
        XCTAssertThrowsError(try GradientMatchingConfiguration(imagesPerClass: 5)) {
            XCTAssertEqual($0 as? CondensationError, .unpublishedLoops(imagesPerClass: 5))
        }
        let explicit = try GradientMatchingConfiguration(imagesPerClass: 5, outerLoop: 5, innerLoop: 20)
        XCTAssertEqual(explicit.outerLoop, 5)
        XCTAssertThrowsError(try GradientMatchingConfiguration(imagesPerClass: 10, batchReal: 0)) {
            XCTAssertEqual(
                $0 as? CondensationError,
                .invalidSetting(name: "real batch", value: "0", requirement: "must be positive"))
        }
    }

    func testPublishedDefaults() throws {
        let dc = try GradientMatchingConfiguration(imagesPerClass: 10)
        XCTAssertEqual(dc.iterations, 1000)
        XCTAssertEqual(dc.learningRateImage, 0.1)
        XCTAssertEqual(dc.momentumImage, 0.5)
        XCTAssertEqual(dc.learningRateNetwork, 0.01)
        XCTAssertEqual(dc.batchReal, 256)
        XCTAssertEqual(dc.batchTrain, 256)
        XCTAssertEqual(dc.distance, .ours)
        XCTAssertEqual(dc.initialization, .noise)
        XCTAssertEqual(dc.pool.architectures, ["ConvNet"])
        XCTAssertNil(dc.augmentation)
        let dsa = try GradientMatchingConfiguration(imagesPerClass: 10, augmentation: .standard)
        XCTAssertEqual(dsa.initialization, .real)

        let dm = try DistributionMatchingConfiguration(imagesPerClass: 10)
        XCTAssertEqual(dm.iterations, 20_000)
        XCTAssertEqual(dm.learningRateImage, 1)
        XCTAssertEqual(dm.momentumImage, 0.5)
        XCTAssertEqual(dm.batchReal, 256)
        XCTAssertEqual(dm.initialization, .real)
        XCTAssertEqual(dm.augmentation?.description, "color_crop_cutout_flip_scale_rotate")
    }

    func testConfigurationsRoundTripThroughJSON() throws {
        let dc = try GradientMatchingConfiguration(
            imagesPerClass: 1, distance: .cos, pool: ModelPool(preset: .paper, warmup: 500),
            augmentation: DSAStrategy("color_crop"))
        let decodedDC = try JSONDecoder().decode(GradientMatchingConfiguration.self, from: JSONEncoder().encode(dc))
        XCTAssertEqual(decodedDC, dc)
        let dm = try DistributionMatchingConfiguration(imagesPerClass: 50, augmentation: nil)
        let decodedDM = try JSONDecoder().decode(DistributionMatchingConfiguration.self, from: JSONEncoder().encode(dm))
        XCTAssertEqual(decodedDM, dm)
    }

    func testImageOptimizerIsMomentumSGD() {
        var optimizer = ImageOptimizer(learningRate: 0.1, momentum: 0.5)
        let x0 = NDArray(shape: [2], scalars: [1, 2])
        let x1 = optimizer.step(x0, gradient: NDArray(shape: [2], scalars: [1, -1]))
        XCTAssertEqual(x1.scalars[0], 0.9, accuracy: 1e-6)
        XCTAssertEqual(x1.scalars[1], 2.1, accuracy: 1e-6)
        // b = 0.5·[1, −1] + [2, 2] = [2.5, 1.5]
        let x2 = optimizer.step(x1, gradient: NDArray(shape: [2], scalars: [2, 2]))
        XCTAssertEqual(x2.scalars[0], 0.9 - 0.25, accuracy: 1e-6)
        XCTAssertEqual(x2.scalars[1], 2.1 - 0.15, accuracy: 1e-6)
        XCTAssertEqual(optimizer.momentumBuffer?.scalars, [2.5, 1.5])
    }

    func testBatchNormIsCalibratedThenFrozen() throws {
        var generator = SeededGenerator(seed: 3)
        let network = try Zoo.make(
            name: "ConvNet(width=4,depth=1,norm=batchnorm)", channels: 1, imageSize: 28, classes: 2, using: &generator)
        let images = Tensor(NDArray.normal(shape: [4, 1, 28, 28], using: &generator))
        XCTAssertTrue(GradientMatching.calibrateBatchNorm(of: network, with: images))
        let batchNorm = try XCTUnwrap(network.stateDict().entries.first { $0.key.hasSuffix("running_mean") })
        XCTAssertNotEqual(batchNorm.value, .float(NDArray(zeros: [4])), "running statistics were not updated")
        XCTAssertTrue(network.isTraining)
        let convNet = try XCTUnwrap(network as? ConvNet)
        for layer in convNet.features.layers {
            XCTAssertEqual(layer.isTraining, !(layer is BatchNorm2d), "\(type(of: layer))")
        }
        // Frozen: a further forward pass leaves the running statistics alone.
        let before = network.stateDict()
        _ = network(images)
        XCTAssertEqual(network.stateDict()["features.1.running_mean"], before["features.1.running_mean"])
    }
}

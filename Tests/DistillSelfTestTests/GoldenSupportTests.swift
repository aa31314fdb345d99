// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import DistillTensor
import Foundation
import XCTest
@testable import DistillSelfTest

/// Tests of the golden loader, comparison rules and parameter fill.
final class GoldenSupportTests: XCTestCase {
    // MARK: - Parameter fill

    func testSplitMix64MatchesTheReferenceSequence() {
        // The first two outputs of the reference SplitMix64 generator seeded with 0.
        XCTAssertEqual(GoldenParameterFill.splitmix64(0), 0xE220_A839_7B1D_CDAF)
        XCTAssertEqual(GoldenParameterFill.splitmix64(0x9E37_79B9_7F4A_7C15), 0x6E78_9E6A_A1B9_65F4)
    }

    func testUniformIsExactInFloat32AndInRange() {
        for j in [0, 1, 7, 1000, 1005] {
            for i in 0..<2000 {
                let u = GoldenParameterFill.uniform(j, i)
                XCTAssertTrue(u >= -1 && u < 1, "u(\(j), \(i)) = \(u)")
                XCTAssertEqual(Double(Float(u)), u, "u(\(j), \(i)) is not exact in Float32")
            }
        }
        // Values computed independently with Python integers.
        XCTAssertEqual(GoldenParameterFill.uniform(0, 0), 0.7666215896606445)
        XCTAssertEqual(GoldenParameterFill.uniform(1, 5), -0.36570918560028076)
        XCTAssertEqual(GoldenParameterFill.uniform(1001, 3), -0.9056689739227295)
    }

    func testFillAppliesEachRoleWithOneRounding() {
        let parameters = GoldenParameterFill.parameters([
            GoldenParameterSpec(name: "conv.weight", shape: [2, 1, 3, 3], role: .weight, fanIn: 9),
            GoldenParameterSpec(name: "conv.bias", shape: [2], role: .bias, fanIn: 9),
            GoldenParameterSpec(name: "norm.weight", shape: [8], role: .normWeight, fanIn: 0),
            GoldenParameterSpec(name: "norm.bias", shape: [8], role: .normBias, fanIn: 0),
        ])
        XCTAssertEqual(parameters.map(\.name), ["conv.weight", "conv.bias", "norm.weight", "norm.bias"])
        XCTAssertEqual(parameters[0].value.shape, [2, 1, 3, 3])
        XCTAssertEqual(parameters[0].value.scalars[1], 0.04437434673309326)
        XCTAssertEqual(parameters[1].value.scalars[0], Float(GoldenParameterFill.uniform(1, 0) / 3))
        XCTAssertEqual(parameters[2].value.scalars[7], 0.9932333827018738)
        XCTAssertEqual(parameters[3].value.scalars[0], -0.03775167465209961)

        let buffers = GoldenParameterFill.buffers([
            GoldenBufferSpec(name: "norm.running_mean", shape: [4], role: .runningMean, index: 0),
            GoldenBufferSpec(name: "norm.running_var", shape: [4], role: .runningVar, index: 1),
        ])
        XCTAssertEqual(buffers[0].value.scalars[0], 0.07353709638118744)
        XCTAssertEqual(buffers[1].value.scalars[3], 1.4528344869613647)
        XCTAssertTrue(buffers[1].value.scalars.allSatisfy { $0 >= 1 && $0 <= 1.5 })
    }

    func testManifestListsEveryParameterOfEachNetwork() throws {
        let manifest = try GoldenManifest(Golden("nets_c1_28"))
        for (name, network) in manifest.networks {
            let elements = network.params.map(\.shape.elementCount).reduce(0, +)
            XCTAssertEqual(elements, network.paramCount, name)
        }
        let alexNet = try manifest.network("AlexNetBN")
        XCTAssertEqual(alexNet.buffers.map(\.index), Array(alexNet.buffers.indices))
        XCTAssertEqual(alexNet.buffers.count, 10)
        XCTAssertEqual(alexNet.filledBuffers().first?.name, "features.1.running_mean")
        let convNet = try GoldenManifest(Golden("dc")).network("convnet_leakyrelu_batchnorm_max_c3")
        XCTAssertEqual(convNet.net, "ConvNet")
        XCTAssertEqual(convNet.kwargs, ["act_": "leakyrelu", "norm": "batchnorm", "pool": "maxpooling"])
        XCTAssertEqual(convNet.filledParameters().map(\.value.shape), convNet.params.map(\.shape))
        XCTAssertThrowsError(try manifest.network("ResNet50")) { error in
            XCTAssertTrue("\(error)".contains("no network 'ResNet50'"), "\(error)")
        }
    }

    // MARK: - Tolerances and comparisons

    func testTolerancesDistinguishNullFromMissing() throws {
        let golden = try Golden("ops")
        XCTAssertEqual(try golden.tolerances.tolerance(for: "ops:conv0/y"), 1e-4)
        XCTAssertEqual(try golden.tolerance(for: "conv0/y"), 1e-4)
        XCTAssertNil(try golden.tolerances.tolerance(for: "nets_c1_28:ConvNet/grad/features.0.bias"))
        XCTAssertThrowsError(try golden.tolerance(for: "conv0/nothing")) { error in
            XCTAssertEqual(error as? GoldenError, .missingTolerance(key: "ops:conv0/nothing"))
        }
    }

    func testCompareAppliesTheRelativeRule() throws {
        let golden = try Golden("ops")
        let reference = try golden.floats("conv0/y")
        XCTAssertTrue(try golden.compare(reference, to: "conv0/y").passed)
        // A 1e-3 relative perturbation of every element exceeds the 1e-4 tolerance.
        let perturbed = reference.map { $0 * 1.001 }
        let comparison = try golden.compare(perturbed, to: "conv0/y")
        XCTAssertFalse(comparison.passed)
        XCTAssertEqual(comparison.error, 1e-3, accuracy: 1e-5)
        XCTAssertTrue(try golden.compare(NDArray(scalar: 1.9823785), to: "cross_entropy/loss").passed)
        XCTAssertThrowsError(try golden.compare(reference.reshaped([4, 49, 2]), to: "conv0/y")) { error in
            XCTAssertEqual(
                error as? GoldenError, .shapeMismatch(key: "conv0/y", expected: [2, 4, 7, 7], actual: [4, 49, 2]))
        }
    }

    func testGradientStatisticsAgreeWithTheFullGradientsOfTheSameFile() throws {
        let golden = try Golden("nets_c1_28")
        let weight = try golden.floats("ConvNet/grad/features.0.weight")
        XCTAssertTrue(try golden.compareGradientStatistics(weight, to: "ConvNet/gradstat/features.0.weight").passed)
        let errors = Golden.gradientStatisticErrors(
            of: weight, reference: try golden.file.doubles("ConvNet/gradstat/features.0.weight").values)
        XCTAssertEqual(errors.count, 4)
        XCTAssertLessThan(errors.max()!, 1e-6)
        let flipped = weight.map { -$0 }
        XCTAssertFalse(try golden.compareGradientStatistics(flipped, to: "ConvNet/gradstat/features.0.weight").passed)

        // The bias before a normalisation has an exactly-zero gradient: absolute check only.
        let bias = try golden.floats("ConvNet/grad/features.0.bias")
        XCTAssertThrowsError(try golden.compareGradientStatistics(bias, to: "ConvNet/gradstat/features.0.bias"))
        let bound = 1e-3 * Double(weight.scalars.map(abs).max()!)
        let biasStatistics = try golden.compareGradientStatistics(
            bias, to: "ConvNet/gradstat/features.0.bias", absoluteBound: bound)
        XCTAssertTrue(biasStatistics.passed, "\(biasStatistics)")
        XCTAssertTrue(try golden.compare(bias, to: "ConvNet/grad/features.0.bias", absoluteBound: bound).passed)
        let biased = bias.map { $0 + Float(2 * bound) }
        XCTAssertFalse(try golden.compare(biased, to: "ConvNet/grad/features.0.bias", absoluteBound: bound).passed)
    }

    func testGradientStatisticsByHand() {
        let statistics = Golden.gradientStatistics(of: NDArray(shape: [3], scalars: [1, -2, 3]))
        XCTAssertEqual(statistics[0], 2)
        XCTAssertEqual(statistics[1], 14)
        XCTAssertEqual(statistics[2], sin(0.29) - 2 * sin(1.0) + 3 * sin(1.71), accuracy: 1e-12)
        XCTAssertEqual(statistics[3], 3)
    }
}

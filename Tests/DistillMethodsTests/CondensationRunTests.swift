// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData
import DistillMethods
import DistillTensor
import Foundation
import XCTest

/// Two classes of random 1×28×28 images, six each; class 1 is shifted so the classes differ.
struct TinyImages: RealImageSource {
    let perClass: [NDArray]

    init(seed: UInt64 = 99, imagesPerClass: Int = 6) {
        var generator = SeededGenerator(seed: seed)
        perClass = (0..<2).map { label in
            NDArray.normal(shape: [imagesPerClass, 1, 28, 28], using: &generator).map { $0 + Float(label) }
        }
    }

    var classCount: Int { perClass.count }
    var imageShape: [Int] { [1, 28, 28] }
    func imageCount(ofClass label: Int) -> Int { perClass[label].shape[0] }

    func sample(count: Int, ofClass label: Int, using generator: inout SeededGenerator) throws -> NDArray {
        let images = perClass[label]
        let size = 28 * 28
        var order = Array(0..<images.shape[0])
        for i in 0..<count { order.swapAt(i, i + Int(generator.next() % UInt64(order.count - i))) }
        let scalars = order.prefix(count).flatMap { images.scalars[($0 * size)..<(($0 + 1) * size)] }
        return NDArray(shape: [count, 1, 28, 28], scalars: scalars)
    }
}

/// Tiny end-to-end runs of DC, DSA and DM: finite losses, images that move,
/// determinism for a seed, and exact resumption from a serialised state.
final class CondensationRunTests: XCTestCase {
    private let data = TinyImages()
    private let small = "ConvNet(width=8,depth=2)"
    private let smallBN = "ConvNet(width=8,depth=2,norm=batchnorm)"

    private func dc(augmentation: DSAStrategy? = nil, pool: String? = nil) throws -> GradientMatching {
        let configuration = try GradientMatchingConfiguration(
            imagesPerClass: 1, iterations: 3, outerLoop: 2, innerLoop: 1, batchReal: 4, batchTrain: 2,
            batchNormImagesPerClass: 2, pool: ModelPool(parsing: pool ?? "\(small):1"), augmentation: augmentation)
        return try GradientMatching(configuration: configuration, data: data)
    }

    private func dm(pool: String? = nil) throws -> DistributionMatching {
        let configuration = try DistributionMatchingConfiguration(
            imagesPerClass: 2, iterations: 3, batchReal: 4, pool: ModelPool(parsing: pool ?? "\(small):1"))
        return try DistributionMatching(configuration: configuration, data: data)
    }

    /// Runs every iteration; checks finite losses, moving images and the reports' bookkeeping.
    private func runAll(_ method: some CondensationMethod, seed: UInt64) throws -> CondensationState {
        var state = try method.initialState(seed: seed)
        let initial = state.synthetic.images
        var reports: [IterationReport] = []
        try method.run(&state) { report, _ in reports.append(report) }
        XCTAssertEqual(reports.map(\.iteration), [0, 1, 2])
        XCTAssertEqual(state.iteration, 3)
        for report in reports {
            XCTAssertTrue(report.loss.isFinite && report.loss >= 0, "loss \(report.loss)")
            XCTAssertGreaterThan(report.seconds, 0)
        }
        XCTAssertTrue(state.synthetic.images.scalars.allSatisfy(\.isFinite))
        XCTAssertNotEqual(state.synthetic.images, initial)
        XCTAssertNotNil(state.optimizer.momentumBuffer)
        return state
    }

    /// Runs one iteration, round-trips the state through JSON, runs the rest.
    private func runResumed(_ method: some CondensationMethod, seed: UInt64) throws -> CondensationState {
        var state = try method.initialState(seed: seed)
        _ = try method.step(&state)
        let saved = try JSONEncoder().encode(state)
        var restored = try JSONDecoder().decode(CondensationState.self, from: saved)
        XCTAssertEqual(restored, state)
        try method.run(&restored)
        return restored
    }

    private func checkDeterminismAndResume(_ method: some CondensationMethod) throws {
        let straight = try runAll(method, seed: 7)
        XCTAssertEqual(try runAll(method, seed: 7), straight)
        XCTAssertNotEqual(try runAll(method, seed: 8).synthetic.images, straight.synthetic.images)
        XCTAssertEqual(try runResumed(method, seed: 7), straight)
    }

    func testGradientMatching() throws {
        let method = try dc()
        XCTAssertEqual(method.configuration.initialization, .noise)
        try checkDeterminismAndResume(method)
    }

    func testGradientMatchingWithBatchNorm() throws {
        try checkDeterminismAndResume(try dc(pool: "\(small):0.5,\(smallBN):0.5"))
    }

    func testDifferentiableSiameseAugmentation() throws {
        let method = try dc(augmentation: .standard)
        XCTAssertEqual(method.configuration.initialization, .real)
        try checkDeterminismAndResume(method)
    }

    func testDistributionMatching() throws {
        try checkDeterminismAndResume(try dm())
    }

    func testDistributionMatchingWithBatchNorm() throws {
        try checkDeterminismAndResume(try dm(pool: "\(smallBN):1"))
    }

    func testRealInitialisationCopiesImagesOfEachClass() throws {
        var generator = SeededGenerator(seed: 1)
        let set = try SyntheticSet(.real, imagesPerClass: 3, from: data, using: &generator)
        XCTAssertEqual(set.images.shape, [6, 1, 28, 28])
        XCTAssertEqual(set.labels, [0, 0, 0, 1, 1, 1])
        for label in 0..<2 {
            let real = data.perClass[label].scalars
            let rows = set.images(ofClass: label).scalars
            for row in 0..<3 {
                let image = Array(rows[(row * 784)..<((row + 1) * 784)])
                XCTAssertTrue((0..<6).contains { Array(real[($0 * 784)..<(($0 + 1) * 784)]) == image })
            }
        }
        XCTAssertThrowsError(try SyntheticSet(.real, imagesPerClass: 7, from: data, using: &generator)) {
            XCTAssertEqual(
                $0 as? CondensationError, .imagesPerClassTooLarge(imagesPerClass: 7, classIndex: 0, available: 6))
        }
        let noise = try SyntheticSet(.noise, imagesPerClass: 7, from: data, using: &generator)
        XCTAssertEqual(noise.images.shape, [14, 1, 28, 28])
    }

    func testResumingWithAnotherShapeIsRefused() throws {
        var state = try dm().initialState(seed: 1)
        XCTAssertThrowsError(try dc().step(&state)) {
            XCTAssertEqual(
                $0 as? CondensationError, .stateMismatch(
                    expectedShape: [2, 1, 28, 28], actualShape: [4, 1, 28, 28], expectedImagesPerClass: 1, actualImagesPerClass: 2))
        }
    }

    func testDistributionMatchingRefusesMembersWithoutEmbedding() throws {
        XCTAssertThrowsError(try dm(pool: "\(small):0.5,LeNet:0.5")) {
            XCTAssertEqual($0 as? PoolError, .memberWithoutEmbedding("LeNet"))
        }
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillData
import DistillEval
import DistillNN
import DistillTensor
import DistillZoo
import XCTest

/// Student training under a teacher: it runs, and the KL term changes what the student learns.
final class KnowledgeDistillationTests: XCTestCase {
    /// Two classes of 1×28×28 images that differ in brightness, 4 images each.
    private func separableSet() -> (images: NDArray, labels: [Int]) {
        var generator = SeededGenerator(seed: 5)
        let labels = [0, 1, 0, 1, 0, 1, 0, 1]
        var scalars: [Float] = []
        for label in labels {
            for _ in 0..<784 { scalars.append((label == 0 ? -1 : 1) + 0.3 * generator.nextNormal()) }
        }
        return (NDArray(shape: [8, 1, 28, 28], scalars: scalars), labels)
    }

    private let trainingProtocol = TrainingProtocol(epochs: 6, batchSize: 4)

    private func teacher(images: NDArray, labels: [Int]) throws -> any UnaryLayer {
        var generator = SeededGenerator(seed: 11)
        var initGenerator = generator.split()
        let teacher = try Zoo.make(name: "LeNet", channels: 1, imageSize: 28, classes: 2, using: &initGenerator)
        _ = train(teacher, images: images, labels: labels, protocol: trainingProtocol, using: &generator)
        teacher.eval()
        return teacher
    }

    /// Trains a fresh MLP student with seed 1, returning its outcome, per-pass losses and final weights.
    private func student(
        images: NDArray, labels: [Int], distillation: KnowledgeDistillation?
    ) throws -> (TrainingOutcome, [Float], [[Float]]) {
        var generator = SeededGenerator(seed: 1)
        var initGenerator = generator.split()
        let network = try Zoo.make(name: "MLP", channels: 1, imageSize: 28, classes: 2, using: &initGenerator)
        var losses: [Float] = []
        let outcome = train(
            network, images: images, labels: labels, protocol: trainingProtocol, distillation: distillation,
            using: &generator
        ) { if $0.batch == $0.batchesPerEpoch { losses.append($0.loss) } }
        return (outcome, losses, network.parameters.map { $0.array.scalars })
    }

    func testDistilledStudentTrainsAndDiffersFromCrossEntropyForTheSameSeed() throws {
        let (images, labels) = separableSet()
        let teacher = try teacher(images: images, labels: labels)
        let (plain, plainLosses, plainWeights) = try student(images: images, labels: labels, distillation: nil)
        let (distilled, distilledLosses, distilledWeights) = try student(
            images: images, labels: labels, distillation: KnowledgeDistillation(teacher: teacher, temperature: 1.5, alpha: 0.5))
        XCTAssertFalse(distilled.lossDiverged)
        XCTAssertFalse(distilled.fellBackToCrossEntropy)
        XCTAssertEqual(distilledLosses.count, trainingProtocol.epochs + 1, "every pass ran")
        XCTAssertTrue(distilledLosses.allSatisfy(\.isFinite))
        XCTAssertNotEqual(distilledLosses, plainLosses, "the KL term changes the loss")
        XCTAssertNotEqual(distilledWeights, plainWeights, "and so what the student learns")
        XCTAssertFalse(plain.lossDiverged)

        // With α = 0 the KL term vanishes: the same draws and the same weights as plain training.
        let (_, _, crossEntropyOnly) = try student(
            images: images, labels: labels, distillation: KnowledgeDistillation(teacher: teacher, temperature: 1.5, alpha: 0))
        XCTAssertEqual(crossEntropyOnly, plainWeights)
    }
}

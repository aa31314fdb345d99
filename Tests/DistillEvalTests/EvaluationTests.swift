// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData
import DistillEval
import DistillTensor
import DistillZoo
import XCTest

final class EvaluationTests: XCTestCase {
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

    func testProtocolDefaultsFollowThePapers() {
        XCTAssertEqual(TrainingProtocol().epochs, 300)
        XCTAssertEqual(TrainingProtocol(augmentation: .dsa(.standard)).epochs, 1000)
        XCTAssertEqual(TrainingProtocol(epochs: 300).decayPass, 151)
        XCTAssertEqual(TrainingProtocol.defaultAugmentation(dsa: nil, dataset: .fashionMNIST, architecture: "ConvNet"), .none)
        XCTAssertEqual(TrainingProtocol.defaultAugmentation(dsa: nil, dataset: .fashionMNIST, architecture: "ConvNetBN"), .dc(.convNetBN))
        XCTAssertEqual(TrainingProtocol.defaultAugmentation(dsa: nil, dataset: .mnist, architecture: "MLP"), .dc(.mnist))
    }

    /// A set is evaluated with its method's protocol unless another is named;
    /// DSA's protocol augments every architecture, DC's keeps its exceptions.
    func testEvaluationProtocolFollowsTheSetsMethodUnlessNamed() {
        XCTAssertEqual(["dc", "dsa", "dm", "real"].map(EvaluationProtocol.init(forSetMadeBy:)), [.dc, .dsa, .dsa, .dc])
        XCTAssertEqual(EvaluationProtocol.dsa.augmentation(dataset: .fashionMNIST, architecture: "ConvNetBN"), .dsa(.standard))
        XCTAssertEqual(EvaluationProtocol.dsa.augmentation(dataset: .mnist, architecture: "MLP"), .dsa(.digits))
        XCTAssertEqual(EvaluationProtocol.dc.augmentation(dataset: .fashionMNIST, architecture: "LeNet"), .none)
        XCTAssertEqual(EvaluationProtocol.dc.augmentation(dataset: .fashionMNIST, architecture: "ConvNetBN"), .dc(.convNetBN))
    }

    func testTrainingLowersTheLossAndIsDeterministic() throws {
        let (images, labels) = separableSet()
        func run() throws -> (TrainingOutcome, [Float]) {
            var generator = SeededGenerator(seed: 1)
            var initGenerator = generator.split()
            let network = try Zoo.make(name: "MLP", channels: 1, imageSize: 28, classes: 2, using: &initGenerator)
            var losses: [Float] = []
            let outcome = train(
                network, images: images, labels: labels, protocol: TrainingProtocol(epochs: 20, batchSize: 4),
                using: &generator
            ) { if $0.batch == $0.batchesPerEpoch { losses.append($0.loss) } }
            return (outcome, losses)
        }
        let (outcome, losses) = try run()
        XCTAssertFalse(outcome.lossDiverged)
        XCTAssertEqual(losses.count, 21, "passes 0…epochs")
        XCTAssertLessThan(losses.last!, losses.first! / 4)
        XCTAssertEqual(try run().1, losses, "same seed, same training")
    }

    func testNonFiniteLossIsReportedAsDiverged() throws {
        let (images, labels) = separableSet()
        var generator = SeededGenerator(seed: 2)
        var initGenerator = generator.split()
        let network = try Zoo.make(name: "MLP", channels: 1, imageSize: 28, classes: 2, using: &initGenerator)
        let outcome = train(
            network, images: images.map { $0 * 1e30 }, labels: labels,
            protocol: TrainingProtocol(epochs: 5, learningRate: 1e10), using: &generator)
        XCTAssertTrue(outcome.lossDiverged)
        XCTAssertFalse(outcome.finalLoss.isFinite)
    }

    func testSummaryLeavesDivergedRunsOutOfTheMean() {
        let runs = [
            RunResult(accuracy: 70, diverged: false, fellBackToCrossEntropy: false, seconds: 1),
            RunResult(accuracy: 74, diverged: false, fellBackToCrossEntropy: false, seconds: 1),
            RunResult(accuracy: 10, diverged: true, fellBackToCrossEntropy: false, seconds: 1),
        ]
        let summary = AccuracySummary(runs: runs)
        XCTAssertEqual(summary.mean, 72)
        XCTAssertEqual(summary.std, 2, "population standard deviation")
        XCTAssertEqual(summary.divergedCount, 1)
        XCTAssertEqual(summary.formatted, "72.00 ± 2.00 (1 diverged)")
        XCTAssertEqual(AccuracySummary(runs: [runs[0]]).formatted, "70.00", "one run shows its value, not ± 0.00")
        XCTAssertEqual(AccuracySummary(runs: [runs[0], runs[2]]).formatted, "70.00 (1 diverged)")
        XCTAssertEqual(AccuracySummary(runs: [runs[2]]).formatted, "diverged (1/1)")
        XCTAssertTrue(isAtChanceLevel(10.2, classes: 10))
        XCTAssertFalse(isAtChanceLevel(12, classes: 10))
        let report = EvaluationReport(
            results: [ArchitectureResult(architecture: "MLP", plain: summary, distilled: nil)], seed: 0,
            runsPerArchitecture: 3, distillation: nil)
        let json = EvaluationFiles.summaryJSON(report)
        XCTAssertTrue(json.contains("\"MLP\":{\"diverged\":1,\"mean\":72,\"runs\":[70,74,10],\"std\":2}"), json)
        XCTAssertFalse(EvaluationFiles.table(report).contains("training:"), "a report that does not record its protocol")
    }

    /// The table ends with how the networks trained: once when every architecture trained alike, else per architecture.
    func testTableSaysHowTheNetworksTrained() {
        let summary = AccuracySummary(runs: [RunResult(accuracy: 70, diverged: false, fellBackToCrossEntropy: false, seconds: 1)])
        func report(_ protocols: [TrainingProtocol]) -> EvaluationReport {
            EvaluationReport(
                results: zip(["ConvNet", "ConvNetBN"], protocols).map {
                    ArchitectureResult(architecture: $0, plain: summary, distilled: nil, trainingProtocol: $1)
                }, seed: 0, runsPerArchitecture: 1, distillation: nil)
        }
        let dsa = TrainingProtocol(augmentation: .dsa(.standard))
        XCTAssertTrue(
            EvaluationFiles.table(report([dsa, dsa])).hasSuffix("\ntraining: epochs 1000, augmentation dsa:color_crop_cutout_flip_scale_rotate"))
        XCTAssertTrue(
            EvaluationFiles.table(report([TrainingProtocol(), TrainingProtocol(augmentation: .dc(.convNetBN))])).hasSuffix(
                "\ntraining: ConvNet epochs 300, augmentation none; ConvNetBN epochs 1000, augmentation dc:crop_noise"))
    }
}

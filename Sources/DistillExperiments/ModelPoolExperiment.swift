// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData
import DistillEval
import DistillMethods
import DistillZoo

/// The model-pool paper's ablation, end to end: condense with DC through
/// ConvNet alone (baseline) and through the paper's pool, evaluate both sets
/// across architectures with and without knowledge distillation, optionally
/// also condense with the other pool settings.
///
/// Each (images per class, pool setting) pair is one condensation that runs
/// to the largest of `iterations`, with the synthetic set kept at every
/// listed count; every kept set is evaluated.
public struct ModelPoolExperiment: Sendable, Codable, Equatable {
    public var dataset: DatasetKind
    /// Images per class, one condensation per value and pool setting; each ≥ 1.
    public var imagesPerClass: [Int]
    /// Iteration counts at which the synthetic set is kept and evaluated; positive, strictly increasing.
    public var iterations: [Int]
    /// Evaluation architectures, in table order.
    public var architectures: [String]
    /// Fresh networks trained per architecture and setting.
    public var evaluationRuns: Int
    /// Training epochs at evaluation; nil for the protocol's 300.
    public var epochs: Int?
    /// Real images per class in each DC matching step.
    public var batchReal: Int
    /// Test images per class to measure on; nil for the whole test split.
    public var testImagesPerClass: Int?
    /// Also condense with the `main-model` and `total-random` pools.
    public var poolAblation: Bool
    /// The KD teacher and loss settings for the KD rows.
    public var distillation: DistillationSettings
    /// Seeds every condensation and evaluation (the same for every setting, so they are paired).
    public var seed: UInt64
    /// A reduced run that finishes in minutes; `reductions` says what was reduced.
    public var quick: Bool

    /// The architectures of the paper's table.
    public static let paperArchitectures = ["ConvNet", "MLP", "LeNet", "AlexNet", "VGG11", "ResNet18"]

    /// The full experiment: ipc 1 and 10, snapshots at 1000, 2000 and 3000
    /// iterations, 5 networks per architecture trained for 300 epochs, the whole test split.
    public init(
        dataset: DatasetKind = .fashionMNIST, imagesPerClass: [Int] = [1, 10], iterations: [Int] = [1000, 2000, 3000],
        architectures: [String] = paperArchitectures, evaluationRuns: Int = 5, epochs: Int? = nil,
        batchReal: Int = 256, testImagesPerClass: Int? = nil, poolAblation: Bool = false,
        distillation: DistillationSettings = DistillationSettings(), seed: UInt64 = 0, quick: Bool = false
    ) {
        self.dataset = dataset
        self.imagesPerClass = imagesPerClass
        self.iterations = iterations
        self.architectures = architectures
        self.evaluationRuns = evaluationRuns
        self.epochs = epochs
        self.batchReal = batchReal
        self.testImagesPerClass = testImagesPerClass
        self.poolAblation = poolAblation
        self.distillation = distillation
        self.seed = seed
        self.quick = quick
    }

    /// The reduced experiment that `--quick` runs: a few minutes on two CPU
    /// cores for Fashion-MNIST (measured: see the README), with every stage
    /// of the full one. ipc 1 only, 10 iterations, 64 real images per class
    /// per step, one network per architecture trained for 50 epochs and
    /// tested on 50 images per class.
    public static func quick(dataset: DatasetKind = .fashionMNIST, seed: UInt64 = 0) -> ModelPoolExperiment {
        ModelPoolExperiment(
            dataset: dataset, imagesPerClass: [1], iterations: [10], evaluationRuns: 1, epochs: 50, batchReal: 64,
            testImagesPerClass: 50, seed: seed, quick: true)
    }

    /// The settings that differ from the full experiment, in words (empty for a full run).
    public var reductions: [String] {
        let full = ModelPoolExperiment(dataset: dataset)
        var notes: [String] = []
        if imagesPerClass != full.imagesPerClass { notes.append("ipc \(list(imagesPerClass)) (full: \(list(full.imagesPerClass)))") }
        if iterations != full.iterations { notes.append("iterations \(list(iterations)) (full: \(list(full.iterations)))") }
        if batchReal != full.batchReal { notes.append("\(batchReal) real images per class per step (full: \(full.batchReal))") }
        if evaluationRuns != full.evaluationRuns { notes.append("\(evaluationRuns) network\(evaluationRuns == 1 ? "" : "s") per architecture (full: \(full.evaluationRuns))") }
        // DC's protocol trains for 300 epochs (`TrainingProtocol`); only another count is a reduction.
        if let epochs, epochs != 300 { notes.append("\(epochs) training epochs (full: 300)") }
        if let testImagesPerClass { notes.append("\(testImagesPerClass) test images per class (full: the whole test split)") }
        if architectures != full.architectures { notes.append("architectures \(architectures.joined(separator: ", "))") }
        return notes
    }

    /// The pool settings condensed, in table order.
    public var settings: [PoolSetting] {
        poolAblation ? [.baseline, .modelPool, .mainModel, .totalRandom] : [.baseline, .modelPool]
    }

    /// Checks every setting.
    /// - Throws: `ExperimentError` naming the first bad setting.
    public func validate() throws {
        guard !imagesPerClass.isEmpty, imagesPerClass.allSatisfy({ $0 >= 1 }) else {
            throw ExperimentError.invalidImagesPerClass(imagesPerClass)
        }
        guard !iterations.isEmpty, iterations[0] >= 1, zip(iterations, iterations.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw ExperimentError.iterationsNotIncreasing(iterations)
        }
        if let ipc = imagesPerClass.first(where: { GradientMatchingConfiguration.publishedLoops[$0] == nil }) {
            throw ExperimentError.unpublishedLoops(imagesPerClass: ipc)
        }
        guard Set(imagesPerClass).count == imagesPerClass.count else {
            throw ExperimentError.invalidSetting(name: "--ipc", value: list(imagesPerClass), requirement: "list each count once")
        }
        try require(evaluationRuns >= 1, "--num-eval", evaluationRuns, "must be ≥ 1")
        try require(batchReal >= 1, "--batch-real", batchReal, "must be ≥ 1")
        if let epochs { try require(epochs >= 1, "--epochs", epochs, "must be ≥ 1") }
        if let testImagesPerClass { try require(testImagesPerClass >= 1, "test images per class", testImagesPerClass, "must be ≥ 1") }
        guard !architectures.isEmpty else {
            throw ExperimentError.invalidSetting(name: "--models", value: "''", requirement: "give at least one architecture")
        }
        for architecture in architectures + [distillation.teacher] { try ExperimentError.checkArchitecture(architecture) }
        // Refused now, not after the condensations: a network (or the KD teacher) that cannot take the data.
        let request = EvaluationRequest(
            architectures: architectures, runs: evaluationRuns, epochs: epochs, distillation: distillation, seed: seed)
        for ipc in imagesPerClass {
            try request.checkFeasible(
                imageCount: ipc * dataset.classCount, imageShape: dataset.imageShape, classCount: dataset.classCount)
            // And every pool's members (the ablation's total-random pool holds VGG11), before the first condensation.
            for setting in settings {
                try condensationRequest(imagesPerClass: ipc, setting: setting)
                    .checkFeasible(classCount: dataset.classCount, imageShape: dataset.imageShape)
            }
        }
    }

    /// The dataset called `name`.
    /// - Throws: `ExperimentError.unknownDataset`.
    public static func dataset(named name: String) throws -> DatasetKind {
        guard let kind = DatasetKind(name: name) else { throw ExperimentError.unknownDataset(name) }
        return kind
    }

    /// The integers of a comma-separated option value such as `1,10`.
    /// - Throws: `ExperimentError.malformedList` for anything else.
    public static func integers(in text: String, option: String) throws -> [Int] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        if parts == [""] { return [] }
        return try parts.map { part in
            guard let value = Int(part) else { throw ExperimentError.malformedList(option: option, value: text) }
            return value
        }
    }

    private func require(_ condition: Bool, _ name: String, _ value: Int, _ requirement: String) throws {
        guard condition else { throw ExperimentError.invalidSetting(name: name, value: String(value), requirement: requirement) }
    }

    private func list(_ values: [Int]) -> String { values.map(String.init).joined(separator: ",") }
}

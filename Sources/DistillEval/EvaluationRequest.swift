// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillCluster
import DistillData

/// What `distill evaluate` asks for.
public struct EvaluationRequest: Sendable {
    public var architectures: [String]
    public var runs: Int
    /// Training epochs; nil for the protocol's default (300, or 1000 with augmentation).
    public var epochs: Int?
    public var distillation: DistillationSettings?
    public var seed: UInt64
    /// The protocol every network trains with; nil for the one the papers use for the set's method.
    public var evaluationProtocol: EvaluationProtocol?

    public init(
        architectures: [String], runs: Int, epochs: Int?, distillation: DistillationSettings?, seed: UInt64,
        evaluationProtocol: EvaluationProtocol? = nil
    ) {
        self.architectures = architectures
        self.runs = runs
        self.epochs = epochs
        self.distillation = distillation
        self.seed = seed
        self.evaluationProtocol = evaluationProtocol
    }

    /// The protocol for one architecture: DSA augmentation under DSA's protocol
    /// (by default for sets made by DSA or DM), DC's rule otherwise (none, except MNIST and ConvNetBN).
    public func trainingProtocol(for architecture: String, on training: TrainingSet) -> TrainingProtocol {
        let chosen = evaluationProtocol ?? EvaluationProtocol(forSetMadeBy: training.method)
        return TrainingProtocol(epochs: epochs, augmentation: chosen.augmentation(dataset: training.kind, architecture: architecture))
    }

    /// The trainings without KD that `plain` holds, by their index in this
    /// request's grid, to pass as `finishedRuns`: a network's seed depends only
    /// on the seed, its architecture's position and its run, so the networks a
    /// KD evaluation trains without KD are those of the evaluation of the same
    /// set without KD. Empty unless `plain` was made with this request's
    /// architectures, run count, seed and protocols on `training`.
    public func plainRuns(of plain: EvaluationReport, on training: TrainingSet) -> [Int: RunResult] {
        guard plain.seed == seed, plain.runsPerArchitecture == runs, plain.results.map(\.architecture) == architectures,
            plain.results.allSatisfy({ $0.plain.runs.count == runs && $0.trainingProtocol == trainingProtocol(for: $0.architecture, on: training) })
        else { return [:] }
        let cells = EvaluationPlan.cells(architectureCount: architectures.count, runs: runs, distilled: distillation != nil)
        return Dictionary(
            uniqueKeysWithValues: cells.enumerated().filter { !$0.element.distilled }.map {
                ($0.offset, plain.results[$0.element.architectureIndex].plain.runs[$0.element.run])
            })
    }

    /// Trains and tests the whole grid, its trainings shared among `group`'s ranks,
    /// skipping those in `finishedRuns` (see `EvaluationPlan.run`).
    /// - Throws: before any training, `MemoryBudgetError` for a network too large to train here,
    ///   `SafeTensorsError` or `TrainedNetworkFileError` for a teacher file that does not fit.
    public func run(
        on training: TrainingSet, group: any ProcessGroup = SingleProcess(),
        finishedRuns: [Int: RunResult] = [:], progress: ((EvaluationProgress) -> Void)? = nil,
        runFinished: ((Int, RunResult) throws -> Void)? = nil
    ) throws -> EvaluationReport {
        try checkTeacherWeights(on: training)
        try checkFeasible(on: training)
        let protocols = Dictionary(
            (architectures + [distillation?.teacher].compactMap { $0 }).map { ($0, trainingProtocol(for: $0, on: training)) },
            uniquingKeysWith: { first, _ in first })
        let plan = EvaluationPlan(
            architectures: architectures, runs: runs, protocolFor: { protocols[$0] ?? TrainingProtocol() },
            distillation: distillation, seed: seed)
        return try plan.run(
            images: training.images, labels: training.labels, testSet: training.testSet, group: group,
            finishedRuns: finishedRuns, progress: progress, runFinished: runFinished)
    }
}

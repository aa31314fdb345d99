// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData
import DistillNN
import DistillTensor
import DistillZoo
import Foundation

/// What to evaluate a training set on: the cross-architecture grid.
public struct EvaluationPlan: Sendable {
    /// Architectures (zoo names or ConvNet specs), in report order.
    public var architectures: [String]
    /// Fresh networks trained per architecture.
    public var runs: Int
    /// Training protocol per architecture (augmentation may differ by architecture).
    public var protocolFor: @Sendable (String) -> TrainingProtocol
    /// Knowledge distillation settings; nil evaluates without KD only.
    public var distillation: DistillationSettings?
    /// Master seed; every (architecture, run) pair draws from its own derived stream.
    public var seed: UInt64

    public init(
        architectures: [String], runs: Int = 5, protocolFor: @escaping @Sendable (String) -> TrainingProtocol,
        distillation: DistillationSettings? = nil, seed: UInt64 = 0
    ) {
        self.architectures = architectures
        self.runs = runs
        self.protocolFor = protocolFor
        self.distillation = distillation
        self.seed = seed
    }
}

/// Knowledge-distillation settings for an evaluation (see `KnowledgeDistillation`).
///
/// JSON written before `teacherWeights` existed decodes with it nil.
public struct DistillationSettings: Sendable, Codable, Equatable {
    /// The teacher's architecture.
    public var teacher: String
    public var temperature: Float
    public var alpha: Float
    public var temperatureDecay: Float
    public var fallsBackOnNonFiniteLoss: Bool
    /// A teacher trained on the real training set, read from a file; nil trains
    /// a `teacher` on the evaluated set for every run.
    public var teacherWeights: TeacherWeightsSource?

    public init(
        teacher: String = "ConvNet", temperature: Float = 1.5, alpha: Float = 0.5, temperatureDecay: Float = 1.0,
        fallsBackOnNonFiniteLoss: Bool = false, teacherWeights: TeacherWeightsSource? = nil
    ) {
        self.teacher = teacher
        self.temperature = temperature
        self.alpha = alpha
        self.temperatureDecay = temperatureDecay
        self.fallsBackOnNonFiniteLoss = fallsBackOnNonFiniteLoss
        self.teacherWeights = teacherWeights
    }
}

/// One trained network's result.
public struct RunResult: Sendable, Codable, Equatable {
    /// Test accuracy in percent (nil when the loss went non-finite).
    public var accuracy: Double?
    /// The loss went non-finite, or the accuracy is at chance level.
    public var diverged: Bool
    public var fellBackToCrossEntropy: Bool
    public var seconds: Double

    public init(accuracy: Double?, diverged: Bool, fellBackToCrossEntropy: Bool, seconds: Double) {
        self.accuracy = accuracy
        self.diverged = diverged
        self.fellBackToCrossEntropy = fellBackToCrossEntropy
        self.seconds = seconds
    }
}

extension RunResult {
    /// Reads a kept result back, refusing what no training gives (an accuracy
    /// outside 0–100 %, a negative or non-finite time), as a damaged or
    /// hand-edited file may hold.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let accuracy = try container.decodeIfPresent(Double.self, forKey: .accuracy)
        if let accuracy, !(0...100).contains(accuracy) {
            throw DecodingError.dataCorruptedError(forKey: .accuracy, in: container, debugDescription: "not a percentage")
        }
        let seconds = try container.decode(Double.self, forKey: .seconds)
        guard seconds.isFinite, seconds >= 0 else {
            throw DecodingError.dataCorruptedError(forKey: .seconds, in: container, debugDescription: "not a duration")
        }
        self.init(
            accuracy: accuracy, diverged: try container.decode(Bool.self, forKey: .diverged),
            fellBackToCrossEntropy: try container.decode(Bool.self, forKey: .fellBackToCrossEntropy), seconds: seconds)
    }
}

/// Accuracy statistics over the runs of one architecture and setting.
public struct AccuracySummary: Sendable, Codable, Equatable {
    public var runs: [RunResult]
    /// Mean and population standard deviation over the runs that did not diverge (nil if all did).
    public var mean: Double?
    public var std: Double?
    public var divergedCount: Int

    public init(runs: [RunResult]) {
        self.runs = runs
        let good = runs.filter { !$0.diverged }.compactMap(\.accuracy)
        divergedCount = runs.count - good.count
        if good.isEmpty {
            mean = nil
            std = nil
        } else {
            let m = good.reduce(0, +) / Double(good.count)
            mean = m
            std = (good.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(good.count)).squareRoot()
        }
    }

    /// Reads the runs back and computes the statistics again: the stored ones
    /// are for readers of the file and are not trusted.
    public init(from decoder: Decoder) throws {
        self.init(runs: try decoder.container(keyedBy: CodingKeys.self).decode([RunResult].self, forKey: .runs))
    }

    /// `70.12 ± 0.45`, with `(2 diverged)` appended when runs diverged, or `diverged`;
    /// a mean of one run is just its value, `70.12`, since one run has no spread to show.
    public var formatted: String {
        guard let mean, let std else { return "diverged (\(divergedCount)/\(runs.count))" }
        let base = runs.count - divergedCount == 1 ? String(format: "%.2f", mean) : String(format: "%.2f ± %.2f", mean, std)
        return divergedCount > 0 ? "\(base) (\(divergedCount) diverged)" : base
    }
}

/// The results for one architecture.
public struct ArchitectureResult: Sendable, Codable, Equatable {
    public var architecture: String
    public var plain: AccuracySummary
    /// With knowledge distillation from the teacher, when requested.
    public var distilled: AccuracySummary?
    /// How every network of the architecture trained; nil in reports written before it was recorded.
    public var trainingProtocol: TrainingProtocol?

    public init(
        architecture: String, plain: AccuracySummary, distilled: AccuracySummary?, trainingProtocol: TrainingProtocol? = nil
    ) {
        self.architecture = architecture
        self.plain = plain
        self.distilled = distilled
        self.trainingProtocol = trainingProtocol
    }
}

/// Everything an evaluation produced.
public struct EvaluationReport: Sendable, Equatable {
    public var results: [ArchitectureResult]
    public var seed: UInt64
    public var runsPerArchitecture: Int
    public var distillation: DistillationSettings?
    /// What the KD teacher read from `distillation.teacherWeights` was trained on; nil otherwise.
    public var realDataTeacher: TrainedNetworkInfo?
    /// The set (or random real subset) evaluated, as `distill evaluate` records it; nil where the caller keeps it.
    public var source: EvaluatedSource?

    public init(
        results: [ArchitectureResult], seed: UInt64, runsPerArchitecture: Int, distillation: DistillationSettings?,
        realDataTeacher: TrainedNetworkInfo? = nil
    ) {
        self.results = results
        self.seed = seed
        self.runsPerArchitecture = runsPerArchitecture
        self.distillation = distillation
        self.realDataTeacher = realDataTeacher
    }

    /// Whether the KD results used a teacher trained on the real training set,
    /// so they are not results of the evaluated set alone.
    public var teacherTrainedOnRealData: Bool { distillation?.teacherTrainedOnRealData ?? false }
}

/// Progress of a long evaluation.
public struct EvaluationProgress: Sendable {
    public var architecture: String
    public var run: Int
    public var runs: Int
    public var distilled: Bool
    public var training: TrainingProgress?
    public var finishedAccuracy: Double?
}

/// Whether an accuracy is at or below chance, which marks a diverged run
/// (a network whose weights blew up predicts one class: 100/classes percent).
public func isAtChanceLevel(_ accuracy: Double, classes: Int) -> Bool {
    accuracy <= 100 / Double(classes) + 0.5
}

/// A seed for the stream identified by `components` under `seed`.
public func derivedSeed(_ seed: UInt64, _ components: UInt64...) -> UInt64 {
    var generator = SeededGenerator(seed: seed)
    for component in components { generator = SeededGenerator(seed: generator.next() ^ component) }
    return generator.next()
}

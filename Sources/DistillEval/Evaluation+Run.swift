// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData
import DistillNN
import DistillTensor
import DistillZoo

extension EvaluationPlan {
    /// Trains `runs` fresh networks of every architecture on the training set
    /// and measures each on `testSet`; with distillation, also trains each
    /// student under a teacher trained on the same set, or under the teacher
    /// read from `distillation.teacherWeights` (trained on the real training set).
    ///
    /// - Parameters:
    ///   - images: the training images [N, C, H, W] in `testSet`'s normalised space.
    ///   - labels: N class indices.
    ///   - testSet: the real test split.
    ///   - progress: called during training and after each run.
    /// - Throws: `ZooError` for an architecture that cannot be built for this input;
    ///   before any training, `SafeTensorsError` or `TrainedNetworkFileError` for a
    ///   teacher file that cannot be read, has changed, or does not fit `testSet`.
    public func run(
        images: NDArray, labels: [Int], testSet: Dataset, progress: ((EvaluationProgress) -> Void)? = nil
    ) throws -> EvaluationReport {
        let shape = Array(images.shape.dropFirst())
        let classes = testSet.classCount
        let realDataTeacher = try distillation?.teacherWeights.map { source in
            let file = try source.load()
            try file.checkFits(
                imageShape: shape, classCount: classes, normalization: testSet.normalization, data: testSet.name)
            return file
        }
        var results: [ArchitectureResult] = []
        var teachers: [Int: any UnaryLayer] = [:]
        // Eval mode never updates a network, so one loaded teacher serves every run.
        let loadedTeacher = try realDataTeacher?.makeNetwork()
        for (architectureIndex, architecture) in architectures.enumerated() {
            var plain: [RunResult] = []
            var distilled: [RunResult] = []
            for run in 0..<runs {
                let runSeed = derivedSeed(seed, UInt64(architectureIndex), UInt64(run))
                plain.append(
                    try trainAndTest(
                        architecture, images: images, labels: labels, testSet: testSet, shape: shape,
                        classes: classes, seed: runSeed, distillation: nil
                    ) { progress?(EvaluationProgress(architecture: architecture, run: run, runs: runs, distilled: false, training: $0, finishedAccuracy: nil)) })
                progress?(EvaluationProgress(architecture: architecture, run: run, runs: runs, distilled: false, training: nil, finishedAccuracy: plain.last?.accuracy))
                guard let settings = distillation else { continue }
                if teachers[run] == nil {
                    teachers[run] = try loadedTeacher
                        ?? trainTeacher(settings, run: run, images: images, labels: labels, shape: shape, classes: classes)
                }
                let kd = KnowledgeDistillation(
                    teacher: teachers[run]!, temperature: settings.temperature, alpha: settings.alpha,
                    temperatureDecay: settings.temperatureDecay,
                    fallsBackOnNonFiniteLoss: settings.fallsBackOnNonFiniteLoss)
                distilled.append(
                    try trainAndTest(
                        architecture, images: images, labels: labels, testSet: testSet, shape: shape,
                        classes: classes, seed: derivedSeed(runSeed, 1), distillation: kd
                    ) { progress?(EvaluationProgress(architecture: architecture, run: run, runs: runs, distilled: true, training: $0, finishedAccuracy: nil)) })
                progress?(EvaluationProgress(architecture: architecture, run: run, runs: runs, distilled: true, training: nil, finishedAccuracy: distilled.last?.accuracy))
            }
            results.append(
                ArchitectureResult(
                    architecture: architecture, plain: AccuracySummary(runs: plain),
                    distilled: distillation == nil ? nil : AccuracySummary(runs: distilled)))
        }
        return EvaluationReport(
            results: results, seed: seed, runsPerArchitecture: runs, distillation: distillation,
            realDataTeacher: realDataTeacher?.info)
    }

    /// The teacher of run `run`: a fresh network of `settings.teacher` trained with the protocol.
    private func trainTeacher(
        _ settings: DistillationSettings, run: Int, images: NDArray, labels: [Int], shape: [Int], classes: Int
    ) throws -> any UnaryLayer {
        var generator = SeededGenerator(seed: derivedSeed(seed, 0x7EAC_4E12, UInt64(run)))
        var initGenerator = generator.split()
        let teacher = try Zoo.make(
            name: settings.teacher, channels: shape[0], imageSize: shape[1], classes: classes, using: &initGenerator)
        _ = train(teacher, images: images, labels: labels, protocol: protocolFor(settings.teacher), using: &generator)
        teacher.eval()
        return teacher
    }

    private func trainAndTest(
        _ architecture: String, images: NDArray, labels: [Int], testSet: Dataset, shape: [Int], classes: Int,
        seed: UInt64, distillation: KnowledgeDistillation?, progress: @escaping (TrainingProgress) -> Void
    ) throws -> RunResult {
        var generator = SeededGenerator(seed: seed)
        var initGenerator = generator.split()
        let network = try Zoo.make(
            name: architecture, channels: shape[0], imageSize: shape[1], classes: classes, using: &initGenerator)
        let outcome = train(
            network, images: images, labels: labels, protocol: protocolFor(architecture), distillation: distillation,
            using: &generator, progress: progress)
        if outcome.lossDiverged {
            return RunResult(accuracy: nil, diverged: true, fellBackToCrossEntropy: outcome.fellBackToCrossEntropy, seconds: outcome.seconds)
        }
        let accuracy = testAccuracy(of: network, on: testSet)
        return RunResult(
            accuracy: accuracy, diverged: isAtChanceLevel(accuracy, classes: classes),
            fellBackToCrossEntropy: outcome.fellBackToCrossEntropy, seconds: outcome.seconds)
    }
}

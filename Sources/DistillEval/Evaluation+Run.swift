// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillCluster
import DistillData
import DistillNN
import DistillTensor
import DistillZoo
import Foundation

extension EvaluationPlan {
    /// One training of the grid: a fresh network of `architecture` in run
    /// `run`, plain or under the teacher. Its seed depends only on these, so
    /// which rank trains it does not change its result.
    struct Cell: Equatable {
        var architectureIndex: Int
        var run: Int
        var distilled: Bool
    }

    /// Every training of the grid, in report order: per architecture, per run, plain then KD.
    var cells: [Cell] { Self.cells(architectureCount: architectures.count, runs: runs, distilled: distillation != nil) }

    static func cells(architectureCount: Int, runs: Int, distilled: Bool) -> [Cell] {
        (0..<architectureCount).flatMap { architectureIndex in
            (0..<runs).flatMap { run in
                [false, true].filter { !$0 || distilled }.map {
                    Cell(architectureIndex: architectureIndex, run: run, distilled: $0)
                }
            }
        }
    }

    /// Trains `runs` fresh networks of every architecture on the training set
    /// and measures each on `testSet`; with distillation, also trains each
    /// student under a teacher trained on the same set, or under the teacher
    /// read from `distillation.teacherWeights` (trained on the real training set).
    ///
    /// Over several ranks, the trainings are handed out by the group's work
    /// queue as ranks become free and the results are gathered, so every rank
    /// returns the report a single process computes.
    ///
    /// An interrupted evaluation resumes from the trainings it finished: each
    /// training's seed depends only on its cell, so a result kept from an
    /// earlier run is the one this run would compute.
    ///
    /// - Parameters:
    ///   - images: the training images [N, C, H, W] in `testSet`'s normalised space.
    ///   - labels: N class indices.
    ///   - testSet: the real test split.
    ///   - group: the processes sharing the trainings (collective: every rank calls this).
    ///   - finishedRuns: results already known, by index in `cells`, the same on every rank; not trained again.
    ///   - progress: called during this rank's trainings and after each of them.
    ///   - runFinished: called on the rank that trained a cell, with its index and result, as soon as it is done.
    /// - Throws: `ZooError` for an architecture that cannot be built for this input;
    ///   before any training, `SafeTensorsError` or `TrainedNetworkFileError` for a
    ///   teacher file that cannot be read, has changed, or does not fit `testSet`;
    ///   `ProcessGroupError` when the ranks cannot exchange results; whatever `runFinished` throws.
    public func run(
        images: NDArray, labels: [Int], testSet: Dataset, group: any ProcessGroup = SingleProcess(),
        finishedRuns: [Int: RunResult] = [:], progress: ((EvaluationProgress) -> Void)? = nil,
        runFinished: ((Int, RunResult) throws -> Void)? = nil
    ) throws -> EvaluationReport {
        let cells = self.cells
        let finishedRuns = finishedRuns.filter { cells.indices.contains($0.key) }
        let remaining = cells.indices.filter { finishedRuns[$0] == nil }
        let shape = Array(images.shape.dropFirst())
        let classes = testSet.classCount
        let realDataTeacher = try distillation?.teacherWeights.map { source in
            let file = try source.load()
            try file.checkFits(
                imageShape: shape, classCount: classes, normalization: testSet.normalization, data: testSet.name)
            return file
        }
        var teachers: [Int: any UnaryLayer] = [:]
        // Eval mode never updates a network, so one loaded teacher serves every run.
        let loadedTeacher = try realDataTeacher?.makeNetwork()
        var finished: [Int: RunResult] = [:]
        let queue = try group.workQueue(count: remaining.count)
        while let next = try queue.next() {
            let index = remaining[next]
            let cell = cells[index]
            let architecture = architectures[cell.architectureIndex]
            let runSeed = derivedSeed(seed, UInt64(cell.architectureIndex), UInt64(cell.run))
            var kd: KnowledgeDistillation?
            if cell.distilled, let settings = distillation {
                if teachers[cell.run] == nil {
                    teachers[cell.run] = try loadedTeacher
                        ?? trainTeacher(
                            settings, run: cell.run, images: images, labels: labels, shape: shape, classes: classes)
                }
                kd = KnowledgeDistillation(
                    teacher: teachers[cell.run]!, temperature: settings.temperature, alpha: settings.alpha,
                    temperatureDecay: settings.temperatureDecay,
                    fallsBackOnNonFiniteLoss: settings.fallsBackOnNonFiniteLoss)
            }
            let report = { (training: TrainingProgress?, accuracy: Double?) in
                progress?(
                    EvaluationProgress(
                        architecture: architecture, run: cell.run, runs: runs, distilled: cell.distilled,
                        training: training, finishedAccuracy: accuracy))
            }
            let result = try trainAndTest(
                architecture, images: images, labels: labels, testSet: testSet, shape: shape, classes: classes,
                seed: cell.distilled ? derivedSeed(runSeed, 1) : runSeed, distillation: kd
            ) { report($0, nil) }
            report(nil, result.accuracy)
            finished[index] = result
            try runFinished?(index, result)
        }
        let all = try Self.gather(finished, over: group).merging(finishedRuns) { trained, _ in trained }
        guard all.count == cells.count else {
            throw ProcessGroupError("the ranks returned \(all.count) of the \(cells.count) trainings of the evaluation")
        }
        let results = architectures.enumerated().map { architectureIndex, architecture in
            let summary = { (distilled: Bool) in
                AccuracySummary(
                    runs: cells.indices.filter {
                        cells[$0].architectureIndex == architectureIndex && cells[$0].distilled == distilled
                    }.map { all[$0]! })
            }
            return ArchitectureResult(
                architecture: architecture, plain: summary(false), distilled: distillation == nil ? nil : summary(true),
                trainingProtocol: protocolFor(architecture))
        }
        return EvaluationReport(
            results: results, seed: seed, runsPerArchitecture: runs, distillation: distillation,
            realDataTeacher: realDataTeacher?.info)
    }

    /// Every rank's results by cell index, as JSON (exact for the doubles: the
    /// encoder writes the shortest text that reads back to the same value).
    private static func gather(_ mine: [Int: RunResult], over group: any ProcessGroup) throws -> [Int: RunResult] {
        let bytes = Array(try JSONEncoder().encode(mine))
        var all: [Int: RunResult] = [:]
        for part in try group.allGather(bytes) {
            let results = try JSONDecoder().decode([Int: RunResult].self, from: Data(part))
            all.merge(results) { first, _ in first }
        }
        return all
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

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import DistillZoo

extension EvaluationRequest {
    /// Refuses, before any network is trained, an architecture (or the KD
    /// teacher) whose training on `training` would not fit in memory: its
    /// parameters with their gradients and momentum, and one batch's activations.
    /// - Throws: `ZooError` for an unknown name, `MemoryBudgetError`.
    public func checkFeasible(on training: TrainingSet) throws {
        let shape = training.images.shape
        // A teacher read from a file is not trained here.
        let trainedTeacher = distillation.flatMap { $0.teacherWeights == nil ? $0.teacher : nil }
        for architecture in architectures + [trainedTeacher].compactMap({ $0 }) {
            let footprint = try Zoo.footprint(
                name: architecture, channels: shape[1], imageSize: shape[2], classes: training.kind.classCount)
            let batch = min(trainingProtocol(for: architecture, on: training).batchSize, shape[0])
            try MemoryBudget.check(
                footprint.trainingBytes(batchSize: batch),
                for: "training \(architecture) on \(shape[1])×\(shape[2])×\(shape[3]) images in batches of \(batch)",
                fix: "evaluate smaller networks")
        }
    }

    /// Refuses, before any network is trained, a teacher file that cannot be
    /// read or that was trained on other data: another image shape or class
    /// count, or another normalisation than the dataset's (the teacher would
    /// see differently scaled inputs; a synthetic set recording another one is
    /// refused when it is read).
    /// - Throws: `SafeTensorsError`, `TrainedNetworkFileError`.
    public func checkTeacherWeights(on training: TrainingSet) throws {
        guard let source = distillation?.teacherWeights else { return }
        try source.load().checkFits(
            imageShape: training.kind.imageShape, classCount: training.kind.classCount,
            normalization: training.testSet.normalization, data: training.kind.name)
    }
}

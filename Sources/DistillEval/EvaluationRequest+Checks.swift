// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import DistillTensor
import DistillZoo

extension EvaluationRequest {
    /// Refuses, before any network is trained, an architecture (or the KD
    /// teacher) that cannot take `training`'s images, or whose training on it
    /// would not fit in memory: its parameters with their gradients and
    /// momentum, and one batch's activations.
    /// - Throws: `ZooError` for an unknown name or a network that cannot take the input, `MemoryBudgetError`.
    public func checkFeasible(on training: TrainingSet) throws {
        try checkFeasible(
            imageCount: training.images.shape[0], imageShape: Array(training.images.shape.dropFirst()),
            classCount: training.kind.classCount) { trainingProtocol(for: $0, on: training).batchSize }
    }

    /// The same check for a set not made yet, of `imageCount` images of
    /// `imageShape` `[C, H, W]` in `classCount` classes: a study makes it
    /// before it condenses the sets it will evaluate, so that a network that
    /// cannot take the input is refused before hours of condensation.
    /// - Throws: `ZooError` for an unknown name or a network that cannot take the input, `MemoryBudgetError`.
    public func checkFeasible(imageCount: Int, imageShape: [Int], classCount: Int) throws {
        try checkFeasible(imageCount: imageCount, imageShape: imageShape, classCount: classCount) { _ in
            TrainingProtocol().batchSize
        }
    }

    private func checkFeasible(
        imageCount: Int, imageShape: [Int], classCount: Int, batchSize: (_ architecture: String) -> Int
    ) throws {
        let shape = [imageCount] + imageShape
        // A teacher read from a file is not trained here.
        let trainedTeacher = distillation.flatMap { $0.teacherWeights == nil ? $0.teacher : nil }
        for architecture in architectures + [trainedTeacher].compactMap({ $0 }) {
            let footprint = try Zoo.footprint(
                name: architecture, channels: shape[1], imageSize: shape[2], classes: classCount)
            let batch = min(batchSize(architecture), shape[0])
            try MemoryBudget.check(
                footprint.trainingBytes(batchSize: batch),
                for: "training \(architecture) on \(shape[1])×\(shape[2])×\(shape[3]) images in batches of \(batch)",
                fix: "evaluate smaller networks")
            // Built once, as condense builds a pool's members: a network too deep for the images is refused now.
            var generator = SeededGenerator(seed: 0)
            _ = try Zoo.make(name: architecture, channels: shape[1], imageSize: shape[2], classes: classCount, using: &generator)
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

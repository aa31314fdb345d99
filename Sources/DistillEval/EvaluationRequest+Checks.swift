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
        for architecture in architectures + [distillation?.teacher].compactMap({ $0 }) {
            let footprint = try Zoo.footprint(
                name: architecture, channels: shape[1], imageSize: shape[2], classes: training.kind.classCount)
            let batch = min(trainingProtocol(for: architecture, on: training).batchSize, shape[0])
            try MemoryBudget.check(
                footprint.trainingBytes(batchSize: batch),
                for: "training \(architecture) on \(shape[1])×\(shape[2])×\(shape[3]) images in batches of \(batch)",
                fix: "evaluate smaller networks")
        }
    }
}

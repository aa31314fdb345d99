// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import DistillZoo

extension CondensationRequest {
    /// Refuses a main model that is not a network, a pool member that cannot take
    /// the data, and a run whose synthetic set and networks would not fit in
    /// memory, before anything is allocated.
    ///
    /// The estimate is a lower bound: the synthetic images with their gradient
    /// and momentum, plus training the largest pool member on a class's real
    /// and synthetic images at once.
    ///
    /// - Parameters:
    ///   - classCount, imageShape: the real data's classes and `[C, H, W]`.
    /// - Throws: `ZooError` for an unknown main model, `PoolError`, `CondensationError.invalidSetting`
    ///   for a pool member that cannot take the data, or `MemoryBudgetError`.
    public func checkFeasible(classCount: Int, imageShape: [Int]) throws {
        try Zoo.checkName(mainModel)
        let architectures = try ModelPool(parsing: pool, mainModel: mainModel, warmup: poolWarmup).architectures
        let (channels, side) = (imageShape[0], imageShape[1])
        var largest = NetworkFootprint(parameters: 0, activationsPerImage: 0)
        for architecture in architectures {
            let footprint: NetworkFootprint
            do {
                footprint = try Zoo.checkedFootprint(name: architecture, channels: channels, imageSize: side, classes: classCount)
            } catch let error as ZooError where architectures.count > 1 {
                // Said as the pool's: a preset names no member on the command line.
                throw CondensationError.invalidSetting(name: "pool", value: pool, requirement: "its member \(error)")
            }
            largest.parameters = max(largest.parameters, footprint.parameters)
            largest.activationsPerImage = max(largest.activationsPerImage, footprint.activationsPerImage)
        }
        let syntheticFloats = MemoryBudget.product([classCount, imagesPerClass] + imageShape)
        let bytes = MemoryBudget.sum(
            MemoryBudget.product(3, MemoryLayout<Float>.size, syntheticFloats),
            largest.trainingBytes(batchSize: MemoryBudget.sum(imagesPerClass, batchReal)))
        let shape = imageShape.map(String.init).joined(separator: "×")
        try MemoryBudget.check(
            bytes, for: "condensing \(classCount) classes × \(imagesPerClass) images of \(shape) (batch-real \(batchReal))",
            fix: "use a smaller --ipc or --batch-real")
    }
}

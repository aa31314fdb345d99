// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData
import DistillTensor
import Foundation

/// Everything `distill condense` asks for, as one value: builds the method
/// with the papers' defaults, runs it with checkpoints and writes the outputs.
public struct CondensationRequest: Sendable, Codable {
    public var dataset: DatasetKind
    /// `dc`, `dsa` or `dm`.
    public var method: String
    public var imagesPerClass: Int
    public var mainModel: String
    /// A pool preset name or a custom `ARCH:P,…` list.
    public var pool: String
    public var poolWarmup: Int
    public var iterations: Int?
    public var initialization: SyntheticInitialization?
    public var learningRateImage: Float?
    public var learningRateNetwork: Float
    public var batchReal: Int
    public var outerLoop: Int?
    public var innerLoop: Int?
    public var dsaStrategy: String
    public var distance: MatchingDistance
    public var seed: UInt64
    public var checkpointEvery: Int
    public var resume: Bool

    public init(
        dataset: DatasetKind, method: String, imagesPerClass: Int, mainModel: String = "ConvNet", pool: String = "none",
        poolWarmup: Int = 0, iterations: Int? = nil, initialization: SyntheticInitialization? = nil,
        learningRateImage: Float? = nil, learningRateNetwork: Float = 0.01, batchReal: Int = 256, outerLoop: Int? = nil,
        innerLoop: Int? = nil, dsaStrategy: String = "color_crop_cutout_flip_scale_rotate",
        distance: MatchingDistance = .ours, seed: UInt64 = 0, checkpointEvery: Int = 10, resume: Bool = false
    ) {
        self.dataset = dataset
        self.method = method
        self.imagesPerClass = imagesPerClass
        self.mainModel = mainModel
        self.pool = pool
        self.poolWarmup = poolWarmup
        self.iterations = iterations
        self.initialization = initialization
        self.learningRateImage = learningRateImage
        self.learningRateNetwork = learningRateNetwork
        self.batchReal = batchReal
        self.outerLoop = outerLoop
        self.innerLoop = innerLoop
        self.dsaStrategy = dsaStrategy
        self.distance = distance
        self.seed = seed
        self.checkpointEvery = checkpointEvery
        self.resume = resume
    }

    /// Builds the method for `data`.
    /// - Throws: `PoolError`, `ZooError`, `CondensationError`, `AugmentationError` for bad settings;
    ///   `MemoryBudgetError` for a run too large for the machine.
    public func makeMethod(data: Dataset) throws -> (method: any CondensationMethod, configuration: String) {
        try checkFeasible(classCount: data.classCount, imageShape: data.imageShape)
        let modelPool = try ModelPool(parsing: pool, mainModel: mainModel, warmup: poolWarmup)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        switch method {
        case "dc", "dsa":
            let configuration = try GradientMatchingConfiguration(
                imagesPerClass: imagesPerClass, iterations: iterations ?? 1000, outerLoop: outerLoop,
                innerLoop: innerLoop, learningRateImage: learningRateImage ?? 0.1,
                learningRateNetwork: learningRateNetwork, batchReal: batchReal, distance: distance, pool: modelPool,
                augmentation: method == "dsa" ? try DSAStrategy(dsaStrategy) : nil, initialization: initialization)
            return (try GradientMatching(configuration: configuration, data: data), String(decoding: try encoder.encode(configuration), as: UTF8.self))
        case "dm":
            let configuration = try DistributionMatchingConfiguration(
                imagesPerClass: imagesPerClass, iterations: iterations ?? 20_000,
                learningRateImage: learningRateImage ?? 1, batchReal: batchReal, pool: modelPool,
                augmentation: try DSAStrategy(dsaStrategy), initialization: initialization ?? .real)
            return (try DistributionMatching(configuration: configuration, data: data), String(decoding: try encoder.encode(configuration), as: UTF8.self))
        default:
            throw CondensationError.invalidSetting(name: "method", value: method, requirement: "use dc, dsa or dm")
        }
    }

    /// Runs (or resumes) the condensation, checkpointing every `checkpointEvery`
    /// iterations and at the end, and writes the synthetic set, its picture and the log.
    ///
    /// - Parameters:
    ///   - progress: called after every iteration with its report and the total iteration count.
    /// - Returns: a one-line summary.
    public func run(
        locator: DataLocator, output: CondensationOutput, progress: (IterationReport, Int) -> Void
    ) throws -> String {
        let train = try locator.load(dataset, split: .train)
        let (method, configuration) = try makeMethod(data: train)
        var state: CondensationState
        if resume {
            state = try output.loadCheckpoint()
            guard state.seed == seed else {
                throw CondensationError.invalidSetting(
                    name: "seed", value: String(seed), requirement: "the checkpoint was made with seed \(state.seed); resume with the same seed")
            }
            let expected = [dataset.classCount * imagesPerClass] + dataset.imageShape
            guard state.synthetic.images.shape == expected else {
                throw CondensationError.stateMismatch(expectedShape: expected, actualShape: state.synthetic.images.shape)
            }
            try output.truncateLog(before: state.iteration)
        } else {
            state = try method.initialState(seed: seed)
            try? FileManager.default.removeItem(atPath: output.logPath)
        }
        let metadata: () -> [String: String] = {
            [
                "dataset": dataset.name, "mean": train.mean.map { "\($0)" }.joined(separator: ","),
                "std": train.std.map { "\($0)" }.joined(separator: ","), "ipc": String(imagesPerClass),
                "method": self.method, "pool": pool, "model": mainModel,
                "iteration": String(state.iteration), "seed": String(seed), "configuration": configuration,
            ]
        }
        while state.iteration < method.iterations {
            let report = try method.step(&state)
            try output.appendLog(report)
            if state.iteration % checkpointEvery == 0 || state.iteration == method.iterations {
                try output.saveCheckpoint(state)
                try output.writeSynthetic(state.synthetic, metadata: metadata(), mean: train.mean, std: train.std)
            }
            progress(report, method.iterations)
        }
        try output.saveCheckpoint(state)
        try output.writeSynthetic(state.synthetic, metadata: metadata(), mean: train.mean, std: train.std)
        return "wrote \(output.syntheticPath) (\(dataset.name), ipc \(imagesPerClass), \(self.method), pool \(pool), \(state.iteration) iterations, seed \(seed))"
    }
}

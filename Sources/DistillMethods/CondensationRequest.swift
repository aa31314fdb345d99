// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillCluster
import DistillData
import DistillIO
import DistillTensor
import Foundation

/// Everything `distill condense` asks for, as one value: builds the method
/// with the papers' defaults, runs it with checkpoints and writes the outputs.
public struct CondensationRequest: Sendable, Codable {
    public var dataset: DatasetKind
    /// `dc`, `dsa` or `dm`.
    public var method: String
    public var imagesPerClass: Int
    /// The main model of a preset pool; a list's main model is its first entry (see `ModelPool`).
    public var mainModel: String
    /// A pool preset name or a custom `ARCH:P,…` list.
    public var pool: String
    public var poolWarmup: Int
    /// A `PoolAdaptation` rule such as `loss`, or nil for fixed probabilities.
    public var poolAdapt: String?
    /// A `PoolStepScaling` rule such as `main` (gradient matching), or nil for one image learning rate.
    public var poolStep: String?
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
    /// Start afresh in a directory that holds a run (its files are replaced at the first checkpoint).
    /// Not recorded: it says how to start, not what the run is.
    public var force: Bool = false

    private enum CodingKeys: String, CodingKey {
        case dataset, method, imagesPerClass, mainModel, pool, poolWarmup, poolAdapt, poolStep, iterations, initialization
        case learningRateImage, learningRateNetwork, batchReal, outerLoop, innerLoop, dsaStrategy, distance, seed
        case checkpointEvery, resume
    }

    public init(
        dataset: DatasetKind, method: String, imagesPerClass: Int, mainModel: String = "ConvNet", pool: String = "none",
        poolWarmup: Int = 0, poolAdapt: String? = nil, poolStep: String? = nil, iterations: Int? = nil, initialization: SyntheticInitialization? = nil,
        learningRateImage: Float? = nil, learningRateNetwork: Float = 0.01, batchReal: Int = 256, outerLoop: Int? = nil,
        innerLoop: Int? = nil, dsaStrategy: String = "color_crop_cutout_flip_scale_rotate",
        distance: MatchingDistance = .ours, seed: UInt64 = 0, checkpointEvery: Int = 10, resume: Bool = false,
        force: Bool = false
    ) {
        self.dataset = dataset
        self.method = method
        self.imagesPerClass = imagesPerClass
        self.mainModel = mainModel
        self.pool = pool
        self.poolWarmup = poolWarmup
        self.poolAdapt = poolAdapt
        self.poolStep = poolStep
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
        self.force = force
    }

    /// The iterations of a run that does not set them: the papers' counts, DC and DSA 1000, DM 20,000.
    public static func defaultIterations(method: String) -> Int { method == "dm" ? 20_000 : 1000 }

    /// Builds the method for `data`.
    /// - Throws: `PoolError`, `ZooError`, `CondensationError`, `AugmentationError` for bad settings;
    ///   `MemoryBudgetError` for a run too large for the machine.
    public func makeMethod(
        data: Dataset, group: any ProcessGroup = SingleProcess()
    ) throws -> (method: any CondensationMethod, configuration: String) {
        try checkFeasible(classCount: data.classCount, imageShape: data.imageShape)
        let modelPool = try self.modelPool()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        switch method {
        case "dc", "dsa":
            let configuration = try GradientMatchingConfiguration(
                imagesPerClass: imagesPerClass, iterations: iterations ?? Self.defaultIterations(method: method), outerLoop: outerLoop,
                innerLoop: innerLoop, learningRateImage: learningRateImage ?? 0.1,
                learningRateNetwork: learningRateNetwork, batchReal: batchReal, distance: distance, pool: modelPool,
                augmentation: method == "dsa" ? try DSAStrategy(dsaStrategy) : nil, initialization: initialization)
            return (try GradientMatching(configuration: configuration, data: data, group: group), String(decoding: try encoder.encode(configuration), as: UTF8.self))
        case "dm":
            let configuration = try DistributionMatchingConfiguration(
                imagesPerClass: imagesPerClass, iterations: iterations ?? Self.defaultIterations(method: method),
                learningRateImage: learningRateImage ?? 1, batchReal: batchReal, pool: modelPool,
                augmentation: try DSAStrategy(dsaStrategy), initialization: initialization ?? .real)
            return (try DistributionMatching(configuration: configuration, data: data, group: group), String(decoding: try encoder.encode(configuration), as: UTF8.self))
        default:
            throw CondensationError.invalidSetting(name: "method", value: method, requirement: "use dc, dsa or dm")
        }
    }

    /// The pool networks are drawn from, adaptive when `poolAdapt` is set, with scaled steps when `poolStep` is.
    /// - Throws: `PoolError`, also for an adaptive or step-scaled pool of one member.
    public func modelPool() throws -> ModelPool {
        var modelPool = try ModelPool(parsing: pool, mainModel: mainModel, warmup: poolWarmup)
        if let poolAdapt {
            modelPool.adaptation = try PoolAdaptation(parsing: poolAdapt)
            guard modelPool.members.count > 1 else {
                throw PoolError.malformedAdaptation(poolAdapt, reason: "the pool '\(pool)' has one member; adapt a pool of two or more")
            }
        }
        if let poolStep {
            modelPool.stepScaling = try PoolStepScaling(parsing: poolStep)
            guard modelPool.members.count > 1 else {
                throw PoolError.malformedStepScaling(poolStep, reason: "the pool '\(pool)' has one member, whose steps are the reference")
            }
        }
        return modelPool
    }

    /// Runs (or resumes) the condensation, checkpointing every `checkpointEvery`
    /// iterations and at the end, and writes the synthetic set, its picture and the log.
    ///
    /// The directory is locked for the run (`RunDirectoryLock`). A fresh run in
    /// a directory that holds one needs `force`, and replaces nothing before its
    /// first checkpoint; a resumed run must have the checkpoint's settings. A
    /// non-finite loss or image stops the run before anything of it is saved.
    ///
    /// Under a job of several processes every rank runs this with the same
    /// request: the ranks share the classes (see `GradientMatching` and
    /// `DistributionMatching`) and hold identical states, and the leader alone
    /// locks the directory and writes; the others only read the checkpoint.
    ///
    /// - Parameters:
    ///   - group: the processes running this condensation together.
    ///   - progress: called after every iteration with its report and the total iteration count.
    /// - Returns: a one-line summary.
    /// - Throws: `RunDirectoryInUseError`, `FileSystemError`, `CondensationError` (`.runExists`,
    ///   `.invalidCheckpoint`, `.resumeMismatch`, `.diverged`, …) and the data and method errors.
    public func run(
        locator: DataLocator, output: CondensationOutput, group: any ProcessGroup = SingleProcess(),
        progress: (IterationReport, Int) -> Void
    ) throws -> String {
        // A run too large for the machine, or a pool that cannot be, is refused before its directory is made.
        try checkFeasible(classCount: dataset.classCount, imageShape: dataset.imageShape)
        let resolvedPool = try modelPool()
        let writes = group.isLeader
        let lock = writes ? try RunDirectoryLock(directory: output.directory) : nil
        defer { lock?.release() }
        if writes {
            AtomicWrite.removeStaleTemporaries(in: output.directory)
            try AtomicWrite.probeDirectory(output.directory)
            try output.checkDestinations()
        }
        if !resume && !force && output.holdsRun {
            throw CondensationError.runExists(
                directory: output.directory, iteration: try? output.loadCheckpointFile().state.iteration)
        }
        let train = try locator.load(dataset, split: .train)
        // Before any iteration: names the set file could not record are refused now, not at the first checkpoint.
        let classNames = try SyntheticSetFile.classNamesMetadata(train.classNames)
        let (method, configuration) = try makeMethod(data: train, group: group)
        let settings = RunSettings(
            dataset: dataset.name, method: self.method, seed: seed, configurationJSON: configuration,
            poolAdaptation: resolvedPool.adaptation, poolStepScaling: resolvedPool.stepScaling)
        var state: CondensationState
        /// The iteration of the last checkpoint this run can fall back on.
        var lastCheckpoint: Int?
        if resume {
            state = try resumableState(
                output: output, iterations: method.iterations, optimizer: method.imageOptimizer, pool: resolvedPool,
                outerLoop: (method as? GradientMatching)?.configuration.outerLoop ?? 1, settings: settings)
            if writes { try output.truncateLog(before: state.iteration) }
            lastCheckpoint = state.iteration
        } else {
            state = try method.initialState(seed: seed)
        }
        let startIteration = state.iteration
        let metadata: () -> [String: String] = {
            var metadata = [
                "dataset": dataset.name, "mean": train.mean.map { "\($0)" }.joined(separator: ","),
                "std": train.std.map { "\($0)" }.joined(separator: ","), "ipc": String(imagesPerClass),
                "method": self.method, "pool": pool, "model": resolvedPool.mainModel,
                "iteration": String(state.iteration), "seed": String(seed), "configuration": configuration,
                "class_names": classNames,
            ]
            if let poolAdapt { metadata["pool_adapt"] = poolAdapt }
            if let poolStep { metadata["pool_step"] = poolStep }
            // A folder is read again at this size when the set is evaluated.
            if case .folder(let folder) = dataset { metadata["image_size"] = String(folder.imageSize) }
            return metadata
        }
        // A fresh run keeps its log lines until its first checkpoint, so that the
        // files of a run it replaces stay whole until then.
        var heldLog: [IterationReport]? = resume ? nil : []
        func checkpoint() throws {
            if writes {
                // The log first: a checkpoint must never be ahead of the log lines written.
                if let held = heldLog {
                    try output.startLog(with: held)
                    heldLog = nil
                }
                try output.saveCheckpoint(state, settings: settings)
                try output.writeSynthetic(state.synthetic, metadata: metadata(), mean: train.mean, std: train.std)
            }
            lastCheckpoint = state.iteration
        }
        while state.iteration < method.iterations {
            let report = try method.step(&state)
            guard report.loss.isFinite, state.synthetic.images.scalars.allSatisfy(\.isFinite) else {
                throw CondensationError.diverged(
                    iteration: report.iteration + 1, loss: report.loss, lastCheckpoint: lastCheckpoint,
                    directory: output.directory)
            }
            if writes {
                if heldLog != nil { heldLog!.append(report) } else { try output.appendLog(report) }
            }
            if state.iteration % checkpointEvery == 0 || state.iteration == method.iterations {
                try checkpoint()
            }
            progress(report, method.iterations)
        }
        if lastCheckpoint != state.iteration { try checkpoint() }
        if state.iteration == startIteration && resume {
            return "\(output.syntheticPath) is already at iteration \(state.iteration) of \(method.iterations); "
                + "no iteration was left to run (raise --iterations to continue)"
        }
        return "wrote \(output.syntheticPath) (\(dataset.name), ipc \(imagesPerClass), \(self.method), pool \(pool), \(state.iteration) iterations, seed \(seed))"
    }

    /// The checkpoint's state, checked against this run: its values, its shape and its settings.
    private func resumableState(
        output: CondensationOutput, iterations: Int, optimizer: ImageOptimizer, pool: ModelPool, outerLoop: Int,
        settings: RunSettings
    ) throws -> CondensationState {
        let file = try output.loadCheckpointFile()
        let state = file.state
        // Every checkpoint since settings were recorded has them; without, nothing could be checked.
        guard let recorded = file.settings else {
            throw CondensationError.invalidCheckpoint(
                path: output.checkpointPath, reason: "it records no settings (damaged, or made by an early version)")
        }
        let differences = settings.differences(from: recorded)
        guard differences.isEmpty else {
            throw CondensationError.resumeMismatch(path: output.checkpointPath, differences: differences)
        }
        if let problem = state.problem(iterations: iterations, optimizer: optimizer, pool: pool, outerLoop: outerLoop) {
            throw CondensationError.invalidCheckpoint(path: output.checkpointPath, reason: problem)
        }
        guard state.seed == seed else {
            throw CondensationError.invalidSetting(
                name: "seed", value: String(seed), requirement: "the checkpoint was made with seed \(state.seed); resume with the same seed")
        }
        let expected = [dataset.classCount * imagesPerClass] + dataset.imageShape
        if state.synthetic.images.shape == expected, state.synthetic.imagesPerClass != imagesPerClass {
            // The images are this run's shape: the recorded ipc is what is wrong.
            throw CondensationError.invalidCheckpoint(
                path: output.checkpointPath,
                reason: "its \(expected[0]) images of \(dataset.classCount) classes are recorded as ipc \(state.synthetic.imagesPerClass)")
        }
        guard state.synthetic.images.shape == expected, state.synthetic.imagesPerClass == imagesPerClass else {
            throw CondensationError.stateMismatch(
                expectedShape: expected, actualShape: state.synthetic.images.shape, expectedImagesPerClass: imagesPerClass,
                actualImagesPerClass: state.synthetic.imagesPerClass)
        }
        return state
    }
}

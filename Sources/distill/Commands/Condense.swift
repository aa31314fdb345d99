// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import ArgumentParser
import DistillCluster
import DistillData
import DistillMethods
import Foundation

enum MethodChoice: String, CaseIterable, ExpressibleByArgument {
    case dc, dsa, dm
}

extension MatchingDistance: ExpressibleByArgument {}
extension SyntheticInitialization: ExpressibleByArgument {}

struct Condense: DistributedCommand {
    static let configuration = CommandConfiguration(
        abstract: "Learn a synthetic training set (DC, DSA or DM), optionally drawing networks from a model pool.",
        discussion: """
            Writes synthetic.safetensors, synthetic.png, log.jsonl and checkpoint.json into --out. \
            Defaults follow the papers for the chosen method (DC: init noise, lr-img 0.1; DSA: init real; \
            DM: init real, lr-img 1.0, 20000 iterations).
            """)

    @Option(help: "Dataset: \(DatasetArgument.allValueStrings.joined(separator: ", ")).")
    var dataset: DatasetArgument = .fashionMNIST
    @Option(parsing: .unconditional, help: "Synthetic images per class.")
    var ipc = 1
    @Option(help: "Method: dc, dsa or dm.")
    var method: MethodChoice = .dc
    @Option(help: "Main network (zoo name or ConvNet spec; default ConvNet). A --pool list's main network is its first entry.")
    var model: String?
    @Option(help: "Model pool: none, paper, main-model, total-random, or 'ARCH:P,ARCH:P,…'.")
    var pool = "none"
    @Option(name: .customLong("pool-warmup"), parsing: .unconditional, help: "Iterations that use the main model only (with a pool of several members; fewer than --iterations).")
    var poolWarmup = 0
    @Option(
        name: .customLong("pool-adapt"),
        help: "Adapt the pool's probabilities during the run: 'loss' or 'loss:beta=B,rate=R,floor=F' (see docs/adaptive-pool.md).")
    var poolAdapt: String?
    @Option(
        name: .customLong("pool-step"),
        help: "Scale every other member's image step to the main model's: 'main' (see docs/pool-step.md).")
    var poolStep: String?
    @Option(parsing: .unconditional, help: "Iterations (default 1000 for DC/DSA, 20000 for DM; at most \(CountLimit.iterations)).")
    var iterations: Int?
    @Option(help: "Synthetic initialisation: noise or real (default noise for DC, real for DSA/DM).")
    var initialization: SyntheticInitialization?
    @Option(name: .customLong("lr-img"), parsing: .unconditional, help: "Learning rate of the synthetic images.")
    var lrImage: Float?
    @Option(name: .customLong("lr-net"), parsing: .unconditional, help: "Learning rate of the network's inner-loop training (DC/DSA; default 0.01).")
    var lrNet: Float?
    @Option(name: .customLong("batch-real"), parsing: .unconditional, help: "Real images per class per step.")
    var batchReal = 256
    @Option(name: .customLong("outer-loop"), parsing: .unconditional, help: "Outer-loop steps per iteration (DC/DSA; default by ipc; at most \(CountLimit.loopSteps)).")
    var outerLoop: Int?
    @Option(name: .customLong("inner-loop"), parsing: .unconditional, help: "Inner-loop epochs per outer step (DC/DSA; default by ipc; at most \(CountLimit.loopSteps)).")
    var innerLoop: Int?
    // The options one method ignores are optional, so that one given for it can be refused.
    @Option(
        name: .customLong("dsa-strategy"),
        help: "DSA augmentation strategy (DSA/DM): '_'-joined groups of color, crop, cutout, flip, scale, rotate, or none (default all six).")
    var dsaStrategy: String?
    @Option(help: "Gradient distance: ours, mse or cos (DC/DSA; default ours).")
    var distance: MatchingDistance?
    @Option(parsing: .unconditional, help: "Seed; the same seed gives the same synthetic set. (default: 0)", transform: seedArgument)
    var seed: UInt64 = 0
    @Option(help: "Output directory.")
    var out: String
    @Option(name: .customLong("checkpoint-every"), parsing: .unconditional, help: "Save a checkpoint every N iterations.")
    var checkpointEvery = 10
    @Flag(help: "Continue from the checkpoint in --out (with the same settings; --iterations may grow).")
    var resume = false
    @Flag(help: "Start afresh in an --out that holds a run; its files are replaced at the first checkpoint.")
    var force = false
    @OptionGroup var data: DataOptions

    func validate() throws {
        try requireResultsDirectory(out, "--out")
        try requireDatasetName(dataset.name)
        try requireOutsideFolderDataset(out, "--out", dataset: dataset.name)
        try data.requireFolderDataset(dataset.name)
        try requirePositive(ipc, "--ipc")
        try requireNonNegative(poolWarmup, "--pool-warmup")
        // Both methods refuse 0 iterations when built; said here, by the option's name.
        try requirePositive(iterations, "--iterations")
        try requireAtMost(iterations, CountLimit.iterations, "--iterations")
        try requirePositive(lrImage, "--lr-img")
        try requirePositive(lrNet, "--lr-net")
        try requirePositive(batchReal, "--batch-real")
        try requirePositive(outerLoop, "--outer-loop")
        try requireAtMost(outerLoop, CountLimit.loopSteps, "--outer-loop")
        try requirePositive(innerLoop, "--inner-loop")
        try requireAtMost(innerLoop, CountLimit.loopSteps, "--inner-loop")
        try requirePositive(checkpointEvery, "--checkpoint-every")
        // Before any data is loaded; the pool's members are checked when the method is built.
        if let model { try requireNetwork(model, "--model") }
        if let poolAdapt {
            do { _ = try PoolAdaptation(parsing: poolAdapt) } catch let error as PoolError { throw ValidationError(error.description) }
        }
        if let poolStep {
            do { _ = try PoolStepScaling(parsing: poolStep) } catch let error as PoolError { throw ValidationError(error.description) }
        }
        let trainsNetwork = method != .dm
        // A usage error like the others (exit 64), said before any data is read.
        if trainsNetwork, GradientMatchingConfiguration.publishedLoops[ipc] == nil, outerLoop == nil || innerLoop == nil {
            throw ValidationError(CondensationError.unpublishedLoops(imagesPerClass: ipc).description)
        }
        for (option, given) in [
            ("--lr-net", lrNet != nil), ("--outer-loop", outerLoop != nil), ("--inner-loop", innerLoop != nil),
            ("--distance", distance != nil),
        ] {
            try requireApplies(option, given: given, when: trainsNetwork, "to --method dc or dsa (DM matches features, not gradients)")
        }
        if let dsaStrategy {
            try requireApplies("--dsa-strategy", given: true, when: method != .dc, "to --method dsa or dm")
            guard !dsaStrategy.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ValidationError("--dsa-strategy is empty; give groups such as color_crop, or none")
            }
            let strategy: DSAStrategy
            do { strategy = try DSAStrategy(dsaStrategy) } catch { throw ValidationError("--dsa-strategy: \(error)") }
            // A repeated group would only be drawn more often than the others, which no paper does.
            if let twice = firstRepeated(in: strategy.groups) {
                throw ValidationError("--dsa-strategy '\(dsaStrategy)' lists \(twice.rawValue) twice; give each group once")
            }
        }
        // The warm-up draws the main model only, adaptation shifts draws between members and step scaling
        // sizes the others' steps by the main model's: a pool of one member has nothing to do any of them with.
        let parsedPool = try? ModelPool(parsing: pool, mainModel: model ?? "ConvNet")
        // A list names its main model first; a different --model would be recorded but never drawn.
        if let model, let parsedPool, parsedPool.preset == nil, parsedPool.mainModel != model {
            throw ValidationError(
                "--model \(model) is not the main model of the --pool list, which is its first entry "
                    + "(\(parsedPool.mainModel)); list \(model) first, or leave --model out")
        }
        if let members = parsedPool?.members.count, members == 1 {
            for (option, given) in [("--pool-warmup", poolWarmup > 0), ("--pool-adapt", poolAdapt != nil), ("--pool-step", poolStep != nil)]
            where given {
                throw ValidationError("\(option) only applies with a --pool of more than one member (the pool '\(pool)' has one)")
            }
        }
        if poolWarmup > 0 {
            // A warm-up as long as the run leaves the pool unused (while the set is labelled with it).
            let total = iterations ?? CondensationRequest.defaultIterations(method: method.rawValue)
            guard poolWarmup < total else {
                throw ValidationError(
                    "--pool-warmup \(poolWarmup) leaves none of the \(total) iterations to the pool; give fewer warm-up iterations than --iterations")
            }
        }
        guard !(resume && force) else { throw ValidationError("--resume and --force exclude each other") }
    }

    /// The main model: --model, or a --pool list's first entry, or ConvNet.
    private var mainModel: String {
        if let model { return model }
        if let parsed = try? ModelPool(parsing: pool), parsed.preset == nil { return parsed.mainModel }
        return "ConvNet"
    }

    func run(in group: any ProcessGroup) throws {
        var request = CondensationRequest(
            dataset: try data.resolve(dataset), method: method.rawValue, imagesPerClass: ipc, mainModel: mainModel, pool: pool,
            poolWarmup: poolWarmup, poolAdapt: poolAdapt, poolStep: poolStep, iterations: iterations, initialization: initialization, learningRateImage: lrImage,
            batchReal: batchReal, outerLoop: outerLoop, innerLoop: innerLoop, seed: seed, checkpointEvery: checkpointEvery, resume: resume,
            force: force)
        // The request's defaults stand for the options not given.
        if let lrNet { request.learningRateNetwork = lrNet }
        if let dsaStrategy { request.dsaStrategy = dsaStrategy }
        if let distance { request.distance = distance }
        var line = ProgressLine()
        let start = Date()
        var firstIteration: Int?
        // Every rank condenses its block of classes; rank 0 alone locks --out, writes and reports.
        let summary = try request.run(locator: data.locator, output: CondensationOutput(directory: out), group: group) {
            report, total in
            guard group.isLeader else { return }
            if firstIteration == nil { firstIteration = report.iteration }
            let done = report.iteration - firstIteration! + 1
            let perSecond = Double(done) / Date().timeIntervalSince(start)
            line.update(
                "iteration \(report.iteration + 1)/\(total)  loss \(String(format: "%.4f", report.loss))  "
                    + "\(report.architecture)  \(String(format: "%.2f", perSecond)) it/s  "
                    + "ETA \(formatDuration(Double(total - report.iteration - 1) / perSecond))")
        }
        line.finish()
        if group.isLeader { print(summary) }
    }
}

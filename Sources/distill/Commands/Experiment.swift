// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import ArgumentParser
import DistillCluster
import DistillData
import DistillEval
import DistillExperiments
import Foundation

struct Experiment: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "End-to-end studies that condense, evaluate and tabulate.",
        subcommands: [ModelPoolStudy.self, GeneralizationCommand.self])
}

/// `distill experiment model-pool`: the model-pool paper's ablation.
struct ModelPoolStudy: DistributedCommand {
    static let configuration = CommandConfiguration(
        commandName: "model-pool",
        abstract: "Baseline, model pool, KD and pool + KD across architectures, beside the published numbers.",
        discussion: """
            Condenses with DC through ConvNet alone and through the paper's pool (plus the main-model and \
            total-random pools with --pool-ablation), keeps each set at every --iterations count, evaluates \
            each on the architectures with and without KD, and writes table.md, results.json and a \
            self-contained report.html into --out. Each condensation is a run directory inside --out; \
            running the same command again reuses finished sets and cached evaluations. --quick runs a \
            reduced version in a few minutes; options given explicitly override its settings.
            """)

    @Option(help: "Dataset: \(DatasetArgument.allValueStrings.joined(separator: ", ")).")
    var dataset = DatasetKind.fashionMNIST.name
    @Option(parsing: .unconditional, help: "Comma-separated images-per-class counts (default 1,10; quick: 1).")
    var ipc: String?
    @Option(parsing: .unconditional, help: "Comma-separated, increasing iteration counts to keep and evaluate (default 1000,2000,3000; quick: 10; at most \(CountLimit.iterations)).")
    var iterations: String?
    @Option(name: .customLong("num-eval"), parsing: .unconditional, help: "Networks trained per architecture (default 5; quick: 1; at most \(CountLimit.runs)).")
    var numEval: Int?
    @Option(parsing: .unconditional, help: "Training epochs at evaluation (default 300; quick: 50; at most \(CountLimit.epochs)).")
    var epochs: Int?
    @Option(parsing: .unconditional, help: "Comma-separated evaluation architectures.")
    var models: String?
    @Option(name: .customLong("batch-real"), parsing: .unconditional, help: "Real images per class per DC step (default 256; quick: 64).")
    var batchReal: Int?
    @Option(parsing: .unconditional, help: "Seed for every condensation and evaluation. (default: 0)", transform: seedArgument)
    var seed: UInt64 = 0
    @Flag(name: .customLong("pool-ablation"), help: "Also condense with the total-random and main-model pools.")
    var poolAblation = false
    @Flag(help: "A reduced run that finishes in minutes on a laptop CPU.")
    var quick = false
    @Option(help: "Experiment directory.")
    var out: String
    @OptionGroup var data: DataOptions

    func validate() throws {
        try requireResultsDirectory(out, "--out")
        try requireDatasetName(dataset)
        try requireOutsideFolderDataset(out, "--out", dataset: dataset)
        try data.requireFolderDataset(dataset)
        try requireStudyCounts(runs: numEval, epochs: epochs, models: models)
        try requirePositive(batchReal, "--batch-real")
        // A malformed list is refused with the experiment's own message when it runs.
        if let iterations, let largest = (try? ModelPoolExperiment.integers(in: iterations, option: "--iterations"))?.max() {
            try requireAtMost(largest, CountLimit.iterations, "--iterations")
        }
    }

    func run(in group: any ProcessGroup) throws {
        let kind = dataset.hasPrefix(ImageFolder.namePrefix)
            ? try data.locator.dataset(named: dataset) : try ModelPoolExperiment.dataset(named: dataset)
        var experiment = quick ? ModelPoolExperiment.quick(dataset: kind, seed: seed) : ModelPoolExperiment(dataset: kind, seed: seed)
        if let ipc { experiment.imagesPerClass = try ModelPoolExperiment.integers(in: ipc, option: "--ipc") }
        if let iterations { experiment.iterations = try ModelPoolExperiment.integers(in: iterations, option: "--iterations") }
        if let numEval { experiment.evaluationRuns = numEval }
        if let epochs { experiment.epochs = epochs }
        if let batchReal { experiment.batchReal = batchReal }
        if let models { experiment.architectures = try checkedNetworkNames(in: models) }
        experiment.poolAblation = poolAblation
        try experiment.validate()

        let display = ExperimentDisplay()
        let results: ModelPoolResults
        do {
            results = try experiment.run(in: out, locator: data.locator, group: group, events: display.show)
        } catch where display.shownResults {
            throw UnsavedResultsError.ifWriting(error, to: out)
        }
        display.finish()
        guard group.isLeader else { return }
        print("\(results.iterationsRun) condensation iterations and \(results.evaluationsRun) evaluations run in "
            + formatDuration(results.wallSeconds))
    }
}

/// The checks both studies make of their evaluation counts and `--models`, before anything is condensed or allocated.
func requireStudyCounts(runs: Int?, epochs: Int?, models: String?) throws {
    try requirePositive(runs, "--num-eval")
    try requireAtMost(runs, CountLimit.runs, "--num-eval")
    try requireNonNegative(epochs, "--epochs")
    try requireAtMost(epochs, CountLimit.epochs, "--epochs")
    if let models { _ = try checkedNetworkNames(in: models) }
}

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
        subcommands: [ModelPoolStudy.self])
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
    @Option(parsing: .unconditional, help: "Comma-separated, increasing iteration counts to keep and evaluate (default 1000,2000,3000; quick: 10).")
    var iterations: String?
    @Option(name: .customLong("num-eval"), parsing: .unconditional, help: "Networks trained per architecture (default 5; quick: 1).")
    var numEval: Int?
    @Option(parsing: .unconditional, help: "Training epochs at evaluation (default 300; quick: 50).")
    var epochs: Int?
    @Option(parsing: .unconditional, help: "Comma-separated evaluation architectures.")
    var models: String?
    @Option(name: .customLong("batch-real"), parsing: .unconditional, help: "Real images per class per DC step (default 256; quick: 64).")
    var batchReal: Int?
    @Option(parsing: .unconditional, help: "Seed for every condensation and evaluation.")
    var seed: UInt64 = 0
    @Flag(name: .customLong("pool-ablation"), help: "Also condense with the total-random and main-model pools.")
    var poolAblation = false
    @Flag(help: "A reduced run that finishes in minutes on a laptop CPU.")
    var quick = false
    @Option(help: "Experiment directory.")
    var out: String
    @OptionGroup var data: DataOptions

    func run(in group: any ProcessGroup) throws {
        let kind = dataset.hasPrefix(ImageFolder.namePrefix)
            ? try data.locator.dataset(named: dataset) : try ModelPoolExperiment.dataset(named: dataset)
        var experiment = quick ? ModelPoolExperiment.quick(dataset: kind, seed: seed) : ModelPoolExperiment(dataset: kind, seed: seed)
        if let ipc { experiment.imagesPerClass = try ModelPoolExperiment.integers(in: ipc, option: "--ipc") }
        if let iterations { experiment.iterations = try ModelPoolExperiment.integers(in: iterations, option: "--iterations") }
        if let numEval { experiment.evaluationRuns = numEval }
        if let epochs { experiment.epochs = epochs }
        if let batchReal { experiment.batchReal = batchReal }
        if let models { experiment.architectures = networkNames(in: models).filter { !$0.isEmpty } }
        experiment.poolAblation = poolAblation
        try experiment.validate()

        var line = ProgressLine()
        var lastUpdate = Date.distantPast
        var shown = false
        func show(_ event: ExperimentEvent) {
            switch event {
            case .finished(let results):
                // The table goes out before the files are written, so a failed write loses nothing.
                line.finish()
                print(ExperimentFiles.markdown(results))
                fflush(stdout)
                shown = true
            case .stage(let text):
                line.finish()
                print(text)
                // Stage lines share a log with the progress lines on standard error; keep them in order.
                fflush(stdout)
            case let .condensation(report, total):
                line.update(
                    "  iteration \(report.iteration + 1)/\(total)  loss \(String(format: "%.4f", report.loss))  "
                        + "\(report.architecture)  \(String(format: "%.1f", report.seconds)) s/it")
            case .evaluation(let progress):
                guard Date().timeIntervalSince(lastUpdate) > 0.5 || progress.finishedAccuracy != nil else { return }
                lastUpdate = Date()
                let kind = progress.distilled ? " +KD" : ""
                if let accuracy = progress.finishedAccuracy {
                    line.update("  \(progress.architecture)\(kind) run \(progress.run + 1)/\(progress.runs): \(String(format: "%.2f", accuracy))%")
                } else if let t = progress.training {
                    line.update(
                        "  \(progress.architecture)\(kind) run \(progress.run + 1)/\(progress.runs)  epoch \(t.epoch)/\(t.epochs)  "
                            + "loss \(String(format: "%.4f", t.loss))  ETA \(formatDuration(t.secondsRemaining))")
                }
            }
        }
        let results: ModelPoolResults
        do {
            results = try experiment.run(in: out, locator: data.locator, group: group, events: show)
        } catch where shown {
            throw UnsavedResultsError(directory: out, cause: error)
        }
        line.finish()
        guard group.isLeader else { return }
        print("\(results.iterationsRun) condensation iterations and \(results.evaluationsRun) evaluations run in "
            + formatDuration(results.wallSeconds))
    }
}

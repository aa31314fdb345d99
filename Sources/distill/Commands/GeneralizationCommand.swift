// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import ArgumentParser
import DistillCluster
import DistillData
import DistillExperiments
import Foundation

/// `distill experiment generalization`: settings condensed and evaluated across architectures, one table.
struct GeneralizationCommand: DistributedCommand {
    static let configuration = CommandConfiguration(
        commandName: "generalization",
        abstract: "Condense and evaluate a list of settings across architectures; compare each with the first.",
        discussion: """
            A setting is METHOD[+pool=POOL][+adapt=RULE][+step=main][+iterations=N][+protocol=dc|dsa][+kd|+teacher=FILE] (N at most \(CountLimit.iterations)), e.g. dc, \
            dc+pool=paper, dc+pool=total-random+adapt=loss, dc+pool=main-model+step=main (every member's image step \
            scaled to ConvNet's), dm+pool=paper+iterations=2000, dc+protocol=dsa (the DC \
            set evaluated with DSA's protocol: DSA augmentation, 1000 epochs), dc+kd (a ConvNet \
            teacher trained on the synthetic set), dc+teacher=convnet.safetensors (a teacher from `distill \
            train --save`, trained on the real training set; such rows form a table of their own). The first setting is \
            the baseline: every other row gets its difference with a 95 % paired-bootstrap interval, for \
            ConvNet and for the mean over the other architectures; --compare adds pairs of settings, each \
            'SETTING vs CONTROL' (e.g. 'dsa+pool=paper vs dsa', the pool's effect under DSA), the same way. \
            Writes table.md, results.json and \
            report.html into --out; each condensation is a run directory there and each evaluation is \
            cached, so the same command continues a stopped study and a longer list reuses what exists.
            """)

    @Option(parsing: .upToNextOption, help: "The settings, the baseline first.")
    var settings: [String]
    @Option(parsing: .upToNextOption, help: "Pairs of settings to compare, each 'SETTING vs CONTROL'.")
    var compare: [String] = []
    @Option(help: "Dataset: \(DatasetArgument.allValueStrings.joined(separator: ", ")).")
    var dataset = DatasetKind.fashionMNIST.name
    @Option(parsing: .unconditional, help: "Images per class.")
    var ipc = 1
    @Option(name: .customLong("num-eval"), parsing: .unconditional, help: "Networks trained per architecture (at most \(CountLimit.runs)).")
    var numEval = 5
    @Option(parsing: .unconditional, help: "Training epochs at evaluation (default: the protocol's; at most \(CountLimit.epochs)).")
    var epochs: Int?
    @Option(parsing: .unconditional, help: "Comma-separated evaluation architectures.")
    var models: String?
    @Option(name: .customLong("batch-real"), parsing: .unconditional, help: "Real images per class per matching step.")
    var batchReal = 256
    @Option(name: .customLong("test-per-class"), parsing: .unconditional, help: "Test images per class (default: the whole split).")
    var testPerClass: Int?
    @Option(parsing: .unconditional, help: "Seed for every condensation and evaluation. (default: 0)", transform: seedArgument)
    var seed: UInt64 = 0
    @Option(help: "Study directory.")
    var out: String
    @OptionGroup var data: DataOptions

    func validate() throws {
        if let testPerClass { try requirePositive(testPerClass, "--test-per-class") }
        try requirePositive(ipc, "--ipc")
        try requirePositive(batchReal, "--batch-real")
        try requireResultsDirectory(out, "--out")
        try requireDatasetName(dataset)
        try requireOutsideFolderDataset(out, "--out", dataset: dataset)
        try data.requireFolderDataset(dataset)
        try requireStudyCounts(runs: numEval, epochs: epochs, models: models)
        // A malformed setting is refused with the study's own message when it runs.
        for text in settings {
            try requireAtMost((try? StudySetting(parsing: text))?.iterations, CountLimit.iterations, "--settings \(text): iterations")
        }
    }

    func run(in group: any ProcessGroup) throws {
        let kind = dataset.hasPrefix(ImageFolder.namePrefix)
            ? try data.locator.dataset(named: dataset) : try ModelPoolExperiment.dataset(named: dataset)
        var study = GeneralizationStudy(
            dataset: kind, settings: try settings.map(StudySetting.init(parsing:)),
            comparisons: try compare.map(StudyComparison.init(parsing:)), imagesPerClass: ipc,
            evaluationRuns: numEval, epochs: epochs, batchReal: batchReal, testImagesPerClass: testPerClass, seed: seed)
        if let models { study.architectures = try checkedNetworkNames(in: models) }
        try study.validate()
        let display = ExperimentDisplay()
        let results: GeneralizationResults
        do {
            results = try study.run(
                in: out, locator: data.locator, command: Self.shellCommand(CommandLine.arguments.dropFirst()), group: group,
                events: display.show)
        } catch where display.shownResults {
            throw UnsavedResultsError.ifWriting(error, to: out)
        }
        display.finish()
        guard group.isLeader else { return }
        print("study done in \(formatDuration(results.wallSeconds))")
    }

    /// `distill` and `arguments` as a shell line a reader can paste: arguments
    /// with characters the shell would read are single-quoted.
    static func shellCommand(_ arguments: some Sequence<String>) -> String {
        let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_+=./,:@")
        return (["distill"] + arguments.map { argument in
            !argument.isEmpty && argument.allSatisfy(plain.contains) ? argument
                : "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }).joined(separator: " ")
    }
}

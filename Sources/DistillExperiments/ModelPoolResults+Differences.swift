// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillEval
import DistillTensor

extension ModelPoolResults {
    /// The network the sets are condensed through; a mean over the others measures how the sets generalise.
    static let mainModel = "ConvNet"

    /// Each main-table row against the baseline row: the mean paired difference in accuracy
    /// points with a 95 % paired-bootstrap interval, per architecture and, when there are two
    /// or more others, averaged over the architectures other than the main model.
    ///
    /// The resampling is seeded from the experiment's seed and the iteration, one child
    /// stream per cell, so the table is the same every time it is written.
    func differenceTable(iteration: Int) -> ResultTable {
        let architectures = experiment.architectures
        let others = architectures.filter { $0 != Self.mainModel }
        let columns = architectures.map { [$0] } + (others.count >= 2 ? [others] : [])
        let bootstrap = PairedBootstrap()
        var root = SeededGenerator(seed: derivedSeed(experiment.seed, 0xB007_5743, UInt64(iteration)))
        let rows = experiment.imagesPerClass.flatMap { ipc in
            TableMethod.allCases.filter { $0 != .baseline }.map { method in
                ["\(ipc)", method.rawValue] + columns.map { group -> String in
                    var generator = root.split()
                    func summaries(_ row: TableMethod) -> [AccuracySummary]? {
                        let found = group.compactMap {
                            cell(table: .main, imagesPerClass: ipc, iteration: iteration, row: row.rawValue, architecture: $0)?.summary
                        }
                        return found.count == group.count ? found : nil
                    }
                    guard let baseline = summaries(.baseline), let setting = summaries(method),
                        let interval = try? bootstrap.meanDifference(baseline: baseline, setting: setting, using: &generator)
                    else { return "–" }
                    let runs = experiment.evaluationRuns
                    return interval.formatted + (interval.pairs < runs ? " (\(interval.pairs) of \(runs) pairs)" : "")
                }
            }
        }
        let meanHeader = others.count < architectures.count ? "mean excl. \(Self.mainModel)" : "mean"
        return ResultTable(
            title: "Ours minus baseline: \(experiment.dataset.displayName), iteration \(iteration) (accuracy points, 95 % interval)",
            header: ["ipc", "method"] + architectures + (others.count >= 2 ? [meanHeader] : []), rows: rows)
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import Foundation

/// The summary files of an experiment directory: `table.md`, `results.json` and `report.html`.
public enum ExperimentFiles {
    /// Writes all three atomically.
    /// - Parameter classNames: the dataset's class names by label, for the report's sets whose files record none.
    /// - Throws: a file-system error, or `SyntheticGridError` for a kept set the report cannot draw.
    public static func write(_ results: ModelPoolResults, to directory: String, classNames: [String]?) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicWrite.write(markdown(results), to: path(directory, "table.md"))
        try AtomicWrite.write(encoder.encode(results), to: path(directory, "results.json"))
        try AtomicWrite.write(HTMLReport(results: results, directory: directory, classNames: classNames).render(), to: path(directory, "report.html"))
    }

    /// `table.md`: ours in the paper's layout per iteration, the published CIFAR-10 numbers, and the ablation.
    public static func markdown(_ results: ModelPoolResults) -> String {
        var sections = ["# Model-pool experiment on \(results.experiment.dataset.displayName)", results.legend.joined(separator: "\n\n")]
        for iteration in results.experiment.iterations {
            sections.append(results.mainTable(iteration: iteration).markdown)
            sections.append(results.differenceTable(iteration: iteration).markdown)
        }
        sections.append(
            ModelPoolResults.publishedTable(
                PublishedResults.modelPool, title: "Published, CIFAR-10 (model-pool paper, iteration 1000)", rowHeader: "method"
            ).markdown)
        if results.experiment.poolAblation {
            for iteration in results.experiment.iterations { sections.append(results.ablationTable(iteration: iteration).markdown) }
            sections.append(
                ModelPoolResults.publishedTable(
                    PublishedResults.ablation, title: "Published, CIFAR-10: pool-setting ablation (ipc 10, iteration 1000)",
                    rowHeader: "pool"
                ).markdown)
        }
        return sections.joined(separator: "\n\n") + "\n"
    }

    private static func path(_ directory: String, _ name: String) -> String {
        (directory as NSString).appendingPathComponent(name)
    }
}

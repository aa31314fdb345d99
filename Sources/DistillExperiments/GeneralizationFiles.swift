// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import DistillMethods
import Foundation

/// `table.md`, `results.json` and `report.html` of a generalisation study.
public enum GeneralizationFiles {
    /// Writes all three atomically.
    /// - Parameter classNames: the dataset's class names, for sets whose files record none.
    public static func write(_ results: GeneralizationResults, to directory: String, classNames: [String]?) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        try AtomicWrite.write(markdown(results), to: path("table.md"))
        try AtomicWrite.write(encoder.encode(results), to: path("results.json"))
        try AtomicWrite.write(html(results, directory: directory, classNames: classNames), to: path("report.html"))
    }

    /// The legend, the accuracy table, the differences to the baseline and between compared pairs, and every network's accuracy.
    public static func markdown(_ results: GeneralizationResults) -> String {
        let title = "# Generalisation study on \(results.study.dataset.displayName), ipc \(results.study.imagesPerClass)"
        let sections = [title, legend(results).joined(separator: "\n\n")] + accuracyTables(results).map(\.markdown)
        let differences = [results.differenceTable(), results.comparisonTable()].compactMap { $0?.markdown }
        return (sections + differences + [results.networksTable().markdown]).joined(separator: "\n\n") + "\n"
    }

    /// The table of rows without real data at evaluation, then, if any, the real-data-teacher rows apart.
    static func accuracyTables(_ results: GeneralizationResults) -> [ResultTable] {
        let apart = results.rows.contains { $0.setting.teacherWeights != nil }
        return [results.accuracyTable(realDataTeacher: false)] + (apart ? [results.accuracyTable(realDataTeacher: true)] : [])
    }

    static func legend(_ results: GeneralizationResults) -> [String] {
        let study = results.study
        let progress = results.pending.flatMap { pending in
            pending.isEmpty
                ? nil
                : "**In progress:** \(results.rows.count) of \(results.rows.count + pending.count) settings done; still to come: "
                    + pending.map { "`\($0)`" }.joined(separator: ", ") + "."
        }
        return [progress].compactMap { $0 } + [
            "Command: `\(results.command)`",
            numericsLine(results.rows),
            "Seed \(study.seed); \(study.evaluationRuns) networks per architecture, trained with the protocol of the set's method "
                + "(DC: no augmentation; DSA and DM: DSA augmentation) or the one `+protocol=` names, for "
                + (study.epochs.map { "\($0) epochs" } ?? "its epochs (300; 1000 with DSA augmentation)")
                + ", " + (study.testImagesPerClass.map { "\($0) test images per class" } ?? "the whole test split")
                + "; \(study.batchReal) real images per class per step. `+kd` rows are students taught by a ConvNet trained on the same synthetic set; "
                + "`+teacher=FILE` rows by a network trained on the real training set, so they use real data at evaluation.",
        ]
    }

    /// Which numerics computed the rows' evaluations: one engine for all, or each with its rows.
    static func numericsLine(_ rows: [GeneralizationResults.Row]) -> String {
        let groups = Dictionary(grouping: rows) { $0.numerics ?? "not recorded" }
        if groups.count <= 1 { return "Evaluated with: \(groups.keys.first ?? "–")." }
        let ordered = rows.map { $0.numerics ?? "not recorded" }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        return "Evaluated with several numerics, which can move a network's accuracy by about a point: "
            + ordered.map { numerics in
                "\(numerics) (" + groups[numerics]!.map { "`\($0.setting.label)`" }.joined(separator: ", ") + ")"
            }.joined(separator: "; ") + "."
    }

    static func html(_ results: GeneralizationResults, directory: String, classNames: [String]?) throws -> String {
        var body = ["<h1>Generalisation study on \(escapeHTML(results.study.dataset.displayName)), ipc \(results.study.imagesPerClass)</h1>"]
        body += legend(results).map(HTMLPage.paragraph)
        body += accuracyTables(results).map(\.html)
        body.append(results.differenceTable().html)
        if let comparisons = results.comparisonTable() { body.append(comparisons.html) }
        body.append(
            BarChart(
                title: "Accuracy by architecture (whiskers: ± std over runs)", groups: results.study.architectures,
                series: results.rows.enumerated().map { index, row in
                    .init(
                        name: row.setting.label, color: BarChart.palette[index % BarChart.palette.count],
                        bars: results.study.architectures.map { BarChart.Bar(row.summary(of: $0)) })
                }
            ).svg())
        for row in results.rows where row.setting.adapt != nil {
            let log = (directory as NSString).appendingPathComponent(row.log)
            if let chart = try? PoolProbabilityChart(log: log, pool: row.setting.condensationRequest(study: results.study).modelPool()) {
                body.append("<h3>Pool probabilities, \(escapeHTML(row.setting.label))</h3>")
                body.append(chart.svg())
            }
        }
        body.append("<h2>Synthetic sets</h2>")
        // One figure per condensed set, captioned with every setting that evaluates it.
        var sets: [(synthetic: String, settings: [String])] = []
        for row in results.rows {
            if let index = sets.firstIndex(where: { $0.synthetic == row.synthetic }) {
                sets[index].settings.append(row.setting.label)
            } else {
                sets.append((row.synthetic, [row.setting.label]))
            }
        }
        for set in sets {
            let file = try SyntheticSetFile(contentsOf: (directory as NSString).appendingPathComponent(set.synthetic))
            let caption = set.settings.joined(separator: ", ")
            body.append(try SyntheticSetFigure(file: file, caption: caption, fallbackClassNames: classNames).html())
        }
        body.append(results.networksTable().html)
        return HTMLPage.render(title: "Generalisation study", labelColumns: 1, body: body)
    }
}

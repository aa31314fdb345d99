// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillEval
import Foundation

/// A titled table of text cells, rendered as Markdown for `table.md` and as
/// HTML for the report.
struct ResultTable {
    var title: String
    var header: [String]
    var rows: [[String]]

    var markdown: String {
        var lines = ["## \(title)", "", "| " + header.map(Self.markdownCell).joined(separator: " | ") + " |"]
        lines.append("|" + String(repeating: "---|", count: header.count))
        lines += rows.map { "| " + $0.map(Self.markdownCell).joined(separator: " | ") + " |" }
        return lines.joined(separator: "\n")
    }

    /// `text` as one Markdown table cell: a `|` (a teacher file may be named `a|b.safetensors`)
    /// would start a new cell and a line break end the row.
    static func markdownCell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: "\\n")
            .replacingOccurrences(of: "\r", with: "\\r")
    }

    var html: String {
        let head = header.map { "<th>\(escapeHTML($0))</th>" }.joined()
        let body = rows.map { "<tr>" + $0.map { "<td>\(escapeHTML($0))</td>" }.joined() + "</tr>" }.joined(separator: "\n")
        return "<h3>\(escapeHTML(title))</h3>\n<table>\n<tr>\(head)</tr>\n\(body)\n</table>"
    }
}

extension ModelPoolResults {
    /// Ours, in the paper's layout: rows ipc × method, one column per architecture.
    func mainTable(iteration: Int) -> ResultTable {
        oursTable(
            .main, iteration: iteration, rows: TableMethod.allCases.map { ($0.rawValue, $0.rawValue) },
            title: "Ours: \(experiment.dataset.displayName), iteration \(iteration)", rowHeader: "method")
    }

    /// Ours, the pool-setting ablation (no KD): rows ipc × pool setting.
    func ablationTable(iteration: Int) -> ResultTable {
        oursTable(
            .ablation, iteration: iteration, rows: PoolSetting.ablation.map { ($0.rawValue, $0.ablationLabel) },
            title: "Ours: pool-setting ablation, \(experiment.dataset.displayName), iteration \(iteration)",
            rowHeader: "pool")
    }

    /// Rows ipc × `rows` (each a cell key and its printed label) of `table`, one column per architecture.
    private func oursTable(
        _ table: ResultCell.Table, iteration: Int, rows: [(key: String, label: String)], title: String,
        rowHeader: String
    ) -> ResultTable {
        let architectures = experiment.architectures
        let lines = experiment.imagesPerClass.flatMap { ipc in
            rows.map { row in
                ["\(ipc)", row.label] + architectures.map {
                    cell(table: table, imagesPerClass: ipc, iteration: iteration, row: row.key, architecture: $0)?
                        .summary.formatted ?? "–"
                }
            }
        }
        return ResultTable(title: title, header: ["ipc", rowHeader] + architectures, rows: lines)
    }

    /// The model-pool paper's numbers, labelled as CIFAR-10.
    static func publishedTable(_ rows: [PublishedResults.Row], title: String, rowHeader: String) -> ResultTable {
        ResultTable(
            title: title, header: ["ipc", rowHeader] + PublishedResults.architectures,
            rows: rows.map { row in
                ["\(row.imagesPerClass)", row.label] + row.accuracies.map { $0.map { String(format: "%.2f", $0) } ?? "–" }
            })
    }

    /// What every number means, and how this run departs from the full experiment.
    var legend: [String] {
        let runs = experiment.evaluationRuns
        let kd = experiment.distillation
        var lines = [
            "Ours are on **\(experiment.dataset.displayName)** (\(experiment.dataset.name)); the published numbers are "
                + "**CIFAR-10** from the model-pool paper, so compare trends, not values.",
            "Ours: DC (gradient matching) with ConvNet as the main model; test accuracy (%) "
                + (runs == 1 ? "of one network per architecture" : "as mean ± population std over \(runs) networks per architecture")
                + ", trained for \(experiment.epochs.map(String.init) ?? "300") epochs"
                + (experiment.testImagesPerClass.map { " and tested on the first \($0) test images per class" } ?? " and tested on the whole test split")
                + ". KD rows: students trained with a \(kd.teacher) teacher, τ \(format(kd.temperature)), α \(format(kd.alpha)). "
                + "“diverged” marks runs whose loss went non-finite or whose accuracy is at chance level; they are left out of the mean. "
                + "Seed \(experiment.seed).",
            "Ours minus baseline: for each row, its accuracy minus the baseline row's, run by run (run i of both trains "
                + "from the same seed), averaged over the runs, with a 95 % percentile interval from 10,000 paired bootstrap "
                + "resamples of the runs (none for a single run); the mean column averages each run's differences over the "
                + "architectures other than \(Self.mainModel) first. Runs where either side diverged are left out of the pairs.",
        ]
        if let dc = PublishedResults.gradientMatchingConvNet[experiment.dataset] {
            let known = experiment.imagesPerClass.compactMap { ipc in dc[ipc].map { "\($0) (ipc \(ipc))" } }
            if !known.isEmpty {
                lines.append("Published DC with ConvNet on \(experiment.dataset.displayName) (1000 iterations): \(known.joined(separator: ", ")).")
            }
        }
        if experiment.quick {
            lines.append("**Quick run** with reduced settings: \(reductions.joined(separator: "; ")). These are not a reproduction.")
        }
        return lines
    }

    private func format(_ value: Float) -> String { String(format: "%g", Double(value)) }
}

/// `text` with the characters HTML gives meaning to escaped.
func escapeHTML(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}

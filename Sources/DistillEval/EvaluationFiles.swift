// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import Foundation

/// The tables and files an evaluation produces.
public enum EvaluationFiles {
    /// Writes `evaluation.csv` (one row per run) and `evaluation.json` (the whole report) atomically.
    public static func write(_ report: EvaluationReport, to directory: String) throws {
        var csv = "architecture,kd,run,accuracy,diverged,fell_back_to_ce,seconds\n"
        for result in report.results {
            for (kd, summary) in [(false, Optional(result.plain)), (true, result.distilled)] {
                guard let summary else { continue }
                for (index, run) in summary.runs.enumerated() {
                    let accuracy = run.accuracy.map { String(format: "%.2f", $0) } ?? ""
                    csv += "\(result.architecture),\(kd),\(index),\(accuracy),\(run.diverged),\(run.fellBackToCrossEntropy),"
                        + String(format: "%.1f", run.seconds) + "\n"
                }
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicWrite.write(csv, to: (directory as NSString).appendingPathComponent("evaluation.csv"))
        try AtomicWrite.write(encoder.encode(report), to: (directory as NSString).appendingPathComponent("evaluation.json"))
    }

    /// A readable table: accuracy mean ± std per architecture, with a KD column when present.
    public static func table(_ report: EvaluationReport) -> String {
        let hasKD = report.results.contains { $0.distilled != nil }
        let width = max(14, (report.results.map(\.architecture.count).max() ?? 0) + 2)
        var lines = ["architecture".padding(toLength: width, withPad: " ", startingAt: 0) + "accuracy (%)" + (hasKD ? "              with KD (%)" : "")]
        for result in report.results {
            var line = result.architecture.padding(toLength: width, withPad: " ", startingAt: 0)
                + result.plain.formatted.padding(toLength: 26, withPad: " ", startingAt: 0)
            if let distilled = result.distilled { line += distilled.formatted }
            lines.append(line.trimmingCharacters(in: .whitespaces))
        }
        lines.append(
            report.runsPerArchitecture == 1
                ? "(1 run each: its accuracy)"
                : "(\(report.runsPerArchitecture) runs each; mean ± population std over runs that did not diverge)")
        return lines.joined(separator: "\n")
    }

    /// One JSON object: `{"ConvNet": {"mean": 70.1, "std": 0.5, "runs": [...], "diverged": 0, "kd": {…}}, …}`.
    public static func summaryJSON(_ report: EvaluationReport) -> String {
        func entry(_ summary: AccuracySummary) -> [String: Any] {
            [
                "mean": summary.mean.map { ($0 * 100).rounded() / 100 } as Any? ?? NSNull(),
                "std": summary.std.map { ($0 * 100).rounded() / 100 } as Any? ?? NSNull(),
                "runs": summary.runs.map { run in run.accuracy.map { ($0 * 100).rounded() / 100 } as Any? ?? NSNull() },
                "diverged": summary.divergedCount,
            ]
        }
        var object: [String: Any] = [:]
        for result in report.results {
            var value = entry(result.plain)
            if let distilled = result.distilled { value["kd"] = entry(distilled) }
            object[result.architecture] = value
        }
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import Foundation

/// The tables and files an evaluation produces.
public enum EvaluationFiles {
    /// Writes `evaluation.csv` (one row per run) and `evaluation.json` (the whole report) atomically.
    ///
    /// The CSV's `kd_teacher` column says what a KD row's teacher was trained on:
    /// `evaluated-set`, or `real-data` for a teacher read from `--teacher-weights`
    /// (empty on rows without KD).
    public static func write(_ report: EvaluationReport, to directory: String) throws {
        var csv = "architecture,kd,run,accuracy,diverged,fell_back_to_ce,seconds,kd_teacher\n"
        let teacher = report.teacherTrainedOnRealData ? "real-data" : "evaluated-set"
        for result in report.results {
            for (kd, summary) in [(false, Optional(result.plain)), (true, result.distilled)] {
                guard let summary else { continue }
                for (index, run) in summary.runs.enumerated() {
                    let accuracy = run.accuracy.map { String(format: "%.2f", $0) } ?? ""
                    csv += "\(result.architecture),\(kd),\(index),\(accuracy),\(run.diverged),\(run.fellBackToCrossEntropy),"
                        + String(format: "%.1f", run.seconds) + ",\(kd ? teacher : "")\n"
                }
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicWrite.write(csv, to: (directory as NSString).appendingPathComponent("evaluation.csv"))
        try AtomicWrite.write(encoder.encode(report), to: (directory as NSString).appendingPathComponent("evaluation.json"))
    }

    /// A readable table: accuracy mean ± std per architecture, with a KD column when present.
    /// A teacher trained on real data heads the table and names the KD column,
    /// so those results are never read as KD from a teacher trained on the evaluated set.
    public static func table(_ report: EvaluationReport) -> String {
        let hasKD = report.results.contains { $0.distilled != nil }
        let width = max(14, (report.results.map(\.architecture.count).max() ?? 0) + 2)
        let kdHeader = report.teacherTrainedOnRealData ? "with KD, real-data teacher (%)" : "with KD (%)"
        var lines = realDataTeacherLine(report).map { [$0] } ?? []
        lines.append(
            "architecture".padding(toLength: width, withPad: " ", startingAt: 0) + "accuracy (%)"
                + (hasKD ? "              \(kdHeader)" : ""))
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
        if let training = trainingLine(report) { lines.append(training) }
        return lines.joined(separator: "\n")
    }

    /// `training: epochs 300, augmentation none`, per architecture where they differ;
    /// nil for a report that does not record it.
    static func trainingLine(_ report: EvaluationReport) -> String? {
        let described = report.results.compactMap { result in
            result.trainingProtocol.map { (result.architecture, "epochs \($0.epochs), augmentation \($0.augmentationName)") }
        }
        guard let first = described.first else { return nil }
        if described.allSatisfy({ $0.1 == first.1 }) { return "training: \(first.1)" }
        return "training: " + described.map { "\($0.0) \($0.1)" }.joined(separator: "; ")
    }

    /// `KD (teacher trained on real data: FILE; ConvNet on fashion-mnist, test accuracy 84.50%)`,
    /// or nil when the teacher was trained on the evaluated set.
    public static func realDataTeacherLine(_ report: EvaluationReport) -> String? {
        guard let source = report.distillation?.teacherWeights else { return nil }
        let details = report.realDataTeacher.map {
            "; \($0.model) on \($0.dataset), test accuracy " + String(format: "%.2f%%", $0.testAccuracy)
        }
        return "KD (teacher trained on real data: \(source.path)\(details ?? ""))"
    }

    /// One JSON object: `{"ConvNet": {"mean": 70.1, "std": 0.5, "runs": [...], "diverged": 0, "kd": {…}}, …}`;
    /// each `kd` entry says whether its teacher was trained on real data
    /// (`teacher_trained_on_real_data`, with `teacher_weights` naming the file).
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
            if let distilled = result.distilled {
                var kd = entry(distilled)
                kd["teacher_trained_on_real_data"] = report.teacherTrainedOnRealData
                if let source = report.distillation?.teacherWeights { kd["teacher_weights"] = source.path }
                value["kd"] = kd
            }
            object[result.architecture] = value
        }
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}

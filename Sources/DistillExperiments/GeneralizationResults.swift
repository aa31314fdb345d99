// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillEval
import DistillIO
import DistillTensor
import Foundation

/// What a `GeneralizationStudy` measured: one row per setting, as `results.json` holds it.
public struct GeneralizationResults: Sendable, Codable {
    public struct Row: Sendable, Codable {
        public var setting: StudySetting
        /// The evaluated set and the condensation's log, relative to the study directory.
        public var synthetic: String
        public var log: String
        /// Logged iteration time of the condensation (a resumed run counts its earlier stretches);
        /// nil when its log lacks some iterations, as for a set copied into the study directory.
        public var condensationSeconds: Double?
        public var evaluationSeconds: Double
        public var report: EvaluationReport
        /// The engine's numerics the evaluation ran with (`Numerics.description`); nil when not recorded.
        public var numerics: String?

        /// The summaries the row reports, by architecture: the KD students' for a `+kd` setting.
        public func summary(of architecture: String) -> AccuracySummary? {
            report.results.first { $0.architecture == architecture }.flatMap { setting.distilled ? $0.distilled : $0.plain }
        }
    }

    public var study: GeneralizationStudy
    /// The command line that ran the study.
    public var command: String
    public var rows: [Row]
    /// The settings not evaluated yet, while the study runs (the files are
    /// rewritten after every setting); nil once every setting has its row.
    public var pending: [StudySetting]?
    public var wallSeconds: Double

    /// The network the sets are condensed through; the mean over the others measures generalisation.
    static let mainModel = "ConvNet"

    /// The evaluation architectures other than the main model.
    var others: [String] { study.architectures.filter { $0 != Self.mainModel } }

    /// Mean and population std over runs of the per-run mean over `others`, using only runs where none diverged.
    func othersMean(_ row: Row) -> (mean: Double, std: Double, runs: Int)? {
        let summaries = others.compactMap { row.summary(of: $0) }
        guard summaries.count == others.count, !summaries.isEmpty else { return nil }
        let runCount = summaries.map(\.runs.count).min() ?? 0
        let means = (0..<runCount).compactMap { run -> Double? in
            let accuracies = summaries.compactMap { $0.runs[run].diverged ? nil : $0.runs[run].accuracy }
            return accuracies.count == summaries.count ? accuracies.reduce(0, +) / Double(accuracies.count) : nil
        }
        guard !means.isEmpty else { return nil }
        let mean = means.reduce(0, +) / Double(means.count)
        let std = (means.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(means.count)).squareRoot()
        return (mean, std, means.count)
    }

    /// One line with a row's main figures: ConvNet and the mean over the others.
    func summaryLine(_ row: Row) -> String {
        let convNet = row.summary(of: Self.mainModel).map { "\(Self.mainModel) \($0.formatted), " } ?? ""
        let mean = othersMean(row).map { $0.runs == 1 ? String(format: "%.2f", $0.mean) : String(format: "%.2f ± %.2f", $0.mean, $0.std) }
        return "\(row.setting.label): \(convNet)mean of \(others.count) others \(mean ?? "–")"
    }

    /// Accuracy per architecture, the mean over the others, and wall times; the rows
    /// taught by a teacher trained on real data form their own table, since they use
    /// the real training set at evaluation time.
    func accuracyTable(realDataTeacher: Bool) -> ResultTable {
        let rows = rows.filter { ($0.setting.teacherWeights != nil) == realDataTeacher }.map { row -> [String] in
            let cells = study.architectures.map { row.summary(of: $0)?.formatted ?? "–" }
            let mean = othersMean(row).map { $0.runs == 1 ? String(format: "%.2f", $0.mean) : String(format: "%.2f ± %.2f", $0.mean, $0.std) }
            return [row.setting.label] + cells + [mean ?? "–", duration(row.condensationSeconds), duration(row.evaluationSeconds)]
        }
        return ResultTable(
            title: "Test accuracy (%), mean ± population std over \(study.evaluationRuns) networks"
                + (realDataTeacher ? ": KD from a teacher trained on the real training set (uses real data at evaluation)" : ""),
            header: ["setting"] + study.architectures + ["mean of \(others.count) others", "condensation (h:mm:ss)", "evaluation (h:mm:ss)"],
            rows: rows)
    }

    /// Every setting minus the baseline (the first row), paired by run, with 95 % bootstrap intervals.
    func differenceTable() -> ResultTable {
        let table = rows.dropFirst().map { row -> [String] in
            [row.setting.label + (row.setting.teacherWeights != nil ? " (real-data teacher)" : "")] + differences(row, minus: rows[0])
        }
        return ResultTable(
            title: "Minus the baseline (\(rows.first?.setting.label ?? "–")), accuracy points, 95 % paired-bootstrap interval",
            header: ["setting", Self.mainModel, "mean of \(others.count) others"], rows: table)
    }

    /// The study's compared pairs, each setting minus its control like the
    /// differences to the baseline; nil when it names none. A pair whose rows
    /// are not both done yet shows "–".
    func comparisonTable() -> ResultTable? {
        guard !study.comparisons.isEmpty else { return nil }
        let table = study.comparisons.map { comparison -> [String] in
            let label = "\(comparison.setting.label) minus \(comparison.control.label)"
            guard let row = rows.first(where: { $0.setting == comparison.setting }),
                let control = rows.first(where: { $0.setting == comparison.control })
            else { return [label, "–", "–"] }
            return [label] + differences(row, minus: control)
        }
        return ResultTable(
            title: "Compared pairs, accuracy points, 95 % paired-bootstrap interval",
            header: ["setting minus control", Self.mainModel, "mean of \(others.count) others"], rows: table)
    }

    /// `row` minus `control` on the main model and on the mean over the others, each
    /// paired by run. The bootstrap's draws are seeded by the study seed and the two
    /// settings alone, so a pair has the same interval in every study that holds it,
    /// whatever the other settings and their order.
    private func differences(_ row: Row, minus control: Row) -> [String] {
        let bootstrap = PairedBootstrap()
        var root = SeededGenerator(
            seed: derivedSeed(study.seed, 0x6E4E_7A11, FNV1a.hash(row.setting.label.utf8), FNV1a.hash(control.setting.label.utf8)))
        return [[Self.mainModel], others].map { group -> String in
            var generator = root.split()
            let baseline = group.compactMap { control.summary(of: $0) }
            let setting = group.compactMap { row.summary(of: $0) }
            guard baseline.count == group.count, setting.count == group.count,
                let interval = try? bootstrap.meanDifference(baseline: baseline, setting: setting, using: &generator)
            else { return "–" }
            return interval.formatted + (interval.pairs < study.evaluationRuns ? " (\(interval.pairs) of \(study.evaluationRuns) pairs)" : "")
        }
    }

    /// Every network's accuracy, from which the means and the paired intervals can be
    /// checked: network r of an architecture is seeded alike in every setting.
    func networksTable() -> ResultTable {
        let table = rows.flatMap { row in
            study.architectures.compactMap { architecture -> [String]? in
                row.summary(of: architecture).map { summary in
                    [row.setting.label, architecture]
                        + summary.runs.map { run in
                            run.accuracy.map { String(format: "%.2f", $0) }.map { run.diverged ? "\($0) (diverged)" : $0 } ?? "diverged"
                        }
                }
            }
        }
        return ResultTable(
            title: "Every network's test accuracy (%)",
            header: ["setting", "architecture"] + (1...max(1, study.evaluationRuns)).map { "network \($0)" }, rows: table)
    }

    /// Hours, minutes and seconds alike in every row, so a column reads at a glance.
    private func duration(_ seconds: Double?) -> String {
        guard let seconds else { return "–" }
        // A time edited into a cache entry or log may be anything; past Int's range the conversion would trap.
        guard seconds.isFinite, seconds >= 0, seconds < 1e15 else { return "?" }
        let whole = Int(seconds.rounded())
        return String(format: "%d:%02d:%02d", whole / 3600, whole / 60 % 60, whole % 60)
    }
}

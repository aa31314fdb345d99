// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillEval

/// Everything a model-pool experiment produced, as written to `results.json`.
public struct ModelPoolResults: Sendable, Codable, Equatable {
    /// The settings the experiment ran with.
    public var experiment: ModelPoolExperiment
    /// How a quick run departs from the full experiment (empty for a full run).
    public var reductions: [String]
    public var condensations: [CondensationRecord]
    public var evaluations: [EvaluationRecord]
    /// One entry per table cell: ours, for every row of both tables.
    public var cells: [ResultCell]
    /// Wall-clock seconds of this invocation (cached stages cost almost nothing).
    public var wallSeconds: Double
    /// Condensation iterations this invocation ran (0 when every set was reused).
    public var iterationsRun: Int
    /// Evaluations this invocation ran (0 when every result came from the cache).
    public var evaluationsRun: Int

    /// The cell of `architecture` in `row` (a `TableMethod` or `PoolSetting` raw value) of `table`.
    public func cell(table: ResultCell.Table, imagesPerClass: Int, iteration: Int, row: String, architecture: String) -> ResultCell? {
        cells.first {
            $0.table == table && $0.imagesPerClass == imagesPerClass && $0.iteration == iteration && $0.row == row
                && $0.architecture == architecture
        }
    }
}

/// One condensation run directory and the sets it kept.
public struct CondensationRecord: Sendable, Codable, Equatable {
    public var imagesPerClass: Int
    public var setting: PoolSetting
    /// The `--pool` value it ran with.
    public var pool: String
    /// The run directory, relative to the experiment directory.
    public var directory: String
    public var snapshots: [Snapshot]

    public struct Snapshot: Sendable, Codable, Equatable {
        public var iteration: Int
        /// The synthetic set and its picture, relative to the experiment directory.
        public var file: String
        public var grid: String
        /// Condensation seconds spent to reach this iteration, from the run's log; nil when the log lacks some iterations.
        public var seconds: Double?
    }
}

/// One evaluation of a kept synthetic set.
public struct EvaluationRecord: Sendable, Codable, Equatable {
    public var imagesPerClass: Int
    public var setting: PoolSetting
    public var iteration: Int
    /// Whether KD students were trained too.
    public var distilled: Bool
    /// The cached result, relative to the experiment directory.
    public var file: String
    /// Seconds the evaluation took when it ran.
    public var seconds: Double
    public var report: EvaluationReport
}

/// One cell of the paper's tables: our accuracies for one architecture.
public struct ResultCell: Sendable, Codable, Equatable {
    public enum Table: String, Sendable, Codable {
        /// Baseline, model pool, KD, pool + KD.
        case main
        /// The pool-setting ablation.
        case ablation
    }

    public var table: Table
    public var imagesPerClass: Int
    public var iteration: Int
    /// A `TableMethod` raw value (main table) or a `PoolSetting` raw value (ablation).
    public var row: String
    public var setting: PoolSetting
    public var distilled: Bool
    public var architecture: String
    /// Every run, mean and population std over the runs that did not diverge.
    public var summary: AccuracySummary
}

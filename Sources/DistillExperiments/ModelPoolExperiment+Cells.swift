// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillEval

extension ModelPoolExperiment {
    /// The cells of both tables, drawn from the evaluations: the main table's
    /// rows read the baseline and pool sets' plain and KD results; the
    /// ablation's rows read each pool setting's plain results.
    func cells(from evaluations: [EvaluationRecord]) -> [ResultCell] {
        var cells: [ResultCell] = []
        for evaluation in evaluations {
            for result in evaluation.report.results {
                func cell(_ table: ResultCell.Table, row: String, distilled: Bool, _ summary: AccuracySummary) -> ResultCell {
                    ResultCell(
                        table: table, imagesPerClass: evaluation.imagesPerClass, iteration: evaluation.iteration, row: row,
                        setting: evaluation.setting, distilled: distilled, architecture: result.architecture, summary: summary)
                }
                for method in TableMethod.allCases where method.setting == evaluation.setting {
                    guard let summary = method.distilled ? result.distilled : result.plain else { continue }
                    cells.append(cell(.main, row: method.rawValue, distilled: method.distilled, summary))
                }
                if poolAblation, PoolSetting.ablation.contains(evaluation.setting) {
                    cells.append(cell(.ablation, row: evaluation.setting.rawValue, distilled: false, result.plain))
                }
            }
        }
        return cells
    }
}

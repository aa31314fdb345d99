// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillEval
import DistillTensor

extension PairedBootstrap {
    /// The paired difference `setting − baseline` of evaluation summaries, averaged over
    /// architectures at each run index (one summary each for a single architecture).
    ///
    /// Only the run indices at which no summary's run diverged are paired; a diverged run has
    /// no accuracy to compare, and dropping the whole index keeps every pair on one seed.
    ///
    /// - Parameters:
    ///   - baseline: per architecture, the baseline's summary.
    ///   - setting: the same architectures in the same order.
    ///   - generator: the source of every resampling draw.
    /// - Returns: nil when no run index is left to pair.
    /// - Throws: `PairedBootstrapError` for unequal architecture counts or bad settings.
    public func meanDifference(
        baseline: [AccuracySummary], setting: [AccuracySummary], using generator: inout SeededGenerator
    ) throws -> Interval? {
        guard baseline.count == setting.count else {
            throw PairedBootstrapError.architectureCountMismatch(baseline: baseline.count, setting: setting.count)
        }
        let summaries = baseline + setting
        let runCount = summaries.map(\.runs.count).min() ?? 0
        let paired = (0..<runCount).filter { run in
            summaries.allSatisfy { !$0.runs[run].diverged && $0.runs[run].accuracy != nil }
        }
        guard !paired.isEmpty else { return nil }
        func accuracies(_ summaries: [AccuracySummary]) -> [[Double]] {
            summaries.map { summary in paired.map { summary.runs[$0].accuracy! } }
        }
        return try meanDifference(baseline: accuracies(baseline), setting: accuracies(setting), using: &generator)
    }
}

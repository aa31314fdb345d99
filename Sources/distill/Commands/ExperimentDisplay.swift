// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillExperiments
import Foundation

/// Shows an experiment's events: stage lines on standard output, one
/// rewritten progress line, and the result table as soon as it exists.
final class ExperimentDisplay {
    private var line = ProgressLine()
    private var lastUpdate = Date.distantPast
    /// Whether the result table has been printed (so a later failure to write loses nothing).
    private(set) var shownResults = false

    func show(_ event: ExperimentEvent) {
        switch event {
        case .finished(let table):
            // The table goes out before the files are written, so a failed write loses nothing.
            line.finish()
            print(table)
            fflush(stdout)
            shownResults = true
        case .stage(let text):
            line.finish()
            print(text)
            // Stage lines share a log with the progress lines on standard error; keep them in order.
            fflush(stdout)
        case let .condensation(report, total):
            line.update(
                "  iteration \(report.iteration + 1)/\(total)  loss \(String(format: "%.4f", report.loss))  "
                    + "\(report.architecture)  \(String(format: "%.1f", report.seconds)) s/it")
        case .evaluation(let progress):
            guard Date().timeIntervalSince(lastUpdate) > 0.5 || progress.finishedAccuracy != nil else { return }
            lastUpdate = Date()
            if let text = progress.line(distilledLabel: " +KD") { line.update("  " + text) }
        }
    }

    func finish() { line.finish() }
}

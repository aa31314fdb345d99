// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillEval
import Foundation

/// A single self-overwriting status line on standard error, so standard
/// output stays clean for tables and JSON.
struct ProgressLine {
    private var lastWidth = 0
    private let isTerminal = isatty(FileHandle.standardError.fileDescriptor) != 0

    /// Replaces the current line with `text` (on a terminal) or prints it as a line (in a log).
    mutating func update(_ text: String) {
        if isTerminal {
            let padding = String(repeating: " ", count: max(0, lastWidth - text.count))
            FileHandle.standardError.write(Data("\r\(text)\(padding)".utf8))
            lastWidth = text.count
        } else {
            FileHandle.standardError.write(Data("\(text)\n".utf8))
        }
    }

    /// Ends the line so later output starts on a fresh one.
    mutating func finish() {
        if isTerminal && lastWidth > 0 { FileHandle.standardError.write(Data("\n".utf8)) }
        lastWidth = 0
    }
}

/// `1h02m`, `3m05s` or `12s`.
func formatDuration(_ seconds: Double) -> String {
    // Past Int's range the conversion would trap; no estimate that long means anything.
    guard seconds.isFinite, seconds >= 0, seconds < 1e15 else { return "?" }
    let total = Int(seconds.rounded())
    // %ld: hours beyond Int32 would print negative with %d.
    if total >= 3600 { return String(format: "%ldh%02ldm", total / 3600, total % 3600 / 60) }
    if total >= 60 { return String(format: "%ldm%02lds", total / 60, total % 60) }
    return "\(total)s"
}

extension EvaluationProgress {
    /// The progress line of one training: its epoch, loss and time left, or the accuracy it ended with.
    /// - Parameter distilledLabel: what follows the architecture for a KD student, e.g. " +KD".
    func line(distilledLabel: String) -> String? {
        let name = "\(architecture)\(distilled ? distilledLabel : "") run \(run + 1)/\(runs)"
        if let finishedAccuracy { return "\(name): \(String(format: "%.2f", finishedAccuracy))%" }
        guard let t = training else { return nil }
        return "\(name)  epoch \(t.epoch)/\(t.epochs)  loss \(String(format: "%.4f", t.loss))  ETA \(formatDuration(t.secondsRemaining))"
    }
}

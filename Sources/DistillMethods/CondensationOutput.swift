// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import DistillTensor
import Foundation

/// The files of one condensation run in its output directory:
/// `synthetic.safetensors`, `synthetic.png`, `log.jsonl` and `checkpoint.json`.
///
/// Every file but the log is replaced atomically. The log gets one complete
/// line per iteration in a single write; a resumed run first drops the lines
/// of iterations after its checkpoint, so the log never repeats an iteration.
public struct CondensationOutput: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public var syntheticPath: String { path(SyntheticSetFile.fileName) }
    public var gridPath: String { path("synthetic.png") }
    public var logPath: String { path("log.jsonl") }
    public var checkpointPath: String { path("checkpoint.json") }

    private func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    /// The state saved by the last `saveCheckpoint`.
    /// - Throws: `CondensationError.missingCheckpoint` when there is none, or a decoding error.
    public func loadCheckpoint() throws -> CondensationState {
        guard let data = FileManager.default.contents(atPath: checkpointPath) else {
            throw CondensationError.missingCheckpoint(path: checkpointPath)
        }
        return try JSONDecoder().decode(CondensationState.self, from: data)
    }

    /// Saves `state` so a later run can continue from it exactly.
    public func saveCheckpoint(_ state: CondensationState) throws {
        try AtomicWrite.write(JSONEncoder().encode(state), to: checkpointPath)
    }

    /// Appends one iteration's report as a JSON line.
    public func appendLog(_ report: IterationReport) throws {
        let line = try JSONEncoder().encode(report) + Data("\n".utf8)
        if !FileManager.default.fileExists(atPath: logPath) {
            try AtomicWrite.write(line, to: logPath)
            return
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: line)
    }

    /// Rewrites the log keeping only iterations before `iteration` (for a resumed run).
    public func truncateLog(before iteration: Int) throws {
        guard let data = FileManager.default.contents(atPath: logPath) else { return }
        let kept = String(decoding: data, as: UTF8.self).split(separator: "\n").filter { line in
            guard let report = try? JSONDecoder().decode(IterationReport.self, from: Data(line.utf8)) else { return false }
            return report.iteration < iteration
        }
        try AtomicWrite.write(kept.map { $0 + "\n" }.joined(), to: logPath)
    }

    /// Writes the synthetic set and its picture (one row per class, de-normalised).
    public func writeSynthetic(_ synthetic: SyntheticSet, metadata: [String: String], mean: [Float], std: [Float]) throws {
        try SyntheticSetFile(images: synthetic.images, labels: synthetic.labels, metadata: metadata).write(to: syntheticPath)
        let grid = ImageGrid.png(synthetic.images, columns: synthetic.imagesPerClass, mean: mean, std: std)
        try AtomicWrite.write(grid, to: gridPath)
    }
}

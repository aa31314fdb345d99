// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import DistillTensor
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The files of one condensation run in its output directory:
/// `synthetic.safetensors`, `synthetic.png`, `log.jsonl` and `checkpoint.json`.
///
/// Every file but the log is replaced atomically (`AtomicWrite`). The log gets
/// one complete line per iteration in a single append; a resumed run first
/// drops the lines of iterations after its checkpoint, so the log never
/// repeats an iteration, and a fresh run replaces the log whole at its first checkpoint.
/// The log is written before the checkpoint, so it always holds every iteration the checkpoint has done.
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

    /// Whether the directory holds (part of) a run: a checkpoint, a log or a synthetic set.
    public var holdsRun: Bool {
        [checkpointPath, logPath, syntheticPath].contains { FileManager.default.fileExists(atPath: $0) }
    }

    /// Throws `NotARegularFileError` when one of the run's file names is taken by
    /// something else (a directory, a FIFO, a device): checked before the first
    /// iteration, as a run found it only at its first checkpoint, after the
    /// checkpoint was written and with the log lines held until then lost.
    public func checkDestinations() throws {
        for path in [syntheticPath, gridPath, logPath, checkpointPath] { try AtomicWrite.checkDestination(path) }
    }

    /// The state saved by the last `saveCheckpoint`.
    /// - Throws: `CondensationError.missingCheckpoint` when there is none, `.invalidCheckpoint` when it is not one.
    public func loadCheckpoint() throws -> CondensationState {
        try loadCheckpointFile().state
    }

    /// The state and the settings saved by the last `saveCheckpoint` (settings nil in older checkpoints).
    func loadCheckpointFile() throws -> CheckpointFile {
        var status = stat()
        guard stat(checkpointPath, &status) == 0 else {
            if errno == ENOENT { throw CondensationError.missingCheckpoint(path: checkpointPath) }
            throw FileSystemError(action: "read", path: checkpointPath, errno: errno)
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw CondensationError.invalidCheckpoint(path: checkpointPath, reason: "it is not a regular file")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: checkpointPath))
        } catch {
            throw FileSystemError(foundation: error) ?? error
        }
        do {
            return try JSONDecoder().decode(CheckpointFile.self, from: data)
        } catch let error as DecodingError {
            throw CondensationError.invalidCheckpoint(path: checkpointPath, reason: error.plainReason(json: data))
        }
    }

    /// Saves `state` so a later run can continue from it exactly.
    public func saveCheckpoint(_ state: CondensationState) throws {
        try saveCheckpoint(state, settings: nil)
    }

    /// Saves `state` with the run's settings, which `--resume` checks.
    func saveCheckpoint(_ state: CondensationState, settings: RunSettings?) throws {
        try AtomicWrite.write(JSONEncoder().encode(CheckpointFile(state: state, settings: settings)), to: checkpointPath)
    }

    /// Appends one iteration's report as a JSON line.
    public func appendLog(_ report: IterationReport) throws {
        try AtomicWrite.append(JSONEncoder().encode(report) + Data("\n".utf8), to: logPath)
    }

    /// Starts a fresh run's log with `reports`, one line each, replacing an earlier run's log.
    ///
    /// An earlier run's checkpoint is removed first (after the lines are encoded), so that a
    /// failure from here on cannot leave it beside this run's log, where a resume would mix the two.
    public func startLog(with reports: [IterationReport]) throws {
        let encoder = JSONEncoder()
        let lines = try reports.map { try encoder.encode($0) + Data("\n".utf8) }.reduce(Data(), +)
        if unlink(checkpointPath) != 0, errno != ENOENT {
            throw FileSystemError(action: "remove", path: checkpointPath, errno: errno)
        }
        try AtomicWrite.write(lines, to: logPath)
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

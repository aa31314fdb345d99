// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillCluster
import DistillData
import DistillIO
import DistillMethods
import Foundation

/// One condensation run directory that keeps the synthetic set at several
/// iteration counts: `synthetic-iter<N>.safetensors` and `synthetic-iter<N>.png`
/// beside the usual files of `CondensationOutput`.
///
/// It runs the ordinary `CondensationRequest` to the first count, then
/// resumes it from its checkpoint to each later count. An iteration's draws
/// depend only on the seed and its number, so the kept sets are the ones an
/// uninterrupted run passes through, and a killed run continues from its last
/// checkpoint when the same experiment is started again.
struct SnapshotCondensation {
    /// The condensation, without an iteration count or resume flag (both are set per segment).
    let request: CondensationRequest
    let output: CondensationOutput
    /// Iteration counts to keep, strictly increasing.
    let snapshots: [Int]

    init(request: CondensationRequest, directory: String, snapshots: [Int]) {
        var request = request
        request.iterations = nil
        request.resume = false
        request.force = false
        self.request = request
        self.output = CondensationOutput(directory: directory)
        self.snapshots = snapshots
    }

    /// The kept synthetic set at `iteration`.
    func snapshotPath(_ iteration: Int) -> String { path("synthetic-iter\(iteration).safetensors") }
    /// The kept picture at `iteration`.
    func gridPath(_ iteration: Int) -> String { path("synthetic-iter\(iteration).png") }
    /// The request this directory was made with, checked before it is reused.
    var requestPath: String { path("condensation-request.json") }

    /// Makes every missing snapshot, continuing from the checkpoint where it can.
    ///
    /// Every rank runs the condensation (its classes split over the ranks);
    /// rank 0 alone checks the directory, decides which snapshots are missing
    /// and whether a segment resumes, and copies the kept sets; every rank
    /// then sees the same decisions.
    ///
    /// - Parameters:
    ///   - group: the processes of the job (collective: every rank calls this).
    ///   - progress: called after every iteration run, with the segment's target count.
    /// - Returns: the number of iterations run (0 when every snapshot already existed).
    /// - Throws: `ExperimentError.conflictingRun` when the directory was made with
    ///   other settings, or the condensation's own errors.
    func run(
        locator: DataLocator, group: any ProcessGroup = SingleProcess(), progress: (IterationReport, Int) -> Void
    ) throws -> Int {
        let claimedNow = try group.leaderDecides { try claimDirectory() }
        let missing = try group.leaderDecides {
            try snapshots.filter { target in
                guard FileManager.default.fileExists(atPath: snapshotPath(target)) else { return true }
                try checkKept(target)
                return false
            }
        }
        do {
            return try run(missing: missing, locator: locator, group: group, progress: progress)
        } catch {
            // A condensation refused before its first checkpoint (too large, too few real images)
            // leaves nothing that would block the corrected experiment from claiming the directory.
            if group.isLeader && claimedNow { removeIfUnused() }
            throw error
        }
    }

    private func run(
        missing: [Int], locator: DataLocator, group: any ProcessGroup, progress: (IterationReport, Int) -> Void
    ) throws -> Int {
        var ran = 0
        for target in missing {
            var segment = request
            segment.iterations = target
            // A checkpoint past the target cannot be wound back; start over then.
            segment.resume = try group.leaderDecides {
                (try? output.loadCheckpoint()).map { $0.iteration <= target } ?? false
            }
            // The directory is this experiment's own (claimDirectory checked it): start over in it freely.
            segment.force = !segment.resume
            _ = try segment.run(locator: locator, output: output, group: group) { report, total in
                ran += 1
                progress(report, total)
            }
            if group.isLeader {
                try AtomicWrite.write(Data(contentsOf: URL(fileURLWithPath: output.syntheticPath)), to: snapshotPath(target))
                try AtomicWrite.write(Data(contentsOf: URL(fileURLWithPath: output.gridPath)), to: gridPath(target))
            }
            // The other ranks read the kept set for its evaluation once rank 0 has written it.
            try group.synchronize()
        }
        return ran
    }

    /// Seconds the condensation spent on its first `iteration` iterations, from its log
    /// (so a resumed run counts the time spent before it was stopped); nil when the
    /// log lacks some of them, as for a set copied in from elsewhere, whose time is not known here.
    func seconds(upTo iteration: Int) -> Double? {
        guard let data = FileManager.default.contents(atPath: output.logPath) else { return nil }
        var seconds: [Int: Double] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let report = try? JSONDecoder().decode(IterationReport.self, from: Data(line.utf8)),
                report.iteration < iteration
            else { continue }
            seconds[report.iteration] = report.seconds
        }
        // Summed in iteration order: a dictionary's order changes from process to process,
        // and with it the last digits of the sum that results.json records.
        return seconds.count == iteration ? seconds.keys.sorted().reduce(0) { $0 + seconds[$1]! } : nil
    }

    /// Records the request in the directory, or checks that the recorded one is the same.
    /// - Returns: whether the request was recorded now (the directory was not this condensation's before).
    private func claimDirectory() throws -> Bool {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        if let data = FileManager.default.contents(atPath: requestPath) {
            let recorded: CondensationRequest
            do {
                recorded = try JSONDecoder().decode(CondensationRequest.self, from: data)
            } catch let error as DecodingError {
                throw ExperimentError.unreadableRunFile(path: requestPath, reason: error.plainReason(json: data))
            }
            guard try encoder.encode(recorded) == encoder.encode(request) else {
                throw ExperimentError.conflictingRun(
                    directory: output.directory, reason: "its \((requestPath as NSString).lastPathComponent) differs")
            }
            return false
        }
        try AtomicWrite.write(encoder.encode(request), to: requestPath)
        return true
    }

    /// Refuses a kept set that this condensation did not make (one copied over it from another
    /// run, say), which the experiment would otherwise evaluate under this setting's name:
    /// its metadata must record this request at `target` iterations.
    /// - Throws: `ExperimentError.conflictingRun`, or the reader's error for a damaged file.
    private func checkKept(_ target: Int) throws {
        let metadata = try SyntheticSetFile(contentsOf: snapshotPath(target)).metadata
        let expected: [(String, String?)] = [
            ("dataset", request.dataset.name), ("method", request.method), ("ipc", String(request.imagesPerClass)),
            ("pool", request.pool), ("pool_adapt", request.poolAdapt), ("pool_step", request.poolStep),
            ("seed", String(request.seed)), ("iteration", String(target)),
        ]
        for (key, value) in expected where metadata[key] != value {
            throw ExperimentError.conflictingRun(
                directory: output.directory,
                reason: "its kept set \((snapshotPath(target) as NSString).lastPathComponent) records \(key) "
                    + "\(metadata[key] ?? "none"), this condensation \(value ?? "none")")
        }
    }

    /// Removes the directory when it holds nothing but the recorded request and the condensation's lock file.
    private func removeIfUnused() {
        let unused: Set = [(requestPath as NSString).lastPathComponent, RunDirectoryLock.fileName]
        guard let contents = try? FileManager.default.contentsOfDirectory(atPath: output.directory),
            Set(contents).isSubset(of: unused)
        else { return }
        for name in contents { unlink(path(name)) }
        rmdir(output.directory)
    }

    private func path(_ name: String) -> String { (output.directory as NSString).appendingPathComponent(name) }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillCluster
import DistillData
import DistillEval
import DistillIO
import DistillTensor
import Foundation

/// Evaluation results kept as JSON in the experiment directory
/// (`evaluations/<run>-iter<N>[-kd].json`), so a restarted experiment
/// reuses every evaluation that finished.
///
/// An evaluation is 30 trainings or more, and may take longer than a job's
/// allotment: each training is also kept as soon as it finishes
/// (`evaluations/<name>-runs/<cell>.json`), so a stopped evaluation resumes
/// with the trainings under way and loses no finished one. The whole entry
/// replaces them when the evaluation completes.
///
/// A cached result is used only when it was made with exactly the same
/// evaluation settings, of a set with the same bytes; otherwise it is evaluated
/// again and replaced. (A set condensed again in the same place, say on another
/// CPU after its run directory was removed, is not given the old set's results.)
struct EvaluationCache {
    let directory: String

    /// What decides an evaluation's outcome besides the synthetic set.
    struct Key: Codable, Equatable {
        var synthetic: String
        var architectures: [String]
        var runs: Int
        var epochs: Int?
        var testImagesPerClass: Int?
        var distillation: DistillationSettings?
        var seed: UInt64
        /// Nil for the method's own protocol, so entries cached before the option existed still match.
        var evaluationProtocol: EvaluationProtocol?
    }

    struct Entry: Codable {
        var key: Key
        /// The evaluated set's size and hash; nil in entries older than the field, taken on their key alone.
        var set: FileFingerprint?
        var seconds: Double
        var report: EvaluationReport
        /// `Numerics.description` of the process that finished the evaluation; nil in entries older than the field.
        var numerics: String?
    }

    /// One finished training of an evaluation still in progress.
    struct FinishedRun: Codable {
        var key: Key
        /// The set it trained on, as `Entry.set`.
        var set: FileFingerprint?
        /// The training's index in the evaluation's grid (`EvaluationPlan.cells`).
        var cell: Int
        var result: RunResult
    }

    /// The cache file for `name`, relative to the experiment directory.
    static func relativePath(_ name: String) -> String { "evaluations/\(name).json" }

    /// The folder of the finished trainings of `name`, relative to the experiment directory.
    static func runsPath(_ name: String) -> String { "evaluations/\(name)-runs" }

    /// Creates the cache's folder, so that a file in its way is found before any work.
    /// - Throws: `FileSystemError`.
    func prepare() throws {
        try AtomicWrite.makeDirectories((directory as NSString).appendingPathComponent("evaluations"))
    }

    /// The cached evaluation `name` made with `key` of the set `set`; nil when there
    /// is none, or when the file is damaged, holds other results than `key` asks
    /// for, or evaluated other bytes (it is then evaluated again and replaced).
    func lookup(_ name: String, key: Key, set: FileFingerprint) -> Entry? {
        guard let data = FileManager.default.contents(atPath: path(name)),
            let entry = try? JSONDecoder().decode(Entry.self, from: data), entry.key == key, Self.holds(entry.report, for: key),
            entry.set == nil || entry.set == set, Self.isTime(entry.seconds)
        else { return nil }
        return entry
    }

    /// The fingerprint of the set at `path`, for `lookup` and `evaluate`.
    /// - Throws: `FileSystemError` when it cannot be read.
    static func fingerprint(ofSetAt path: String) throws -> FileFingerprint {
        FileFingerprint(of: try RegularFile.contents(atPath: path))
    }

    /// Whether `report` has one result per architecture of `key`, in order, each
    /// of `key.runs` trainings, with KD results exactly when `key` asks for KD.
    private static func holds(_ report: EvaluationReport, for key: Key) -> Bool {
        report.results.map(\.architecture) == key.architectures
            && report.results.allSatisfy {
                $0.plain.runs.count == key.runs && $0.distilled?.runs.count == (key.distillation == nil ? nil : key.runs)
            }
    }

    /// Whether `seconds` can be a measured wall time (none is longer than the time since 1970): an entry
    /// holding another was damaged (edited) and is evaluated again.
    private static func isTime(_ seconds: Double) -> Bool { seconds >= 0 && seconds <= Date().timeIntervalSince1970 }

    /// Caches a finished evaluation, and drops the trainings kept on the way (the entry holds them).
    func store(_ entry: Entry, as name: String) throws {
        try AtomicWrite.write(Self.encoded(entry), to: path(name))
        try? FileManager.default.removeItem(atPath: runsFolder(name))
    }

    /// Evaluates `training` with `request` as the evaluation `name`, reusing the
    /// trainings a stopped run kept and keeping each new one as it finishes.
    /// The entry's time is this run's wall time plus the kept trainings' own.
    /// Collective: every rank calls it; the caller stores the entry.
    ///
    /// - Parameter trainedElsewhere: results of cells another evaluation already
    ///   holds (the same on every rank), not trained again; their time is that evaluation's.
    func evaluate(
        _ request: EvaluationRequest, on training: TrainingSet, as name: String, key: Key, set: FileFingerprint, group: any ProcessGroup,
        trainedElsewhere: [Int: RunResult] = [:], resumed: (_ reusedTrainings: Int) -> Void,
        progress: (EvaluationProgress) -> Void
    ) throws -> Entry {
        // A place the results cannot be written to is found before the trainings, not after them.
        if group.isLeader {
            try AtomicWrite.checkDestination(path(name))
            try AtomicWrite.makeDirectories(runsFolder(name))
        }
        let kept = try finishedRuns(of: name, key: key, set: set, group: group)
        if !kept.isEmpty { resumed(kept.count) }
        let started = Date()
        // The optional progress parameter counts as escaping, though `run` only calls it before returning.
        let report = try withoutActuallyEscaping(progress) { progress in
            try request.run(
                on: training, group: group, finishedRuns: trainedElsewhere.merging(kept) { _, kept in kept }, progress: progress,
                runFinished: { try keep($1, cell: $0, of: name, key: key, set: set) })
        }
        let seconds = Date().timeIntervalSince(started) + kept.values.reduce(0) { $0 + $1.seconds }
        return Entry(key: key, set: set, seconds: seconds, report: report, numerics: Numerics.description)
    }

    /// The trainings of `name` kept by an earlier, stopped run with the same `key`
    /// and set, by cell index, as rank 0 reads them (the same on every rank).
    private func finishedRuns(of name: String, key: Key, set: FileFingerprint, group: any ProcessGroup) throws -> [Int: RunResult] {
        try group.leaderDecides {
            let folder = runsFolder(name)
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            var runs: [Int: RunResult] = [:]
            for file in files where file.hasSuffix(".json") && !file.hasPrefix(".") {
                guard let data = FileManager.default.contents(atPath: (folder as NSString).appendingPathComponent(file)),
                    let run = try? JSONDecoder().decode(FinishedRun.self, from: data), run.key == key,
                    run.set == nil || run.set == set
                else { continue }
                runs[run.cell] = run.result
            }
            return runs
        }
    }

    /// Keeps one finished training of `name` (on the rank that trained it: the
    /// ranks of a job share the experiment directory, as they share its sets).
    private func keep(_ result: RunResult, cell: Int, of name: String, key: Key, set: FileFingerprint) throws {
        let file = (runsFolder(name) as NSString).appendingPathComponent("\(cell).json")
        try AtomicWrite.write(Self.encoded(FinishedRun(key: key, set: set, cell: cell, result: result)), to: file)
    }

    private static func encoded(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(value)
    }

    private func path(_ name: String) -> String {
        (directory as NSString).appendingPathComponent(Self.relativePath(name))
    }

    private func runsFolder(_ name: String) -> String {
        (directory as NSString).appendingPathComponent(Self.runsPath(name))
    }
}

extension Dataset {
    /// The first `count` images of every class, in split order: a smaller,
    /// balanced test set for quick runs that every setting shares.
    func firstImages(perClass count: Int) -> Dataset {
        let kept = (0..<classCount).flatMap { self.indices(ofClass: $0).prefix(count) }.sorted()
        return Dataset(
            kind: kind, split: split, images: self.images(at: kept), labels: kept.map { self.labels[$0] },
            classNames: classNames, normalization: normalization)
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData
import DistillEval
import DistillIO
import Foundation

/// Evaluation results kept as JSON in the experiment directory
/// (`evaluations/<run>-iter<N>[-kd].json`), so a restarted experiment
/// reuses every evaluation that finished.
///
/// A cached result is used only when it was made with exactly the same
/// evaluation settings; otherwise it is evaluated again and replaced.
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
    }

    struct Entry: Codable {
        var key: Key
        var seconds: Double
        var report: EvaluationReport
    }

    /// The cache file for `name`, relative to the experiment directory.
    static func relativePath(_ name: String) -> String { "evaluations/\(name).json" }

    func lookup(_ name: String, key: Key) -> Entry? {
        guard let data = FileManager.default.contents(atPath: path(name)),
            let entry = try? JSONDecoder().decode(Entry.self, from: data), entry.key == key
        else { return nil }
        return entry
    }

    func store(_ entry: Entry, as name: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicWrite.write(encoder.encode(entry), to: path(name))
    }

    private func path(_ name: String) -> String {
        (directory as NSString).appendingPathComponent(Self.relativePath(name))
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

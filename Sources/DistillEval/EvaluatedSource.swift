// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import Foundation

/// What an evaluation was about, recorded in `evaluation.json`: the results
/// name their set, and the results of one set are not replaced by another's
/// when both are evaluated in one folder.
public struct EvaluatedSource: Sendable, Codable, Equatable, CustomStringConvertible {
    /// The synthetic set's file or run directory, absolute; nil for a random real subset.
    public var path: String?
    /// The size and hash of the set's file; nil for a random real subset.
    public var fingerprint: FileFingerprint?
    /// The random real subset, e.g. `10 random real images per class of fashion-mnist (seed 0)`; nil for a set.
    public var randomReal: String?

    /// The synthetic set at `path` (a file, or a run directory holding `synthetic.safetensors`).
    /// - Throws: `FileSystemError` when the file cannot be read.
    public init(syntheticAt path: String) throws {
        var isDirectory: ObjCBool = false
        let file = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
            ? (path as NSString).appendingPathComponent(SyntheticSetFile.fileName) : path
        self.path = URL(fileURLWithPath: path).standardizedFileURL.path
        fingerprint = FileFingerprint(of: try RegularFile.contents(atPath: file))
    }

    /// A random real subset of `dataset`.
    public init(randomRealImagesPerClass imagesPerClass: Int, of dataset: String, seed: UInt64) {
        randomReal = "\(imagesPerClass) random real images per class of \(dataset) (seed \(seed))"
    }

    /// Whether `other` is the same source: the same path (a set condensed again
    /// in place), the same bytes (a set moved or copied), or the same subset.
    public func isSame(as other: EvaluatedSource) -> Bool {
        (path != nil && path == other.path) || (fingerprint != nil && fingerprint == other.fingerprint)
            || (randomReal != nil && randomReal == other.randomReal)
    }

    public var description: String { path ?? randomReal ?? "an unrecorded source" }
}

/// Results that `EvaluationFiles.write` would replace, which belong to another source.
public struct OtherSourceResultsError: Error, CustomStringConvertible, LocalizedError {
    public let file: String
    public let recorded: EvaluatedSource
    public let source: EvaluatedSource

    public var description: String {
        "\(file) holds the results of \(recorded), which evaluating \(source) would replace; "
            + "pass --out DIR to write these results elsewhere"
    }

    public var errorDescription: String? { description }
}

extension EvaluationFiles {
    /// The files `write` replaces in its directory.
    public static let fileNames = ["evaluation.csv", "evaluation.json"]

    /// Checks, before any network trains, that `write` could replace its files
    /// in `directory`: each is absent or a regular file.
    /// - Throws: `NotARegularFileError` or `FileSystemError` for the first that is not.
    public static func checkDestinations(in directory: String) throws {
        for name in fileNames { try AtomicWrite.checkDestination((directory as NSString).appendingPathComponent(name)) }
    }

    /// Refuses to replace results in `directory` that `evaluation.json` records
    /// as another source's. Results that record no source (written before
    /// sources were recorded, or not readable as a report) are replaced as before.
    /// - Throws: `OtherSourceResultsError`.
    public static func checkBelongs(in directory: String, to source: EvaluatedSource) throws {
        struct Recorded: Decodable { var source: EvaluatedSource? }
        let file = (directory as NSString).appendingPathComponent("evaluation.json")
        guard let bytes = try? RegularFile.contents(atPath: file), let recorded = try? JSONDecoder().decode(Recorded.self, from: bytes).source,
            !recorded.isSame(as: source)
        else { return }
        throw OtherSourceResultsError(file: file, recorded: recorded, source: source)
    }
}

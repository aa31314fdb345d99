// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import Foundation

/// What can go wrong when finding, reading or sampling a dataset.
///
/// Every case describes itself in one line that says what is wrong and how
/// to fix it, so the CLI can print `error.description` as is.
public enum DatasetError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// No complete copy of the dataset was found in any search location.
    /// - `searched`: every directory looked at, in search order, each with what it lacked.
    /// - `fix`: the command that gets the data.
    case notFound(dataset: String, searched: [String], fix: String)
    /// A file could not be read at all (permissions, I/O).
    case unreadable(path: String, reason: String)
    /// A file was read but its content is not what the format requires.
    /// `dataset` names the dataset when the reader knows which one it was loading.
    case corrupt(path: String, reason: String, dataset: String?)
    /// The dataset is known but distill cannot read or fetch it.
    case unsupported(dataset: String, reason: String)
    /// A per-class sample asked for more images than the class holds.
    case notEnoughImages(dataset: String, split: String, classIndex: Int, className: String, requested: Int, available: Int)
    /// A data directory the user named (`origin`: `--data-dir` or `$DISTILL_DATA`) cannot be searched.
    case unusableDataDirectory(path: String, origin: String, reason: String)
    /// A data directory the user named holds part of the dataset.
    case incompleteCopy(dataset: String, directory: String, origin: String, missing: [String])
    /// A class folder or image file of an image folder whose name distill cannot take
    /// (`name` escaped for printing; `reason` says why), in `directory`.
    case unusableName(directory: String, name: String, what: String, reason: String)
    /// An image size was asked for (`--image-size`) where it would be ignored; `reason` says why.
    case imageSizeNotApplicable(asked: Int, reason: String)

    public var description: String {
        switch self {
        case .notFound(let dataset, let searched, let fix):
            return "\(dataset) not found (looked in \(searched.joined(separator: "; "))); \(fix)"
        case .unreadable(let path, let reason):
            return "cannot read \(path): \(reason); check that the file exists and is readable"
        case .corrupt(let path, let reason, let dataset):
            let fix = dataset.map { "delete it and run `distill data fetch \($0)`" } ?? "replace it with a good copy"
            return "corrupt data in \(path): \(reason); \(fix)"
        case .unsupported(let dataset, let reason):
            return "\(dataset) is not supported: \(reason)"
        case .notEnoughImages(let dataset, let split, let classIndex, let className, let requested, let available):
            return "cannot sample \(requested) images of class \(classIndex) (\(className)) from the \(dataset) \(split) "
                + "split: it has only \(available); ask for at most \(available)"
        case .unusableDataDirectory(let path, let origin, let reason):
            return "\(origin) \(path) cannot hold datasets: \(reason); name a directory (distill data fetch creates one)"
        case .incompleteCopy(let dataset, let directory, let origin, let missing):
            return "\(dataset) in \(directory) (from \(origin)) is incomplete: it lacks \(missing.joined(separator: ", ")); "
                + "run `distill data fetch \(dataset)` with the same \(origin), or remove the folder"
        case .unusableName(let directory, let name, let what, let reason):
            return "the \(what) name '\(name)' in \(directory) \(reason); rename it"
        case .imageSizeNotApplicable(let asked, let reason):
            return "--image-size \(asked) does not apply: \(reason); leave --image-size out"
        }
    }

    public var errorDescription: String? { description }

    /// The same error with the dataset named, so a corrupt-file message can say which fetch repairs it.
    func naming(_ kind: DatasetKind) -> DatasetError {
        // Only a built-in dataset can be fetched again.
        if case .corrupt(let path, let reason, nil) = self, kind.officialBaseURL != nil {
            return .corrupt(path: path, reason: reason, dataset: kind.name)
        }
        return self
    }
}

/// Reads a whole file, turning Foundation's error into a one-line `DatasetError`.
func readFile(atPath path: String) throws -> [UInt8] {
    do {
        return [UInt8](try RegularFile.contents(atPath: path))
    } catch let error as FileSystemError {
        throw DatasetError.unreadable(path: path, reason: error.reason)
    }
}

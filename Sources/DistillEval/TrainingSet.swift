// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData
import DistillIO
import DistillTensor
import Foundation

/// Why a training set cannot be evaluated.
public enum EvaluationError: Error, CustomStringConvertible, LocalizedError, Equatable {
    case unknownDataset(file: String, recorded: String?)
    case shapeMismatch(file: String, dataset: String, expected: [Int], actual: [Int])
    case labelOutOfRange(file: String, label: Int, classes: Int)
    case datasetMismatch(file: String, recorded: String, requested: String)

    public var description: String {
        switch self {
        case let .unknownDataset(file, recorded):
            return "\(file) records dataset \(recorded.map { "'\($0)'" } ?? "nothing"); "
                + "expected one of \(DatasetKind.allCases.map(\.name).joined(separator: ", "))"
        case let .shapeMismatch(file, dataset, expected, actual):
            return "\(file) holds images of shape \(actual), but \(dataset) images are \(expected); "
                + "evaluate it against the dataset it was made from"
        case let .labelOutOfRange(file, label, classes):
            return "\(file) has label \(label) but the dataset has \(classes) classes"
        case let .datasetMismatch(file, recorded, requested):
            return "\(file) was condensed from \(recorded), not \(requested); drop --dataset or evaluate on \(recorded)"
        }
    }

    public var errorDescription: String? { description }
}

/// A labelled training set to evaluate, with the real test split it is measured on.
public struct TrainingSet: Sendable {
    public var images: NDArray
    public var labels: [Int]
    public var testSet: Dataset
    /// `dc`, `dsa`, `dm`, or `real` for a random real subset.
    public var method: String
    /// Where evaluation files go by default.
    public var defaultOutputDirectory: String
    /// The synthetic set's file or run directory as given; nil for a random real subset.
    public var sourcePath: String?
    /// The normalisation the synthetic set records in its `mean` and `std`
    /// metadata (condense records its dataset's); nil when it records none
    /// that parses, and for a random real subset, whose images are in the dataset's.
    public var recordedNormalization: PixelNormalization?
    public var kind: DatasetKind { testSet.kind }

    /// A synthetic set written by `distill condense`, checked against its dataset.
    /// - Throws: `SafeTensorsError` for an unreadable file, `EvaluationError` for a set that does not fit.
    public init(syntheticAt path: String, locator: DataLocator, expectedDataset: DatasetKind? = nil) throws {
        let file = try SyntheticSetFile(contentsOf: path)
        guard let name = file.dataset else { throw EvaluationError.unknownDataset(file: path, recorded: nil) }
        guard name.hasPrefix(ImageFolder.namePrefix) || DatasetKind(name: name) != nil else {
            throw EvaluationError.unknownDataset(file: path, recorded: name)
        }
        let kind = try locator.dataset(named: name, imageSize: file.metadata["image_size"].flatMap { Int($0) })
        if let expectedDataset, expectedDataset != kind {
            throw EvaluationError.datasetMismatch(file: path, recorded: kind.name, requested: expectedDataset.name)
        }
        guard Array(file.images.shape.dropFirst()) == kind.imageShape else {
            throw EvaluationError.shapeMismatch(
                file: path, dataset: kind.name, expected: kind.imageShape, actual: Array(file.images.shape.dropFirst()))
        }
        if let bad = file.labels.first(where: { !(0..<kind.classCount).contains($0) }) {
            throw EvaluationError.labelOutOfRange(file: path, label: bad, classes: kind.classCount)
        }
        images = file.images
        labels = file.labels
        testSet = try locator.load(kind, split: .test)
        method = file.metadata["method"] ?? "dc"
        sourcePath = path
        recordedNormalization = Self.normalization(recordedIn: file.metadata, channels: kind.channels)
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        defaultOutputDirectory = isDirectory.boolValue ? path : (path as NSString).deletingLastPathComponent
    }

    /// A random real subset: `imagesPerClass` training images of every class (the standard baseline).
    public init(randomRealImagesPerClass imagesPerClass: Int, of kind: DatasetKind, seed: UInt64, locator: DataLocator) throws {
        let train = try locator.load(kind, split: .train)
        var generator = SeededGenerator(seed: derivedSeed(seed, 0x5EA1))
        var parts: [NDArray] = []
        var labels: [Int] = []
        for label in 0..<train.classCount {
            parts.append(try train.sample(count: imagesPerClass, ofClass: label, using: &generator))
            labels += Array(repeating: label, count: imagesPerClass)
        }
        images = NDArray(
            shape: [labels.count] + kind.imageShape, scalars: parts.flatMap(\.scalars))
        self.labels = labels
        testSet = try locator.load(kind, split: .test)
        method = "real"
        defaultOutputDirectory = "."
        sourcePath = nil
        recordedNormalization = nil
    }

    /// `mean` and `std` metadata of one finite value per channel (std positive), or nil.
    private static func normalization(recordedIn metadata: [String: String], channels: Int) -> PixelNormalization? {
        func values(_ key: String) -> [Float]? {
            guard let text = metadata[key] else { return nil }
            let parts = text.split(separator: ",", omittingEmptySubsequences: false).map {
                Float($0.trimmingCharacters(in: .whitespaces))
            }
            guard parts.count == channels, parts.allSatisfy({ $0?.isFinite == true }) else { return nil }
            return parts.compactMap { $0 }
        }
        guard let mean = values("mean"), let std = values("std"), std.allSatisfy({ $0 > 0 }) else { return nil }
        return PixelNormalization(mean: mean, std: std)
    }
}

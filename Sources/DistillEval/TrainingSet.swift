// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData
import DistillIO
import DistillTensor
import Foundation

/// Why a training set cannot be evaluated.
public enum EvaluationError: Error, CustomStringConvertible, LocalizedError, Equatable {
    case unknownDataset(file: String, recorded: String?)
    case shapeMismatch(file: String, dataset: String, expected: [Int], actual: [Int])
    case datasetMismatch(file: String, recorded: String, requested: String)
    case unknownMethod(file: String, recorded: String)
    /// The `mean`/`std` metadata cannot be read (`reason` says why).
    case malformedNormalization(file: String, reason: String)
    case normalizationMismatch(file: String, dataset: String, recorded: PixelNormalization, expected: PixelNormalization)
    /// The `class_names` the set records are not its dataset's, in the dataset's label order: label i
    /// would be trained as one class and tested as another (`export` writes the folders by these names).
    case classNamesMismatch(file: String, dataset: String, label: Int, recorded: String, expected: String)

    public var description: String {
        switch self {
        case let .unknownDataset(file, recorded):
            return "\(file) \(recorded.map { "records dataset '\($0)'" } ?? "records no dataset"); "
                + "expected one of \(DatasetKind.allCases.map(\.name).joined(separator: ", "))"
        case let .shapeMismatch(file, dataset, expected, actual):
            return "\(file) holds images of shape \(actual), but \(dataset) images are \(expected); "
                + "evaluate it against the dataset it was made from"
        case let .datasetMismatch(file, recorded, requested):
            return "\(file) was condensed from \(recorded), not \(requested); drop --dataset or evaluate on \(recorded)"
        case let .unknownMethod(file, recorded):
            return "\(file) records method '\(recorded)', which picks no evaluation protocol; "
                + "expected one of \(EvaluationProtocol.setMethods.joined(separator: ", "))"
        case let .malformedNormalization(file, reason):
            return "\(file): \(reason)"
        case let .normalizationMismatch(file, dataset, recorded, expected):
            func text(_ n: PixelNormalization) -> String {
                "mean \(n.mean.map { "\($0)" }.joined(separator: ",")), std \(n.std.map { "\($0)" }.joined(separator: ","))"
            }
            return "\(file) records the normalisation \(text(recorded)), but \(dataset) images are normalised with "
                + "\(text(expected)); the set would be trained on differently scaled images than it is tested on"
        case let .classNamesMismatch(file, dataset, label, recorded, expected):
            return "\(file) names label \(label) '\(recorded)' in its class_names, but in \(dataset) label \(label) is '\(expected)'; "
                + "the set's labels would be tested as other classes than they name"
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
        // The same class checks as render and export: names for each class, an image of each.
        try file.checkClasses(ofDataset: kind.classCount, namedBy: kind.builtInClassNames, file: path)
        if let error = NonFiniteValueError(file: path, tensor: "images", values: file.images.scalars) { throw error }
        // A set that records no method keeps the protocol such sets have always had: DC's.
        method = file.metadata["method"] ?? "dc"
        guard EvaluationProtocol.setMethods.contains(method) else {
            throw EvaluationError.unknownMethod(file: path, recorded: method)
        }
        try Self.checkNormalization(recordedIn: file, path: path, dataset: kind)
        images = file.images
        labels = file.labels
        let test = try locator.load(kind, split: .test)
        if let recorded = file.classNames, let label = recorded.indices.first(where: { recorded[$0] != test.classNames[$0] }) {
            throw EvaluationError.classNamesMismatch(
                file: path, dataset: kind.name, label: label, recorded: recorded[label], expected: test.classNames[label])
        }
        testSet = test
        sourcePath = path
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        defaultOutputDirectory = isDirectory.boolValue ? path : AtomicWrite.directoryOf(path)
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
    }

    /// Refuses a set that records another normalisation than its dataset's: it
    /// would be trained on images scaled otherwise than the test images (and
    /// than a KD teacher's). A set that records none is taken as in the dataset's.
    private static func checkNormalization(recordedIn file: SyntheticSetFile, path: String, dataset: DatasetKind) throws {
        let values: (mean: [Float], std: [Float])?
        do {
            values = try file.recordedNormalization()
        } catch let error as SyntheticGridError {
            throw EvaluationError.malformedNormalization(file: path, reason: error.description)
        }
        guard let values else { return }
        let recorded = PixelNormalization(mean: values.mean, std: values.std)
        let expected = dataset.normalization
        // Published constants have four decimals; a file written elsewhere may round them to three.
        let close = { (a: [Float], b: [Float]) in zip(a, b).allSatisfy { abs($0 - $1) <= 5e-4 } }
        guard close(recorded.mean, expected.mean), close(recorded.std, expected.std) else {
            throw EvaluationError.normalizationMismatch(file: path, dataset: dataset.name, recorded: recorded, expected: expected)
        }
    }
}

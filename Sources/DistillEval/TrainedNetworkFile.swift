// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData
import DistillIO
import DistillNN
import DistillTensor
import DistillZoo
import Foundation

/// What a network saved by `distill train --save` was trained on and how,
/// stored as the safetensors metadata beside its weights so the file
/// describes itself.
///
/// Metadata keys (all strings): `model`, `dataset`, `image_shape` (`C,H,W`),
/// `classes`, `mean` and `std` (one value per channel, comma-separated, as in
/// a synthetic set), `epochs`, `lr`, `batch`, `seed`, `test_accuracy` (percent).
public struct TrainedNetworkInfo: Sendable, Codable, Equatable {
    /// The zoo name or ConvNet spec, exactly as given to `--model`.
    public var model: String
    /// The dataset name as users type it (`fashion-mnist`, `folder:PATH`).
    public var dataset: String
    /// Shape of one input image, `[C, H, W]`.
    public var imageShape: [Int]
    public var classCount: Int
    /// The normalisation of the inputs the network was trained on.
    public var normalization: PixelNormalization
    public var epochs: Int
    public var learningRate: Float
    public var batchSize: Int
    public var seed: UInt64
    /// Accuracy on the dataset's test split, in percent, measured after training.
    public var testAccuracy: Double

    public init(
        model: String, dataset: String, imageShape: [Int], classCount: Int, normalization: PixelNormalization,
        epochs: Int, learningRate: Float, batchSize: Int, seed: UInt64, testAccuracy: Double
    ) {
        self.model = model
        self.dataset = dataset
        self.imageShape = imageShape
        self.classCount = classCount
        self.normalization = normalization
        self.epochs = epochs
        self.learningRate = learningRate
        self.batchSize = batchSize
        self.seed = seed
        self.testAccuracy = testAccuracy
    }

    /// The safetensors metadata that records this description.
    public var metadata: [String: String] {
        [
            "model": model, "dataset": dataset, "image_shape": imageShape.map(String.init).joined(separator: ","),
            "classes": String(classCount), "mean": normalization.mean.map { "\($0)" }.joined(separator: ","),
            "std": normalization.std.map { "\($0)" }.joined(separator: ","), "epochs": String(epochs),
            "lr": "\(learningRate)", "batch": String(batchSize), "seed": String(seed),
            "test_accuracy": "\(testAccuracy)",
        ]
    }

    /// Reads the description back from the metadata of `file`.
    /// - Throws: `TrainedNetworkFileError.missingMetadata` or `.malformedMetadata`.
    public init(metadata: [String: String], file: String) throws {
        // The value of `key` as `read` reads it, required.
        func value<T>(_ key: String, _ read: () throws -> T?) throws -> T {
            guard let parsed = try read() else { throw TrainedNetworkFileError.missingMetadata(file: file, key: key) }
            return parsed
        }
        func value<T>(_ key: String, _ expected: String, _ parse: (String) -> T?) throws -> T {
            try value(key) { try Self.recorded(key, in: metadata, file: file, expected: expected, parse) }
        }
        let shape = try value("image_shape") { try Self.imageShape(in: metadata, file: file) }
        let channels = shape[0]
        let mean: [Float] = try value("mean", "\(channels) finite comma-separated numbers") { text in
            Self.numbers(text).flatMap { (values: [Float]) in
                values.count == channels && values.allSatisfy(\.isFinite) ? values : nil
            }
        }
        let std: [Float] = try value("std", "\(channels) finite positive comma-separated numbers") { text in
            Self.numbers(text).flatMap { (values: [Float]) in
                values.count == channels && values.allSatisfy { $0.isFinite && $0 > 0 } ? values : nil
            }
        }
        self.init(
            model: try value("model", "a network name") { $0.isEmpty ? nil : $0 },
            dataset: try value("dataset", "a dataset name") { $0.isEmpty ? nil : $0 },
            imageShape: shape,
            classCount: try value("classes") { try Self.classCount(in: metadata, file: file) },
            normalization: PixelNormalization(mean: mean, std: std),
            epochs: try value("epochs", "an integer of 0 or more") { Int($0).flatMap { $0 >= 0 ? $0 : nil } },
            learningRate: try value("lr", "a finite positive number") { Float($0).flatMap { $0.isFinite && $0 > 0 ? $0 : nil } },
            batchSize: try value("batch", "a positive integer") { Int($0).flatMap { $0 > 0 ? $0 : nil } },
            seed: try value("seed", "an unsigned integer") { UInt64($0) },
            testAccuracy: try value("test_accuracy", "a percentage") { Double($0).flatMap { (0...100).contains($0) ? $0 : nil } })
    }
}

extension TrainedNetworkInfo {
    // The keys a file from elsewhere may lack but must not garble: `distill forward`
    // reads them from any weights file, `TrainedNetworkInfo(metadata:file:)` from a
    // trained network's, by the same rule.

    /// The input shape `[C, H, W]` recorded under `image_shape`, nil when the metadata has none.
    /// - Throws: `TrainedNetworkFileError.malformedMetadata` when it is not 3 positive integers with H = W.
    public static func imageShape(in metadata: [String: String], file: String) throws -> [Int]? {
        try recorded("image_shape", in: metadata, file: file, expected: "3 positive integers C,H,W with H = W") { text in
            numbers(text).flatMap { (shape: [Int]) in
                shape.count == 3 && shape.allSatisfy { $0 > 0 } && shape[1] == shape[2] ? shape : nil
            }
        }
    }

    /// The class count recorded under `classes`, nil when the metadata has none.
    /// - Throws: `TrainedNetworkFileError.malformedMetadata` when it is not an integer of 2 or more.
    public static func classCount(in metadata: [String: String], file: String) throws -> Int? {
        try recorded("classes", in: metadata, file: file, expected: "an integer of 2 or more") {
            Int($0).flatMap { $0 >= 2 ? $0 : nil }
        }
    }

    /// The value of `key` as `parse` reads it, nil when absent.
    fileprivate static func recorded<T>(
        _ key: String, in metadata: [String: String], file: String, expected: String, _ parse: (String) -> T?
    ) throws -> T? {
        guard let text = metadata[key] else { return nil }
        guard let parsed = parse(text) else {
            throw TrainedNetworkFileError.malformedMetadata(file: file, key: key, value: text, expected: expected)
        }
        return parsed
    }

    /// The comma-separated numbers of `text`, nil when any part is not one.
    fileprivate static func numbers<T: LosslessStringConvertible>(_ text: String) -> [T]? {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { T(String($0)) }
        return parts.contains { $0 == nil } ? nil : parts.compactMap { $0 }
    }
}

/// A trained network as `distill train --save` writes it: the weights under
/// PyTorch `state_dict` names in a safetensors file, with `TrainedNetworkInfo`
/// as the metadata.
public struct TrainedNetworkFile: Sendable {
    /// Where the file was read from.
    public var path: String
    public var info: TrainedNetworkInfo
    public var weights: StateDict
    /// The bytes the weights and description were read from.
    public var fingerprint: FileFingerprint

    /// Writes `network`'s parameters and buffers with `info` to `path`, atomically.
    /// - Throws: `NotARegularFileError` or `FileSystemError`; the destination is then as it was.
    public static func write(_ network: Module, info: TrainedNetworkInfo, to path: String) throws {
        try network.stateDict().write(to: path, metadata: info.metadata)
    }

    /// Checks that `path`, where a network is to be saved, is absent or holds a saved network:
    /// anything else there (a synthetic set, a run's checkpoint) would be lost to a mistyped name.
    /// - Throws: `TrainedNetworkFileError.notReplaceable`.
    public static func checkReplaceable(_ path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        guard let file = try? SafeTensorsFile(contentsOf: path), (try? TrainedNetworkInfo(metadata: file.metadata, file: path)) != nil
        else { throw TrainedNetworkFileError.notReplaceable(file: path) }
    }

    /// Reads a file written by `write(_:info:to:)`.
    /// - Throws: `SafeTensorsError` for a missing or garbled file,
    ///   `TrainedNetworkFileError` for metadata that does not describe a trained network,
    ///   `NonFiniteValueError` for a weight that is NaN or infinite.
    public init(contentsOf path: String) throws {
        let file = try SafeTensorsFile(contentsOf: path)
        self.path = path
        info = try TrainedNetworkInfo(metadata: file.metadata, file: path)
        weights = try StateDict(file)
        try weights.checkFinite(file: path)
        fingerprint = file.fingerprint
    }

    /// The saved network, rebuilt from its description and loaded with the
    /// saved weights, in eval mode.
    /// - Throws: `TrainedNetworkFileError.unbuildableModel` when the model cannot be
    ///   built for the recorded input, `.weightsDoNotFit` when the weights are not that model's.
    public func makeNetwork() throws -> any UnaryLayer {
        // Every initial weight is replaced by a loaded one, so the draws do not matter;
        // a fixed seed keeps the construction deterministic all the same.
        var generator = SeededGenerator(seed: 0)
        let network: any UnaryLayer
        do {
            network = try Zoo.make(
                name: info.model, channels: info.imageShape[0], imageSize: info.imageShape[1], classes: info.classCount,
                using: &generator)
        } catch {
            throw TrainedNetworkFileError.unbuildableModel(file: path, model: info.model, reason: "\(error)")
        }
        do {
            try network.load(stateDict: weights)
        } catch let error as StateDictError {
            throw TrainedNetworkFileError.weightsDoNotFit(file: path, model: info.model, reason: "\(error)")
        }
        network.eval()
        return network
    }

    /// Checks that a network trained as `info` says can be applied to images
    /// of `imageShape` and `classCount` classes normalised with `normalization`.
    /// - Parameter data: the data's name in messages, e.g. `fashion-mnist`.
    /// - Throws: `TrainedNetworkFileError.imageShapeMismatch`, `.classCountMismatch` or `.normalizationMismatch`.
    public func checkFits(imageShape: [Int], classCount: Int, normalization: PixelNormalization, data: String) throws {
        guard info.imageShape == imageShape else {
            throw TrainedNetworkFileError.imageShapeMismatch(file: path, data: data, trained: info.imageShape, expected: imageShape)
        }
        guard info.classCount == classCount else {
            throw TrainedNetworkFileError.classCountMismatch(file: path, data: data, trained: info.classCount, expected: classCount)
        }
        guard info.normalization == normalization else {
            throw TrainedNetworkFileError.normalizationMismatch(
                file: path, data: data, trained: info.normalization, expected: normalization)
        }
        // Two built-in datasets can share shape, classes and normalisation (MNIST-like ones); an image
        // folder's recorded path may have moved since, so folders are matched by the checks above alone.
        let folder = "folder:"
        guard info.dataset == data || (info.dataset.hasPrefix(folder) && data.hasPrefix(folder)) else {
            throw TrainedNetworkFileError.datasetMismatch(file: path, data: data, trained: info.dataset)
        }
    }
}

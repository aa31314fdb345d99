// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor
import Foundation

/// A labelled image set on disk: `synthetic.safetensors` with tensors
/// `images` [N, C, H, W] (normalised space, F32) and `labels` [N] (I64), plus
/// string metadata (dataset, mean, std, ipc, method, pool, iteration, seed,
/// configuration).
public struct SyntheticSetFile: Sendable {
    /// The file name inside a run directory.
    public static let fileName = "synthetic.safetensors"

    public var images: NDArray
    public var labels: [Int]
    public var metadata: [String: String]

    public init(images: NDArray, labels: [Int], metadata: [String: String]) {
        precondition(images.rank == 4 && images.shape[0] == labels.count, "SyntheticSetFile: images \(images.shape) for \(labels.count) labels")
        self.images = images
        self.labels = labels
        self.metadata = metadata
    }

    /// Reads a synthetic set from a file, or from `synthetic.safetensors` inside a directory.
    /// A path ending in `.npz` is read as NumPy arrays (see `init(npzAt:)`).
    /// - Throws: `SafeTensorsError` (`NPZError` for `.npz`) for a missing or malformed file or tensor;
    ///   `SyntheticSetFileError` for tensors of the wrong rank, unequal counts, or no images.
    public init(contentsOf path: String) throws {
        if path.lowercased().hasSuffix(".npz") {
            self = try SyntheticSetFile(npzAt: path)
            return
        }
        let file = Self.file(at: path)
        let contents = try SafeTensorsFile(contentsOf: file)
        let images = try contents.floats("images")
        let labels = try contents.integers("labels")
        guard images.rank == 4 else {
            throw SyntheticSetFileError.wrongRank(file: file, tensor: "images", shape: images.shape, expected: "[N, C, H, W]")
        }
        guard labels.shape.count == 1 else {
            throw SyntheticSetFileError.wrongRank(file: file, tensor: "labels", shape: labels.shape, expected: "[N]")
        }
        try self.init(checkedImages: images, labels: labels.values.map { Int($0) }, metadata: contents.metadata, file: file)
    }

    /// A set read from `file` (safetensors or `.npz`), after the checks every reader shares:
    /// one label per image and at least one image.
    /// - Throws: `SyntheticSetFileError.countMismatch` or `.empty`.
    init(checkedImages images: NDArray, labels: [Int], metadata: [String: String], file: String) throws {
        guard images.shape[0] == labels.count else {
            throw SyntheticSetFileError.countMismatch(file: file, images: images.shape[0], labels: labels.count)
        }
        guard images.shape[0] > 0 else { throw SyntheticSetFileError.empty(file: file) }
        self.init(images: images, labels: labels, metadata: metadata)
    }

    /// The file `init(contentsOf:)` reads for `path`: `synthetic.safetensors` inside a directory, else `path` itself.
    public static func file(at path: String) -> String {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
            ? (path as NSString).appendingPathComponent(fileName) : path
    }

    /// Refuses a label outside 0..<`classes` (any negative one when `classes` is nil,
    /// unknown), which would index past the classes wherever the set is used.
    /// - Parameter file: the set's path in the message.
    /// - Throws: `SyntheticSetFileError.labelOutOfRange`.
    public func checkLabels(classes: Int?, file: String) throws {
        if let label = labels.first(where: { $0 < 0 || $0 >= (classes ?? .max) }) {
            throw SyntheticSetFileError.labelOutOfRange(file: file, label: label, classes: classes)
        }
    }

    /// The dataset name recorded in the metadata.
    public var dataset: String? { metadata["dataset"] }

    /// Writes the set atomically to `path`.
    public func write(to path: String) throws {
        try SafeTensors.write(
            ["images": SafeTensorsEntry(images), "labels": SafeTensorsEntry(shape: [labels.count], integers: labels.map(Int64.init))],
            metadata: metadata, to: path)
    }
}

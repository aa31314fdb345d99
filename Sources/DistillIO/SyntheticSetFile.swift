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
    /// - Throws: `SafeTensorsError` (`NPZError` for `.npz`) for a missing or malformed file or tensor.
    /// A path ending in `.npz` is read as NumPy arrays (see `init(npzAt:)`).
    public init(contentsOf path: String) throws {
        if path.lowercased().hasSuffix(".npz") {
            self = try SyntheticSetFile(npzAt: path)
            return
        }
        var isDirectory: ObjCBool = false
        let file =
            FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
            ? (path as NSString).appendingPathComponent(Self.fileName) : path
        let contents = try SafeTensorsFile(contentsOf: file)
        let images = try contents.floats("images")
        let labels = try contents.integers("labels").values.map { Int($0) }
        guard images.rank == 4, images.shape[0] == labels.count else {
            throw SafeTensorsError.malformedEntry(
                file: file, tensor: "images",
                reason: "images of shape \(images.shape) do not match \(labels.count) labels; expected [N, C, H, W] with N labels")
        }
        self.init(images: images, labels: labels, metadata: contents.metadata)
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

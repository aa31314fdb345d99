// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor
import Foundation

/// Why a set cannot be written as an image folder.
public enum ExportError: Error, CustomStringConvertible, LocalizedError, Equatable {
    case channels(shape: [Int])
    case labelOutOfRange(label: Int, classes: Int)

    public var description: String {
        switch self {
        case let .channels(shape):
            return "images of shape \(shape) have neither 1 nor 3 channels, so they cannot be written as PNGs; export to npz"
        case let .labelOutOfRange(label, classes):
            return "label \(label) is outside the dataset's \(classes) classes; export the set with the dataset it was made from"
        }
    }

    public var errorDescription: String? { description }
}

/// Synthetic (or random-real) sets as PyTorch code reads them: a torchvision
/// `ImageFolder` of PNGs, or NumPy `.npz` arrays.
extension SyntheticSetFile {
    /// Array names of the `.npz` form: `images` (float32 [N, C, H, W], normalised),
    /// `labels` (int64 [N]), `mean` and `std` (float32 [C]), `class_names` (str [K]),
    /// `dataset` (str, 0-d) and, for image folders, `image_size` (int64, 0-d).
    public enum NPZKey {
        public static let images = "images", labels = "labels", mean = "mean", std = "std"
        public static let classNames = "class_names", dataset = "dataset", imageSize = "image_size"
    }

    /// The set as `.npz` bytes.
    /// - Throws: `SyntheticGridError` when the metadata lacks the normalisation or records one
    ///   `render` would refuse (a mean not finite, a std not finite and positive); `NPZError.tooLarge`.
    public func npz(classNames: [String], file: String) throws -> Data {
        let channels = images.shape[1]
        let (mean, std) = try requiredNormalization()
        var arrays: [(String, NPYArray)] = [
            (NPZKey.images, .float32(shape: images.shape, values: images.scalars)),
            (NPZKey.labels, .int64(shape: [labels.count], values: labels.map(Int64.init))),
            (NPZKey.mean, .float32(shape: [channels], values: mean)),
            (NPZKey.std, .float32(shape: [channels], values: std)),
            (NPZKey.classNames, .strings(shape: [classNames.count], values: classNames)),
        ]
        if let dataset { arrays.append((NPZKey.dataset, .strings(shape: [], values: [dataset]))) }
        if let size = metadata["image_size"].flatMap({ Int64($0) }) {
            arrays.append((NPZKey.imageSize, .int64(shape: [], values: [size])))
        }
        return try NPZ.encode(arrays, file: file)
    }

    /// Reads a set from a `.npz` with the arrays `NPZKey` names (`images` and `labels`
    /// required; `dataset` needed to evaluate it; `mean`/`std` to draw or export it).
    /// - Throws: `NPZError` for a missing or malformed array, or a known one of another type (labels that are
    ///   not integers, a `dataset` that is not one string, `class_names` that are not strings, an `image_size`
    ///   that is not one integer, a `mean` or `std` that is not numbers); `SyntheticSetFileError.empty` for no images, as for safetensors.
    public init(npzAt path: String) throws {
        let arrays = try NPZ.read(contentsOf: path)
        func array(_ name: String) throws -> NPYArray {
            guard let array = arrays[name] else { throw NPZError.missingArray(file: path, name: name, available: Array(arrays.keys)) }
            return array
        }
        func fail(_ name: String, _ reason: String) -> NPZError { .malformedArray(file: path, array: name, reason: reason) }
        let imageArray = try array(NPZKey.images)
        guard case .float32(let shape, let values) = imageArray, shape.count == 4 else {
            let found = if case .float32 = imageArray { "" } else { " (found \(imageArray.typeName))" }
            throw fail(NPZKey.images, "must be float32 (or float64) of shape [N, C, H, W]\(found)")
        }
        let labelArray = try array(NPZKey.labels)
        guard case .int64(let labelShape, let labels) = labelArray, labelShape == [shape[0]] else {
            // Bool labels would read as classes 0 and 1; the type is named so the cause is plain.
            let found = if case .int64 = labelArray { "" } else { " (found \(labelArray.typeName))" }
            throw fail(NPZKey.labels, "must be integers of shape [\(shape[0])], one per image\(found)")
        }
        var metadata = ["method": "external"]
        switch arrays[NPZKey.dataset] {
        case nil: break
        case .strings(_, let names)? where names.count == 1: metadata["dataset"] = names[0]
        case .strings(_, let names)?:
            throw fail(NPZKey.dataset, "must hold one dataset name, holds \(names.count)")
        case let other?:
            throw fail(NPZKey.dataset, "must be a string array (np.array('fashion-mnist')), found \(other.typeName)")
        }
        // Every known array present must have a usable type: one of another type is refused, never dropped.
        for key in [NPZKey.mean, NPZKey.std] {
            switch arrays[key] {
            case nil: break
            case .float32(_, let values)?: metadata[key] = values.map { "\($0)" }.joined(separator: ",")
            // Whole-number normalisation (np.array([0])) is still a number per channel, read as such.
            case .int64(_, let values)?: metadata[key] = values.map { "\(Float($0))" }.joined(separator: ",")
            case let other?:
                throw fail(key, "must be numbers, one per channel (np.array([0.5], dtype=np.float32)), found \(other.typeName)")
            }
        }
        switch arrays[NPZKey.imageSize] {
        case nil: break
        case .int64(_, let size)? where size.count == 1: metadata["image_size"] = String(size[0])
        case let other?:
            let found = if case .int64(_, let size) = other { "holds \(size.count) values" } else { "found \(other.typeName)" }
            throw fail(NPZKey.imageSize, "must be one integer, the image side in pixels (np.int64(32)), \(found)")
        }
        switch arrays[NPZKey.classNames] {
        case nil: break
        case .strings(_, let names)?:
            do {
                metadata["class_names"] = try Self.classNamesMetadata(names)
            } catch {
                throw fail(NPZKey.classNames, "\(error)")
            }
        case let other?:
            throw fail(NPZKey.classNames, "must be a str array, one name per class (np.array(names, dtype=str)), found \(other.typeName)")
        }
        try self.init(
            checkedImages: NDArray(shape: shape, scalars: values), labels: labels.map { Int($0) }, metadata: metadata, file: path)
    }

    /// Writes each image, de-normalised with the recorded mean and std and clamped to
    /// [0, 1] as `render` draws it (NaN black, ±infinity clamped), as `directory/CLASS/i.png`
    /// (i counting within the class from 0), written atomically with libpng on all cores.
    /// The class folders are `classFolderNames(classNames)`.
    /// - Returns: the number of files written.
    /// - Throws: `ExportError`, or `SyntheticGridError` for a normalisation `render` refuses.
    public func writeImageFolder(to directory: String, classNames: [String]) throws -> Int {
        let (count, channels, height, width) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
        guard channels == 1 || channels == 3 else { throw ExportError.channels(shape: images.shape) }
        if let label = labels.first(where: { !classNames.indices.contains($0) }) {
            throw ExportError.labelOutOfRange(label: label, classes: classNames.count)
        }
        let (mean, std) = try requiredNormalization()
        let folders = Self.classFolderNames(classNames)
        // Each image's number within its class, fixed before the writes run in parallel.
        var seen = [Int](repeating: 0, count: classNames.count)
        let paths = labels.map { label -> String in
            defer { seen[label] += 1 }
            return "\(directory)/\(folders[label])/\(seen[label]).png"
        }
        let plane = height * width
        let values = images.scalars
        let failure = FirstError()
        Parallel.forEachRange(count, grain: 64) { range in
            for index in range where !failure.isSet {
                var pixels = [UInt8](repeating: 0, count: plane * channels)
                for channel in 0..<channels {
                    for position in 0..<plane {
                        let value = values[(index * channels + channel) * plane + position]
                        pixels[position * channels + channel] = ImageGrid.pixel(value, mean: mean[channel], std: std[channel])
                    }
                }
                do {
                    try AtomicWrite.write(PNG.encode(pixels: pixels, width: width, height: height, channels: channels), to: paths[index])
                } catch {
                    failure.record(error)
                }
            }
        }
        if let error = failure.error { throw error }
        return count
    }

    /// The first error of a parallel loop.
    private final class FirstError: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: Error?
        var isSet: Bool { lock.withLock { stored != nil } }
        var error: Error? { lock.withLock { stored } }
        func record(_ error: Error) { lock.withLock { if stored == nil { stored = error } } }
    }

    /// Folder names that torchvision's `ImageFolder` (which numbers classes in sorted
    /// name order) maps back to the same labels: the class names themselves when they
    /// already sort in label order and are usable as names, else `NN_name` with the label zero-padded.
    public static func classFolderNames(_ classNames: [String]) -> [String] {
        let usable = classNames.allSatisfy { !$0.isEmpty && !$0.contains("/") && !$0.hasPrefix(".") }
        if usable && classNames == classNames.sorted() && Set(classNames).count == classNames.count { return classNames }
        let digits = String(max(classNames.count - 1, 0)).count
        return classNames.enumerated().map { label, name in
            let padded = String(repeating: "0", count: digits - String(label).count) + String(label)
            let safe = name.replacingOccurrences(of: "/", with: "-")
            return safe.isEmpty ? padded : "\(padded)_\(safe)"
        }
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor
import Foundation

/// Why a synthetic set cannot be drawn as a picture.
public enum SyntheticGridError: Error, CustomStringConvertible, LocalizedError, Equatable {
    /// The metadata lacks the normalisation (`mean`/`std`) needed to undo it.
    case missingNormalization(key: String)
    /// A `mean`/`std` entry that is not a comma-separated list of one number per channel.
    case malformedNormalization(key: String, value: String, channels: Int)
    /// The classes hold different numbers of images, so they do not make rows of equal length.
    case unevenClasses(counts: [Int: Int])
    /// An image scale below 1.
    case scaleOutOfRange(Int)

    public var description: String {
        switch self {
        case let .missingNormalization(key):
            return "the synthetic set has no '\(key)' metadata, so it cannot be de-normalised; "
                + "render a set written by distill condense"
        case let .malformedNormalization(key, value, channels):
            return "the synthetic set's '\(key)' metadata '\(value)' is not \(channels) comma-separated numbers"
        case let .unevenClasses(counts):
            let listing = counts.keys.sorted().map { "class \($0): \(counts[$0]!)" }.joined(separator: ", ")
            return "the synthetic set's classes hold different numbers of images (\(listing)); a grid needs the same count per class"
        case let .scaleOutOfRange(scale):
            return "scale \(scale) is below 1; give a pixel scale of 1 or more"
        }
    }

    public var errorDescription: String? { description }
}

extension SyntheticSetFile {
    /// PNG bytes of the set as `ImageGrid` draws it (the picture condense writes
    /// as `synthetic.png`): one row per class in label order, images
    /// de-normalised with the file's recorded mean and std.
    ///
    /// - Parameter scale: each pixel becomes a `scale × scale` block, ≥ 1.
    /// - Throws: `SyntheticGridError` for missing normalisation, uneven classes or a bad scale.
    public func gridPNG(scale: Int = 2) throws -> Data {
        guard scale >= 1 else { throw SyntheticGridError.scaleOutOfRange(scale) }
        let channels = images.shape[1]
        let mean = try normalization("mean", channels: channels)
        let std = try normalization("std", channels: channels)
        var counts: [Int: Int] = [:]
        for label in labels { counts[label, default: 0] += 1 }
        guard let perClass = counts.values.first, counts.values.allSatisfy({ $0 == perClass }) else {
            throw SyntheticGridError.unevenClasses(counts: counts)
        }
        // Condense writes images class-major already; sorting keeps any other order drawable.
        let order = labels.indices.sorted { (labels[$0], $0) < (labels[$1], $1) }
        return ImageGrid.png(images.rows(order), columns: perClass, mean: mean, std: std, scale: scale)
    }

    /// The size in pixels of `gridPNG(scale:)`'s picture.
    public func gridSize(scale: Int) -> (width: Int, height: Int) {
        let classes = Set(labels).count
        let perClass = labels.count / max(classes, 1)
        return ImageGrid.size(
            rows: classes, columns: perClass, imageHeight: images.shape[2], imageWidth: images.shape[3], scale: scale)
    }

    /// The per-channel `mean` or `std` recorded in the metadata.
    func normalization(_ key: String, channels: Int) throws -> [Float] {
        guard let text = metadata[key] else { throw SyntheticGridError.missingNormalization(key: key) }
        let values = text.split(separator: ",").compactMap { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard values.count == channels, values.count == text.split(separator: ",").count else {
            throw SyntheticGridError.malformedNormalization(key: key, value: text, channels: channels)
        }
        return values
    }
}

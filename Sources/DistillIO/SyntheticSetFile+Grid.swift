// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor
import Foundation

/// Why a synthetic set cannot be drawn as a picture.
public enum SyntheticGridError: Error, CustomStringConvertible, LocalizedError, Equatable {
    /// The metadata lacks the normalisation (`mean`/`std`) needed to undo it.
    case missingNormalization(key: String)
    /// A `mean`/`std` entry that is not a comma-separated list of one number per channel.
    case malformedNormalization(key: String, value: String, channels: Int)
    /// A `mean` that is not finite, or a `std` that is not finite and positive.
    case invalidNormalization(key: String, value: String)
    /// Images with a channel count a PNG cannot show (only 1 = grey and 3 = RGB).
    case unsupportedChannels(Int)
    /// The classes hold different numbers of images, so they do not make rows of equal length.
    case unevenClasses(counts: [Int: Int])
    /// An image scale below 1.
    case scaleOutOfRange(Int)
    /// A picture with more pixel bytes than `ImageGrid.maximumPixelBytes`.
    case pictureTooLarge(width: Int, height: Int, scale: Int)

    public var description: String {
        switch self {
        case let .missingNormalization(key):
            return "the synthetic set has no '\(key)' metadata, so it cannot be de-normalised; "
                + "render a set written by distill condense"
        case let .malformedNormalization(key, value, channels):
            return "the synthetic set's '\(key)' metadata '\(value)' is not \(channels) comma-separated numbers"
        case let .invalidNormalization(key, value):
            let requirement = key == "std" ? "finite and positive" : "finite"
            return "the synthetic set's '\(key)' metadata '\(value)' must be \(requirement) to de-normalise the images"
        case let .unsupportedChannels(channels):
            return "the synthetic set's images have \(channels) channels; a picture needs 1 (grey) or 3 (RGB)"
        case let .unevenClasses(counts):
            let listing = counts.keys.sorted().map { "class \($0): \(counts[$0]!)" }.joined(separator: ", ")
            return "the synthetic set's classes hold different numbers of images (\(listing)); a grid needs the same count per class"
        case let .scaleOutOfRange(scale):
            return "scale \(scale) is below 1; give a pixel scale of 1 or more"
        case let .pictureTooLarge(width, height, scale):
            let picture = width == .max || height == .max ? "a picture wider or taller than any size counts" : "a \(width)×\(height) picture"
            return "scale \(scale) makes \(picture), more than the "
                + "\(MemoryBudget.format(ImageGrid.maximumPixelBytes)) of pixels one PNG may hold here; use a smaller --scale"
        }
    }

    public var errorDescription: String? { description }
}

extension SyntheticSetFile {
    /// PNG bytes of the set as `ImageGrid` draws it (the picture condense writes
    /// as `synthetic.png`): one row per class in label order, images
    /// de-normalised with the file's recorded mean and std.
    ///
    /// Non-finite pixels (a diverged set) are drawn, not refused: NaN as
    /// black, ±infinity clamped like any other value; `nonFinitePixelCount` says how many there are.
    ///
    /// - Parameter scale: each pixel becomes a `scale × scale` block, ≥ 1.
    /// - Throws: `SyntheticGridError` for missing or non-finite normalisation, uneven classes,
    ///   a channel count other than 1 or 3, or a bad scale; `MemoryBudgetError` for a picture too large to hold.
    public func gridPNG(scale: Int = 2) throws -> Data {
        guard scale >= 1 else { throw SyntheticGridError.scaleOutOfRange(scale) }
        let (mean, std) = try drawableNormalization()
        let channels = images.shape[1]
        var counts: [Int: Int] = [:]
        for label in labels { counts[label, default: 0] += 1 }
        guard let perClass = counts.values.first, counts.values.allSatisfy({ $0 == perClass }) else {
            throw SyntheticGridError.unevenClasses(counts: counts)
        }
        let size = gridSize(scale: scale)
        guard MemoryBudget.product(size.width, size.height, channels) <= ImageGrid.maximumPixelBytes else {
            throw SyntheticGridError.pictureTooLarge(width: size.width, height: size.height, scale: scale)
        }
        try MemoryBudget.check(
            ImageGrid.bytesNeeded(width: size.width, height: size.height, channels: channels),
            for: "a \(size.width)×\(size.height) picture at scale \(scale)", fix: "use a smaller --scale")
        // Condense writes images class-major already; sorting keeps any other order drawable.
        let order = labels.indices.sorted { (labels[$0], $0) < (labels[$1], $1) }
        return ImageGrid.png(images.rows(order), columns: perClass, mean: mean, std: std, scale: scale)
    }

    /// One picture per class, in label order: that class's images side by
    /// side in one row at their own resolution, one background pixel around
    /// each, de-normalised like `gridPNG`. A page shows each under its class
    /// name and scales it up there, so the pictures stay small; classes may
    /// hold different numbers of images.
    ///
    /// - Throws: `SyntheticGridError` for missing or non-finite normalisation, a channel count
    ///   other than 1 or 3, or a row with more pixel bytes than one PNG may hold.
    public func classRowPictures() throws -> [ClassRowPicture] {
        let (mean, std) = try drawableNormalization()
        let (channels, height, width) = (images.shape[1], images.shape[2], images.shape[3])
        return try Set(labels).sorted().map { label in
            let members = labels.indices.filter { labels[$0] == label }
            let size = ImageGrid.size(
                rows: 1, columns: members.count, imageHeight: height, imageWidth: width, scale: 1, gap: ClassRowPicture.gap)
            guard MemoryBudget.product(size.width, size.height, channels) <= ImageGrid.maximumPixelBytes else {
                throw SyntheticGridError.pictureTooLarge(width: size.width, height: size.height, scale: 1)
            }
            let png = ImageGrid.png(
                images.rows(members), columns: members.count, mean: mean, std: std, scale: 1, gap: ClassRowPicture.gap)
            return ClassRowPicture(label: label, imageCount: members.count, width: size.width, height: size.height, png: png)
        }
    }

    /// The class names recorded in the metadata (`class_names`, one per line, in label
    /// order; sets imported from `.npz` carry them), or nil when there are none.
    public var classNames: [String]? {
        metadata["class_names"].map { $0.components(separatedBy: "\n") }
    }

    /// `names` as the `class_names` metadata that `classNames` reads back.
    /// - Throws: `UnrecordableClassNameError` for a name holding a line feed, which would read back as two.
    public static func classNamesMetadata(_ names: [String]) throws -> String {
        // By scalar: "\r\n" is one Character, which a Character search for "\n" would pass over.
        if let name = names.first(where: { $0.unicodeScalars.contains("\n") }) {
            throw UnrecordableClassNameError(name: name)
        }
        return names.joined(separator: "\n")
    }

    /// How many image values are NaN or infinite.
    public var nonFinitePixelCount: Int { images.scalars.reduce(0) { $0 + ($1.isFinite ? 0 : 1) } }

    /// What a command's summary line adds about non-finite pixels ("; 2 values are not finite: TREATMENT"),
    /// empty when there are none. The treatment defaults to how PNGs show them.
    public func nonFinitePixelNote(_ treatment: String = "NaN drawn black, ±inf clamped") -> String {
        let count = nonFinitePixelCount
        guard count > 0 else { return "" }
        return "; \(count == 1 ? "1 value is" : "\(count) values are") not finite: \(treatment)"
    }

    /// The size in pixels of `gridPNG(scale:)`'s picture.
    public func gridSize(scale: Int) -> (width: Int, height: Int) {
        let classes = Set(labels).count
        let perClass = labels.count / max(classes, 1)
        return ImageGrid.size(
            rows: classes, columns: perClass, imageHeight: images.shape[2], imageWidth: images.shape[3], scale: scale)
    }

    /// The recorded per-channel mean and std, checked to be usable for undoing the
    /// normalisation; nil when the metadata records neither (sets from elsewhere may not).
    /// - Throws: `SyntheticGridError` for only one of them, or one that is malformed or not finite (std not positive).
    public func recordedNormalization() throws -> (mean: [Float], std: [Float])? {
        guard metadata["mean"] != nil || metadata["std"] != nil else { return nil }
        let channels = images.shape[1]
        let mean = try normalization("mean", channels: channels)
        let std = try normalization("std", channels: channels)
        guard mean.allSatisfy(\.isFinite) else {
            throw SyntheticGridError.invalidNormalization(key: "mean", value: metadata["mean"]!)
        }
        guard std.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw SyntheticGridError.invalidNormalization(key: "std", value: metadata["std"]!)
        }
        return (mean, std)
    }

    /// The recorded normalisation, which drawing needs, of a set with a drawable channel count.
    private func drawableNormalization() throws -> (mean: [Float], std: [Float]) {
        let channels = images.shape[1]
        guard channels == 1 || channels == 3 else { throw SyntheticGridError.unsupportedChannels(channels) }
        return try requiredNormalization()
    }

    /// The recorded normalisation, which drawing and exporting need, checked like `recordedNormalization()`.
    /// - Throws: `SyntheticGridError.missingNormalization` when the metadata records none.
    func requiredNormalization() throws -> (mean: [Float], std: [Float]) {
        guard let recorded = try recordedNormalization() else { throw SyntheticGridError.missingNormalization(key: "mean") }
        return recorded
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

/// One class of a synthetic set as a PNG: its images side by side in one row.
public struct ClassRowPicture: Sendable {
    /// Background pixels around each image.
    public static let gap = 1

    /// The class index.
    public var label: Int
    public var imageCount: Int
    /// The picture's size in pixels.
    public var width: Int
    public var height: Int
    public var png: Data
}

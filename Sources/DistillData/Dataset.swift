// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor

/// One split of a labelled image dataset, normalised and indexed by class.
///
/// Images are `[N, C, H, W]` in normalised space (see `PixelNormalization`), the
/// space synthetic images live in. The per-class index is built once, so
/// `indices(ofClass:)` and `sample(count:ofClass:using:)` cost no scan.
public struct Dataset: Sendable {
    public let kind: DatasetKind
    public let split: DatasetSplit
    /// `[N, C, H, W]` normalised images.
    public let images: NDArray
    /// Class of each image, in `0..<classNames.count`.
    public let labels: [Int]
    public let classNames: [String]
    public let normalization: PixelNormalization
    private let classIndices: [[Int]]

    /// Wraps images that are already normalised.
    /// - Parameters:
    ///   - images: `[N, C, H, W]` with `[C, H, W] == kind.imageShape`.
    ///   - labels: N labels in `0..<classNames.count`.
    ///   - classNames: one name per class; `kind.classCount` of them.
    /// - Precondition: the shapes, label count and label range agree.
    public init(
        kind: DatasetKind, split: DatasetSplit, images: NDArray, labels: [Int], classNames: [String],
        normalization: PixelNormalization
    ) {
        precondition(
            images.rank == 4 && Array(images.shape.dropFirst()) == kind.imageShape,
            "Dataset(\(kind.name)): images \(images.shape) must be [N] + \(kind.imageShape)")
        precondition(
            images.shape[0] == labels.count,
            "Dataset(\(kind.name)): \(images.shape[0]) images but \(labels.count) labels")
        precondition(
            classNames.count == kind.classCount,
            "Dataset(\(kind.name)): \(classNames.count) class names, expected \(kind.classCount)")
        precondition(
            normalization.channels == kind.channels,
            "Dataset(\(kind.name)): normalisation has \(normalization.channels) channels, images \(kind.channels)")
        var classIndices = [[Int]](repeating: [], count: classNames.count)
        for (index, label) in labels.enumerated() {
            precondition(
                (0..<classNames.count).contains(label),
                "Dataset(\(kind.name)): label \(label) of image \(index) is outside 0..<\(classNames.count)")
            classIndices[label].append(index)
        }
        self.kind = kind
        self.split = split
        self.images = images
        self.labels = labels
        self.classNames = classNames
        self.normalization = normalization
        self.classIndices = classIndices
    }

    /// Normalises raw pixel bytes with the dataset's published mean and std.
    /// - Parameter pixels: `[N, C, H, W]` bytes, `N == labels.count`.
    public init(kind: DatasetKind, split: DatasetSplit, pixels: [UInt8], labels: [Int], classNames: [String]) {
        let shape = [labels.count] + kind.imageShape
        precondition(
            pixels.count == shape.elementCount,
            "Dataset(\(kind.name)): \(pixels.count) pixel bytes do not make \(shape)")
        let normalization = kind.normalization
        self.init(
            kind: kind, split: split, images: normalization.normalize(pixels: pixels, shape: shape),
            labels: labels, classNames: classNames, normalization: normalization)
    }

    /// The dataset's name as users type it, e.g. `fashion-mnist`.
    public var name: String { kind.name }
    public var count: Int { labels.count }
    public var classCount: Int { classNames.count }
    public var mean: [Float] { normalization.mean }
    public var std: [Float] { normalization.std }
    /// Shape of one image, `[C, H, W]`.
    public var imageShape: [Int] { kind.imageShape }

    /// Positions of the images of class `label`, in ascending order.
    public func indices(ofClass label: Int) -> [Int] {
        precondition(
            classIndices.indices.contains(label),
            "Dataset.indices(ofClass:): class \(label) is outside 0..<\(classCount) for \(name)")
        return classIndices[label]
    }

    /// Copies the images at `indices`, in that order.
    /// - Returns: `[indices.count, C, H, W]`.
    public func images(at indices: [Int]) -> NDArray {
        let size = imageShape.elementCount
        return images.withUnsafeBufferPointer { source in
            NDArray(shape: [indices.count] + imageShape) { out in
                for (row, index) in indices.enumerated() {
                    precondition(
                        (0..<count).contains(index), "Dataset.images(at:): index \(index) outside 0..<\(count)")
                    let from = source.baseAddress! + index * size
                    (out.baseAddress! + row * size).update(from: from, count: size)
                }
            }
        }
    }

    /// Copies a contiguous run of images, e.g. one evaluation batch.
    /// - Returns: `[range.count, C, H, W]`.
    public func images(in range: Range<Int>) -> NDArray {
        precondition(
            range.lowerBound >= 0 && range.upperBound <= count,
            "Dataset.images(in:): range \(range) outside 0..<\(count)")
        let size = imageShape.elementCount
        let slice = images.scalars[(range.lowerBound * size)..<(range.upperBound * size)]
        return NDArray(shape: [range.count] + imageShape, scalars: Array(slice))
    }

    /// Draws `count` distinct image positions of class `label`, uniformly without replacement.
    ///
    /// The draw is a partial Fisher–Yates shuffle of the class index, so it
    /// depends only on the generator's state and the class size.
    /// - Throws: `DatasetError.notEnoughImages` when the class holds fewer than `count` images.
    public func sampleIndices(count: Int, ofClass label: Int, using generator: inout SeededGenerator) throws -> [Int] {
        precondition(count >= 0, "Dataset.sample: count \(count) must be non-negative")
        var pool = indices(ofClass: label)
        guard count <= pool.count else {
            throw DatasetError.notEnoughImages(
                dataset: name, split: split.rawValue, classIndex: label, className: classNames[label],
                requested: count, available: pool.count)
        }
        for position in 0..<count {
            let pick = position + Self.uniformIndex(below: pool.count - position, using: &generator)
            pool.swapAt(position, pick)
        }
        return Array(pool.prefix(count))
    }

    /// A random batch of `count` distinct images of class `label`.
    /// - Returns: `[count, C, H, W]` normalised images.
    /// - Throws: `DatasetError.notEnoughImages` when the class holds fewer than `count` images.
    public func sample(count: Int, ofClass label: Int, using generator: inout SeededGenerator) throws -> NDArray {
        images(at: try sampleIndices(count: count, ofClass: label, using: &generator))
    }

    /// Uniform integer in `0..<bound` by Lemire's multiply-and-reject method,
    /// written out so the stream of draws never depends on the standard library's version.
    static func uniformIndex(below bound: Int, using generator: inout SeededGenerator) -> Int {
        precondition(bound > 0, "Dataset.uniformIndex: bound \(bound) must be positive")
        let range = UInt64(bound)
        var product = generator.next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = generator.next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }
}

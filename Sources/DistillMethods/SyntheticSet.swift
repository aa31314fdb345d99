// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData
import DistillTensor

/// Labelled real images that can be sampled per class: what the methods read
/// real batches from. `Dataset` conforms; tests use small in-memory sources.
public protocol RealImageSource {
    /// Number of classes; labels are `0..<classCount`.
    var classCount: Int { get }
    /// Shape of one image, `[C, H, W]`, in normalised space.
    var imageShape: [Int] { get }
    /// Number of images of class `label`.
    func imageCount(ofClass label: Int) -> Int
    /// `count` distinct random images of class `label`, `[count, C, H, W]`.
    /// - Throws: when the class holds fewer than `count` images.
    func sample(count: Int, ofClass label: Int, using generator: inout SeededGenerator) throws -> NDArray
}

extension Dataset: RealImageSource {
    public func imageCount(ofClass label: Int) -> Int { indices(ofClass: label).count }
}

/// How synthetic images start.
public enum SyntheticInitialization: String, CaseIterable, Sendable, Codable {
    /// Standard normal pixels in normalised space (DC's default).
    case noise
    /// Distinct random real images of each class (the DSA and DM default).
    case real
}

/// The learned images and their fixed labels, class-major.
///
/// Class c owns rows `c·ipc ..< (c+1)·ipc` of `images`; the labels are each
/// class repeated `imagesPerClass` times. Images live in the dataset's
/// normalised space.
public struct SyntheticSet: Sendable, Equatable, Codable {
    /// `[classCount · imagesPerClass, C, H, W]`.
    public var images: NDArray {
        didSet {
            precondition(
                images.shape == oldValue.shape,
                "SyntheticSet.images: shape \(images.shape) replaces \(oldValue.shape)")
        }
    }
    public let imagesPerClass: Int
    public let classCount: Int

    /// Wraps class-major images.
    /// - Parameters:
    ///   - images: `[classCount · imagesPerClass, C, H, W]`.
    ///   - imagesPerClass: > 0, dividing the image count.
    public init(images: NDArray, imagesPerClass: Int) {
        precondition(
            images.rank == 4 && imagesPerClass > 0 && images.shape[0] % imagesPerClass == 0 && images.shape[0] > 0,
            "SyntheticSet: \(images.shape) images are not a whole number of classes of \(imagesPerClass)")
        self.images = images
        self.imagesPerClass = imagesPerClass
        self.classCount = images.shape[0] / imagesPerClass
    }

    /// A fresh synthetic set for `source`.
    ///
    /// - Parameters:
    ///   - initialization: `noise` (standard normal) or `real` (random real images per class).
    ///   - imagesPerClass: ipc, > 0.
    ///   - source: the real data; gives the class count, the image shape and, for `real`, the images.
    ///   - generator: the source of the noise or of the real-image choice.
    /// - Throws: `CondensationError.imagesPerClassTooLarge` when `real` asks for more images than a class holds.
    public init(
        _ initialization: SyntheticInitialization, imagesPerClass: Int, from source: some RealImageSource,
        using generator: inout SeededGenerator
    ) throws {
        precondition(imagesPerClass > 0, "SyntheticSet: images per class \(imagesPerClass) must be positive")
        let shape = [source.classCount * imagesPerClass] + source.imageShape
        switch initialization {
        case .noise:
            self.init(images: .normal(shape: shape, using: &generator), imagesPerClass: imagesPerClass)
        case .real:
            var scalars: [Float] = []
            scalars.reserveCapacity(shape.elementCount)
            for label in 0..<source.classCount {
                let available = source.imageCount(ofClass: label)
                guard imagesPerClass <= available else {
                    throw CondensationError.imagesPerClassTooLarge(
                        imagesPerClass: imagesPerClass, classIndex: label, available: available)
                }
                scalars += try source.sample(count: imagesPerClass, ofClass: label, using: &generator).scalars
            }
            self.init(images: NDArray(shape: shape, scalars: scalars), imagesPerClass: imagesPerClass)
        }
    }

    /// The label of every image: class c repeated `imagesPerClass` times, class by class.
    public var labels: [Int] {
        (0..<classCount).flatMap { Array(repeating: $0, count: imagesPerClass) }
    }

    /// The rows of class `label`.
    public func rows(ofClass label: Int) -> Range<Int> {
        precondition((0..<classCount).contains(label), "SyntheticSet: class \(label) outside 0..<\(classCount)")
        return (label * imagesPerClass)..<((label + 1) * imagesPerClass)
    }

    /// The images of class `label`, `[imagesPerClass, C, H, W]`.
    public func images(ofClass label: Int) -> NDArray {
        images.rows(rows(ofClass: label).map { $0 })
    }

    // MARK: - Codable

    private enum CodingKeys: String, CodingKey {
        case images, imagesPerClass
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let images = try container.decode(StoredArray.self, forKey: .images).array(codingPath: decoder.codingPath)
        let imagesPerClass = try container.decode(Int.self, forKey: .imagesPerClass)
        guard images.rank == 4, imagesPerClass > 0, images.shape[0] > 0, images.shape[0] % imagesPerClass == 0 else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "synthetic images \(images.shape) do not hold whole classes of \(imagesPerClass)")
            )
        }
        self.init(images: images, imagesPerClass: imagesPerClass)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(StoredArray(images), forKey: .images)
        try container.encode(imagesPerClass, forKey: .imagesPerClass)
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor

/// The evaluation-time augmentation of dataset condensation (Zhao, Mopuri &
/// Bilen, ICLR 2021; `augment` in their utils): each image gets one
/// operation of the strategy, chosen uniformly at random.
///
/// - `crop`: pad 4 pixels with the batch's per-channel mean, then take an
///   H × W window at offsets (row, column) ∈ [0, 8)², i.e. shift by −4…3.
/// - `scale`: resize to (Int(u·H), Int(u'·W)), u, u' ~ U[0.8, 1.2), with
///   nearest-neighbour sampling (PyTorch `interpolate`), centre it on a zero
///   canvas, crop the centre H × W.
/// - `rotate`: rotate by an integer angle in [−45°, 45°) about the image
///   centre, filling with the mean of the per-channel means.
/// - `noise`: add 0.001·N(0, 1) per element.
///
/// It applies to constants (synthetic images being evaluated), so it works on
/// `NDArray`s and is not differentiable. Differences from the reference:
/// rotation samples bilinearly where the reference uses scipy's cubic spline
/// (`ndimage.rotate`), and turns about the exact centre where scipy's
/// reshape-then-crop can sit half a pixel off; scaling draws the width from
/// W where the reference uses H (the same for its square images).
public struct DCAugmentation: Sendable, Equatable, CustomStringConvertible {
    /// A strategy token.
    public enum Operation: String, CaseIterable, Sendable {
        case crop, scale, rotate, noise
    }

    /// The drawn operation of one image with its parameters.
    public enum Step: Sendable, Equatable {
        /// Window origin in the padded image; the content moves by (padding − row, padding − column).
        case crop(row: Int, column: Int)
        /// The resized height and width before centring.
        case scale(height: Int, width: Int)
        /// The rotation angle in degrees.
        case rotate(degrees: Int)
        /// The seed of the image's noise.
        case noise(seed: UInt64)
    }

    /// Padding of `crop`; offsets are drawn in [0, 2·cropPadding).
    public static let cropPadding = 4
    /// `scale` draws factors in [1 − scaleRatio, 1 + scaleRatio).
    public static let scaleRatio: Float = 0.2
    /// `rotate` draws integer angles in [−maxDegrees, maxDegrees).
    public static let maxDegrees = 45
    /// Standard deviation of `noise`.
    public static let noiseDeviation: Float = 0.001

    /// MNIST's evaluation strategy.
    public static let mnist = DCAugmentation(operations: [.crop, .scale, .rotate])
    /// The evaluation strategy of ConvNetBN.
    public static let convNetBN = DCAugmentation(operations: [.crop, .noise])

    /// The operations to choose from; empty for no augmentation.
    public let operations: [Operation]

    public init(operations: [Operation]) {
        self.operations = operations
    }

    /// Parses a strategy string of '_'-joined operations such as `crop_scale_rotate`;
    /// "none" or "" is no augmentation.
    /// - Throws: `AugmentationError.unknownToken` for a token that names no operation.
    public init(strategy: String) throws {
        self.init(operations: try parseStrategy(strategy))
    }

    /// The strategy string ("none" when empty).
    public var description: String {
        operations.isEmpty ? "none" : operations.map(\.rawValue).joined(separator: "_")
    }

    /// Draws one step per image for `batch` images of `height × width`;
    /// no steps when the strategy is empty.
    public func draw(using generator: inout SeededGenerator, batch: Int, height: Int, width: Int) -> [Step] {
        guard !operations.isEmpty else { return [] }
        return (0..<batch).map { _ in
            switch operations[Int.random(in: 0..<operations.count, using: &generator)] {
            case .crop:
                let range = 0..<(2 * Self.cropPadding)
                let row = Int.random(in: range, using: &generator)
                return .crop(row: row, column: Int.random(in: range, using: &generator))
            case .scale:
                let factor = { (g: inout SeededGenerator) in 1 - Self.scaleRatio + 2 * Self.scaleRatio * g.nextUniform() }
                let scaledHeight = max(1, Int(factor(&generator) * Float(height)))
                return .scale(height: scaledHeight, width: max(1, Int(factor(&generator) * Float(width))))
            case .rotate:
                return .rotate(degrees: Int.random(in: -Self.maxDegrees..<Self.maxDegrees, using: &generator))
            case .noise:
                return .noise(seed: generator.next())
            }
        }
    }

    /// Applies one step per image to `images` `[N, C, H, W]` (returned
    /// unchanged for no steps). Images are processed in parallel; the result
    /// depends only on the inputs.
    public func apply(_ steps: [Step], to images: NDArray) -> NDArray {
        precondition(images.rank == 4, "DCAugmentation: images must be [N, C, H, W], got \(images.shape)")
        guard !steps.isEmpty else { return images }
        precondition(
            steps.count == images.shape[0],
            "DCAugmentation: \(steps.count) steps for \(images.shape[0]) images \(images.shape)")
        let means = Self.channelMeans(images)
        let fill = means.reduce(0, +) / Float(means.count)
        let image = DCImageShape(channels: images.shape[1], height: images.shape[2], width: images.shape[3])
        var result = images
        result.withUnsafeMutableBufferPointer { out in
            images.withUnsafeBufferPointer { input in
                Parallel.forEach(steps.count) { n in
                    let source = UnsafeBufferPointer(rebasing: input[(n * image.count)..<((n + 1) * image.count)])
                    let target = UnsafeMutableBufferPointer(rebasing: out[(n * image.count)..<((n + 1) * image.count)])
                    switch steps[n] {
                    case .crop(let row, let column):
                        image.crop(source, into: target, row: row, column: column, padding: Self.cropPadding, means: means)
                    case .scale(let height, let width):
                        image.scale(source, into: target, height: height, width: width)
                    case .rotate(let degrees):
                        image.rotate(source, into: target, degrees: degrees, fill: fill)
                    case .noise(let seed):
                        var generator = SeededGenerator(seed: seed)
                        for i in 0..<image.count { target[i] = source[i] + Self.noiseDeviation * generator.nextNormal() }
                    }
                }
            }
        }
        return result
    }

    /// Augments `images` `[N, C, H, W]` with fresh draws.
    public func callAsFunction(_ images: NDArray, using generator: inout SeededGenerator) -> NDArray {
        precondition(images.rank == 4, "DCAugmentation: images must be [N, C, H, W], got \(images.shape)")
        let steps = draw(using: &generator, batch: images.shape[0], height: images.shape[2], width: images.shape[3])
        return apply(steps, to: images)
    }

    /// The mean of each channel over the batch and the pixels.
    static func channelMeans(_ images: NDArray) -> [Float] {
        let sums = images.sum(alongAxes: [0, 2, 3]).scalars
        let perChannel = Float(images.count / max(images.shape[1], 1))
        return sums.map { $0 / perChannel }
    }
}

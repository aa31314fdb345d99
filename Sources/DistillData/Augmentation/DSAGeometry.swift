// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillTensor
import Foundation

// The geometric transforms of differentiable siamese augmentation (Zhao &
// Bilen, ICML 2021). Each holds its random draws explicitly: one value per
// image, or a single value shared by the whole batch (a siamese draw, which
// then applies unchanged to a real and a synthetic batch of any sizes).

/// Random anisotropic scaling about the image centre.
///
/// ```
/// theta = [[sx, 0, 0], [0, sy, 0]],   sx, sy ~ U[1/1.2, 1.2)
/// y = gridSample(x, affineGrid(theta))      (bilinear, zero padding, align_corners false)
/// ```
/// The factors scale sampling coordinates, so sx > 1 shrinks the content.
public struct DSAScale: Sendable, Equatable {
    /// The largest factor; the smallest is its reciprocal.
    public static let ratio: Float = 1.2
    public var sx: [Float]
    public var sy: [Float]

    public init(sx: [Float], sy: [Float]) {
        precondition(sx.count == sy.count, "DSAScale: \(sx.count) sx but \(sy.count) sy")
        self.sx = sx
        self.sy = sy
    }

    /// Draws the factors: one pair shared by the batch when `siamese`, else one per image.
    public static func draw(using generator: inout SeededGenerator, batch: Int, siamese: Bool) -> DSAScale {
        let count = siamese ? 1 : batch
        let factor = { (g: inout SeededGenerator) in g.nextUniform() * (ratio - 1 / ratio) + 1 / ratio }
        let sx = (0..<count).map { _ in factor(&generator) }
        let sy = (0..<count).map { _ in factor(&generator) }
        return DSAScale(sx: sx, sy: sy)
    }

    /// Warps `x` `[N, C, H, W]`; differentiable with respect to `x`.
    public func apply(to x: Tensor) -> Tensor {
        let n = dsaBatch(of: x, draws: sx.count, transform: "DSAScale")
        let theta = (0..<n).flatMap { k -> [Float] in
            let (a, b) = (sx[sx.count == 1 ? 0 : k], sy[sy.count == 1 ? 0 : k])
            return [a, 0, 0, 0, b, 0]
        }
        return x.gridSample(grid: Tensor.affineGrid(theta: Tensor(shape: [n, 2, 3], scalars: theta), size: x.shape))
    }
}

/// Random rotation about the image centre by at most 15°.
///
/// ```
/// θ = (r − 0.5)·2·15/180·π,   r ~ U[0, 1)
/// theta = [[cos θ, −sin θ, 0], [sin θ, cos θ, 0]]
/// y = gridSample(x, affineGrid(theta))
/// ```
/// This is the matrix of the reference code, which the golden values confirm
/// (the matrix with the signs of sin swapped turns the other way).
public struct DSARotate: Sendable, Equatable {
    /// The largest angle in degrees.
    public static let maxDegrees: Float = 15
    public var radians: [Float]

    public init(radians: [Float]) {
        self.radians = radians
    }

    /// Draws the angles: one shared by the batch when `siamese`, else one per image.
    public static func draw(using generator: inout SeededGenerator, batch: Int, siamese: Bool) -> DSARotate {
        let limit = maxDegrees / 180 * Float.pi
        return DSARotate(radians: (0..<(siamese ? 1 : batch)).map { _ in (generator.nextUniform() - 0.5) * 2 * limit })
    }

    /// Warps `x` `[N, C, H, W]`; differentiable with respect to `x`.
    public func apply(to x: Tensor) -> Tensor {
        let n = dsaBatch(of: x, draws: radians.count, transform: "DSARotate")
        let theta = (0..<n).flatMap { k -> [Float] in
            let angle = radians[radians.count == 1 ? 0 : k]
            return [cos(angle), -sin(angle), 0, sin(angle), cos(angle), 0]
        }
        return x.gridSample(grid: Tensor.affineGrid(theta: Tensor(shape: [n, 2, 3], scalars: theta), size: x.shape))
    }
}

/// Random horizontal flip (along W) with probability 0.5.
///
/// The reference draws r ~ U[0, 1) and flips where r < 0.5; `flipped` holds
/// that decision (the golden fixture stores it as 1.0 for flipped, 0.0 not).
public struct DSAFlip: Sendable, Equatable {
    public static let probability: Float = 0.5
    public var flipped: [Bool]

    public init(flipped: [Bool]) {
        self.flipped = flipped
    }

    /// Draws the decisions: one shared by the batch when `siamese`, else one per image.
    public static func draw(using generator: inout SeededGenerator, batch: Int, siamese: Bool) -> DSAFlip {
        DSAFlip(flipped: (0..<(siamese ? 1 : batch)).map { _ in generator.nextUniform() < probability })
    }

    /// `y[n, c, i, j] = x[n, c, i, W − 1 − j]` where flipped, else `x`; differentiable with respect to `x`.
    public func apply(to x: Tensor) -> Tensor {
        _ = dsaBatch(of: x, draws: flipped.count, transform: "DSAFlip")
        guard flipped.contains(true) else { return x }
        let (h, w) = (x.shape[2], x.shape[3])
        let map = PixelMap(images: flipped.count, height: h, width: w) { m, i, j in
            (i, flipped[m] ? w - 1 - j : j)
        }
        return x.gatheringPixels(map)
    }
}

/// The batch size of `x` `[N, C, H, W]`, checking that a draw holds one
/// shared value or one per image.
func dsaBatch(of x: Tensor, draws: Int, transform: String) -> Int {
    precondition(x.rank == 4, "\(transform): images must be [N, C, H, W], got \(x.shape)")
    precondition(
        draws == 1 || draws == x.shape[0],
        "\(transform): \(draws) draws for a batch of \(x.shape[0]) (need 1 shared or one per image)")
    return x.shape[0]
}

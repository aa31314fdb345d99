// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillTensor

// The colour transforms of differentiable siamese augmentation. Each holds
// one uniform draw r ~ U[0, 1) per image, or one shared by the batch, and
// applies in normalised image space as the reference code does.

/// Random brightness shift.
///
/// ```
/// y = x + (r − 0.5)·1.0
/// ```
public struct DSABrightness: Sendable, Equatable {
    public static let strength: Float = 1.0
    public var r: [Float]

    public init(r: [Float]) {
        self.r = r
    }

    /// Draws r: one value shared by the batch when `siamese`, else one per image.
    public static func draw(using generator: inout SeededGenerator, batch: Int, siamese: Bool) -> DSABrightness {
        DSABrightness(r: colourDraws(using: &generator, batch: batch, siamese: siamese))
    }

    /// Shifts `x` `[N, C, H, W]`; differentiable with respect to `x`.
    public func apply(to x: Tensor) -> Tensor {
        x + perImageFactor(r.map { ($0 - 0.5) * Self.strength }, for: x, transform: "DSABrightness")
    }
}

/// Random saturation: scales each pixel's deviation from its channel mean.
///
/// ```
/// m = mean over C of x (per pixel);   y = (x − m)·(r·2.0) + m
/// ```
public struct DSASaturation: Sendable, Equatable {
    public static let strength: Float = 2.0
    public var r: [Float]

    public init(r: [Float]) {
        self.r = r
    }

    /// Draws r: one value shared by the batch when `siamese`, else one per image.
    public static func draw(using generator: inout SeededGenerator, batch: Int, siamese: Bool) -> DSASaturation {
        DSASaturation(r: colourDraws(using: &generator, batch: batch, siamese: siamese))
    }

    /// Saturates `x` `[N, C, H, W]`; differentiable with respect to `x`
    /// (the mean included).
    public func apply(to x: Tensor) -> Tensor {
        let factor = perImageFactor(r.map { $0 * Self.strength }, for: x, transform: "DSASaturation")
        let mean = x.mean(alongAxes: [1], keepingDimensions: true)
        return (x - mean) * factor + mean
    }
}

/// Random contrast: scales each image's deviation from its mean.
///
/// ```
/// m = mean over C, H, W of x (per image);   y = (x − m)·(r + 0.5) + m
/// ```
public struct DSAContrast: Sendable, Equatable {
    public static let offset: Float = 0.5
    public var r: [Float]

    public init(r: [Float]) {
        self.r = r
    }

    /// Draws r: one value shared by the batch when `siamese`, else one per image.
    public static func draw(using generator: inout SeededGenerator, batch: Int, siamese: Bool) -> DSAContrast {
        DSAContrast(r: colourDraws(using: &generator, batch: batch, siamese: siamese))
    }

    /// Changes the contrast of `x` `[N, C, H, W]`; differentiable with respect
    /// to `x` (the mean included).
    public func apply(to x: Tensor) -> Tensor {
        let factor = perImageFactor(r.map { $0 + Self.offset }, for: x, transform: "DSAContrast")
        let mean = x.mean(alongAxes: [1, 2, 3], keepingDimensions: true)
        return (x - mean) * factor + mean
    }
}

/// Uniform draws in [0, 1): one when `siamese`, else `batch`.
private func colourDraws(using generator: inout SeededGenerator, batch: Int, siamese: Bool) -> [Float] {
    (0..<(siamese ? 1 : batch)).map { _ in generator.nextUniform() }
}

/// Per-image factors as a constant `[draws, 1, 1, 1]` tensor that broadcasts over `x`.
private func perImageFactor(_ values: [Float], for x: Tensor, transform: String) -> Tensor {
    _ = dsaBatch(of: x, draws: values.count, transform: transform)
    return Tensor(shape: [values.count, 1, 1, 1], scalars: values)
}

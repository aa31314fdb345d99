// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillTensor

/// Random integer translation ("crop" in the reference code): pad one pixel
/// of zeros, shift, clamp indices into the padding.
///
/// ```
/// shift_h = Int(H·0.125 + 0.5),  tx ∈ [−shift_h, shift_h];  shift_w = Int(W·0.125 + 0.5),  ty ∈ [−shift_w, shift_w]
/// xpad = x zero-padded by 1 on each side of H and W
/// y[n, c, i, j] = xpad[n, c, clamp(i + tx + 1, 0, H + 1), clamp(j + ty + 1, 0, W + 1)]
/// ```
/// so `tx` shifts rows (H) and `ty` columns (W), and pixels shifted in from
/// outside are zero.
public struct DSACrop: Sendable, Equatable {
    /// The largest shift as a fraction of the image size.
    public static let ratio: Float = 0.125
    public var tx: [Int]
    public var ty: [Int]

    public init(tx: [Int], ty: [Int]) {
        precondition(tx.count == ty.count, "DSACrop: \(tx.count) tx but \(ty.count) ty")
        self.tx = tx
        self.ty = ty
    }

    /// Draws the shifts for `height × width` images: one pair shared by the
    /// batch when `siamese`, else one per image.
    public static func draw(
        using generator: inout SeededGenerator, batch: Int, height: Int, width: Int, siamese: Bool
    ) -> DSACrop {
        let count = siamese ? 1 : batch
        let (shiftH, shiftW) = (Int(Float(height) * ratio + 0.5), Int(Float(width) * ratio + 0.5))
        let tx = (0..<count).map { _ in Int.random(in: -shiftH...shiftH, using: &generator) }
        let ty = (0..<count).map { _ in Int.random(in: -shiftW...shiftW, using: &generator) }
        return DSACrop(tx: tx, ty: ty)
    }

    /// Translates `x` `[N, C, H, W]`; differentiable with respect to `x`.
    public func apply(to x: Tensor) -> Tensor {
        _ = dsaBatch(of: x, draws: tx.count, transform: "DSACrop")
        let (h, w) = (x.shape[2], x.shape[3])
        let map = PixelMap(images: tx.count, height: h, width: w) { m, i, j in
            // Clamping lands in the zero padding exactly when the shifted index leaves the image.
            let (y, x) = (i + tx[m], j + ty[m])
            return y >= 0 && y < h && x >= 0 && x < w ? (y, x) : nil
        }
        return x.gatheringPixels(map)
    }
}

/// Random cutout: zero a square of half the image size at a random centre.
///
/// ```
/// size_h = Int(H·0.5 + 0.5),  size_w = Int(W·0.5 + 0.5)
/// ox ∈ [0, H + 1 − size_h mod 2),  oy ∈ [0, W + 1 − size_w mod 2)
/// mask[n, clamp(ox + a − size_h/2, 0, H − 1), clamp(oy + b − size_w/2, 0, W − 1)] = 0  for a < size_h, b < size_w
/// y = x · mask
/// ```
/// Clamping (as in the reference) clips the square at the borders.
public struct DSACutout: Sendable, Equatable {
    /// The square's side as a fraction of the image size.
    public static let ratio: Float = 0.5
    public var ox: [Int]
    public var oy: [Int]

    public init(ox: [Int], oy: [Int]) {
        precondition(ox.count == oy.count, "DSACutout: \(ox.count) ox but \(oy.count) oy")
        self.ox = ox
        self.oy = oy
    }

    /// The side lengths (rows, columns) of the square for an `height × width` image.
    public static func size(height: Int, width: Int) -> (rows: Int, columns: Int) {
        (Int(Float(height) * ratio + 0.5), Int(Float(width) * ratio + 0.5))
    }

    /// Draws the centres for `height × width` images: one shared by the batch
    /// when `siamese`, else one per image.
    public static func draw(
        using generator: inout SeededGenerator, batch: Int, height: Int, width: Int, siamese: Bool
    ) -> DSACutout {
        let count = siamese ? 1 : batch
        let (rows, columns) = size(height: height, width: width)
        let ox = (0..<count).map { _ in Int.random(in: 0..<(height + 1 - rows % 2), using: &generator) }
        let oy = (0..<count).map { _ in Int.random(in: 0..<(width + 1 - columns % 2), using: &generator) }
        return DSACutout(ox: ox, oy: oy)
    }

    /// The constant mask `[draws, 1, H, W]`: 0 inside each square, 1 elsewhere.
    public func mask(height: Int, width: Int) -> NDArray {
        let (rows, columns) = Self.size(height: height, width: width)
        var mask = NDArray(repeating: 1, shape: [ox.count, 1, height, width])
        for m in 0..<ox.count {
            for a in 0..<rows {
                let i = min(max(ox[m] + a - rows / 2, 0), height - 1)
                for b in 0..<columns {
                    let j = min(max(oy[m] + b - columns / 2, 0), width - 1)
                    mask.scalars[(m * height + i) * width + j] = 0
                }
            }
        }
        return mask
    }

    /// Masks `x` `[N, C, H, W]`; differentiable with respect to `x`.
    public func apply(to x: Tensor) -> Tensor {
        _ = dsaBatch(of: x, draws: ox.count, transform: "DSACutout")
        return x * Tensor(mask(height: x.shape[2], width: x.shape[3]))
    }
}

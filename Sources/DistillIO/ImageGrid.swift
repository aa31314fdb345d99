// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor
import Foundation

/// Lays out a batch of normalised images as one picture: one row per class.
public enum ImageGrid {
    /// The most pixel bytes one picture may have (1 GiB): PNG stores the
    /// compressed pixels in one chunk, whose length must stay below 2³¹.
    public static let maximumPixelBytes = 1 << 30

    /// PNG bytes of `images` arranged `columns` per row, de-normalised with
    /// `mean`/`std` per channel and clamped to [0, 1]; NaN is drawn as 0 (black).
    ///
    /// - Parameters:
    ///   - images: [N, C, H, W] with C = 1 or 3, N a multiple of `columns`.
    ///   - columns: images per row (the images per class).
    ///   - mean, std: the per-channel normalisation to undo (C values each).
    ///   - scale: each pixel becomes a `scale × scale` block, so 28-pixel images stay visible.
    ///   - gap: background pixels between images.
    public static func png(
        _ images: NDArray, columns: Int, mean: [Float], std: [Float], scale: Int = 2, gap: Int = 2
    ) -> Data {
        precondition(images.rank == 4, "ImageGrid: images must be [N, C, H, W], got \(images.shape)")
        let (n, c, h, w) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
        precondition(c == 1 || c == 3, "ImageGrid: 1 or 3 channels, got \(images.shape)")
        precondition(columns > 0 && n % columns == 0, "ImageGrid: \(n) images do not fill rows of \(columns)")
        precondition(mean.count == c && std.count == c, "ImageGrid: \(mean.count) means and \(std.count) stds for \(c) channels")
        let cellWidth = w * scale + gap, cellHeight = h * scale + gap
        let (width, height) = size(rows: n / columns, columns: columns, imageHeight: h, imageWidth: w, scale: scale, gap: gap)
        var pixels = [UInt8](repeating: 255, count: width * height * c)
        let values = images.scalars
        for index in 0..<n {
            let originX = gap + (index % columns) * cellWidth
            let originY = gap + (index / columns) * cellHeight
            for y in 0..<(h * scale) {
                for x in 0..<(w * scale) {
                    for channel in 0..<c {
                        let value = values[((index * c + channel) * h + y / scale) * w + x / scale]
                        pixels[((originY + y) * width + originX + x) * c + channel] = pixel(value, mean: mean[channel], std: std[channel])
                    }
                }
            }
        }
        return PNG.encode(pixels: pixels, width: width, height: height, channels: c)
    }

    /// One normalised value as an 8-bit pixel: de-normalised, clamped to [0, 1] (±infinity
    /// to its end) and scaled to 0...255; NaN, which `max(NaN, 0)` keeps and UInt8 cannot take, is black.
    public static func pixel(_ value: Float, mean: Float, std: Float) -> UInt8 {
        let shifted = value * std + mean
        return UInt8(((shifted.isNaN ? 0 : min(max(shifted, 0), 1)) * 255).rounded())
    }

    /// The picture size `png` produces: `columns · (w · scale + gap) + gap` by
    /// `rows · (h · scale + gap) + gap` pixels, each `Int.max` when it does not fit an `Int`.
    public static func size(
        rows: Int, columns: Int, imageHeight: Int, imageWidth: Int, scale: Int, gap: Int = 2
    ) -> (width: Int, height: Int) {
        func extent(_ count: Int, _ side: Int) -> Int {
            MemoryBudget.sum(MemoryBudget.product(count, MemoryBudget.sum(MemoryBudget.product(side, scale), gap)), gap)
        }
        return (extent(columns, imageWidth), extent(rows, imageHeight))
    }

    /// Bytes `png` holds at its peak for a picture of that size: the pixels, their
    /// filtered scanlines and the compressed stream (at most about as large again).
    public static func bytesNeeded(width: Int, height: Int, channels: Int) -> Int {
        MemoryBudget.product(3, width, height, channels)
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor

/// Per-channel normalisation of pixels, as torchvision's `ToTensor` then `Normalize`.
///
/// ```
/// x = (p / 255 − mean[c]) / std[c]        p ∈ {0, …, 255}, c the channel
/// ```
/// Each step is rounded to Float32 as PyTorch does, so the values match it bit for bit.
public struct PixelNormalization: Sendable, Codable, Equatable {
    /// Mean of the [0, 1]-scaled training pixels, one value per channel.
    public var mean: [Float]
    /// Standard deviation of the [0, 1]-scaled training pixels, one value per channel.
    public var std: [Float]

    /// - Precondition: `mean` and `std` have one entry per channel and every std is positive.
    public init(mean: [Float], std: [Float]) {
        precondition(
            mean.count == std.count && !mean.isEmpty,
            "PixelNormalization: mean has \(mean.count) channels, std has \(std.count)")
        precondition(std.allSatisfy { $0 > 0 }, "PixelNormalization: std \(std) must be positive")
        self.mean = mean
        self.std = std
    }

    public var channels: Int { mean.count }

    /// The normalised value of pixel byte `pixel` in channel `channel`.
    @inlinable
    public func normalized(pixel: UInt8, channel: Int) -> Float {
        (Float(pixel) / 255 - mean[channel]) / std[channel]
    }

    /// Normalises images stored as bytes.
    /// - Parameters:
    ///   - pixels: `[N, C, H, W]` bytes, row-major.
    ///   - shape: `[N, C, H, W]` with `C == channels`.
    /// - Returns: `[N, C, H, W]` normalised values.
    public func normalize(pixels: [UInt8], shape: [Int]) -> NDArray {
        precondition(
            shape.count == 4 && shape[1] == channels && shape.elementCount == pixels.count,
            "PixelNormalization.normalize: shape \(shape) with \(channels) channels does not fit \(pixels.count) pixels")
        // One table per channel: 256 values cover every input.
        let tables = (0..<channels).map { channel in (0...255).map { normalized(pixel: UInt8($0), channel: channel) } }
        let plane = shape[2] * shape[3]
        let planes = shape[0] * shape[1]
        return NDArray(shape: shape) { out in
            pixels.withUnsafeBufferPointer { source in
                Parallel.forEachRange(planes, grain: 256) { range in
                    for planeIndex in range {
                        tables[planeIndex % channels].withUnsafeBufferPointer { table in
                            let start = planeIndex * plane
                            let input = source.baseAddress! + start, output = out.baseAddress! + start
                            for i in 0..<plane { output[i] = table[Int(input[i])] }
                        }
                    }
                }
            }
        }
    }

    /// Maps normalised images back to pixel intensities in [0, 1] (not clamped).
    ///
    /// ```
    /// p = x · std[c] + mean[c]
    /// ```
    /// - Parameter images: `[N, C, H, W]` with `C == channels`.
    public func denormalize(_ images: NDArray) -> NDArray {
        precondition(
            images.rank == 4 && images.shape[1] == channels,
            "PixelNormalization.denormalize: images \(images.shape) must be [N, \(channels), H, W]")
        let plane = images.shape[2] * images.shape[3]
        return images.withUnsafeBufferPointer { source in
            NDArray(shape: images.shape) { out in
                for i in 0..<source.count {
                    let channel = (i / plane) % channels
                    out[i] = source[i] * std[channel] + mean[channel]
                }
            }
        }
    }
}

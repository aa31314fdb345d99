// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

/// Brings images to one square size the way torchvision's `Resize(N)` then
/// `CenterCrop(N)` does: the centre square of side min(width, height) is scaled
/// to N×N, averaging the covered area of each output pixel when shrinking and
/// interpolating linearly when enlarging. An image already N×N is copied exactly.
public enum ImageResize {
    /// The centre N×N of `image` scaled as above, as planar `[C, N, N]` bytes.
    public static func squarePlanar(_ image: DecodedImage, size: Int) -> [UInt8] {
        precondition(size > 0, "ImageResize: size \(size) must be positive")
        let side = min(image.width, image.height)
        let x0 = (image.width - side) / 2, y0 = (image.height - side) / 2
        let columns = weights(source: side, target: size), rows = weights(source: side, target: size)
        let channels = image.channels
        var out = [UInt8](repeating: 0, count: channels * size * size)
        var horizontal = [Float](repeating: 0, count: side * size)
        for channel in 0..<channels {
            // Rows of the crop, each scaled to `size` columns.
            for y in 0..<side {
                let rowStart = ((y0 + y) * image.width + x0) * channels + channel
                for (x, taps) in columns.enumerated() {
                    var sum: Float = 0
                    for tap in taps { sum += tap.weight * Float(image.pixels[rowStart + tap.index * channels]) }
                    horizontal[y * size + x] = sum
                }
            }
            for (y, taps) in rows.enumerated() {
                for x in 0..<size {
                    var sum: Float = 0
                    for tap in taps { sum += tap.weight * horizontal[tap.index * size + x] }
                    out[(channel * size + y) * size + x] = UInt8(max(0, min(255, sum.rounded())))
                }
            }
        }
        return out
    }

    struct Tap {
        var index: Int
        var weight: Float
    }

    /// For each of `target` output positions, the source positions it reads and their weights (summing to 1).
    static func weights(source: Int, target: Int) -> [[Tap]] {
        let scale = Double(source) / Double(target)
        return (0..<target).map { position in
            if source >= target {
                // Area: the output pixel covers [start, end) of the source; each source pixel weighs its overlap.
                let start = Double(position) * scale, end = Double(position + 1) * scale
                var taps: [Tap] = []
                for index in Int(start.rounded(.down))..<min(source, Int(end.rounded(.up))) {
                    let overlap = min(end, Double(index + 1)) - max(start, Double(index))
                    if overlap > 0 { taps.append(Tap(index: index, weight: Float(overlap / scale))) }
                }
                return taps
            }
            // Linear, with pixel centres aligned as torchvision's bilinear resize aligns them.
            let centre = min(max((Double(position) + 0.5) * scale - 0.5, 0), Double(source - 1))
            let left = Int(centre.rounded(.down)), right = min(left + 1, source - 1)
            let fraction = Float(centre - Double(left))
            return fraction == 0 ? [Tap(index: left, weight: 1)] : [Tap(index: left, weight: 1 - fraction), Tap(index: right, weight: fraction)]
        }
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillTensor

/// Where each output pixel of an integer warp (flip, translation) reads from:
/// one source pixel per output pixel, the same for every channel.
///
/// `sources[m · H·W + i·W + j]` is the flat index `y·W + x` of the input pixel
/// that output pixel (i, j) of image m copies, or −1 for zero. With one map
/// (`images == 1`) the map is shared by the whole batch.
struct PixelMap {
    let images: Int
    let height: Int
    let width: Int
    let sources: [Int32]

    /// Builds a map from `source(image, i, j)`, which returns the input pixel
    /// (y, x) or nil for zero.
    init(images: Int, height: Int, width: Int, source: (Int, Int, Int) -> (y: Int, x: Int)?) {
        self.images = images
        self.height = height
        self.width = width
        var sources = [Int32](repeating: -1, count: images * height * width)
        for m in 0..<images {
            for i in 0..<height {
                for j in 0..<width {
                    guard let (y, x) = source(m, i, j) else { continue }
                    precondition(
                        y >= 0 && y < height && x >= 0 && x < width,
                        "PixelMap: source (\(y), \(x)) outside a \(height)×\(width) image")
                    sources[(m * height + i) * width + j] = Int32(y * width + x)
                }
            }
        }
        self.sources = sources
    }

    /// Copies or scatters whole planes through the map; `scatter` accumulates
    /// into the sources (the adjoint of copying from them).
    func apply(to x: NDArray, scatter: Bool) -> NDArray {
        precondition(
            x.rank == 4 && x.shape[2] == height && x.shape[3] == width && (images == 1 || images == x.shape[0]),
            "PixelMap: image \(x.shape) does not match \(images) map(s) of \(height)×\(width)")
        let (n, c, plane) = (x.shape[0], x.shape[1], height * width)
        var result = NDArray(zeros: x.shape)
        result.withUnsafeMutableBufferPointer { out in
            x.withUnsafeBufferPointer { input in
                sources.withUnsafeBufferPointer { map in
                    // One thread owns each output plane, so scattering has no races.
                    Parallel.forEachRange(n * c, grain: max(1, 16_384 / max(plane, 1))) { planes in
                        for index in planes {
                            let base = index * plane
                            let offsets = images == 1 ? 0 : (index / c) * plane
                            for p in 0..<plane {
                                let source = Int(map[offsets + p])
                                guard source >= 0 else { continue }
                                if scatter {
                                    out[base + source] += input[base + p]
                                } else {
                                    out[base + p] = input[base + source]
                                }
                            }
                        }
                    }
                }
            }
        }
        return result
    }
}

extension Tensor {
    /// Copies pixels through `map`: `out[n, c, i, j] = self[n, c, source(n, i, j)]`
    /// (zero where there is no source). Shapes: `[N, C, H, W]` → `[N, C, H, W]`.
    ///
    /// Gradient: the scatter-add through the same map, itself a recorded op
    /// whose gradient is this gather, so the op is differentiable to any order.
    func gatheringPixels(_ map: PixelMap) -> Tensor {
        Tensor.record("gatherPixels", map.apply(to: array, scatter: false), inputs: [self]) { g, _ in
            [g.scatteringPixels(map)]
        }
    }

    /// The adjoint of `gatheringPixels(_:)`: adds each pixel into its source.
    func scatteringPixels(_ map: PixelMap) -> Tensor {
        Tensor.record("scatterPixels", map.apply(to: array, scatter: true), inputs: [self]) { g, _ in
            [g.gatheringPixels(map)]
        }
    }
}

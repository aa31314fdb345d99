// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

/// Bilinear grid sampling (PyTorch `grid_sample` with `mode: bilinear`,
/// `padding_mode: zeros`, `align_corners: false`), its adjoint, and the
/// affine grid generator (`affine_grid`, `align_corners: false`).
///
/// A grid point (x, y) in [−1, 1]² addresses the input in pixel units as
/// ```
/// ix = ((x + 1)·W − 1) / 2        iy = ((y + 1)·H − 1) / 2
/// ```
/// so −1 and 1 are the outer edges of the border pixels, not their centres.
/// The four neighbours of (ix, iy) are weighted bilinearly; neighbours outside
/// the image contribute zero.
extension NDArray {
    /// Samples `self` at the points of `grid`.
    ///
    /// ```
    /// out[n, c, i, j] = Σ_k w_k(grid[n, i, j]) · self[n, c, y_k, x_k]
    /// ```
    /// - Parameter grid: `[N, Hout, Wout, 2]`, last axis (x, y) normalised to [−1, 1].
    /// - Returns: `[N, C, Hout, Wout]` for `self` shaped `[N, C, H, W]`.
    public func gridSampled(at grid: NDArray) -> NDArray {
        let (n, c, h, w) = Self.gridSampleShapes(image: shape, grid: grid.shape, op: "gridSample")
        let (outH, outW) = (grid.shape[1], grid.shape[2])
        let points = outH * outW
        return NDArray(shape: [n, c, outH, outW]) { out in
            withUnsafeBufferPointer { x in
                grid.withUnsafeBufferPointer { g in
                    Parallel.forEachRange(n, grain: max(1, 16_384 / max(points * c, 1))) { images in
                        Self.withCorners(points: points) { corners in
                            for image in images {
                                Self.fillCorners(corners, grid: g, image: image, points: points, height: h, width: w)
                                for channel in 0..<c {
                                    let plane = (image * c + channel) * h * w
                                    let target = (image * c + channel) * points
                                    for p in 0..<points {
                                        var value: Float = 0
                                        for k in 0..<4 {
                                            let source = corners.index[p * 4 + k]
                                            if source >= 0 { value += corners.weight[p * 4 + k] * x[plane + Int(source)] }
                                        }
                                        out[target + p] = value
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The adjoint of `gridSampled(at:)`: scatters `self` (an upstream
    /// gradient `[N, C, Hout, Wout]`) back onto an `[N, C, height, width]`
    /// image with the same bilinear weights.
    ///
    /// ```
    /// out[n, c, y, x] = Σ_{i, j, k : (y_k, x_k)(grid[n, i, j]) = (y, x)} w_k · self[n, c, i, j]
    /// ```
    /// Each image's planes are accumulated by one thread in a fixed order,
    /// so the result is deterministic.
    public func gridSampleAdjoint(grid: NDArray, height h: Int, width w: Int) -> NDArray {
        precondition(
            rank == 4 && grid.rank == 4 && grid.shape[0] == shape[0] && grid.shape[1] == shape[2]
                && grid.shape[2] == shape[3] && grid.shape[3] == 2,
            "gridSampleAdjoint: gradient \(shape) does not match grid \(grid.shape)")
        let (n, c, points) = (shape[0], shape[1], shape[2] * shape[3])
        var result = NDArray(zeros: [n, c, h, w])
        result.withUnsafeMutableBufferPointer { out in
            withUnsafeBufferPointer { upstream in
                grid.withUnsafeBufferPointer { g in
                    Parallel.forEachRange(n, grain: max(1, 16_384 / max(points * c, 1))) { images in
                        Self.withCorners(points: points) { corners in
                            for image in images {
                                Self.fillCorners(corners, grid: g, image: image, points: points, height: h, width: w)
                                for channel in 0..<c {
                                    let plane = (image * c + channel) * h * w
                                    let source = (image * c + channel) * points
                                    for p in 0..<points {
                                        let value = upstream[source + p]
                                        for k in 0..<4 {
                                            let target = corners.index[p * 4 + k]
                                            if target >= 0 { out[plane + Int(target)] += corners.weight[p * 4 + k] * value }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return result
    }

    /// The sampling grid of an affine map in normalised coordinates.
    ///
    /// ```
    /// grid[n, i, j] = theta[n] · (x_j, y_i, 1)ᵀ,   x_j = (2j + 1)/W − 1,   y_i = (2i + 1)/H − 1
    /// ```
    /// - Parameters:
    ///   - theta: `[N, 2, 3]` affine matrices (output → input coordinates).
    ///   - size: the output image size `[N, C, H, W]`.
    /// - Returns: `[N, H, W, 2]`.
    public static func affineGrid(theta: NDArray, size: [Int]) -> NDArray {
        precondition(
            size.count == 4 && theta.shape == [size[0], 2, 3],
            "affineGrid: theta \(theta.shape) does not match size \(size) (needs [N, 2, 3])")
        let (n, h, w) = (size[0], size[2], size[3])
        return NDArray(shape: [n, h, w, 2]) { out in
            theta.withUnsafeBufferPointer { t in
                for image in 0..<n {
                    let m = t.baseAddress! + image * 6
                    for i in 0..<h {
                        let y = Float(2 * i + 1) / Float(h) - 1
                        for j in 0..<w {
                            let x = Float(2 * j + 1) / Float(w) - 1
                            let offset = ((image * h + i) * w + j) * 2
                            out[offset] = m[0] * x + m[1] * y + m[2]
                            out[offset + 1] = m[3] * x + m[4] * y + m[5]
                        }
                    }
                }
            }
        }
    }

    /// Validates an image/grid pair and returns (N, C, H, W) of the image.
    private static func gridSampleShapes(image: [Int], grid: [Int], op: String) -> (Int, Int, Int, Int) {
        precondition(
            image.count == 4 && grid.count == 4 && grid[0] == image[0] && grid[3] == 2,
            "\(op): image \(image) and grid \(grid) need shapes [N, C, H, W] and [N, Hout, Wout, 2]")
        return (image[0], image[1], image[2], image[3])
    }

    /// Per output point, the flat indices of its four neighbours in an
    /// `H × W` plane (−1 outside) and their bilinear weights.
    private struct Corners {
        var index: UnsafeMutablePointer<Int32>
        var weight: UnsafeMutablePointer<Float>
    }

    private static func withCorners(points: Int, _ body: (Corners) -> Void) {
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: points * 4) { index in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: points * 4) { weight in
                body(Corners(index: index.baseAddress!, weight: weight.baseAddress!))
            }
        }
    }

    /// Fills the neighbours of every grid point of one image; the arithmetic
    /// follows PyTorch's CPU kernel so results agree to rounding.
    private static func fillCorners(
        _ corners: Corners, grid: UnsafeBufferPointer<Float>, image: Int, points: Int, height h: Int, width w: Int
    ) {
        for p in 0..<points {
            let offset = (image * points + p) * 2
            let ix = ((grid[offset] + 1) * Float(w) - 1) / 2
            let iy = ((grid[offset + 1] + 1) * Float(h) - 1) / 2
            let x0 = ix.rounded(.down), y0 = iy.rounded(.down)
            let fx = ix - x0, fy = iy - y0
            for k in 0..<4 {
                let dx = Float(k & 1), dy = Float(k >> 1)
                let x = x0 + dx, y = y0 + dy
                // The weight of a neighbour is the overlap with the opposite corner's cell.
                let weight = (dx == 0 ? 1 - fx : fx) * (dy == 0 ? 1 - fy : fy)
                let inside = x >= 0 && x < Float(w) && y >= 0 && y < Float(h)
                corners.index[p * 4 + k] = inside ? Int32(Int(y) * w + Int(x)) : -1
                corners.weight[p * 4 + k] = inside ? weight : 0
            }
        }
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import CCBLAS

/// The filter transforms of `Winograd`, eight 3×3 filters at a time in vector lanes.
///
///     G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]]
enum WinogradFilters {
    /// `U = G g Gᵀ` of eight filters, the k-th at `first + k · filterStride`
    /// (row-major 3×3; rotated by 180° when `flipped`); position ξ of filter
    /// k goes to `u[ξ · stride + k]`. The kernel is C (`winograd_filters.c`):
    /// it loads each filter as a vector and transposes eight of them in
    /// registers, where lane-by-lane gathers cost three times as long.
    @inline(__always)
    static func transform(
        _ first: UnsafePointer<Float>, filterStride: Int, flipped: Bool, into u: UnsafeMutablePointer<Float>,
        stride: Int
    ) {
        distill_winograd_filters8(first, filterStride, flipped ? 1 : 0, u, stride)
    }

    /// `Gᵀ dU G`: the gradient of a 3×3 filter (row-major, into `g`) from
    /// that of its 16 transformed values `du[ξ · stride]`.
    @inline(__always)
    static func gradient(_ du: UnsafePointer<Float>, stride: Int, into g: UnsafeMutablePointer<Float>) {
        let row = { (i: Int) in
            SIMD4(du[4 * i * stride], du[(4 * i + 1) * stride], du[(4 * i + 2) * stride], du[(4 * i + 3) * stride])
        }
        let (d0, d1, d2, d3) = (row(0), row(1), row(2), row(3))
        // Gᵀ dU row by row (vectors over the four columns), then (Gᵀ dU) G.
        let write = { (a: Int, t: SIMD4<Float>) in
            g[3 * a] = t[0] + (t[1] + t[2]) * 0.5
            g[3 * a + 1] = (t[1] - t[2]) * 0.5
            g[3 * a + 2] = (t[1] + t[2]) * 0.5 + t[3]
        }
        write(0, d0 + (d1 + d2) * 0.5)
        write(1, (d1 - d2) * 0.5)
        write(2, (d1 + d2) * 0.5 + d3)
    }
}

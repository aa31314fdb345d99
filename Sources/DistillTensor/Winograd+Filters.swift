// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

/// The filter transforms of `Winograd`, eight 3×3 filters at a time in vector lanes.
///
///     G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]]
enum WinogradFilters {
    typealias Lanes = SIMD8<Float>

    /// `U = G g Gᵀ` of eight filters, the k-th at `first + k · filterStride`
    /// (row-major 3×3; rotated by 180° when `flipped`); position ξ of filter
    /// k goes to `u[ξ · stride + k]`.
    @inline(__always)
    static func transform(
        _ first: UnsafePointer<Float>, filterStride: Int, flipped: Bool, into u: UnsafeMutablePointer<Float>,
        stride: Int
    ) {
        let tap = { (row: Int, column: Int) -> Lanes in
            let offset = flipped ? 8 - 3 * row - column : 3 * row + column
            var lanes = Lanes()
            for k in 0..<8 { lanes[k] = first[k * filterStride + offset] }
            return lanes
        }
        // Row i of U: G applied to row i of G g, whose entries are G applied to the columns of g.
        let gColumn = { (j: Int) -> (Lanes, Lanes, Lanes, Lanes) in
            let (a, b, c) = (tap(0, j), tap(1, j), tap(2, j))
            return (a, (a + b + c) * 0.5, (a - b + c) * 0.5, c)
        }
        let (c0, c1, c2) = (gColumn(0), gColumn(1), gColumn(2))
        let write = { (i: Int, a: Lanes, b: Lanes, c: Lanes) in
            store(a, u + (4 * i) * stride)
            store((a + b + c) * 0.5, u + (4 * i + 1) * stride)
            store((a - b + c) * 0.5, u + (4 * i + 2) * stride)
            store(c, u + (4 * i + 3) * stride)
        }
        write(0, c0.0, c1.0, c2.0)
        write(1, c0.1, c1.1, c2.1)
        write(2, c0.2, c1.2, c2.2)
        write(3, c0.3, c1.3, c2.3)
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

    @inline(__always)
    private static func store(_ value: Lanes, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: Lanes.self)
    }
}

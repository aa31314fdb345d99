// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import CCBLAS

/// The filter transforms of `Winograd`, eight 3×3 filters at a time in
/// vector lanes, in C (`winograd_filters.c`): it loads each filter as a
/// vector and transposes eight of them in registers, where lane-by-lane
/// gathers cost three times as long.
enum WinogradFilters {
    /// `U = G g Gᵀ` of eight filters, the k-th at `g + 9k` (row-major 3×3);
    /// position ξ of filter k goes to `u[ξ · stride + k]`.
    @inline(__always)
    static func transform(_ g: UnsafePointer<Float>, into u: UnsafeMutablePointer<Float>, stride: Int) {
        distill_winograd_filters8(g, u, stride)
    }

    /// `Gᵀ dU G`: the gradients of eight 3×3 filters (row-major, the k-th at
    /// `g + 9k`) from those of their transforms, position ξ of filter k at `du[ξ · stride + k]`.
    @inline(__always)
    static func gradients(_ du: UnsafePointer<Float>, stride: Int, into g: UnsafeMutablePointer<Float>) {
        distill_winograd_filter_gradients8(du, stride, g)
    }
}

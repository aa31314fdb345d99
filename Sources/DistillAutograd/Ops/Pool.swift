// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor

// Both pools are linear maps once the argmax positions are fixed: max pool is
// a gather G at those positions and average pool a fixed averaging matrix A.
// Their backward ops are the adjoints Gᵀ (scatter) and Aᵀ, and the adjoint of
// an adjoint is the map itself, so each pair of ops differentiates into the
// other and gradients of any order exist (almost everywhere, for max pool:
// the positions are treated as constants, as in PyTorch).

extension Tensor {
    /// Max pooling over `kernel × kernel` windows moved by `stride` (no
    /// padding, floor); ties go to the first position in the window.
    ///
    /// ```
    /// y[n, c, i, j] = max_{0 ≤ a, b < k} x[n, c, i·s + a, j·s + b]
    /// ```
    /// Gradient: `g` scattered (added) to the argmax positions, itself a
    /// recorded op whose rule gathers at the same positions.
    ///
    /// - Parameter self: `[N, C, H, W]`.
    /// - Returns: `[N, C, ⌊(H − k)/s⌋ + 1, ⌊(W − k)/s⌋ + 1]`.
    public func maxPool2d(kernel: Int, stride: Int) -> Tensor {
        let (value, indices) = array.maxPool2d(kernel: kernel, stride: stride)
        return Tensor.record("maxPool2d", value, inputs: [self]) { g, _ in [g.maxPoolScattered(at: indices)] }
    }

    /// Average pooling over `kernel × kernel` windows moved by `stride` (no
    /// padding, floor).
    ///
    /// ```
    /// y[n, c, i, j] = (1/k²) · Σ_{0 ≤ a, b < k} x[n, c, i·s + a, j·s + b]
    /// ```
    /// Gradient: `avgPool2dBackward(g)`, the adjoint (each output's gradient
    /// spread over its window with weight 1/k²).
    ///
    /// - Parameter self: `[N, C, H, W]`.
    /// - Returns: `[N, C, ⌊(H − k)/s⌋ + 1, ⌊(W − k)/s⌋ + 1]`.
    public func avgPool2d(kernel: Int, stride: Int) -> Tensor {
        let value = array.avgPool2d(kernel: kernel, stride: stride)
        let inputShape = shape
        return Tensor.record("avgPool2d", value, inputs: [self]) { g, _ in
            [g.avgPool2dBackward(inputShape: inputShape, kernel: kernel, stride: stride)]
        }
    }

    /// Gradient of `avgPool2d`, with `self` the output gradient `g`.
    ///
    /// ```
    /// dx[n, c, h, w] = (1/k²) · Σ_{windows (i, j) covering (h, w)} g[n, c, i, j]
    /// ```
    /// Linear in `g` with the pool as its adjoint, so its gradient for an
    /// upstream `u` (shaped like `dx`) is `avgPool2d(u)`: the same 1/k² scale.
    ///
    /// - Parameters:
    ///   - self: `[N, C, H_out, W_out]`.
    ///   - inputShape: the pooled input's shape `[N, C, H, W]`.
    /// - Returns: `[N, C, H, W]`.
    public func avgPool2dBackward(inputShape: [Int], kernel: Int, stride: Int) -> Tensor {
        let value = array.avgPool2dBackward(inputShape: inputShape, kernel: kernel, stride: stride)
        return Tensor.record("avgPool2dBackward", value, inputs: [self]) { u, _ in
            [u.avgPool2d(kernel: kernel, stride: stride)]
        }
    }

    /// Max-pool backward: adds `self` (pool-output shaped) into the argmax
    /// positions of the pooled input. Gradient: the gather at the same positions.
    func maxPoolScattered(at indices: MaxPoolIndices) -> Tensor {
        Tensor.record("maxPool2dBackward", array.scattered(at: indices), inputs: [self]) { u, _ in
            [u.maxPoolGathered(at: indices)]
        }
    }

    /// Reads `self` (pooled-input shaped) at the argmax positions. Gradient:
    /// the scatter to the same positions.
    func maxPoolGathered(at indices: MaxPoolIndices) -> Tensor {
        Tensor.record("maxPool2dGather", array.gathered(at: indices), inputs: [self]) { u, _ in
            [u.maxPoolScattered(at: indices)]
        }
    }
}

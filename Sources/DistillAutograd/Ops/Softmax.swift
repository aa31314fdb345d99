// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor

extension Tensor {
    /// Softmax along `axis` (negative counts from the end), computed stably.
    ///
    ///     s = softmax(x)ᵢ = e^(xᵢ) / Σⱼ e^(xⱼ)
    ///
    /// Gradient: `s · (grad − Σ(grad · s))`, the sum taken along `axis`, with
    /// `s` the recorded result.
    /// - Parameter axis: the dimension that sums to one; for logits `[N, C]`, `-1`.
    public func softmax(axis: Int = -1) -> Tensor {
        let resolved = resolvedAxis(axis, op: "softmax")
        return Tensor.recordUsingResult("softmax", array.softmax(alongAxis: resolved), inputs: [self]) { g, _, s in
            [s * (g - (g * s).sum(alongAxes: [resolved], keepingDimensions: true))]
        }
    }

    /// Log-softmax along `axis` (negative counts from the end), computed
    /// stably without forming the softmax.
    ///
    ///     logSoftmax(x)ᵢ = xᵢ − log Σⱼ e^(xⱼ)
    ///
    /// Gradient: `grad − softmax(x) · Σ grad`, the sum taken along `axis`;
    /// `softmax(x)` is `exp(result)`, a differentiable op on the result.
    /// - Parameter axis: the normalised dimension; for logits `[N, C]`, `-1`.
    public func logSoftmax(axis: Int = -1) -> Tensor {
        let resolved = resolvedAxis(axis, op: "logSoftmax")
        let value = array.logSoftmax(alongAxis: resolved)
        return Tensor.recordUsingResult("logSoftmax", value, inputs: [self]) { g, _, result in
            [g - result.exp() * g.sum(alongAxes: [resolved], keepingDimensions: true)]
        }
    }

    /// `axis` as a non-negative dimension index, checked against the rank.
    func resolvedAxis(_ axis: Int, op: String) -> Int {
        let resolved = axis < 0 ? axis + rank : axis
        precondition(resolved >= 0 && resolved < rank, "\(op): axis \(axis) out of range for shape \(shape)")
        return resolved
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor

extension Tensor {
    /// Sum over `axes` (negative axes count from the end).
    ///
    /// Gradient: `grad` broadcast back over the summed axes.
    /// - Parameter keepingDimensions: keep summed axes as extent 1.
    public func sum(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        let normalized = axes.map { $0 < 0 ? $0 + rank : $0 }
        precondition(
            normalized.allSatisfy { $0 >= 0 && $0 < rank },
            "sum: axes \(axes) out of range for shape \(shape)")
        let kept = array.sum(alongAxes: normalized)
        let summed = Tensor.record("sum", kept, inputs: [self]) { [shape] g, _ in [g.broadcast(to: shape)] }
        if keepingDimensions { return summed }
        let squeezed = kept.shape.enumerated().filter { !normalized.contains($0.offset) }.map(\.element)
        return summed.reshaped(squeezed)
    }

    /// Sum of all elements as a rank-0 tensor. Gradient: `grad` broadcast.
    public func sum() -> Tensor {
        let value = NDArray(scalar: array.sumAll())
        return Tensor.record("sumAll", value, inputs: [self]) { [shape] g, _ in [g.broadcast(to: shape)] }
    }

    /// Mean over `axes`. Gradient: `grad / n` broadcast back.
    public func mean(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        let n = axes.map { shape[$0 < 0 ? $0 + rank : $0] }.reduce(1, *)
        return sum(alongAxes: axes, keepingDimensions: keepingDimensions) / Float(n)
    }

    /// Mean of all elements as a rank-0 tensor.
    public func mean() -> Tensor {
        sum() / Float(max(count, 1))
    }
}

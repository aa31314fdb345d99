// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor

extension Tensor {
    /// Affine map of a batch of row vectors (PyTorch `F.linear`).
    ///
    ///     y = x · weightᵀ + bias
    ///
    /// One GEMM with a transposed operand (no transposed copy), plus a
    /// broadcasting add; gradients follow from `matmul` and `+`.
    ///
    /// - Parameters:
    ///   - weight: `[out, in]`.
    ///   - bias: `[out]`, or nil for none.
    /// - Returns: `[N, out]` for `self` of shape `[N, in]`.
    public func linear(weight: Tensor, bias: Tensor?) -> Tensor {
        precondition(
            rank == 2 && weight.rank == 2 && shape[1] == weight.shape[1],
            "linear: input \(shape) does not match weight \(weight.shape); expected [N, in] and [out, in]")
        let product = matmul(weight, transposeOther: true)
        guard let bias else { return product }
        precondition(
            bias.shape == [weight.shape[0]],
            "linear: bias shape \(bias.shape) does not match weight \(weight.shape); expected [\(weight.shape[0])]")
        return product + bias
    }
}

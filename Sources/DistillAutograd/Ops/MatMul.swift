// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor

extension Tensor {
    /// Matrix product `op(self) · op(other)` of 2-D tensors, where op
    /// optionally transposes.
    ///
    /// Gradient (no transposes): `grad · otherᵀ`, `selfᵀ · grad`; the other
    /// cases follow by swapping and transposing those products, so no
    /// transposed copy is ever made.
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
        let value = array.matmul(other.array, transposeSelf: transposeSelf, transposeOther: transposeOther)
        return Tensor.record("matmul", value, inputs: [self, other]) { g, needs in
            var gradSelf: Tensor?
            var gradOther: Tensor?
            if needs[0] {
                // d op(A) = g · op(B)ᵀ; when A was transposed, dA = (g · op(B)ᵀ)ᵀ = op(B) · gᵀ.
                gradSelf =
                    transposeSelf
                    ? other.matmul(g, transposeSelf: transposeOther, transposeOther: true)
                    : g.matmul(other, transposeSelf: false, transposeOther: !transposeOther)
            }
            if needs[1] {
                // d op(B) = op(A)ᵀ · g; when B was transposed, dB = gᵀ · op(A).
                gradOther =
                    transposeOther
                    ? g.matmul(self, transposeSelf: true, transposeOther: transposeSelf)
                    : self.matmul(g, transposeSelf: !transposeSelf, transposeOther: false)
            }
            return [gradSelf, gradOther]
        }
    }
}

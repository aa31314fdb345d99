// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor

extension Tensor {
    /// The same elements viewed with another shape of equal element count.
    /// One extent may be -1 and is then inferred.
    ///
    /// Gradient: `grad.reshaped(shape)`.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var resolved = newShape
        if let hole = newShape.firstIndex(of: -1) {
            let known = newShape.filter { $0 != -1 }.reduce(1, *)
            precondition(known > 0 && count % known == 0, "reshape: cannot view shape \(shape) as \(newShape)")
            resolved[hole] = count / known
        }
        if resolved == shape { return self }
        let source = shape
        return Tensor.record("reshape", array.reshaped(resolved), inputs: [self]) { g, _ in [g.reshaped(source)] }
    }

    /// Flattens every dimension after the first: `[N, …] → [N, rest]`.
    public func flattened() -> Tensor {
        reshaped([shape[0], -1])
    }
}

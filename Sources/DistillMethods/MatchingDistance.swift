// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd

/// The distance between the synthetic and the real parameter gradients that
/// gradient matching minimises (DC's `match_loss`), summed over parameter tensors.
///
///     ours:  Σ_tensors Σ_rows 1 − ⟨a_r, b_r⟩ / (‖a_r‖·‖b_r‖ + 1e-6)
///            each tensor reshaped to [shape[0], rest] (conv [O, I·kh·kw], linear [O, I],
///            LayerNorm weight [C, H·W]); 1-D tensors (biases, norm vectors) contribute 0
///     mse:   Σ_tensors ‖g_syn − g_real‖²
///     cos:   1 − ⟨A, B⟩ / (‖A‖·‖B‖ + 1e-6),   A, B every tensor concatenated
///
/// with a the synthetic and b the real gradient. The result is differentiable
/// with respect to the synthetic gradients, which DC computes with
/// `createGraph: true` so that the distance can be differentiated back to the
/// synthetic images.
public enum MatchingDistance: String, CaseIterable, Sendable, Codable, CustomStringConvertible {
    /// Layer-wise, per-output-row cosine distance (DC's default, `distance_wb`).
    case ours
    /// Squared Euclidean distance of all gradients.
    case mse
    /// Cosine distance of all gradients as one vector.
    case cos

    public var description: String { rawValue }

    /// The distance between two lists of parameter gradients.
    ///
    /// - Parameters:
    ///   - synthetic: ∂L_syn/∂θ per parameter tensor, usually with a graph back to the synthetic images.
    ///   - real: ∂L_real/∂θ per parameter tensor (constants), same order and shapes.
    /// - Returns: a rank-0 tensor.
    public func callAsFunction(synthetic: [Tensor], real: [Tensor]) -> Tensor {
        precondition(
            synthetic.count == real.count,
            "MatchingDistance.\(rawValue): \(synthetic.count) synthetic but \(real.count) real gradients")
        for (s, r) in zip(synthetic, real) {
            precondition(
                s.shape == r.shape, "MatchingDistance.\(rawValue): synthetic gradient \(s.shape) vs real \(r.shape)")
        }
        switch self {
        case .ours:
            return zip(synthetic, real).reduce(Tensor(scalar: 0)) { total, pair in
                total + Self.rowCosineDistance(pair.0, pair.1)
            }
        case .mse:
            return zip(synthetic, real).reduce(Tensor(scalar: 0)) { total, pair in
                total + (pair.0 - pair.1).squared().sum()
            }
        case .cos:
            var dot = Tensor(scalar: 0)
            var syntheticSquares = Tensor(scalar: 0)
            var realSquares = Tensor(scalar: 0)
            for (s, r) in zip(synthetic, real) {
                dot = dot + (s * r).sum()
                syntheticSquares = syntheticSquares + s.squared().sum()
                realSquares = realSquares + r.squared().sum()
            }
            return 1 - dot / (Self.safeSquareRoot(syntheticSquares) * Self.safeSquareRoot(realSquares) + 1e-6)
        }
    }

    /// Σ_rows 1 − ⟨a_r, b_r⟩ / (‖a_r‖·‖b_r‖ + 1e-6) over `[shape[0], rest]` rows; 0 for a 1-D tensor.
    static func rowCosineDistance(_ synthetic: Tensor, _ real: Tensor) -> Tensor {
        guard synthetic.rank > 1 else { return Tensor(scalar: 0) }
        let rows = synthetic.shape[0]
        let a = synthetic.reshaped([rows, -1])
        let b = real.reshaped([rows, -1])
        let dot = (a * b).sum(alongAxes: [1])
        let norms = safeSquareRoot(a.squared().sum(alongAxes: [1])) * safeSquareRoot(b.squared().sum(alongAxes: [1]))
        return (1 - dot / (norms + 1e-6)).sum()
    }

    /// √(s + 1e-30): PyTorch's norm has gradient 0 at a zero vector, while
    /// √s has an infinite one; a zero gradient row (a dead unit) would turn
    /// the whole image gradient into NaN. The offset is far below Float32
    /// resolution for any nonzero s that matters.
    static func safeSquareRoot(_ sumOfSquares: Tensor) -> Tensor {
        (sumOfSquares + 1e-30).sqrt()
    }
}

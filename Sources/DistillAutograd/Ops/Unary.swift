// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor

// MARK: - Activations

extension Tensor {
    /// Rectified linear unit, `max(x, 0)`.
    ///
    /// Gradient: `grad · 1[x > 0]`; the mask is a constant, so the second
    /// derivative is zero (as everywhere off the kink).
    public func relu() -> Tensor {
        Tensor.record("relu", array.applying(.relu), inputs: [self]) { [array] g, _ in
            [g * Tensor(array.applying(.positiveIndicator))]
        }
    }

    /// Leaky ReLU: `x` for `x ≥ 0`, `slope·x` below.
    ///
    /// Gradient: `grad · (x > 0 ? 1 : slope)` with a constant mask.
    public func leakyRelu(slope: Float = 0.01) -> Tensor {
        Tensor.record("leakyRelu", array.applying(.leakyRelu(slope: slope)), inputs: [self]) { [array] g, _ in
            [g * Tensor(array.applying(.leakyReluDerivative(slope: slope)))]
        }
    }

    /// Logistic sigmoid.
    ///
    ///     s = 1 / (1 + e^(−x))
    ///
    /// Gradient: `grad · s·(1 − s)`, with `s` the recorded result.
    public func sigmoid() -> Tensor {
        Tensor.recordUsingResult("sigmoid", array.applying(.sigmoid), inputs: [self]) { g, _, s in
            [g * s.sigmoidDerivativeOfOutput()]
        }
    }

    /// Swish (SiLU), `x·sigmoid(x)`.
    ///
    /// Gradient: `grad · (s + x·s·(1 − s))` with `s = sigmoid(x)`, itself a
    /// fused differentiable op.
    public func swish() -> Tensor {
        Tensor.record("swish", array.applying(.swish), inputs: [self]) { [self] g, _ in
            [g * swishDerivative()]
        }
    }

    /// `s·(1 − s)` for a sigmoid output `s`. Gradient: `grad · (1 − 2s)`.
    func sigmoidDerivativeOfOutput() -> Tensor {
        Tensor.record("sigmoidDerivative", array.applying(.sigmoidDerivativeOfOutput), inputs: [self]) { [self] g, _ in
            [g * (1 - self * 2)]
        }
    }

    /// The derivative of swish, `s + x·s·(1 − s)` with `s = sigmoid(x)`.
    ///
    /// Gradient: `grad · s·(1 − s)·(2 + x·(1 − 2s))` (the second derivative of swish).
    func swishDerivative() -> Tensor {
        Tensor.record("swishDerivative", array.applying(.swishDerivative), inputs: [self]) { [self] g, _ in
            let s = sigmoid()
            return [g * s.sigmoidDerivativeOfOutput() * (2 + self * (1 - s * 2))]
        }
    }
}

// MARK: - Elementary functions

extension Tensor {
    /// Elementwise `eˣ`. Gradient: `grad · result`.
    public func exp() -> Tensor {
        Tensor.recordUsingResult("exp", array.applying(.exp), inputs: [self]) { g, _, result in
            [g * result]
        }
    }

    /// Elementwise natural logarithm (NaN below 0, −∞ at 0). Gradient: `grad / x`.
    public func log() -> Tensor {
        Tensor.record("log", array.applying(.log), inputs: [self]) { [self] g, _ in
            [g / self]
        }
    }

    /// Elementwise square root. Gradient: `grad / (2·result)`.
    public func sqrt() -> Tensor {
        Tensor.recordUsingResult("sqrt", array.applying(.sqrt), inputs: [self]) { g, _, result in
            [g / (result * 2)]
        }
    }

    /// Elementwise `x²`. Gradient: `2·grad·x`.
    public func squared() -> Tensor {
        Tensor.record("square", array.applying(.square), inputs: [self]) { [self] g, _ in
            [g * self * 2]
        }
    }

    /// Elementwise hyperbolic tangent. Gradient: `grad · (1 − result²)`.
    public func tanh() -> Tensor {
        Tensor.recordUsingResult("tanh", array.applying(.tanh), inputs: [self]) { g, _, result in
            [g * (1 - result.squared())]
        }
    }

    /// Limits every element to `[min, max]`.
    ///
    /// Gradient: `grad · 1[min ≤ x ≤ max]` with a constant mask (PyTorch's
    /// convention at the bounds).
    public func clamped(min low: Float, max high: Float) -> Tensor {
        precondition(low <= high, "clamped: min \(low) exceeds max \(high) (shape \(shape))")
        return Tensor.record("clamp", array.applying(.clamp(min: low, max: high)), inputs: [self]) { [array] g, _ in
            [g * Tensor(array.applying(.clampDerivative(min: low, max: high)))]
        }
    }
}

// MARK: - Rules that reuse the result

/// A weak link from a backward rule to its own op's graph node: the rule can
/// then use the result as a differentiable tensor, while the node does not
/// keep itself alive through its rule.
final class ResultNodeReference {
    weak var node: GraphNode?
}

extension Tensor {
    /// Records an op whose rule is cheapest in terms of its result (exp,
    /// sigmoid, softmax). The rule receives the result as a tensor that is
    /// differentiable through this same op, so second-order gradients are right.
    static func recordUsingResult(
        _ operation: String, _ value: NDArray, inputs: [Tensor],
        backward: @escaping (_ gradient: Tensor, _ needsGradient: [Bool], _ result: Tensor) -> [Tensor?]
    ) -> Tensor {
        let reference = ResultNodeReference()
        let result = record(operation, value, inputs: inputs) { g, needs in
            // The node is alive here: the backward pass that calls this rule holds it.
            backward(g, needs, Tensor(value, node: reference.node))
        }
        reference.node = result.node
        return result
    }
}

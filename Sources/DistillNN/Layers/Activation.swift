// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd

/// `max(x, 0)` elementwise (PyTorch `nn.ReLU`).
public final class ReLU: Module, UnaryLayer {
    public override init() { super.init() }
    /// Applies the activation to `x` of any shape.
    public func callAsFunction(_ x: Tensor) -> Tensor { x.relu() }
}

/// `x` where positive, `slope · x` elsewhere (PyTorch `nn.LeakyReLU`, default slope 0.01).
public final class LeakyReLU: Module, UnaryLayer {
    public let slope: Float
    public init(slope: Float = 0.01) {
        self.slope = slope
        super.init()
    }
    /// Applies the activation to `x` of any shape.
    public func callAsFunction(_ x: Tensor) -> Tensor { x.leakyRelu(slope: slope) }
}

/// `1 / (1 + e^−x)` elementwise (PyTorch `nn.Sigmoid`).
public final class Sigmoid: Module, UnaryLayer {
    public override init() { super.init() }
    /// Applies the activation to `x` of any shape.
    public func callAsFunction(_ x: Tensor) -> Tensor { x.sigmoid() }
}

/// `x · sigmoid(x)` elementwise (DC's `Swish`, PyTorch `nn.SiLU`).
public final class Swish: Module, UnaryLayer {
    public override init() { super.init() }
    /// Applies the activation to `x` of any shape.
    public func callAsFunction(_ x: Tensor) -> Tensor { x.swish() }
}

/// Flattens every dimension after the first: `[N, …] → [N, rest]` (PyTorch `x.view(N, -1)`).
public final class Flatten: Module, UnaryLayer {
    public override init() { super.init() }
    public func callAsFunction(_ x: Tensor) -> Tensor { x.flattened() }
}

/// Returns its input unchanged (PyTorch `nn.Identity`).
public final class Identity: Module, UnaryLayer {
    public override init() { super.init() }
    public func callAsFunction(_ x: Tensor) -> Tensor { x }
}

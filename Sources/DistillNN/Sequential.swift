// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd

/// Layers applied one after another, named `0`, `1`, … like PyTorch's `nn.Sequential`.
///
///     y = layers[n−1](… layers[1](layers[0](x)))
///
/// Layers without tensors (activations, pooling, `Flatten`) still take an
/// index, so `features.4.weight` names the fifth layer's weight. An empty
/// sequential is the identity (PyTorch's empty shortcut).
public final class Sequential: Module, UnaryLayer {
    /// The layers in application order.
    public let layers: [any UnaryLayer]

    /// A sequential of `layers`, registered as children `0`, `1`, ….
    public init(_ layers: [any UnaryLayer]) {
        self.layers = layers
        super.init()
        for (index, layer) in layers.enumerated() { registerChild(String(index), layer) }
    }

    /// A sequential of the listed layers.
    public convenience init(_ layers: any UnaryLayer...) {
        self.init(layers)
    }

    /// Applies every layer in order; an empty sequential returns `x`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        layers.reduce(x) { $1($0) }
    }
}

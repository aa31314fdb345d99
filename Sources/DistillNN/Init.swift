// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor

/// PyTorch's default initialisation for the layers of this package.
public enum DefaultInit {
    /// The bound of PyTorch's default Conv2d/Linear initialisation.
    ///
    ///     bound = 1 / √fan_in
    ///
    /// PyTorch draws weights with `kaiming_uniform_(a: √5)`, whose bound
    /// `gain · √(3 / fan_in)` with `gain = √(2 / (1 + a²))` is exactly
    /// `1 / √fan_in`, and biases uniformly in the same range.
    ///
    /// - Parameter fanIn: `in_channels · kh · kw` for a convolution, `in_features` for a linear layer; > 0.
    public static func bound(fanIn: Int) -> Float {
        precondition(fanIn > 0, "DefaultInit.bound: fan_in must be positive, got \(fanIn)")
        return 1 / Float(fanIn).squareRoot()
    }

    /// A tensor of `shape` drawn uniformly from `[−1/√fan_in, 1/√fan_in)`.
    public static func fanInUniform(
        shape: [Int], fanIn: Int, using generator: inout SeededGenerator
    ) -> NDArray {
        let limit = bound(fanIn: fanIn)
        return .uniform(shape: shape, lower: -limit, upper: limit, using: &generator)
    }
}

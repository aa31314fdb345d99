// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd

/// Maximum over `kernel × kernel` windows, `stride` apart, without padding (PyTorch `nn.MaxPool2d`).
public final class MaxPool2d: Module, UnaryLayer {
    public let kernel: Int
    public let stride: Int
    /// A max pool; `stride` defaults to `kernel`, as in PyTorch.
    public init(kernel: Int, stride: Int? = nil) {
        precondition(
            kernel > 0 && (stride ?? kernel) > 0, "MaxPool2d: invalid kernel \(kernel) stride \(stride ?? kernel)")
        self.kernel = kernel
        self.stride = stride ?? kernel
        super.init()
    }
    /// Pools `x` [N, C, H, W] to [N, C, ⌊(H − k)/s⌋ + 1, ⌊(W − k)/s⌋ + 1].
    public func callAsFunction(_ x: Tensor) -> Tensor { x.maxPool2d(kernel: kernel, stride: stride) }
}

/// Mean over `kernel × kernel` windows, `stride` apart, without padding (PyTorch `nn.AvgPool2d`).
public final class AvgPool2d: Module, UnaryLayer {
    public let kernel: Int
    public let stride: Int
    /// An average pool; `stride` defaults to `kernel`, as in PyTorch.
    public init(kernel: Int, stride: Int? = nil) {
        precondition(
            kernel > 0 && (stride ?? kernel) > 0, "AvgPool2d: invalid kernel \(kernel) stride \(stride ?? kernel)")
        self.kernel = kernel
        self.stride = stride ?? kernel
        super.init()
    }
    /// Pools `x` [N, C, H, W] to [N, C, ⌊(H − k)/s⌋ + 1, ⌊(W − k)/s⌋ + 1].
    public func callAsFunction(_ x: Tensor) -> Tensor {
        // A 1×1 window with stride 1 (VGG's and ResNet18BN_AP's final pool) is the identity.
        if kernel == 1 && stride == 1 { return x }
        return x.avgPool2d(kernel: kernel, stride: stride)
    }
}

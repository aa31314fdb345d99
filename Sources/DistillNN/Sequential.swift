// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillTensor

/// Layers applied one after another, named `0`, `1`, … like PyTorch's `nn.Sequential`.
///
///     y = layers[n−1](… layers[1](layers[0](x)))
///
/// Layers without tensors (activations, pooling, `Flatten`) still take an
/// index, so `features.4.weight` names the fifth layer's weight. An empty
/// sequential is the identity (PyTorch's empty shortcut).
///
/// An instance norm (`GroupNorm` with one channel per group) followed by
/// `ReLU` and a 2×2, stride-2 `AvgPool2d` (the block tail of DC's ConvNet)
/// runs as the single fused op `instanceNormReLUAvgPool`: same values,
/// a fraction of the memory traffic. When a first-layer convolution
/// (`ConvInstanceNormReLUPool.supports`) comes before it, the four run as
/// `conv2dInstanceNormReLUAvgPool`, which never stores the convolution's
/// output. The layers and their names stay as they are.
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
        var y = x
        var index = 0
        while index < layers.count {
            if let (conv, norm) = fusableFirstBlock(at: index, input: y) {
                y = y.conv2dInstanceNormReLUAvgPool(
                    weight: conv.weight, bias: conv.bias, padding: conv.padding, normWeight: norm.weight,
                    normBias: norm.bias, epsilon: norm.epsilon)
                index += 4
            } else if let norm = fusableInstanceNorm(at: index, inputShape: y.shape) {
                y = y.instanceNormReLUAvgPool(weight: norm.weight, bias: norm.bias, epsilon: norm.epsilon)
                index += 3
            } else {
                y = layers[index](y)
                index += 1
            }
        }
        return y
    }

    /// The convolution at `index` and the instance norm after it when they
    /// start a first block (conv → norm → ReLU → 2×2 average pool) that the fused op takes.
    private func fusableFirstBlock(at index: Int, input: Tensor) -> (Conv2d, GroupNorm)? {
        guard let conv = layers[index] as? Conv2d,
            ConvInstanceNormReLUPool.supports(
                inputShape: input.shape, weightShape: conv.weight.shape, stride: conv.stride, padding: conv.padding)
        else { return nil }
        let convolved = Conv2dGeometry(
            inputShape: input.shape, weightShape: conv.weight.shape, stride: conv.stride, padding: conv.padding)
        return fusableInstanceNorm(at: index + 1, inputShape: convolved.outputShape).map { (conv, $0) }
    }

    /// The instance norm at `index` when it starts a norm → ReLU → 2×2 average pool run that the fused op takes.
    private func fusableInstanceNorm(at index: Int, inputShape: [Int]) -> GroupNorm? {
        guard index + 2 < layers.count, let norm = layers[index] as? GroupNorm, norm.groups == norm.channels,
            layers[index + 1] is ReLU, let pool = layers[index + 2] as? AvgPool2d, pool.kernel == 2, pool.stride == 2,
            InstanceNormReLUPool.supports(inputShape)
        else { return nil }
        return norm
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillTensor

/// A 2-D convolution with zero padding (PyTorch `nn.Conv2d`, groups 1, dilation 1).
///
///     y[n, o] = bias[o] + Σ_c weight[o, c] ⋆ x[n, c]
///
/// Parameters: `weight` [C_out, C_in, k, k], then `bias` [C_out] unless
/// built without one. Both start uniform in ±1/√(C_in·k·k), PyTorch's default.
public final class Conv2d: Module, UnaryLayer {
    public let inChannels: Int
    public let outChannels: Int
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int
    private let hasBias: Bool

    /// A convolution with PyTorch's default initialisation.
    ///
    /// - Parameters:
    ///   - inChannels: input channels C_in, > 0.
    ///   - outChannels: output channels C_out, > 0.
    ///   - kernelSize: side k of the square kernel, > 0.
    ///   - stride: step between output positions, > 0.
    ///   - padding: zeros added on every side, ≥ 0.
    ///   - bias: whether the layer has a `bias` parameter.
    ///   - generator: the source of the initial weights (weight drawn first, then bias).
    public init(
        inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, bias: Bool = true,
        using generator: inout SeededGenerator
    ) {
        precondition(
            inChannels > 0 && outChannels > 0 && kernelSize > 0 && stride > 0 && padding >= 0,
            "Conv2d: invalid configuration in \(inChannels) out \(outChannels) kernel \(kernelSize) "
                + "stride \(stride) padding \(padding)")
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.hasBias = bias
        let fanIn = inChannels * kernelSize * kernelSize
        var parameters = [
            (key: "weight", value: DefaultInit.fanInUniform(
                shape: [outChannels, inChannels, kernelSize, kernelSize], fanIn: fanIn, using: &generator))
        ]
        if bias {
            parameters.append(("bias", DefaultInit.fanInUniform(shape: [outChannels], fanIn: fanIn, using: &generator)))
        }
        super.init(parameters: parameters)
    }

    /// The kernel, [C_out, C_in, k, k].
    public var weight: Tensor { parameter("weight") }
    /// The per-channel offset, [C_out], if the layer has one.
    public var bias: Tensor? { hasBias ? parameter("bias") : nil }

    /// The output side for an input side `size`: `⌊(size + 2·padding − k) / stride⌋ + 1`.
    public func outputSize(_ size: Int) -> Int { (size + 2 * padding - kernelSize) / stride + 1 }

    /// Convolves `x` [N, C_in, H, W] into [N, C_out, H', W'].
    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.conv2d(weight: weight, bias: bias, stride: stride, padding: padding)
    }
}

/// An affine map of feature vectors (PyTorch `nn.Linear`).
///
///     y = x · weightᵀ + bias
///
/// Parameters: `weight` [out, in], then `bias` [out] unless built without
/// one. Both start uniform in ±1/√in, PyTorch's default.
public final class Linear: Module, UnaryLayer {
    public let inFeatures: Int
    public let outFeatures: Int
    private let hasBias: Bool

    /// A linear layer with PyTorch's default initialisation.
    ///
    /// - Parameters:
    ///   - inFeatures: input size, > 0.
    ///   - outFeatures: output size, > 0.
    ///   - bias: whether the layer has a `bias` parameter.
    ///   - generator: the source of the initial weights (weight drawn first, then bias).
    public init(inFeatures: Int, outFeatures: Int, bias: Bool = true, using generator: inout SeededGenerator) {
        precondition(inFeatures > 0 && outFeatures > 0, "Linear: invalid sizes in \(inFeatures) out \(outFeatures)")
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        self.hasBias = bias
        var parameters = [
            (key: "weight", value: DefaultInit.fanInUniform(
                shape: [outFeatures, inFeatures], fanIn: inFeatures, using: &generator))
        ]
        if bias {
            let bias = DefaultInit.fanInUniform(shape: [outFeatures], fanIn: inFeatures, using: &generator)
            parameters.append(("bias", bias))
        }
        super.init(parameters: parameters)
    }

    /// The matrix, [out, in].
    public var weight: Tensor { parameter("weight") }
    /// The offset, [out], if the layer has one.
    public var bias: Tensor? { hasBias ? parameter("bias") : nil }

    /// Maps `x` [N, in] to [N, out].
    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.linear(weight: weight, bias: bias)
    }
}

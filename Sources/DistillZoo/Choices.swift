// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillNN

/// The activation of a ConvNet block; raw values are DC's spellings.
public enum Activation: String, CaseIterable, Sendable, Codable {
    /// `max(x, 0)`.
    case relu
    /// `1 / (1 + e^−x)`.
    case sigmoid
    /// `x` where positive, `0.01·x` elsewhere.
    case leakyrelu
    /// `x · sigmoid(x)`.
    case swish

    /// A fresh layer computing the activation.
    public func makeLayer() -> any UnaryLayer {
        switch self {
        case .relu: return ReLU()
        case .sigmoid: return Sigmoid()
        case .leakyrelu: return LeakyReLU(slope: 0.01)
        case .swish: return Swish()
        }
    }
}

/// The normalisation layer of a ConvNet block (and of VGG / ResNet, which use
/// `instancenorm` or `batchnorm`); raw values are DC's spellings. All use ε = 1e-5.
public enum Normalization: String, CaseIterable, Sendable, Codable {
    /// No normalisation layer.
    case none
    /// `BatchNorm2d(C)`: batch statistics in training, running statistics (momentum 0.1) in evaluation.
    case batchnorm
    /// `LayerNorm([C, H, W])` with an elementwise affine map of that shape.
    case layernorm
    /// `GroupNorm(C, C)`: per-sample, per-channel statistics.
    case instancenorm
    /// `GroupNorm(4, C)`: C must be a multiple of 4.
    case groupnorm

    /// The groups of `groupnorm`, which must divide the channel count.
    public static let groupNormGroups = 4

    /// A fresh layer for a C×H×W feature map, or nil for `none`.
    public func makeLayer(channels: Int, side: Int) -> (any UnaryLayer)? {
        switch self {
        case .none: return nil
        case .batchnorm: return BatchNorm2d(channels: channels)
        case .layernorm: return LayerNorm(normalizedShape: [channels, side, side])
        case .instancenorm: return GroupNorm(groups: channels, channels: channels)
        case .groupnorm: return GroupNorm(groups: Self.groupNormGroups, channels: channels)
        }
    }
}

/// The pooling layer of a ConvNet block (2×2, stride 2); raw values are DC's spellings.
public enum Pooling: String, CaseIterable, Sendable, Codable {
    /// No pooling: the block keeps the spatial size.
    case none
    /// 2×2 average pooling.
    case avgpooling
    /// 2×2 max pooling.
    case maxpooling

    /// A fresh 2×2 stride-2 pooling layer, or nil for `none`.
    public func makeLayer() -> (any UnaryLayer)? {
        switch self {
        case .none: return nil
        case .avgpooling: return AvgPool2d(kernel: 2, stride: 2)
        case .maxpooling: return MaxPool2d(kernel: 2, stride: 2)
        }
    }
}

/// A network that maps images to class logits.
public typealias Network = any UnaryLayer

/// A network whose features before the classifier can be read out, as DM needs.
public protocol Embedding: UnaryLayer {
    /// The number of features per sample that `embed` returns.
    var embeddingSize: Int { get }

    /// The flattened features before the classifier.
    ///
    /// - Parameter x: images [N, C, H, W] of the size the network was built for.
    /// - Returns: [N, embeddingSize], in the current training mode.
    func embed(_ x: Tensor) -> Tensor
}

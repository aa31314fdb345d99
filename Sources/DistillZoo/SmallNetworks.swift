// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillNN
import DistillTensor

/// DC's MLP: three linear layers with ReLU between them on the flattened image.
///
///     fc_1 = Linear(C·H·W, 128) → relu → fc_2 = Linear(128, 128) → relu → fc_3 = Linear(128, classes)
///
/// Keys: `fc_1`, `fc_2`, `fc_3` (`.weight|.bias`).
public final class MLP: Module, UnaryLayer {
    public let fc1: Linear
    public let fc2: Linear
    public let fc3: Linear

    /// An MLP for `channels × imageSize × imageSize` inputs.
    /// - Throws: `ZooError.unsupportedInput` for a non-positive size or class count.
    public init(channels: Int, imageSize: Int, classes: Int, using generator: inout SeededGenerator) throws {
        _ = try FeatureMapSize(network: "MLP", channels: channels, imageSize: imageSize, classes: classes)
        fc1 = Linear(inFeatures: channels * imageSize * imageSize, outFeatures: 128, using: &generator)
        fc2 = Linear(inFeatures: 128, outFeatures: 128, using: &generator)
        fc3 = Linear(inFeatures: 128, outFeatures: classes, using: &generator)
        super.init()
        registerChild("fc_1", fc1)
        registerChild("fc_2", fc2)
        registerChild("fc_3", fc3)
    }

    /// Class logits: [N, C, H, W] → [N, classes].
    public func callAsFunction(_ x: Tensor) -> Tensor {
        fc3(fc2(fc1(x.flattened()).relu()).relu())
    }
}

/// LeNet-5 as DC uses it: two conv–relu–maxpool stages and three linear layers.
///
///     features = [Conv2d(C, 6, 5, padding 2 if C == 1 else 0), relu, maxpool,
///                 Conv2d(6, 16, 5), relu, maxpool]
///     fc_1 = Linear(16·5·5, 120) → relu → fc_2 = Linear(120, 84) → relu → fc_3 = Linear(84, classes)
///
/// Keys: `features.0`, `features.3`, `fc_1`, `fc_2`, `fc_3` (`.weight|.bias`).
public final class LeNet: Module, UnaryLayer {
    public let features: Sequential
    public let fc1: Linear
    public let fc2: Linear
    public let fc3: Linear

    /// A LeNet for `channels × imageSize × imageSize` inputs.
    /// - Throws: `ZooError.unsupportedInput` when the image is too small.
    public init(channels: Int, imageSize: Int, classes: Int, using generator: inout SeededGenerator) throws {
        var size = try FeatureMapSize(network: "LeNet", channels: channels, imageSize: imageSize, classes: classes)
        let padding = channels == 1 ? 2 : 0
        let conv1 = Conv2d(inChannels: channels, outChannels: 6, kernelSize: 5, padding: padding, using: &generator)
        let conv2 = Conv2d(inChannels: 6, outChannels: 16, kernelSize: 5, using: &generator)
        try size.convolve(kernel: 5, padding: padding)
        try size.pool(kernel: 2, stride: 2)
        try size.convolve(kernel: 5)
        try size.pool(kernel: 2, stride: 2)
        features = Sequential(conv1, ReLU(), MaxPool2d(kernel: 2), conv2, ReLU(), MaxPool2d(kernel: 2))
        fc1 = Linear(inFeatures: 16 * size.side * size.side, outFeatures: 120, using: &generator)
        fc2 = Linear(inFeatures: 120, outFeatures: 84, using: &generator)
        fc3 = Linear(inFeatures: 84, outFeatures: classes, using: &generator)
        super.init()
        registerChild("features", features)
        registerChild("fc_1", fc1)
        registerChild("fc_2", fc2)
        registerChild("fc_3", fc3)
    }

    /// Class logits: [N, C, H, W] → [N, classes].
    public func callAsFunction(_ x: Tensor) -> Tensor {
        fc3(fc2(fc1(features(x).flattened()).relu()).relu())
    }
}

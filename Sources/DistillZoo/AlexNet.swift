// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillNN
import DistillTensor

/// DC's AlexNet (and AlexNetBN): five convolutions with three max pools and one linear layer.
///
///     features = [Conv2d(C, 128, 5, padding 4 if C == 1 else 2), relu, maxpool,
///                 Conv2d(128, 192, 5, p2), relu, maxpool,
///                 Conv2d(192, 256, 3, p1), relu, Conv2d(256, 192, 3, p1), relu,
///                 Conv2d(192, 192, 3, p1), relu, maxpool]
///     fc = Linear(192·4·4, classes)
///
/// With `batchNorm`, a `BatchNorm2d` follows every convolution (before its
/// relu), shifting the `features.<i>` indices. Keys: `features.<i>…`, `fc`.
public final class AlexNet: Module, Embedding {
    public let features: Sequential
    public let fc: Linear
    public let embeddingSize: Int

    /// An AlexNet for `channels × imageSize × imageSize` inputs.
    /// - Parameter batchNorm: insert BatchNorm2d after every convolution (AlexNetBN).
    /// - Throws: `ZooError.unsupportedInput` when the image is too small.
    public init(
        batchNorm: Bool = false, channels: Int, imageSize: Int, classes: Int, using generator: inout SeededGenerator
    ) throws {
        let name = batchNorm ? "AlexNetBN" : "AlexNet"
        var size = try FeatureMapSize(network: name, channels: channels, imageSize: imageSize, classes: classes)
        // (out channels, kernel, padding, followed by a max pool)
        let stages = [
            (128, 5, channels == 1 ? 4 : 2, true), (192, 5, 2, true), (256, 3, 1, false), (192, 3, 1, false),
            (192, 3, 1, true),
        ]
        var layers: [any UnaryLayer] = []
        var inChannels = channels
        for (outChannels, kernel, padding, pooled) in stages {
            layers.append(
                Conv2d(
                    inChannels: inChannels, outChannels: outChannels, kernelSize: kernel, padding: padding,
                    using: &generator))
            try size.convolve(kernel: kernel, padding: padding)
            if batchNorm { layers.append(BatchNorm2d(channels: outChannels)) }
            layers.append(ReLU())
            if pooled {
                layers.append(MaxPool2d(kernel: 2, stride: 2))
                try size.pool(kernel: 2, stride: 2)
            }
            inChannels = outChannels
        }
        features = Sequential(layers)
        embeddingSize = 192 * size.side * size.side
        fc = Linear(inFeatures: embeddingSize, outFeatures: classes, using: &generator)
        super.init()
        registerChild("features", features)
        registerChild("fc", fc)
    }

    /// The flattened features: [N, C, H, W] → [N, embeddingSize].
    public func embed(_ x: Tensor) -> Tensor {
        features(x).flattened()
    }

    /// Class logits: [N, C, H, W] → [N, classes].
    public func callAsFunction(_ x: Tensor) -> Tensor {
        fc(embed(x))
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillNN
import DistillTensor

/// DC's VGG11 (instance norm) and VGG11BN (batch norm).
///
///     configuration [64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M]
///     number n → Conv2d(in, n, 3, padding 3 for a 1-channel input's first layer else 1) → norm → relu
///     M        → MaxPool2d(2, 2)
///     features end with AvgPool2d(1, 1) (a no-op kept for the indices); classifier = Linear(512, classes)
///
/// Keys: `features.<i>…` (every layer counted), `classifier`.
public final class VGG11: Module, Embedding {
    /// The layer configuration; 0 marks a max pool.
    static let configuration = [64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0]

    public let normalization: Normalization
    public let features: Sequential
    public let classifier: Linear
    public let embeddingSize: Int

    /// A VGG11 for `channels × imageSize × imageSize` inputs.
    /// - Parameter normalization: `.instancenorm` (VGG11) or `.batchnorm` (VGG11BN).
    /// - Throws: `ZooError.unsupportedInput` when the image is too small.
    public init(
        normalization: Normalization = .instancenorm, channels: Int, imageSize: Int, classes: Int,
        using generator: inout SeededGenerator
    ) throws {
        precondition(
            normalization == .instancenorm || normalization == .batchnorm,
            "VGG11: normalization must be instancenorm or batchnorm, got \(normalization)")
        let name = normalization == .batchnorm ? "VGG11BN" : "VGG11"
        var size = try FeatureMapSize(network: name, channels: channels, imageSize: imageSize, classes: classes)
        var layers: [any UnaryLayer] = []
        var inChannels = channels
        for (index, width) in Self.configuration.enumerated() {
            if width == 0 {
                layers.append(MaxPool2d(kernel: 2, stride: 2))
                try size.pool(kernel: 2, stride: 2)
                continue
            }
            let padding = channels == 1 && index == 0 ? 3 : 1
            layers.append(
                Conv2d(inChannels: inChannels, outChannels: width, kernelSize: 3, padding: padding, using: &generator))
            try size.convolve(kernel: 3, padding: padding)
            layers.append(normalization.makeLayer(channels: width, side: size.side)!)
            layers.append(ReLU())
            inChannels = width
        }
        layers.append(AvgPool2d(kernel: 1, stride: 1))
        self.normalization = normalization
        features = Sequential(layers)
        embeddingSize = 512 * size.side * size.side
        classifier = Linear(inFeatures: embeddingSize, outFeatures: classes, using: &generator)
        super.init()
        registerChild("features", features)
        registerChild("classifier", classifier)
    }

    /// The flattened features: [N, C, H, W] → [N, embeddingSize].
    public func embed(_ x: Tensor) -> Tensor {
        features(x).flattened()
    }

    /// Class logits: [N, C, H, W] → [N, classes].
    public func callAsFunction(_ x: Tensor) -> Tensor {
        classifier(embed(x))
    }
}

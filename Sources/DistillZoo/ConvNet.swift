// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillNN
import DistillTensor

/// DC's ConvNet: `depth` blocks of conv 3×3 → norm → activation → pool, then
/// a linear classifier on the flattened features.
///
///     features   = [Conv2d(C_in, w, 3), norm?, act, pool?] × depth
///     classifier = Linear(w · s · s, classes),   s = 32 / 2^depth (32 without pooling)
///
/// With a 1-channel input the first convolution pads by 3, which turns a
/// 28×28 image into a 32×32 map (DC treats MNIST as 32×32); every other
/// convolution pads by 1. Keys: `features.<i>.weight|bias` (every layer of the
/// block list takes an index) and `classifier.weight|bias`.
///
/// Departure from DC's code: feature-map sizes are tracked through the
/// layers, so inputs other than 1×28×28 and 3×32×32 build a working network
/// (DC's code assumes 32×32 after the first layer); for those two settings the
/// networks are identical.
public final class ConvNet: Module, Embedding {
    public let spec: ConvNetSpec
    public let features: Sequential
    public let classifier: Linear
    public let embeddingSize: Int

    /// A ConvNet with PyTorch's default initialisation.
    ///
    /// - Parameters:
    ///   - spec: width, depth, activation, normalisation and pooling.
    ///   - channels: input channels (1 or 3 in the published settings).
    ///   - imageSize: input side (28 or 32 in the published settings).
    ///   - classes: number of logits.
    ///   - generator: the source of the initial weights, drawn layer by layer.
    /// - Throws: `ZooError.invalidSpec` for a spec whose layers cannot be built together,
    ///   `ZooError.unsupportedInput` when a feature map would vanish (too deep for the image).
    public init(
        _ spec: ConvNetSpec = ConvNetSpec(), channels: Int, imageSize: Int, classes: Int,
        using generator: inout SeededGenerator
    ) throws {
        // A spec made in code or decoded has not been through parsing's check.
        try spec.checkLayers(text: spec.description)
        var size = try FeatureMapSize(
            network: spec.description, channels: channels, imageSize: imageSize, classes: classes)
        var layers: [any UnaryLayer] = []
        var inChannels = channels
        for block in 0..<spec.depth {
            let padding = channels == 1 && block == 0 ? 3 : 1
            layers.append(
                Conv2d(
                    inChannels: inChannels, outChannels: spec.width, kernelSize: 3, padding: padding,
                    using: &generator))
            try size.convolve(kernel: 3, padding: padding)
            if let norm = spec.normalization.makeLayer(channels: spec.width, side: size.side) { layers.append(norm) }
            layers.append(spec.activation.makeLayer())
            if let pool = spec.pooling.makeLayer() {
                layers.append(pool)
                try size.pool(kernel: 2, stride: 2)
            }
            inChannels = spec.width
        }
        self.spec = spec
        features = Sequential(layers)
        embeddingSize = spec.width * size.side * size.side
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

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillNN
import DistillTensor

/// DC's CIFAR ResNet18 (ResNet18, ResNet18BN) and its average-pooling variant (ResNet18BN_AP).
///
///     conv1 = Conv2d(C, 64, 3, padding 1, no bias) → bn1 → relu
///     layer1…layer4: two BasicBlocks each, planes 64, 128, 256, 512, first-block stride 1, 2, 2, 2
///     avgpool 4×4 (stride 4) → flatten → classifier = Linear(512, classes)
///
/// `norm` is GroupNorm(c, c) (instance norm) for ResNet18 and BatchNorm2d
/// otherwise. In the `_AP` variant every stride-2 convolution runs with
/// stride 1 followed by a 2×2 average pool, and the head pool is 1×1 (a
/// no-op), so the classifier sees 512·s·s features (s = 3 for 28×28, 4 for 32×32).
/// Keys: `conv1`, `bn1`, `layer<k>.<b>.{conv1,bn1,conv2,bn2,shortcut.<i>}`, `classifier`.
public final class ResNet18: Module, Embedding {
    public let normalization: Normalization
    public let averagePoolDownsampling: Bool
    public let conv1: Conv2d
    public let bn1: any UnaryLayer
    public let layers: [Sequential]
    public let classifier: Linear
    public let embeddingSize: Int

    /// A ResNet18 for `channels × imageSize × imageSize` inputs.
    ///
    /// - Parameters:
    ///   - normalization: `.instancenorm` (ResNet18) or `.batchnorm` (ResNet18BN, ResNet18BN_AP).
    ///   - averagePoolDownsampling: downsample with stride 1 + 2×2 average pools (the `_AP` variant).
    /// - Throws: `ZooError.unsupportedInput` when the image is too small.
    public init(
        normalization: Normalization = .instancenorm, averagePoolDownsampling: Bool = false, channels: Int,
        imageSize: Int, classes: Int, using generator: inout SeededGenerator
    ) throws {
        precondition(
            normalization == .instancenorm || normalization == .batchnorm,
            "ResNet18: normalization must be instancenorm or batchnorm, got \(normalization)")
        let name = averagePoolDownsampling ? "ResNet18BN_AP" : normalization == .batchnorm ? "ResNet18BN" : "ResNet18"
        var size = try FeatureMapSize(network: name, channels: channels, imageSize: imageSize, classes: classes)
        conv1 = Conv2d(inChannels: channels, outChannels: 64, kernelSize: 3, padding: 1, bias: false, using: &generator)
        try size.convolve(kernel: 3, padding: 1)
        bn1 = normalization.makeLayer(channels: 64, side: size.side)!
        var inPlanes = 64
        var stages: [Sequential] = []
        for (planes, firstStride) in [(64, 1), (128, 2), (256, 2), (512, 2)] {
            var blocks: [any UnaryLayer] = []
            for stride in [firstStride, 1] {
                blocks.append(
                    try BasicBlock(
                        inPlanes: inPlanes, planes: planes, stride: stride, normalization: normalization,
                        averagePoolDownsampling: averagePoolDownsampling, size: &size, using: &generator))
                inPlanes = planes
            }
            stages.append(Sequential(blocks))
        }
        if !averagePoolDownsampling { try size.pool(kernel: 4, stride: 4) }
        self.normalization = normalization
        self.averagePoolDownsampling = averagePoolDownsampling
        layers = stages
        embeddingSize = 512 * size.side * size.side
        classifier = Linear(inFeatures: embeddingSize, outFeatures: classes, using: &generator)
        super.init()
        registerChild("conv1", conv1)
        registerChild("bn1", bn1)
        for (index, stage) in stages.enumerated() { registerChild("layer\(index + 1)", stage) }
        registerChild("classifier", classifier)
    }

    /// The flattened features after the head pool: [N, C, H, W] → [N, embeddingSize].
    public func embed(_ x: Tensor) -> Tensor {
        var out = layers.reduce(bn1(conv1(x)).relu()) { $1($0) }
        // The _AP head pool is 1×1 with stride 1: the identity.
        if !averagePoolDownsampling { out = out.avgPool2d(kernel: 4, stride: 4) }
        return out.flattened()
    }

    /// Class logits: [N, C, H, W] → [N, classes].
    public func callAsFunction(_ x: Tensor) -> Tensor {
        classifier(embed(x))
    }
}

/// A ResNet basic block: two 3×3 convolutions with a residual connection.
///
///     out = relu(bn1(conv1(x)))               (conv1 has stride s; stride 1 + avgpool 2×2 in the _AP variant)
///     out = relu(bn2(conv2(out)) + shortcut(x))
///     shortcut = [Conv2d(in, planes, 1, stride s, no bias), norm]   when s ≠ 1 or in ≠ planes
///              = [Conv2d(in, planes, 1, no bias), AvgPool2d(2), BatchNorm2d]   (_AP, s ≠ 1)
///              = identity (an empty Sequential)                   otherwise
public final class BasicBlock: Module, UnaryLayer {
    public let stride: Int
    public let averagePoolDownsampling: Bool
    public let conv1: Conv2d
    public let bn1: any UnaryLayer
    public let conv2: Conv2d
    public let bn2: any UnaryLayer
    public let shortcut: Sequential

    init(
        inPlanes: Int, planes: Int, stride: Int, normalization: Normalization, averagePoolDownsampling: Bool,
        size: inout FeatureMapSize, using generator: inout SeededGenerator
    ) throws {
        let inputSize = size
        let downsample = stride != 1
        let convStride = averagePoolDownsampling ? 1 : stride
        conv1 = Conv2d(
            inChannels: inPlanes, outChannels: planes, kernelSize: 3, stride: convStride, padding: 1, bias: false,
            using: &generator)
        try size.convolve(kernel: 3, padding: 1, stride: convStride)
        bn1 = normalization.makeLayer(channels: planes, side: size.side)!
        if averagePoolDownsampling && downsample { try size.pool(kernel: 2, stride: 2) }
        conv2 = Conv2d(inChannels: planes, outChannels: planes, kernelSize: 3, padding: 1, bias: false, using: &generator)
        bn2 = normalization.makeLayer(channels: planes, side: size.side)!
        if downsample || inPlanes != planes {
            let projection = Conv2d(
                inChannels: inPlanes, outChannels: planes, kernelSize: 1, stride: convStride, bias: false,
                using: &generator)
            var shortcutSize = inputSize
            try shortcutSize.convolve(kernel: 1, stride: convStride)
            if averagePoolDownsampling && downsample {
                try shortcutSize.pool(kernel: 2, stride: 2)
                shortcut = Sequential(
                    projection, AvgPool2d(kernel: 2, stride: 2),
                    normalization.makeLayer(channels: planes, side: shortcutSize.side)!)
            } else {
                shortcut = Sequential(projection, normalization.makeLayer(channels: planes, side: shortcutSize.side)!)
            }
        } else {
            shortcut = Sequential([])
        }
        self.stride = stride
        self.averagePoolDownsampling = averagePoolDownsampling
        super.init()
        registerChild("conv1", conv1)
        registerChild("bn1", bn1)
        registerChild("conv2", conv2)
        registerChild("bn2", bn2)
        registerChild("shortcut", shortcut)
    }

    /// The block's output: [N, in, H, W] → [N, planes, H', W'].
    public func callAsFunction(_ x: Tensor) -> Tensor {
        var out = bn1(conv1(x)).relu()
        if averagePoolDownsampling && stride != 1 { out = out.avgPool2d(kernel: 2, stride: 2) }
        return (bn2(conv2(out)) + shortcut(x)).relu()
    }
}

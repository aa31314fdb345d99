// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillTensor

/// Batch normalisation over N, H, W per channel (PyTorch `nn.BatchNorm2d`, affine, tracking running statistics).
///
///     y = (x − μ) / √(σ² + ε) · weight[c] + bias[c]
///
/// In training mode μ and σ² are the batch statistics (biased variance) and
/// every call updates the running statistics with `momentum` (unbiased
/// variance) and counts the batch; in evaluation mode the running statistics
/// are used. Parameters: `weight` [C] (ones), `bias` [C] (zeros); buffers:
/// `running_mean` [C] (zeros), `running_var` [C] (ones), `num_batches_tracked`
/// (a count, exported as a rank-0 I64).
public final class BatchNorm2d: Module, UnaryLayer {
    public let channels: Int
    public let momentum: Float
    public let epsilon: Float
    /// The running mean and variance, each [C].
    public var statistics: BatchNormStatistics
    /// How many training-mode batches have updated `statistics`.
    public var batchesTracked: Int = 0

    /// Batch normalisation over `channels` channels with PyTorch's defaults.
    public init(channels: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        precondition(channels > 0, "BatchNorm2d: channels must be positive, got \(channels)")
        self.channels = channels
        self.momentum = momentum
        self.epsilon = epsilon
        statistics = BatchNormStatistics(channels: channels)
        super.init(parameters: [
            ("weight", NDArray(repeating: 1, shape: [channels])), ("bias", NDArray(zeros: [channels])),
        ])
    }

    public var weight: Tensor { parameter("weight") }
    public var bias: Tensor { parameter("bias") }

    override public var localBuffers: [(key: String, value: StateTensor)] {
        [
            ("running_mean", .float(statistics.mean)), ("running_var", .float(statistics.variance)),
            ("num_batches_tracked", .int64(shape: [], values: [Int64(batchesTracked)])),
        ]
    }

    override public func loadLocalBuffer(_ key: String, _ value: StateTensor) {
        switch (key, value) {
        case ("running_mean", .float(let array)): statistics.mean = array
        case ("running_var", .float(let array)): statistics.variance = array
        case ("num_batches_tracked", .int64(_, let values)): batchesTracked = Int(values[0])
        default: preconditionFailure("BatchNorm2d.loadLocalBuffer: unexpected \(key) \(value.shape)")
        }
    }

    /// Normalises `x` [N, C, H, W] (or [N, C]); updates the running statistics in training mode.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        if isTraining { batchesTracked += 1 }
        return x.batchNorm(
            weight: weight, bias: bias, statistics: &statistics, training: isTraining, momentum: momentum,
            epsilon: epsilon)
    }
}

/// Group normalisation (PyTorch `nn.GroupNorm`, affine): statistics over each
/// sample's channel group and all spatial positions.
///
///     y = (x − μ_g) / √(σ²_g + ε) · weight[c] + bias[c]
///
/// `groups == channels` is instance normalisation as DC uses it. Parameters:
/// `weight` [C] (ones), `bias` [C] (zeros). Same in both modes.
public final class GroupNorm: Module, UnaryLayer {
    public let groups: Int
    public let channels: Int
    public let epsilon: Float

    /// Group normalisation of `channels` channels in `groups` groups; `groups` divides `channels`.
    public init(groups: Int, channels: Int, epsilon: Float = 1e-5) {
        precondition(
            groups > 0 && channels > 0 && channels % groups == 0,
            "GroupNorm: \(groups) groups do not divide \(channels) channels")
        self.groups = groups
        self.channels = channels
        self.epsilon = epsilon
        super.init(parameters: [
            ("weight", NDArray(repeating: 1, shape: [channels])), ("bias", NDArray(zeros: [channels])),
        ])
    }

    public var weight: Tensor { parameter("weight") }
    public var bias: Tensor { parameter("bias") }

    /// Normalises `x` [N, C, H, W].
    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.groupNorm(groups: groups, weight: weight, bias: bias, epsilon: epsilon)
    }
}

/// Layer normalisation over the trailing dimensions with an elementwise
/// affine map (PyTorch `nn.LayerNorm(normalized_shape)`).
///
///     y = (x − μ) / √(σ² + ε) · weight + bias      (μ, σ² over the trailing dims of each sample)
///
/// Parameters: `weight` and `bias`, both shaped `normalizedShape` (for
/// ConvNet's layernorm [C, H, W] at that block's spatial size), ones and zeros.
public final class LayerNorm: Module, UnaryLayer {
    public let normalizedShape: [Int]
    public let epsilon: Float

    /// Layer normalisation over trailing dimensions `normalizedShape` (all > 0).
    public init(normalizedShape: [Int], epsilon: Float = 1e-5) {
        precondition(
            !normalizedShape.isEmpty && normalizedShape.allSatisfy { $0 > 0 },
            "LayerNorm: invalid normalized shape \(normalizedShape)")
        self.normalizedShape = normalizedShape
        self.epsilon = epsilon
        super.init(parameters: [
            ("weight", NDArray(repeating: 1, shape: normalizedShape)), ("bias", NDArray(zeros: normalizedShape)),
        ])
    }

    public var weight: Tensor { parameter("weight") }
    public var bias: Tensor { parameter("bias") }

    /// Normalises `x` [N, …normalizedShape].
    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(
            Array(x.shape.suffix(normalizedShape.count)) == normalizedShape,
            "LayerNorm: input \(x.shape) does not end in \(normalizedShape)")
        return x.layerNorm(normalizedRank: normalizedShape.count, weight: weight, bias: bias, epsilon: epsilon)
    }
}

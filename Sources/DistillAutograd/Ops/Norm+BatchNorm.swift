// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor

/// The running mean and variance a batch-norm layer keeps per channel.
public struct BatchNormStatistics: Sendable, Equatable {
    /// Running mean, shaped [C].
    public var mean: NDArray
    /// Running (unbiased) variance, shaped [C].
    public var variance: NDArray

    /// Statistics with the given running values, both shaped [C].
    public init(mean: NDArray, variance: NDArray) {
        precondition(
            mean.rank == 1 && mean.shape == variance.shape,
            "BatchNormStatistics: mean shape \(mean.shape) and variance shape \(variance.shape) must both be [C]")
        self.mean = mean
        self.variance = variance
    }

    /// Fresh statistics for `channels` channels: mean 0, variance 1 (PyTorch's initial values).
    public init(channels: Int) {
        self.init(mean: NDArray(zeros: [channels]), variance: NDArray(repeating: 1, shape: [channels]))
    }
}

extension Tensor {
    /// Batch normalisation over the batch and spatial dimensions, per channel.
    ///
    /// ```
    /// y = (x − μ_c) / √(σ²_c + ε) · weight[c] + bias[c]
    /// ```
    ///
    /// Training uses the batch's mean and biased variance over N and every
    /// position (m = N·H·W values per channel) and then updates `statistics`:
    ///
    /// ```
    /// mean     ← (1 − momentum) · mean     + momentum · μ_c
    /// variance ← (1 − momentum) · variance + momentum · σ²_c · m / (m − 1)
    /// ```
    ///
    /// Evaluation uses the running `statistics` (y is then affine in x) and
    /// leaves them unchanged. The running update is never part of the graph.
    ///
    /// - Parameters:
    ///   - self: x, shaped [N, C] or [N, C, H, W] (any [N, C, …]).
    ///   - weight: per-channel scale [C], or nil for 1.
    ///   - bias: per-channel shift [C], or nil for 0.
    ///   - statistics: running statistics of C channels.
    ///   - training: batch statistics (true) or running statistics (false).
    /// - Returns: y, shaped like x.
    public func batchNorm(
        weight: Tensor?, bias: Tensor?, statistics: inout BatchNormStatistics, training: Bool,
        momentum: Float = 0.1, epsilon: Float = 1e-5
    ) -> Tensor {
        precondition(rank >= 2 && count > 0, "batchNorm: input shape \(shape) is not a non-empty [N, C, …]")
        let (batch, channels) = (shape[0], shape[1])
        let spatial = shape.dropFirst(2).reduce(1, *)
        Tensor.checkAffine(weight, bias, shape: [channels], op: "batchNorm", input: shape)
        precondition(
            statistics.mean.shape == [channels],
            "batchNorm: running statistics of shape \(statistics.mean.shape) for input shape \(shape)")
        let mean: [Double], inverseStd: [Double]
        if training {
            precondition(
                batch * spatial > 1,
                "batchNorm: training needs more than one value per channel, input shape \(shape)")
            let batchStatistics = array.groupStatistics(
                segmentLength: spatial, groupCount: channels, groupOfSegment: { $0 % channels })
            mean = batchStatistics.mean
            inverseStd = batchStatistics.inverseStandardDeviation(epsilon: epsilon)
            statistics.update(with: batchStatistics, momentum: momentum)
        } else {
            mean = statistics.mean.scalars.map { Double($0) }
            inverseStd = statistics.variance.scalars.map { 1 / (Double($0) + Double(epsilon)).squareRoot() }
        }
        let kernel = ChannelNormalization(
            batch: batch, channels: channels, spatial: spatial, groupCount: channels,
            groupOfSegment: { $0 % channels }, mean: mean, inverseStd: inverseStd, weight: weight?.scalars)
        let value = kernel.forward(array, bias: bias?.scalars)
        let x = self
        let inputs = [x, weight ?? Tensor.ones([channels]), bias ?? Tensor.zeros([channels])]
        return Tensor.record(training ? "batchNorm" : "batchNormEval", value, inputs: inputs) { g, needs in
            guard Tensor.backwardBuildsGraph(g, x, weight) else {
                return kernel.gradients(input: x.array, gradient: g.array, statisticsFromInput: training, needs: needs)
            }
            let planes = [batch, channels, spatial]
            let x3 = x.reshaped(planes), g3 = g.reshaped(planes)
            let scaled = { weight.map { g3.channelScaled(by: $0) } ?? g3 }
            var result: [Tensor?] = [nil, nil, nil]
            let normalized: Tensor
            if training {
                let count = Float(batch * spatial)
                let centered = x3 - (x3.channelSums() / count).channelBroadcast(to: planes)
                let batchInverseStd = ((centered * centered).channelSums() / count + epsilon).normInverseSquareRoot()
                normalized = centered.channelScaled(by: batchInverseStd)
                if needs[0] {
                    // dx = rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ · x̂)), means over each channel's N·S values.
                    let scaledGradient = scaled()
                    let meanScaled = (scaledGradient.channelSums() / count).channelBroadcast(to: planes)
                    let meanProjection = (scaledGradient * normalized).channelSums() / count
                    let dx = (scaledGradient - meanScaled - normalized.channelScaled(by: meanProjection))
                        .channelScaled(by: batchInverseStd)
                    result[0] = dx.reshaped(x.shape)
                }
            } else {
                let runningInverseStd = Tensor(shape: [channels], scalars: inverseStd.map { Float($0) })
                let runningMean = Tensor(shape: [1, channels, 1], scalars: mean.map { Float($0) })
                normalized = (x3 - runningMean).channelScaled(by: runningInverseStd)
                if needs[0] { result[0] = scaled().channelScaled(by: runningInverseStd).reshaped(x.shape) }
            }
            if needs[1] { result[1] = (g3 * normalized).channelSums() }
            if needs[2] { result[2] = g3.channelSums() }
            return result
        }
    }
}

extension BatchNormStatistics {
    /// Moves the running values towards a batch's mean and unbiased variance.
    fileprivate mutating func update(with batch: NormalizationStatistics, momentum: Float) {
        let m = Double(momentum)
        let correction = Double(batch.count) / Double(batch.count - 1)
        for channel in 0..<mean.count {
            mean.scalars[channel] = Float((1 - m) * Double(mean.scalars[channel]) + m * batch.mean[channel])
            variance.scalars[channel] = Float(
                (1 - m) * Double(variance.scalars[channel]) + m * batch.variance[channel] * correction)
        }
    }
}

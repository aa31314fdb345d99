// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor

// Every normalisation here is one recorded op with a fused forward kernel.
// Its backward rule has two paths giving the same first-order values:
// - no graph is being built (plain `gradients`): fused kernels, constants out;
// - `createGraph: true` and something it reads is differentiable: the same
//   formulas as recorded ops whose own rules are differentiable, so the
//   gradients can be differentiated again (group and layer norm: the fused
//   row-normalisation ops of Norm+Rows.swift; batch norm: `Tensor` ops with
//   the mean and inverse std recomputed from x).

extension Tensor {
    /// Group normalisation (instance norm when `groups == C`, layer norm over
    /// [C, …] without elementwise affine when `groups == 1`).
    ///
    /// ```
    /// y = (x − mean_g) / √(var_g + ε) · weight[c] + bias[c]
    /// ```
    /// with the mean and biased variance over each sample's channels of group g
    /// and all positions.
    ///
    /// - Parameters:
    ///   - self: x, shaped [N, C, …].
    ///   - groups: number of groups; must divide C.
    ///   - weight: per-channel scale [C], or nil for 1.
    ///   - bias: per-channel shift [C], or nil for 0.
    /// - Returns: y, shaped like x.
    public func groupNorm(groups: Int, weight: Tensor?, bias: Tensor?, epsilon: Float = 1e-5) -> Tensor {
        precondition(rank >= 2 && count > 0, "groupNorm: input shape \(shape) is not a non-empty [N, C, …]")
        let (batch, channels) = (shape[0], shape[1])
        precondition(
            groups > 0 && channels % groups == 0,
            "groupNorm: \(groups) groups do not divide the \(channels) channels of input shape \(shape)")
        Tensor.checkAffine(weight, bias, shape: [channels], op: "groupNorm", input: shape)
        let spatial = shape.dropFirst(2).reduce(1, *)
        let perGroup = channels / groups
        let groupOfSegment = { (segment: Int) in (segment / channels) * groups + (segment % channels) / perGroup }
        let statistics = array.groupStatistics(
            segmentLength: spatial, groupCount: batch * groups, groupOfSegment: groupOfSegment)
        let kernel = ChannelNormalization(
            batch: batch, channels: channels, spatial: spatial, groupCount: batch * groups,
            groupOfSegment: groupOfSegment, mean: statistics.mean,
            inverseStd: statistics.inverseStandardDeviation(epsilon: epsilon), weight: weight?.scalars)
        let value = kernel.forward(array, bias: bias?.scalars)
        let rows = RowNormalization(
            rows: batch * groups, rowLength: perGroup * spatial, segmentLength: spatial,
            mean: statistics.mean.map { Float($0) }, inverseStd: kernel.inverseStd)
        let x = self
        let inputs = [x, weight ?? Tensor.ones([channels]), bias ?? Tensor.zeros([channels])]
        return Tensor.record("groupNorm", value, inputs: inputs) { g, needs in
            guard Tensor.backwardBuildsGraph(g, x, weight) else {
                return kernel.gradients(input: x.array, gradient: g.array, statisticsFromInput: true, needs: needs)
            }
            let matrix = [rows.rows, rows.rowLength], planes = [batch, channels, spatial]
            let x2 = x.reshaped(matrix), g3 = g.reshaped(planes)
            var result: [Tensor?] = [nil, nil, nil]
            if needs[0] {
                let scaled = weight.map { g3.channelScaled(by: $0) } ?? g3
                result[0] = x2.rowNormalizationJacobianProduct(scaled.reshaped(matrix), rows).reshaped(x.shape)
            }
            if needs[1] { result[1] = (g3 * x2.rowNormalized(rows).reshaped(planes)).channelSums() }
            if needs[2] { result[2] = g3.channelSums() }
            return result
        }
    }
}

// MARK: - Differentiable building blocks of the graph-building backward rules

extension Tensor {
    /// Whether a backward rule must record its result: gradients are being
    /// built with `createGraph: true` and one of the tensors it reads can be
    /// differentiated.
    static func backwardBuildsGraph(_ tensors: Tensor?...) -> Bool {
        GradientMode.isRecording && tensors.contains { $0?.requiresGradient == true }
    }

    /// Checks that optional affine parameters have `shape`.
    static func checkAffine(_ weight: Tensor?, _ bias: Tensor?, shape: [Int], op: String, input: [Int]) {
        precondition(
            weight.map { $0.shape == shape } ?? true,
            "\(op): weight shape \(weight?.shape ?? []) must be \(shape) for input shape \(input)")
        precondition(
            bias.map { $0.shape == shape } ?? true,
            "\(op): bias shape \(bias?.shape ?? []) must be \(shape) for input shape \(input)")
    }

    /// `1/√x` elementwise, the inverse standard deviation of the norm layers.
    ///
    /// Gradient: `−½ · grad · (1/√x)³`.
    func normInverseSquareRoot() -> Tensor {
        let value = array.map { 1 / $0.squareRoot() }
        return Tensor.record("normInverseSquareRoot", value, inputs: [self]) { [self] g, _ in
            let root = normInverseSquareRoot()
            return [g * (root * root * root) * -0.5]
        }
    }

    /// Multiplies every plane of x [N, C, S] by its channel's factor.
    ///
    /// ```
    /// y[n, c, s] = x[n, c, s] · scale[c]
    /// ```
    ///
    /// Gradient: `grad` scaled likewise, and `Σ_{n,s} grad · x` for the scale;
    /// the reductions run over contiguous axes (a broadcast product's gradient
    /// would reduce over the non-adjacent axes N and S).
    /// - Parameter scale: [C].
    func channelScaled(by scale: Tensor) -> Tensor {
        precondition(
            rank == 3 && scale.shape == [shape[1]],
            "channelScaled: scale shape \(scale.shape) does not match the channels of [N, C, S] shape \(shape)")
        let segments = shape[0] * shape[1], channels = shape[1]
        let factors = scale.scalars
        let value = array.segmentAffine(
            segmentLength: shape[2], center: [Float](repeating: 0, count: segments),
            scale: (0..<segments).map { factors[$0 % channels] }, shift: [Float](repeating: 0, count: segments))
        return Tensor.record("channelScaled", value, inputs: [self, scale]) { [self] g, needs in
            [needs[0] ? g.channelScaled(by: scale) : nil, needs[1] ? (g * self).channelSums() : nil]
        }
    }

    /// Per-channel sums of x [N, C, S]: `Σ_{n,s} x[n, c, s]`, shaped [C].
    func channelSums() -> Tensor {
        precondition(rank == 3, "channelSums: shape \(shape) is not [N, C, S]")
        return sum(alongAxes: [2]).sum(alongAxes: [0])
    }

    /// Copies per-channel values [C] to every plane of `target` [N, C, S].
    ///
    /// Gradient: `grad.channelSums()`.
    func channelBroadcast(to target: [Int]) -> Tensor {
        precondition(
            target.count == 3 && shape == [target[1]],
            "channelBroadcast: shape \(shape) does not give the channels of [N, C, S] shape \(target)")
        let value = array.reshaped([1, target[1], 1]).broadcast(to: target)
        return Tensor.record("channelBroadcast", value, inputs: [self]) { g, _ in [g.channelSums()] }
    }
}

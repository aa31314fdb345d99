// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor

extension Tensor {
    /// A first block as one op (see `ConvInstanceNormReLUPool`): a 3×3,
    /// stride-1 convolution of a 1 … 4-channel batch, then instance norm with
    /// a per-channel affine map, ReLU and 2×2 average pooling,
    ///
    /// ```
    /// y = conv2d(x, weight, bias, padding).instanceNormReLUAvgPool(normWeight, normBias)
    /// ```
    ///
    /// Its value and gradients equal those of the ops in sequence, up to
    /// float rounding. Plain gradients of the parameters use the fused
    /// kernels; when `x` needs a gradient, or with `createGraph: true`, the
    /// backward rule differentiates the unfused form instead.
    ///
    /// - Parameters:
    ///   - self: x, `[N, C_in, H, W]` (`ConvInstanceNormReLUPool.supports`).
    ///   - weight: `[C_out, C_in, 3, 3]`; bias: `[C_out]` or nil.
    ///   - normWeight, normBias: `[C_out]`.
    /// - Returns: `[N, C_out, H', W']` with H', W' half the convolution's output size.
    public func conv2dInstanceNormReLUAvgPool(
        weight: Tensor, bias: Tensor?, padding: Int, normWeight: Tensor, normBias: Tensor, epsilon: Float = 1e-5
    ) -> Tensor {
        precondition(
            ConvInstanceNormReLUPool.supports(
                inputShape: shape, weightShape: weight.shape, stride: 1, padding: padding),
            "conv2dInstanceNormReLUAvgPool: no fused kernel for input \(shape), weight \(weight.shape), "
                + "padding \(padding)")
        Tensor.checkAffine(
            normWeight, normBias, shape: [weight.shape[0]], op: "conv2dInstanceNormReLUAvgPool", input: shape)
        let (biasValues, normWeightValues, normBiasValues) = (bias?.scalars, normWeight.scalars, normBias.scalars)
        let forward = ConvInstanceNormReLUPool.forward(
            array, weight: weight.array, bias: biasValues, padding: padding, normWeight: normWeightValues,
            normBias: normBiasValues, epsilon: epsilon)
        let x = self
        let inputs = [x, weight] + (bias.map { [$0] } ?? []) + [normWeight, normBias]
        return Tensor.record("conv2dInstanceNormReLUAvgPool", forward.output, inputs: inputs) { g, needs in
            let buildsGraph = Tensor.backwardBuildsGraph(g, x, weight, bias, normWeight, normBias)
            if !needs[0] && !buildsGraph {
                let result = ConvInstanceNormReLUPool.backward(
                    x.array, gradient: g.array, weight: weight.array, bias: biasValues, padding: padding,
                    normWeight: normWeightValues, normBias: normBiasValues, statistics: forward)
                let parameterGradients = [Tensor(result.weight)]
                    + (bias.map { [Tensor(shape: $0.shape, scalars: result.bias)] } ?? [])
                    + [Tensor(shape: normWeight.shape, scalars: result.normWeight),
                       Tensor(shape: normBias.shape, scalars: result.normBias)]
                return [nil] + zip(parameterGradients, needs.dropFirst()).map { gradient, needed in
                    needed ? gradient : nil
                }
            }
            // Recorded even in a plain backward pass, to be differentiated at once.
            let unfused = withGradients {
                x.conv2d(weight: weight, bias: bias, stride: 1, padding: padding)
                    .instanceNormReLUAvgPool(weight: normWeight, bias: normBias, epsilon: epsilon)
            }
            let wanted = inputs.indices.filter { needs[$0] }
            let grads = try! gradients(
                of: unfused, withRespectTo: wanted.map { inputs[$0] }, seed: g, createGraph: buildsGraph)
            var result = [Tensor?](repeating: nil, count: inputs.count)
            for (index, gradient) in zip(wanted, grads) { result[index] = gradient }
            return result
        }
    }
}

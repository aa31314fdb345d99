// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor

extension Tensor {
    /// Instance normalisation with a per-channel affine map, then ReLU, then
    /// 2×2 average pooling with stride 2, as one op (see `InstanceNormReLUPool`):
    ///
    /// ```
    /// y = avgPool2d(relu(groupNorm(x, groups: C, weight, bias)), kernel: 2, stride: 2)
    /// ```
    ///
    /// Its value and gradients equal those of the three ops in sequence, up
    /// to float rounding. Plain gradients use fused kernels; with
    /// `createGraph: true` the backward rule differentiates the three-op form
    /// instead, so gradients of any order are available.
    ///
    /// - Parameters:
    ///   - self: x, `[N, C, H, W]` with H and W even (`InstanceNormReLUPool.supports`).
    ///   - weight, bias: `[C]`.
    /// - Returns: `[N, C, H/2, W/2]`.
    public func instanceNormReLUAvgPool(weight: Tensor, bias: Tensor, epsilon: Float = 1e-5) -> Tensor {
        precondition(
            InstanceNormReLUPool.supports(shape),
            "instanceNormReLUAvgPool: input \(shape) is not [N, C, H, W] with H and W even")
        Tensor.checkAffine(weight, bias, shape: [shape[1]], op: "instanceNormReLUAvgPool", input: shape)
        let (weightValues, biasValues) = (weight.scalars, bias.scalars)
        let forward = InstanceNormReLUPool.forward(array, weight: weightValues, bias: biasValues, epsilon: epsilon)
        let x = self
        return Tensor.record("instanceNormReLUAvgPool", forward.output, inputs: [x, weight, bias]) { g, needs in
            guard Tensor.backwardBuildsGraph(g, x, weight, bias) else {
                let result = InstanceNormReLUPool.backward(
                    x.array, gradient: g.array, weight: weightValues, bias: biasValues, statistics: forward)
                return [
                    needs[0] ? Tensor(result.input) : nil,
                    needs[1] ? Tensor(shape: weight.shape, scalars: result.weight) : nil,
                    needs[2] ? Tensor(shape: bias.shape, scalars: result.bias) : nil,
                ]
            }
            let unfused = x.groupNorm(groups: x.shape[1], weight: weight, bias: bias, epsilon: epsilon).relu()
                .avgPool2d(kernel: 2, stride: 2)
            let wanted = [x, weight, bias].indices.filter { needs[$0] }
            let grads = try! gradients(of: unfused, withRespectTo: wanted.map { [x, weight, bias][$0] }, seed: g, createGraph: true)
            var result: [Tensor?] = [nil, nil, nil]
            for (index, gradient) in zip(wanted, grads) { result[index] = gradient }
            return result
        }
    }
}

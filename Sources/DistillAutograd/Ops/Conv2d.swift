// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor

// Convolution is bilinear in (input, weight). Writing T_w for the linear map
// x ↦ conv2d(x, w), every rule below follows from the single identity
//
//     ⟨dy, conv2d(x, w)⟩ = ⟨conv2dBackwardInput(dy, w), x⟩ = ⟨conv2dBackwardWeight(x, dy), w⟩
//
// i.e. conv2dBackwardInput(·, w) = T_wᵀ and conv2dBackwardWeight(x, ·) is the
// adjoint of w ↦ conv2d(x, w). The three ops therefore differentiate into one
// another, and gradients of any order stay inside this closed set.

extension Tensor {
    /// 2-D cross-correlation of an NCHW batch with optional bias (PyTorch `conv2d`).
    ///
    /// ```
    /// y[n, o, i, j] = bias[o] + Σ_{c, a, b} weight[o, c, a, b] · x[n, c, i·s + a − p, j·s + b − p]
    /// ```
    /// with `x` zero outside the image. Gradients, for an output gradient `g`:
    /// ```
    /// dx    = conv2dBackwardInput(g, weight)        (= T_wᵀ g)
    /// dw    = conv2dBackwardWeight(x, g)
    /// dbias = Σ_{n, i, j} g[n, o, i, j]
    /// ```
    ///
    /// - Parameters:
    ///   - self: `[N, C_in, H, W]`.
    ///   - weight: `[C_out, C_in, kH, kW]`.
    ///   - bias: `[C_out]`, or nil.
    ///   - stride: step on both axes, at least 1.
    ///   - padding: zeros added on every side, at least 0.
    /// - Returns: `[N, C_out, ⌊(H + 2p − kH)/s⌋ + 1, ⌊(W + 2p − kW)/s⌋ + 1]`.
    public func conv2d(weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0) -> Tensor {
        // The input gradient reuses the forward's transformed weights, when
        // there will be one and they are small (4 MiB: ConvNet's 128 × 128
        // filters take 2.4 MB), since the graph holds them until it is freed.
        let kept =
            GradientMode.isRecording && requiresGradient
                && WinogradWeights.byteCount(weightShape: weight.shape) <= 4 << 20
            ? WinogradWeights(weight: weight.array, inputShape: shape, stride: stride, padding: padding) : nil
        let value = array.conv2d(
            weight: weight.array, bias: bias?.array, stride: stride, padding: padding, transformedWeights: kept)
        let inputs = bias.map { [self, weight, $0] } ?? [self, weight]
        let (inputShape, kernel) = (shape, (weight.shape[2], weight.shape[3]))
        return Tensor.record("conv2d", value, inputs: inputs) { [self] g, needs in
            var grads: [Tensor?]
            if needs[0] && needs[1] {
                // Computed together, they share work (`NDArray.conv2dGradients`).
                let both = g.array.conv2dGradients(
                    input: array, weight: weight.array, stride: stride, padding: padding, transformedWeights: kept)
                grads = [
                    g.recordBackwardInput(both.input, weight: weight, stride: stride, padding: padding),
                    recordBackwardWeight(both.weight, outputGradient: g, stride: stride, padding: padding),
                ]
            } else {
                grads = [
                    needs[0]
                        ? g.recordBackwardInput(
                            g.array.conv2dBackwardInput(
                                weight: weight.array, inputShape: inputShape, stride: stride, padding: padding,
                                transformedWeights: kept),
                            weight: weight, stride: stride, padding: padding)
                        : nil,
                    needs[1]
                        ? self.conv2dBackwardWeight(
                            outputGradient: g, kernelHeight: kernel.0, kernelWidth: kernel.1, stride: stride,
                            padding: padding)
                        : nil,
                ]
            }
            if bias != nil {
                // Two contiguous reductions are much faster than one over axes [0, 2, 3].
                grads.append(needs[2] ? g.sum(alongAxes: [2, 3]).sum(alongAxes: [0]) : nil)
            }
            return grads
        }
    }

    /// Gradient of `conv2d` with respect to its input (a transposed
    /// convolution), with `self` the output gradient `g`; bilinear in `(g, weight)`.
    ///
    /// ```
    /// dx[n, c, h, w] = Σ_{o, a, b, i, j : h = i·s + a − p, w = j·s + b − p} weight[o, c, a, b] · g[n, o, i, j]
    /// ```
    /// Gradients, for an upstream gradient `u` shaped like `dx`: from
    /// `⟨u, T_wᵀ g⟩ = ⟨T_w u, g⟩ = ⟨conv2dBackwardWeight(u, g), w⟩`,
    /// ```
    /// dg      = conv2d(u, weight)              (no bias)
    /// dweight = conv2dBackwardWeight(u, g)     (u in the role of the input)
    /// ```
    ///
    /// - Parameters:
    ///   - self: `[N, C_out, H_out, W_out]`.
    ///   - weight: `[C_out, C_in, kH, kW]`.
    ///   - inputShape: the forward input's shape `[N, C_in, H, W]` (H, W are not
    ///     recoverable from `H_out` when the stride exceeds 1).
    /// - Returns: `[N, C_in, H, W]`.
    public func conv2dBackwardInput(weight: Tensor, inputShape: [Int], stride: Int = 1, padding: Int = 0) -> Tensor {
        let value = array.conv2dBackwardInput(
            weight: weight.array, inputShape: inputShape, stride: stride, padding: padding)
        return recordBackwardInput(value, weight: weight, stride: stride, padding: padding)
    }

    /// `conv2dBackwardInput` whose value is already computed.
    private func recordBackwardInput(_ value: NDArray, weight: Tensor, stride: Int, padding: Int) -> Tensor {
        let kernel = (weight.shape[2], weight.shape[3])
        return Tensor.record("conv2dBackwardInput", value, inputs: [self, weight]) { [self] u, needs in
            [
                needs[0] ? u.conv2d(weight: weight, bias: nil, stride: stride, padding: padding) : nil,
                needs[1]
                    ? u.conv2dBackwardWeight(
                        outputGradient: self, kernelHeight: kernel.0, kernelWidth: kernel.1, stride: stride,
                        padding: padding)
                    : nil,
            ]
        }
    }

    /// Gradient of `conv2d` with respect to its weight, with `self` the
    /// forward input `x`; bilinear in `(x, outputGradient)`.
    ///
    /// ```
    /// dw[o, c, a, b] = Σ_{n, i, j} g[n, o, i, j] · x[n, c, i·s + a − p, j·s + b − p]
    /// ```
    /// Gradients, for an upstream gradient `u` shaped like `dw`: from
    /// `⟨u, conv2dBackwardWeight(x, g)⟩ = ⟨g, conv2d(x, u)⟩ = ⟨conv2dBackwardInput(g, u), x⟩`,
    /// ```
    /// dx = conv2dBackwardInput(g, u)    (u in the role of the weight)
    /// dg = conv2d(x, u)                 (no bias)
    /// ```
    ///
    /// - Parameters:
    ///   - self: `[N, C_in, H, W]`.
    ///   - outputGradient: `g`, `[N, C_out, H_out, W_out]`.
    ///   - kernelHeight, kernelWidth: the weight's spatial extent.
    /// - Returns: `[C_out, C_in, kH, kW]`.
    public func conv2dBackwardWeight(
        outputGradient g: Tensor, kernelHeight: Int, kernelWidth: Int, stride: Int = 1, padding: Int = 0
    ) -> Tensor {
        let value = array.conv2dBackwardWeight(
            outputGradient: g.array, kernelHeight: kernelHeight, kernelWidth: kernelWidth, stride: stride,
            padding: padding)
        return recordBackwardWeight(value, outputGradient: g, stride: stride, padding: padding)
    }

    /// `conv2dBackwardWeight` whose value is already computed.
    private func recordBackwardWeight(_ value: NDArray, outputGradient g: Tensor, stride: Int, padding: Int) -> Tensor {
        let inputShape = shape
        return Tensor.record("conv2dBackwardWeight", value, inputs: [self, g]) { [self] u, needs in
            [
                needs[0] ? g.conv2dBackwardInput(weight: u, inputShape: inputShape, stride: stride, padding: padding) : nil,
                needs[1] ? self.conv2d(weight: u, bias: nil, stride: stride, padding: padding) : nil,
            ]
        }
    }
}

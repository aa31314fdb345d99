// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

extension NDArray {
    /// Gradient of a convolution with respect to its input (transposed
    /// convolution, PyTorch's `conv2d_input`), with `self` the output gradient.
    ///
    /// ```
    /// dx[n, c, h, w] = Σ_{o, a, b : h = i·s + a − p, w = j·s + b − p} w[o, c, a, b] · dy[n, o, i, j]
    /// ```
    /// Computed per chunk of images as the GEMM `columns = Wᵀ · dy` followed by col2im.
    ///
    /// - Parameters:
    ///   - self: the output gradient `dy`, `[N, C_out, H_out, W_out]`.
    ///   - weight: `[C_out, C_in, kH, kW]`.
    ///   - inputShape: the convolution's input shape `[N, C_in, H, W]`; its output size must be `dy`'s.
    ///   - transformedWeights: `weight` already transformed for the
    ///     Winograd path (by the forward pass); nil transforms it here.
    /// - Returns: `[N, C_in, H, W]`.
    public func conv2dBackwardInput(
        weight: NDArray, inputShape: [Int], stride: Int = 1, padding: Int = 0,
        transformedWeights: WinogradWeights? = nil
    ) -> NDArray {
        let g = Conv2dGeometry(inputShape: inputShape, weightShape: weight.shape, stride: stride, padding: padding)
        precondition(
            shape == g.outputShape,
            "conv2dBackwardInput: output gradient \(shape) does not match input \(inputShape) and weight \(weight.shape)")
        let inputImage = g.inChannels * g.height * g.width
        return NDArray(shape: inputShape) { dx in
            guard g.batch > 0, inputImage > 0 else { return }
            if g.outChannels == 0 || g.outputPlane == 0 {
                dx.update(repeating: 0)
                return
            }
            if Winograd.applies(to: g) {
                let u = WinogradWeights.of(weight, given: transformedWeights)
                withUnsafeBufferPointer { dy in
                    withExtendedLifetime(u) {
                        Winograd.inputGradient(
                            dy.baseAddress!, batch: g.batch, inChannels: g.inChannels, outChannels: g.outChannels,
                            tiling: WinogradTiling(height: g.height, width: g.width),
                            transformedWeights: u.transformed, into: dx.baseAddress!)
                    }
                }
                return
            }
            withUnsafeBufferPointer { dy in
                weight.withUnsafeBufferPointer { w in
                    let gathered = g.imagesPerChunk > 1 ? g.outChannels : 0
                    g.forEachChunk(buffers: [g.patchSize, gathered]) { images, buffers, splitGEMM in
                        let width = images.count * g.outputPlane
                        let outputs = Self.outputGradients(dy.baseAddress!, images: images, gathered: buffers[1], geometry: g)
                        BLAS.sgemm(
                            transposeA: true, transposeB: false, m: g.patchSize, n: width, k: g.outChannels,
                            a: w.baseAddress!, lda: g.patchSize, b: outputs, ldb: width, c: buffers[0], ldc: width,
                            split: splitGEMM)
                        Conv2dColumns.fold(buffers[0], images: images, into: dx.baseAddress!, geometry: g)
                    }
                }
            }
        }
    }

    /// Gradient of a convolution with respect to its weight (PyTorch's
    /// `conv2d_weight`), with `self` the convolution's input.
    ///
    /// ```
    /// dw[o, c, a, b] = Σ_{n, i, j} dy[n, o, i, j] · x[n, c, i·s + a − p, j·s + b − p]
    /// ```
    /// Computed as `Σ_chunks dy_chunk · columns_chunkᵀ`; the chunks, and the
    /// partial sums of the workers that run them, are summed in a fixed order,
    /// so the result is bitwise reproducible on a given number of cores.
    ///
    /// - Parameters:
    ///   - self: the input `x`, `[N, C_in, H, W]`.
    ///   - outputGradient: `dy`, `[N, C_out, H_out, W_out]`.
    ///   - kernelHeight, kernelWidth: the weight's spatial extent.
    /// - Returns: `[C_out, C_in, kH, kW]`.
    public func conv2dBackwardWeight(
        outputGradient: NDArray, kernelHeight: Int, kernelWidth: Int, stride: Int = 1, padding: Int = 0
    ) -> NDArray {
        precondition(
            rank == 4 && outputGradient.rank == 4,
            "conv2dBackwardWeight: expects input and output gradient of rank 4, got \(shape) and \(outputGradient.shape)")
        let weightShape = [outputGradient.shape[1], shape[1], kernelHeight, kernelWidth]
        let g = Conv2dGeometry(inputShape: shape, weightShape: weightShape, stride: stride, padding: padding)
        precondition(
            outputGradient.shape == g.outputShape,
            "conv2dBackwardWeight: output gradient \(outputGradient.shape) does not match input \(shape) and weight \(weightShape)")
        return NDArray(shape: weightShape) { dw in
            guard !dw.isEmpty else { return }
            if g.batch == 0 || g.outputPlane == 0 {
                dw.update(repeating: 0)
                return
            }
            if DirectConvolution.applies(to: g) {
                withUnsafeBufferPointer { x in
                    outputGradient.withUnsafeBufferPointer { dy in
                        DirectConvolution.weightGradient(
                            x.baseAddress!, outputGradient: dy.baseAddress!, geometry: g, into: dw.baseAddress!)
                    }
                }
                return
            }
            if Winograd.applies(to: g) {
                withUnsafeBufferPointer { x in
                    outputGradient.withUnsafeBufferPointer { dy in
                        Winograd.weightGradient(
                            x.baseAddress!, outputGradient: dy.baseAddress!, batch: g.batch, inChannels: g.inChannels,
                            outChannels: g.outChannels, tiling: WinogradTiling(height: g.height, width: g.width),
                            into: dw.baseAddress!)
                    }
                }
                return
            }
            // Chunks are summed in a fixed number of contiguous groups, each into
            // its own partial (group 0's is `dw` itself), and the partials are
            // added in group order at the end: the rounding depends on the batch
            // and the layer, never on how many threads share the groups. With
            // several groups each GEMM runs whole on one core; a single group's
            // GEMMs are split across the cores (see `forEachChunk`).
            let weightCount = dw.count, chunk = g.imagesPerChunk
            let chunks = (g.batch + chunk - 1) / chunk, groups = min(chunks, Self.weightGradientGroups)
            let partials = UnsafeMutablePointer<Float>.allocate(capacity: (groups - 1) * weightCount)
            defer { partials.deallocate() }
            let gathered = chunk > 1 ? g.outChannels : 0
            let sizes = [g.patchSize, gathered].map { $0 * chunk * g.outputPlane }
            withUnsafeBufferPointer { x in
                outputGradient.withUnsafeBufferPointer { dy in
                    Parallel.forEachSplit(groups, into: Parallel.rangeCount(groups), scratch: sizes) { _, range, buffers in
                        for group in range {
                            let target = group == 0 ? dw.baseAddress! : partials + (group - 1) * weightCount
                            for index in (group * chunks / groups)..<((group + 1) * chunks / groups) {
                                let images = (index * chunk)..<min(index * chunk + chunk, g.batch)
                                let width = images.count * g.outputPlane
                                Conv2dColumns.unfold(x.baseAddress!, images: images, into: buffers[0], geometry: g)
                                let outputs = Self.outputGradients(
                                    dy.baseAddress!, images: images, gathered: buffers[1], geometry: g)
                                BLAS.sgemm(
                                    transposeA: false, transposeB: true, m: g.outChannels, n: g.patchSize, k: width,
                                    a: outputs, lda: width, b: buffers[0], ldb: width,
                                    beta: index == group * chunks / groups ? 0 : 1, c: target, ldc: g.patchSize,
                                    split: groups == 1)
                            }
                        }
                    }
                }
            }
            for group in 1..<max(groups, 1) {
                let partial = partials + (group - 1) * weightCount
                for i in 0..<weightCount { dw[i] += partial[i] }
            }
        }
    }

    /// Groups of chunks whose weight gradients are summed separately: enough
    /// to keep 8 cores busy, few enough that adding the partials stays cheap.
    static let weightGradientGroups = 8

    /// Both gradients of a convolution, with `self` its output gradient:
    /// `conv2dBackwardInput(weight:…)` and `x.conv2dBackwardWeight(outputGradient: self, …)`,
    /// the same values, in one pass where the Winograd path applies (the two
    /// share the output gradient's tile transform).
    ///
    /// - Parameters:
    ///   - x: the convolution's input, `[N, C_in, H, W]`.
    ///   - weight: `[C_out, C_in, kH, kW]`.
    ///   - transformedWeights: `weight` already transformed for the
    ///     Winograd path (by the forward pass); nil transforms it here.
    /// - Returns: the gradients with respect to `x` and to `weight`.
    public func conv2dGradients(
        input x: NDArray, weight: NDArray, stride: Int = 1, padding: Int = 0, transformedWeights: WinogradWeights? = nil
    ) -> (input: NDArray, weight: NDArray) {
        let g = Conv2dGeometry(inputShape: x.shape, weightShape: weight.shape, stride: stride, padding: padding)
        guard Winograd.applies(to: g), g.batch > 0, shape == g.outputShape else {
            return (
                conv2dBackwardInput(
                    weight: weight, inputShape: x.shape, stride: stride, padding: padding,
                    transformedWeights: transformedWeights),
                x.conv2dBackwardWeight(
                    outputGradient: self, kernelHeight: g.kernelHeight, kernelWidth: g.kernelWidth, stride: stride,
                    padding: padding)
            )
        }
        let u = WinogradWeights.of(weight, given: transformedWeights)
        var dw: NDArray?
        let dx = NDArray(shape: x.shape) { dx in
            dw = NDArray(shape: weight.shape) { dw in
                withUnsafeBufferPointer { dy in
                    x.withUnsafeBufferPointer { x in
                        withExtendedLifetime(u) {
                            Winograd.weightGradient(
                                x.baseAddress!, outputGradient: dy.baseAddress!, batch: g.batch,
                                inChannels: g.inChannels, outChannels: g.outChannels,
                                tiling: WinogradTiling(height: g.height, width: g.width), into: dw.baseAddress!,
                                inputGradient: (u.transformed, dx.baseAddress!))
                        }
                    }
                }
            }
        }
        return (dx, dw!)
    }

    /// The output gradients of `images` as a `[C_out, images·H_out·W_out]`
    /// matrix: `dy` itself for one image, else a copy gathered into `gathered`.
    private static func outputGradients(
        _ dy: UnsafePointer<Float>, images: Range<Int>, gathered: UnsafeMutablePointer<Float>, geometry g: Conv2dGeometry
    ) -> UnsafePointer<Float> {
        if images.count == 1 { return dy + images.lowerBound * g.outChannels * g.outputPlane }
        Conv2dColumns.gatherOutputs(dy, images: images, into: gathered, geometry: g)
        return UnsafePointer(gathered)
    }
}

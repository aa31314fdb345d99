// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import CCBLAS

/// A network's first block, convolution → instance norm → ReLU → 2×2
/// average pooling, computed four output channels of one image at a time
/// without ever storing the convolution's output.
///
/// The first convolution (1 … 4 input channels, `DirectConvolution`) is the
/// cheapest op of DC's ConvNet but writes its largest map: 128 channels of
/// 32×32 per image, 134 MB at batch 256, which the norm then reads forwards
/// and again backwards, and whose gradient the weight and bias gradients read
/// twice more. Here a group of four output planes (16 KiB at 32×32) is
/// convolved into a per-thread buffer, normalised and pooled while in L1;
/// the backward pass convolves the planes again (9 · C_in multiply-adds per
/// value, less than moving it through memory), takes the norm's backward and
/// the convolution's weight and bias gradients from them in L1, and reads
/// and writes only the input images and the pooled maps.
///
/// Values equal `InstanceNormReLUPool.forward` of `conv2d`: the same kernels
/// run on the same planes. The gradients of the convolution's weight and
/// bias are summed per image, then over images in image order in Double, so
/// they round differently from `conv2dBackwardWeight`, within float rounding,
/// and do not depend on the core count. The input gradient is not computed
/// here (the images of a first layer rarely need one).
public enum ConvInstanceNormReLUPool {
    /// Gradients of the block's parameters for one output gradient.
    public struct Gradients {
        /// ∂L/∂w of the convolution, `[C_out, C_in, 3, 3]`.
        public var weight: NDArray
        /// ∂L/∂b of the convolution, `[C_out]`.
        public var bias: [Float]
        /// ∂L/∂ of the norm's per-channel weight and bias.
        public var normWeight: [Float]
        public var normBias: [Float]
    }

    /// Whether the fused kernels take a convolution of an `inputShape` batch
    /// with `weightShape` filters: the direct first-layer convolution
    /// (`DirectConvolution.applies`) with an even output size.
    public static func supports(inputShape: [Int], weightShape: [Int], stride: Int, padding: Int) -> Bool {
        guard inputShape.count == 4, weightShape.count == 4, inputShape[1] == weightShape[1], stride == 1,
            padding >= 0, inputShape[2] + 2 * padding >= weightShape[2], inputShape[3] + 2 * padding >= weightShape[3]
        else { return false }
        let g = Conv2dGeometry(inputShape: inputShape, weightShape: weightShape, stride: stride, padding: padding)
        return g.batch > 0 && DirectConvolution.applies(to: g) && InstanceNormReLUPool.supports(g.outputShape)
    }

    /// `InstanceNormReLUPool.forward(conv2d(x, weight, bias), normWeight, normBias)`.
    ///
    /// - Parameters:
    ///   - x: `[N, C_in, H, W]`.
    ///   - weight: `[C_out, C_in, 3, 3]`; `bias`: C_out values, or nil.
    ///   - normWeight, normBias: the norm's per-channel affine map, C_out each.
    public static func forward(
        _ x: NDArray, weight: NDArray, bias: [Float]?, padding: Int, normWeight: [Float], normBias: [Float],
        epsilon: Float
    ) -> InstanceNormReLUPool.Forward {
        let block = Block(x.shape, weight: weight.shape, bias: bias, padding: padding)
        let norm = InstanceNormReLUPool.Geometry(block.conv.outputShape, weight: normWeight, bias: normBias)
        var mean = [Float](repeating: 0, count: norm.planes)
        var inverseStd = [Float](repeating: 0, count: norm.planes)
        let output = NDArray(shape: [norm.batch, norm.channels, norm.height / 2, norm.width / 2]) { out in
            let input = x.withUnsafeBufferPointer { PaddedBatch($0.baseAddress!, geometry: block.conv) }
            defer { input.deallocate() }
            mean.withUnsafeMutableBufferPointer { mean in
                inverseStd.withUnsafeMutableBufferPointer { inverseStd in
                    block.forEachGroup(scratch: [4 * norm.plane], weight: weight, bias: bias, input: input) {
                        first, buffers in
                        for p in first..<(first + 4) {
                            let plane = buffers[0] + (p - first) * norm.plane
                            let (mu, rstd) = InstanceNormReLUPool.statistics(plane, count: norm.plane, epsilon: epsilon)
                            mean[p] = mu
                            inverseStd[p] = rstd
                            let c = p % norm.channels
                            InstanceNormReLUPool.pool(
                                plane, into: out.baseAddress! + p * norm.plane / 4, geometry: norm, center: mu,
                                scale: Float(Double(rstd) * Double(normWeight[c])), shift: normBias[c])
                        }
                    }
                }
            }
        }
        return Forward(output: output, mean: mean, inverseStd: inverseStd)
    }

    public typealias Forward = InstanceNormReLUPool.Forward

    /// Gradients of the block's parameters at `x` for the output gradient
    /// `gradient`, with `statistics` the `forward` result for this `x`.
    public static func backward(
        _ x: NDArray, gradient: NDArray, weight: NDArray, bias: [Float]?, padding: Int, normWeight: [Float],
        normBias: [Float], statistics: Forward
    ) -> Gradients {
        let block = Block(x.shape, weight: weight.shape, bias: bias, padding: padding)
        let norm = InstanceNormReLUPool.Geometry(block.conv.outputShape, weight: normWeight, bias: normBias)
        precondition(
            gradient.shape == statistics.output.shape,
            "ConvInstanceNormReLUPool.backward: gradient \(gradient.shape) for an output of \(statistics.output.shape)")
        let taps = block.conv.inChannels * 9
        // Per plane (n, o): the norm's two sums, the convolution's bias
        // gradient, and its C_in · 9 weight gradients, all from that image alone.
        var normSums = [Double](repeating: 0, count: norm.planes)
        var projections = [Double](repeating: 0, count: norm.planes)
        var planeSums = [Double](repeating: 0, count: norm.planes)
        var planeWeights = [Float](repeating: 0, count: norm.planes * taps)
        let input = x.withUnsafeBufferPointer { PaddedBatch($0.baseAddress!, geometry: block.conv) }
        defer { input.deallocate() }
        gradient.withUnsafeBufferPointer { dy in
            normSums.withUnsafeMutableBufferPointer { normSums in
                projections.withUnsafeMutableBufferPointer { projections in
                    planeSums.withUnsafeMutableBufferPointer { planeSums in
                        planeWeights.withUnsafeMutableBufferPointer { planeWeights in
                            block.forEachGroup(
                                scratch: [4 * norm.plane, 4 * norm.plane], weight: weight, bias: bias, input: input
                            ) { first, buffers in
                                let dz = buffers[1]
                                for p in first..<(first + 4) {
                                    let offset = (p - first) * norm.plane, c = p % norm.channels
                                    (normSums[p], projections[p]) = InstanceNormReLUPool.planeBackward(
                                        buffers[0] + offset, gradient: dy.baseAddress! + p * norm.plane / 4,
                                        into: dz + offset, geometry: norm, mean: statistics.mean[p],
                                        inverseStd: statistics.inverseStd[p], weight: normWeight[c], bias: normBias[c])
                                    planeSums[p] = InstanceNormReLUPool.sum(dz + offset, count: norm.plane) { $0 }
                                }
                                let image = first / norm.channels
                                for pair in stride(from: 0, to: 4, by: 2) {
                                    distill_direct_conv3x3_weight_gradient2(
                                        VectorKernels.active.rawValue, input.image(image), input.imageStride,
                                        Int32(input.rows), Int32(input.pitch), Int32(block.conv.inChannels),
                                        dz + pair * norm.plane, norm.plane, 1, Int32(norm.height), Int32(norm.width),
                                        planeWeights.baseAddress! + (first + pair) * taps)
                                }
                            }
                        }
                    }
                }
            }
        }
        // Per-channel sums over the batch, in image order.
        var normWeightGradient = [Double](repeating: 0, count: norm.channels)
        var normBiasGradient = [Double](repeating: 0, count: norm.channels)
        var biasGradient = [Double](repeating: 0, count: norm.channels)
        var weightGradient = [Double](repeating: 0, count: norm.channels * taps)
        for p in 0..<norm.planes {
            let c = p % norm.channels
            normWeightGradient[c] += projections[p]
            normBiasGradient[c] += normSums[p]
            biasGradient[c] += planeSums[p]
            for t in 0..<taps { weightGradient[c * taps + t] += Double(planeWeights[p * taps + t]) }
        }
        return Gradients(
            weight: NDArray(shape: block.conv.weightShape, scalars: weightGradient.map { Float($0) }),
            bias: biasGradient.map { Float($0) }, normWeight: normWeightGradient.map { Float($0) },
            normBias: normBiasGradient.map { Float($0) })
    }

    /// The convolution's geometry and its walk over groups of four output planes.
    private struct Block {
        let conv: Conv2dGeometry

        init(_ inputShape: [Int], weight weightShape: [Int], bias: [Float]?, padding: Int) {
            precondition(
                supports(inputShape: inputShape, weightShape: weightShape, stride: 1, padding: padding),
                "ConvInstanceNormReLUPool: no fused kernel for input \(inputShape), weight \(weightShape), "
                    + "padding \(padding)")
            conv = Conv2dGeometry(inputShape: inputShape, weightShape: weightShape, stride: 1, padding: padding)
            precondition(
                bias.map { $0.count == conv.outChannels } ?? true,
                "ConvInstanceNormReLUPool: \(bias?.count ?? 0) biases for \(conv.outChannels) channels")
        }

        /// Runs `body(first, buffers)` for every group of four output planes
        /// `first ..< first + 4` (plane index `n · C_out + o`), with that
        /// group's convolution output in `buffers[0]` (four planes one after
        /// another) and the rest of the thread's `scratch` buffers after it.
        func forEachGroup(
            scratch sizes: [Int], weight: NDArray, bias: [Float]?, input: PaddedBatch,
            _ body: (Int, [UnsafeMutablePointer<Float>]) -> Void
        ) {
            let groups = conv.batch * conv.outChannels / 4
            let workers = Parallel.rangeCount(groups, grain: 4)
            let ranges = workers == 1 ? 1 : min(groups, Parallel.rangesPerCore * workers)
            weight.withUnsafeBufferPointer { w in
                (bias ?? []).withUnsafeBufferPointer { b in
                    Parallel.forEachSplit(groups, into: ranges, threadScratch: sizes) { _, range, buffers in
                        for group in range {
                            let first = group * 4, image = first / conv.outChannels, o = first % conv.outChannels
                            distill_direct_conv3x3_forward4(
                                VectorKernels.active.rawValue, input.image(image), Int32(input.rows), Int32(input.pitch),
                                Int32(conv.inChannels), Int32(conv.outputHeight), Int32(conv.outputWidth),
                                w.baseAddress! + o * conv.inChannels * 9, bias == nil ? nil : b.baseAddress! + o,
                                buffers[0])
                            body(first, buffers)
                        }
                    }
                }
            }
        }
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

/// Sizes of a 2-D convolution of an NCHW batch with `[C_out, C_in, kH, kW]`
/// weights, a common stride on both axes and symmetric zero padding.
///
///     outputHeight = ⌊(height + 2·padding − kernelHeight) / stride⌋ + 1
///     outputWidth  = ⌊(width  + 2·padding − kernelWidth)  / stride⌋ + 1
public struct Conv2dGeometry: Sendable, Equatable {
    public let batch: Int
    public let inChannels: Int
    public let outChannels: Int
    public let height: Int
    public let width: Int
    public let kernelHeight: Int
    public let kernelWidth: Int
    public let stride: Int
    public let padding: Int

    /// The geometry of convolving an input of `inputShape` with weights of `weightShape`.
    ///
    /// - Parameters:
    ///   - inputShape: `[N, C_in, H, W]`.
    ///   - weightShape: `[C_out, C_in, kH, kW]`.
    ///   - stride: at least 1.
    ///   - padding: zeros added on every side, at least 0.
    public init(inputShape: [Int], weightShape: [Int], stride: Int, padding: Int) {
        precondition(
            inputShape.count == 4 && weightShape.count == 4,
            "conv2d: expects input [N, C_in, H, W] and weight [C_out, C_in, kH, kW], got \(inputShape) and \(weightShape)")
        precondition(
            inputShape[1] == weightShape[1],
            "conv2d: input \(inputShape) has \(inputShape[1]) channels but weight \(weightShape) expects \(weightShape[1])")
        precondition(stride >= 1 && padding >= 0, "conv2d: needs stride ≥ 1 and padding ≥ 0, got \(stride), \(padding)")
        batch = inputShape[0]
        inChannels = inputShape[1]
        height = inputShape[2]
        width = inputShape[3]
        outChannels = weightShape[0]
        kernelHeight = weightShape[2]
        kernelWidth = weightShape[3]
        self.stride = stride
        self.padding = padding
        precondition(
            kernelHeight >= 1 && kernelWidth >= 1 && outputHeight >= 1 && outputWidth >= 1,
            "conv2d: kernel \(weightShape) with padding \(padding) does not fit input \(inputShape)")
    }

    public var outputHeight: Int { (height + 2 * padding - kernelHeight) / stride + 1 }
    public var outputWidth: Int { (width + 2 * padding - kernelWidth) / stride + 1 }

    public var inputShape: [Int] { [batch, inChannels, height, width] }
    public var weightShape: [Int] { [outChannels, inChannels, kernelHeight, kernelWidth] }
    public var outputShape: [Int] { [batch, outChannels, outputHeight, outputWidth] }

    /// Rows of a column matrix: one per (input channel, kernel row, kernel column).
    var patchSize: Int { inChannels * kernelHeight * kernelWidth }
    /// Output pixels per channel of one image.
    var outputPlane: Int { outputHeight * outputWidth }

    /// Calls `body(images, buffers, splitGEMM)` for consecutive chunks of
    /// `imagesPerChunk` images, spreading chunks over the cores when there
    /// are several (each chunk's GEMM then runs whole on one core: `splitGEMM`
    /// false), else for the one chunk with its GEMM split across the cores
    /// (`splitGEMM` true). The choice depends on the sizes alone, never on
    /// the thread count, so each GEMM is computed by the same BLAS calls
    /// (see `BLAS.sgemm`) with one thread or many.
    ///
    /// - Parameters:
    ///   - buffers: per buffer, its floats per output pixel of a chunk
    ///     (`rows · images · H_out · W_out`); each range of chunks gets its own, uninitialised.
    func forEachChunk(
        buffers rows: [Int],
        _ body: (_ images: Range<Int>, _ buffers: [UnsafeMutablePointer<Float>], _ splitGEMM: Bool) -> Void
    ) {
        let chunk = imagesPerChunk, chunks = (batch + chunk - 1) / chunk
        let sizes = rows.map { $0 * chunk * outputPlane }
        Parallel.forEachSplit(chunks, into: Parallel.rangeCount(chunks), scratch: sizes) { _, range, buffers in
            for index in range {
                let first = index * chunk
                body(first..<min(first + chunk, batch), buffers, chunks == 1)
            }
        }
    }

    /// Images whose columns share one GEMM: enough for a GEMM about 256
    /// columns wide (where OpenBLAS runs at its full rate on this problem
    /// family; wider ones gain nothing and push the column buffer out of L2),
    /// with at most 2²⁰ floats (4 MiB) of columns. One image per chunk, the
    /// common case, needs no copies around the GEMMs.
    public var imagesPerChunk: Int {
        let targetWidth = 256, columnBudget = 1 << 20
        let wanted = (targetWidth + outputPlane - 1) / max(outputPlane, 1)
        let affordable = columnBudget / max(patchSize * outputPlane, 1)
        return max(1, min(batch, wanted, affordable))
    }
}

extension NDArray {
    /// 2-D cross-correlation of an NCHW batch (PyTorch's `conv2d`), with
    /// optional per-channel bias.
    ///
    /// ```
    /// y[n, o, i, j] = bias[o] + Σ_{c, a, b} w[o, c, a, b] · x[n, c, i·s + a − p, j·s + b − p]
    /// ```
    /// where `x` reads as zero outside the image. Computed directly for a
    /// first layer (`DirectConvolution`), with Winograd's F(4×4, 3×3) where
    /// it applies (`Winograd.applies(to:)`), else per chunk
    /// of images as one GEMM `W[C_out, C_in·kH·kW] · columns[C_in·kH·kW, images·H_out·W_out]`.
    ///
    /// - Parameters:
    ///   - weight: `[C_out, C_in, kH, kW]`.
    ///   - bias: `[C_out]`, or nil.
    ///   - transformedWeights: `weight` already transformed for the
    ///     Winograd path, to share with a backward pass; nil transforms it here.
    /// - Returns: `[N, C_out, H_out, W_out]`.
    public func conv2d(
        weight: NDArray, bias: NDArray?, stride: Int = 1, padding: Int = 0, transformedWeights: WinogradWeights? = nil
    ) -> NDArray {
        let geometry = Conv2dGeometry(inputShape: shape, weightShape: weight.shape, stride: stride, padding: padding)
        if let bias {
            precondition(
                bias.shape == [geometry.outChannels],
                "conv2d: bias shape \(bias.shape) does not match weight \(weight.shape)")
        }
        let g = geometry
        let outputImage = g.outChannels * g.outputPlane
        return NDArray(shape: g.outputShape) { out in
            guard g.batch > 0, outputImage > 0 else { return }
            if g.patchSize == 0 {
                Self.fillWithBias(out.baseAddress!, bias, geometry: g)
                return
            }
            if DirectConvolution.applies(to: g) {
                withUnsafeBufferPointer { x in
                    weight.withUnsafeBufferPointer { w in
                        (bias?.scalars ?? []).withUnsafeBufferPointer { b in
                            DirectConvolution.forward(
                                x.baseAddress!, weight: w.baseAddress!, bias: bias == nil ? nil : b.baseAddress, geometry: g,
                                into: out.baseAddress!)
                        }
                    }
                }
                return
            }
            if Winograd.applies(to: g) {
                let tiling = WinogradTiling(height: g.height, width: g.width)
                let u = WinogradWeights.of(weight, given: transformedWeights)
                withUnsafeBufferPointer { x in
                    withExtendedLifetime(u) {
                        Winograd.convolve(
                            x.baseAddress!, batch: g.batch, inChannels: g.inChannels, outChannels: g.outChannels,
                            tiling: tiling, transformedWeights: u.transformed, bias: bias?.scalars,
                            into: out.baseAddress!)
                    }
                }
                return
            }
            withUnsafeBufferPointer { x in
                weight.withUnsafeBufferPointer { w in
                    let gathered = g.imagesPerChunk > 1 ? g.outChannels : 0
                    g.forEachChunk(buffers: [g.patchSize, gathered]) { images, buffers, splitGEMM in
                        let width = images.count * g.outputPlane
                        let target = out.baseAddress! + images.lowerBound * outputImage
                        let products = images.count == 1 ? target : buffers[1]
                        Conv2dColumns.unfold(x.baseAddress!, images: images, into: buffers[0], geometry: g)
                        // One image's product is already in NCHW order: write it in place.
                        BLAS.sgemm(
                            transposeA: false, transposeB: false, m: g.outChannels, n: width, k: g.patchSize,
                            a: w.baseAddress!, lda: g.patchSize, b: buffers[0], ldb: width, c: products, ldc: width,
                            split: splitGEMM)
                        Self.scatterProducts(products, into: target, images: images.count, bias: bias, geometry: g)
                    }
                }
            }
        }
    }

    /// Copies a `[C_out, images·plane]` GEMM result into `images` NCHW images,
    /// adding the bias; in place (`products == out`) when `images` is 1.
    private static func scatterProducts(
        _ products: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>, images: Int,
        bias: NDArray?, geometry g: Conv2dGeometry
    ) {
        let plane = g.outputPlane, width = images * plane
        if products == out && bias == nil { return }
        let biasScalars = bias?.scalars
        Parallel.forEachRange(images * g.outChannels, grain: max(1, 8192 / plane)) { range in
            for item in range {
                let image = item / g.outChannels, channel = item % g.outChannels
                let source = products + channel * width + image * plane
                let target = out + item * plane
                let shift = biasScalars?[channel] ?? 0
                for i in 0..<plane { target[i] = source[i] + shift }
            }
        }
    }

    /// Output of a convolution with an empty patch (no input channels): the bias alone.
    private static func fillWithBias(_ out: UnsafeMutablePointer<Float>, _ bias: NDArray?, geometry g: Conv2dGeometry) {
        for image in 0..<g.batch {
            for channel in 0..<g.outChannels {
                let value = bias?.scalars[channel] ?? 0
                (out + (image * g.outChannels + channel) * g.outputPlane).initialize(repeating: value, count: g.outputPlane)
            }
        }
    }
}

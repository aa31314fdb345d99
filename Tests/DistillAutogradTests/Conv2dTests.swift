// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
@testable import DistillTensor
import XCTest
import _DistillTestSupport

final class Conv2dTests: XCTestCase {
    var generator = SeededGenerator(seed: 3)

    func random(_ shape: [Int]) -> NDArray { .normal(shape: shape, using: &generator) }

    /// Shapes covering kernel sizes 1, 3, 5 (and a non-square kernel), strides
    /// 1 and 2, paddings 0, 1 and 3, H ≠ W, and one or several input channels.
    /// Each is (input, weight, stride, padding).
    let cases: [([Int], [Int], Int, Int)] = [
        ([2, 1, 5, 7], [3, 1, 1, 1], 1, 0),
        ([2, 3, 6, 5], [4, 3, 3, 3], 1, 1),
        ([1, 2, 7, 9], [2, 2, 3, 3], 2, 1),
        ([2, 1, 6, 8], [3, 1, 5, 5], 1, 3),
        ([1, 3, 9, 6], [2, 3, 5, 5], 2, 0),
        ([2, 2, 4, 5], [3, 2, 1, 1], 2, 3),
        ([1, 2, 5, 8], [2, 2, 3, 2], 2, 1),
        ([3, 4, 3, 3], [2, 4, 3, 3], 1, 0),
    ]

    // MARK: - Kernels against naive loops

    func testForwardMatchesNaiveCrossCorrelation() {
        for (inputShape, weightShape, stride, padding) in cases {
            let x = random(inputShape), w = random(weightShape), b = random([weightShape[0]])
            for bias in [nil, b] {
                let fast = x.conv2d(weight: w, bias: bias, stride: stride, padding: padding)
                let slow = NaiveConv(x: x.shape, w: w.shape, stride: stride, padding: padding).forward(x, w, bias)
                XCTAssertEqual(fast.shape, slow.shape)
                XCTAssertLessThan(relativeError(fast, slow), 1e-5, "\(inputShape) \(weightShape) s\(stride) p\(padding)")
            }
        }
    }

    func testBackwardKernelsMatchNaiveLoops() {
        for (inputShape, weightShape, stride, padding) in cases {
            let naive = NaiveConv(x: inputShape, w: weightShape, stride: stride, padding: padding)
            let x = random(inputShape), w = random(weightShape), dy = random(naive.outputShape)
            let dx = dy.conv2dBackwardInput(weight: w, inputShape: inputShape, stride: stride, padding: padding)
            let dw = x.conv2dBackwardWeight(
                outputGradient: dy, kernelHeight: weightShape[2], kernelWidth: weightShape[3], stride: stride,
                padding: padding)
            let (refDx, refDw) = naive.backward(x, w, dy)
            XCTAssertLessThan(relativeError(dx, refDx), 1e-5, "dx \(inputShape) \(weightShape) s\(stride) p\(padding)")
            XCTAssertLessThan(relativeError(dw, refDw), 1e-5, "dw \(inputShape) \(weightShape) s\(stride) p\(padding)")
        }
    }

    /// A batch split into several GEMM chunks of several images each (plus a
    /// one-image tail), and the results bitwise identical from run to run.
    func testMultiChunkBatchIsCorrectAndDeterministic() {
        let imageShape = [2, 12, 10], weightShape = [3, 2, 5, 5]
        let perChunk = Conv2dGeometry(
            inputShape: [1 << 20] + imageShape, weightShape: weightShape, stride: 1, padding: 2
        ).imagesPerChunk
        XCTAssertGreaterThan(perChunk, 1, "test shape must put several images in one chunk")
        let inputShape = [2 * perChunk + 1] + imageShape
        let naive = NaiveConv(x: inputShape, w: weightShape, stride: 1, padding: 2)
        let x = random(inputShape), w = random(weightShape), b = random([3]), dy = random(naive.outputShape)
        let y = x.conv2d(weight: w, bias: b, stride: 1, padding: 2)
        let dx = dy.conv2dBackwardInput(weight: w, inputShape: inputShape, stride: 1, padding: 2)
        let dw = x.conv2dBackwardWeight(outputGradient: dy, kernelHeight: 5, kernelWidth: 5, stride: 1, padding: 2)
        let (refDx, refDw) = naive.backward(x, w, dy)
        XCTAssertLessThan(relativeError(y, naive.forward(x, w, b)), 1e-5)
        XCTAssertLessThan(relativeError(dx, refDx), 1e-5)
        XCTAssertLessThan(relativeError(dw, refDw), 1e-5)
        XCTAssertEqual(y, x.conv2d(weight: w, bias: b, stride: 1, padding: 2))
        XCTAssertEqual(dx, dy.conv2dBackwardInput(weight: w, inputShape: inputShape, stride: 1, padding: 2))
        XCTAssertEqual(
            dw, x.conv2dBackwardWeight(outputGradient: dy, kernelHeight: 5, kernelWidth: 5, stride: 1, padding: 2))
    }

    /// A batch of more one-image chunks than the weight gradient has groups
    /// (`weightGradientGroups`), in groups of unequal size: the partials are
    /// summed over every chunk once.
    func testWeightGradientOverMoreChunksThanGroups() {
        let inputShape = [2 * NDArray.weightGradientGroups + 3, 2, 16, 16], weightShape = [3, 2, 3, 3]
        let geometry = Conv2dGeometry(inputShape: inputShape, weightShape: weightShape, stride: 1, padding: 1)
        XCTAssertEqual(geometry.imagesPerChunk, 1, "test shape must need a chunk per image")
        let naive = NaiveConv(x: inputShape, w: weightShape, stride: 1, padding: 1)
        let x = random(inputShape), w = random(weightShape), dy = random(naive.outputShape)
        let dw = x.conv2dBackwardWeight(outputGradient: dy, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1)
        XCTAssertLessThan(relativeError(dw, naive.backward(x, w, dy).1), 1e-5)
    }

    /// One image per chunk takes the copy-free path (GEMMs read and write the
    /// batch in place); check it separately with a per-image patch too large to share.
    func testSingleImageChunksMatchNaiveLoops() {
        let inputShape = [3, 64, 24, 24], weightShape = [2, 64, 5, 5]
        let geometry = Conv2dGeometry(inputShape: inputShape, weightShape: weightShape, stride: 1, padding: 2)
        XCTAssertEqual(geometry.imagesPerChunk, 1, "test shape must need a chunk per image")
        let naive = NaiveConv(x: inputShape, w: weightShape, stride: 1, padding: 2)
        let x = random(inputShape), w = random(weightShape), b = random([2]), dy = random(naive.outputShape)
        let (refDx, refDw) = naive.backward(x, w, dy)
        XCTAssertLessThan(relativeError(x.conv2d(weight: w, bias: b, stride: 1, padding: 2), naive.forward(x, w, b)), 1e-5)
        XCTAssertLessThan(
            relativeError(dy.conv2dBackwardInput(weight: w, inputShape: inputShape, stride: 1, padding: 2), refDx), 1e-5)
        XCTAssertLessThan(
            relativeError(
                x.conv2dBackwardWeight(outputGradient: dy, kernelHeight: 5, kernelWidth: 5, stride: 1, padding: 2), refDw),
            1e-5)
    }

    /// With Winograd chosen, 3×3, stride-1, padding-1 convolutions with 16 or
    /// more channels take F(4×4, 3×3); check all three kernels against naive loops
    /// for maps of whole tiles (8×8, 8×16), of partial tiles at the bottom
    /// and right (14×14, 5×11, 3×3, 6×37), with tile counts per plane below
    /// eight and not a multiple of it, rows of more than eight tiles (6×37),
    /// for a batch run chunk by chunk and for one whose chunks the cores
    /// share out as they go, that the results repeat bit for bit, and that
    /// both gradients computed in one pass are those computed apart. Maps
    /// 13–16 wide (8×16, 14×14) take the AVX-512 input transform where the CPU has it.
    func testWinogradKernelsMatchNaiveLoops() throws {
        try ConvolutionAlgorithm.using(.winograd4) {
            let shapes: [([Int], [Int])] = [
                ([3, 16, 8, 8], [24, 16, 3, 3]), ([2, 24, 14, 14], [16, 24, 3, 3]), ([40, 16, 8, 16], [16, 16, 3, 3]),
                ([3, 16, 5, 11], [16, 16, 3, 3]), ([2, 16, 3, 3], [16, 16, 3, 3]), ([2, 16, 6, 37], [24, 16, 3, 3]),
            ]
            for (inputShape, weightShape) in shapes {
                let geometry = Conv2dGeometry(inputShape: inputShape, weightShape: weightShape, stride: 1, padding: 1)
                XCTAssertTrue(Winograd.applies(to: geometry), "\(inputShape) must take the Winograd path")
                let naive = NaiveConv(x: inputShape, w: weightShape, stride: 1, padding: 1)
                let x = random(inputShape), w = random(weightShape), b = random([weightShape[0]])
                let dy = random(naive.outputShape)
                let (refDx, refDw) = naive.backward(x, w, dy)
                let y = x.conv2d(weight: w, bias: b, stride: 1, padding: 1)
                let dx = dy.conv2dBackwardInput(weight: w, inputShape: inputShape, stride: 1, padding: 1)
                let dw = x.conv2dBackwardWeight(outputGradient: dy, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1)
                XCTAssertLessThan(relativeError(y, naive.forward(x, w, b)), 1e-5, "\(inputShape) forward")
                XCTAssertLessThan(relativeError(dx, refDx), 1e-5, "\(inputShape) input gradient")
                XCTAssertLessThan(relativeError(dw, refDw), 1e-5, "\(inputShape) weight gradient")
                XCTAssertEqual(y, x.conv2d(weight: w, bias: b, stride: 1, padding: 1))
                XCTAssertEqual(dx, dy.conv2dBackwardInput(weight: w, inputShape: inputShape, stride: 1, padding: 1))
                XCTAssertEqual(
                    dw, x.conv2dBackwardWeight(outputGradient: dy, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1))
                let both = dy.conv2dGradients(input: x, weight: w, stride: 1, padding: 1)
                XCTAssertEqual(both.input, dx, "\(inputShape) input gradient in one pass")
                XCTAssertEqual(both.weight, dw, "\(inputShape) weight gradient in one pass")
                // Transformed once and shared, the weights give the same values bit for bit.
                let kept = try XCTUnwrap(WinogradWeights(weight: w, inputShape: inputShape, stride: 1, padding: 1))
                XCTAssertEqual(x.conv2d(weight: w, bias: b, stride: 1, padding: 1, transformedWeights: kept), y)
                XCTAssertEqual(
                    dy.conv2dBackwardInput(
                        weight: w, inputShape: inputShape, stride: 1, padding: 1, transformedWeights: kept), dx)
                let keptBoth = dy.conv2dGradients(input: x, weight: w, stride: 1, padding: 1, transformedWeights: kept)
                XCTAssertEqual(keptBoth.input, dx, "\(inputShape) input gradient from kept weights")
                XCTAssertEqual(keptBoth.weight, dw, "\(inputShape) weight gradient from kept weights")
            }
        }
    }

    /// Weights are transformed ahead only for convolutions that take the
    /// Winograd path, and never with the default precise algorithm.
    func testTransformedWeightsOnlyForTheWinogradPath() {
        XCTAssertNil(WinogradWeights(weight: random([16, 16, 3, 3]), inputShape: [1, 16, 8, 8], stride: 1, padding: 1))
        ConvolutionAlgorithm.using(.winograd4) {
            for (inputShape, weightShape, stride, padding) in cases {
                XCTAssertNil(
                    WinogradWeights(weight: random(weightShape), inputShape: inputShape, stride: stride, padding: padding))
            }
            XCTAssertNotNil(
                WinogradWeights(weight: random([16, 16, 3, 3]), inputShape: [1, 16, 8, 8], stride: 1, padding: 1))
            XCTAssertNil(WinogradWeights(weight: random([16, 16, 3, 3]), inputShape: [1, 16, 8, 8], stride: 2, padding: 1))
        }
    }

    /// The differentiable op keeps the forward's transformed weights for the
    /// input gradient: its gradients equal the array kernels' bit for bit,
    /// with both gradients wanted and with the input's alone.
    func testWinogradGradientsThroughTheGraph() throws {
        try ConvolutionAlgorithm.using(.winograd4) {
            let xValue = random([2, 16, 8, 8]), wValue = random([16, 16, 3, 3])
            let x = Tensor(xValue).requiringGradient(), w = Tensor(wValue).requiringGradient()
            let grads = try gradients(of: x.conv2d(weight: w, bias: nil, padding: 1).sum(), withRespectTo: [x, w])
            let ones = NDArray(repeating: 1, shape: [2, 16, 8, 8])
            let both = ones.conv2dGradients(input: xValue, weight: wValue, stride: 1, padding: 1)
            XCTAssertEqual(grads[0].array, both.input)
            XCTAssertEqual(grads[1].array, both.weight)
            let inputOnly = try gradients(
                of: x.conv2d(weight: Tensor(wValue), bias: nil, padding: 1).sum(), withRespectTo: [x])
            XCTAssertEqual(inputOnly[0].array, both.input)
        }
    }

    /// First layers (3×3, stride 1, 1 … 4 input channels) are convolved
    /// directly: check the forward pass and weight gradient of every kernel
    /// set this CPU has (AVX2, AVX-512) against naive loops for output rows
    /// of two whole vectors (32), of a vector and a part (18) and of a part
    /// only (5), paddings 0 … 3, and repeatability.
    func testDirectKernelsMatchNaiveLoops() throws {
        let shapes: [([Int], [Int], Int)] = [
            ([3, 1, 28, 28], [8, 1, 3, 3], 3), ([2, 3, 32, 32], [12, 3, 3, 3], 1),
            ([2, 2, 7, 20], [4, 2, 3, 3], 0), ([1, 4, 5, 5], [16, 4, 3, 3], 1),
        ]
        let kernelSets = VectorKernels.supported.filter { $0 >= .avx2 }
        try XCTSkipIf(kernelSets.isEmpty, "no AVX2: the BLAS path is tested above")
        for (inputShape, weightShape, padding) in shapes {
            let geometry = Conv2dGeometry(inputShape: inputShape, weightShape: weightShape, stride: 1, padding: padding)
            XCTAssertTrue(DirectConvolution.applies(to: geometry), "\(inputShape) must take the direct path")
            let naive = NaiveConv(x: inputShape, w: weightShape, stride: 1, padding: padding)
            let x = random(inputShape), w = random(weightShape), b = random([weightShape[0]])
            let dy = random(naive.outputShape)
            let (_, refDw) = naive.backward(x, w, dy)
            for kernels in kernelSets {
                let label = "\(inputShape) p\(padding) \(kernels.name)"
                for bias in [nil, b] {
                    let y = directForward(x, w, bias, geometry, kernels)
                    XCTAssertLessThan(relativeError(y, naive.forward(x, w, bias)), 1e-5, "\(label) forward")
                    XCTAssertEqual(y, directForward(x, w, bias, geometry, kernels), "\(label) repeats")
                }
                let dw = directWeightGradient(x, dy, geometry, kernels)
                XCTAssertLessThan(relativeError(dw, refDw), 1e-5, "\(label) weight gradient")
                XCTAssertEqual(dw, directWeightGradient(x, dy, geometry, kernels), "\(label) repeats")
            }
            // The ops themselves take this path with the CPU's best kernels.
            XCTAssertEqual(
                x.conv2d(weight: w, bias: b, stride: 1, padding: padding), directForward(x, w, b, geometry, .cpu))
            let opWeightGradient = x.conv2dBackwardWeight(
                outputGradient: dy, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: padding)
            XCTAssertEqual(opWeightGradient, directWeightGradient(x, dy, geometry, .cpu))
        }
    }

    private func directForward(
        _ x: NDArray, _ w: NDArray, _ bias: NDArray?, _ g: Conv2dGeometry, _ kernels: VectorKernels
    ) -> NDArray {
        let biasValues = bias?.scalars ?? []
        return NDArray(shape: g.outputShape) { y in
            x.scalars.withUnsafeBufferPointer { x in
                w.scalars.withUnsafeBufferPointer { w in
                    biasValues.withUnsafeBufferPointer { b in
                        DirectConvolution.forward(
                            x.baseAddress!, weight: w.baseAddress!, bias: bias == nil ? nil : b.baseAddress!,
                            geometry: g, into: y.baseAddress!, kernels: kernels)
                    }
                }
            }
        }
    }

    private func directWeightGradient(
        _ x: NDArray, _ dy: NDArray, _ g: Conv2dGeometry, _ kernels: VectorKernels
    ) -> NDArray {
        NDArray(shape: [g.outChannels, g.inChannels, 3, 3]) { dw in
            x.scalars.withUnsafeBufferPointer { x in
                dy.scalars.withUnsafeBufferPointer { dy in
                    DirectConvolution.weightGradient(
                        x.baseAddress!, outputGradient: dy.baseAddress!, geometry: g, into: dw.baseAddress!,
                        kernels: kernels)
                }
            }
        }
    }

    // MARK: - Gradients against finite differences

    func testFirstOrderGradientsForInputWeightAndBias() {
        for (inputShape, weightShape, stride, padding) in cases.prefix(6) {
            let inputs = [random(inputShape), random(weightShape), random([weightShape[0]])]
            let errors = GradientCheck.firstOrder(at: inputs) {
                $0[0].conv2d(weight: $0[1], bias: $0[2], stride: stride, padding: padding)
            }
            for error in errors { XCTAssertLessThan(error, 2e-3, "\(inputShape) \(weightShape) s\(stride) p\(padding)") }
        }
    }

    /// Squaring the output makes the output gradient depend on x, w and b,
    /// so the second-order check runs every rule of conv2dBackwardInput and
    /// conv2dBackwardWeight, with respect to both of their arguments.
    func testSecondOrderGradientsForInputWeightAndBias() {
        for (inputShape, weightShape, stride, padding) in [cases[1], cases[2], cases[3], cases[5]] {
            let inputs = [random(inputShape), random(weightShape), random([weightShape[0]])]
            let errors = GradientCheck.secondOrder(at: inputs) {
                let y = $0[0].conv2d(weight: $0[1], bias: $0[2], stride: stride, padding: padding)
                return y * y
            }
            for error in errors { XCTAssertLessThan(error, 5e-3, "\(inputShape) \(weightShape) s\(stride) p\(padding)") }
        }
    }

    /// The backward ops as functions in their own right, to first and second order.
    func testBackwardOpsAreTwiceDifferentiable() {
        let (inputShape, weightShape, stride, padding) = cases[2]
        let outputShape = NaiveConv(x: inputShape, w: weightShape, stride: stride, padding: padding).outputShape
        let backwardInput: ([Tensor]) -> Tensor = {
            let dx = $0[0].conv2dBackwardInput(weight: $0[1], inputShape: inputShape, stride: stride, padding: padding)
            return dx * dx
        }
        let backwardWeight: ([Tensor]) -> Tensor = {
            let dw = $0[0].conv2dBackwardWeight(
                outputGradient: $0[1], kernelHeight: weightShape[2], kernelWidth: weightShape[3], stride: stride,
                padding: padding)
            return dw * dw
        }
        let gw = [random(outputShape), random(weightShape)]
        let xg = [random(inputShape), random(outputShape)]
        for error in GradientCheck.firstOrder(at: gw, backwardInput) + GradientCheck.secondOrder(at: gw, backwardInput) {
            XCTAssertLessThan(error, 5e-3, "conv2dBackwardInput")
        }
        for error in GradientCheck.firstOrder(at: xg, backwardWeight) + GradientCheck.secondOrder(at: xg, backwardWeight) {
            XCTAssertLessThan(error, 5e-3, "conv2dBackwardWeight")
        }
    }

    func testNoGradientRequestedForConstantInput() throws {
        let x = Tensor(random([1, 2, 4, 4])), w = Tensor(random([3, 2, 3, 3])).requiringGradient()
        let y = x.conv2d(weight: w, bias: nil, padding: 1)
        let grads = try gradients(of: y.sum(), withRespectTo: [w])
        let ref = NaiveConv(x: x.shape, w: w.shape, stride: 1, padding: 1)
            .backward(x.array, w.array, NDArray(repeating: 1, shape: y.shape)).1
        XCTAssertLessThan(relativeError(grads[0].array, ref), 1e-5)
    }
}

/// Direct loops over the definition of PyTorch's conv2d, accumulating in Double.
struct NaiveConv {
    let x: [Int], w: [Int], stride: Int, padding: Int

    var outputShape: [Int] {
        [x[0], w[0], (x[2] + 2 * padding - w[2]) / stride + 1, (x[3] + 2 * padding - w[3]) / stride + 1]
    }

    /// Calls `body(xIndex, wIndex, yIndex)` for every product x·w that enters an output.
    func forEachTerm(_ body: (Int, Int, Int) -> Void) {
        let (n, cin, h, wd) = (x[0], x[1], x[2], x[3])
        let (cout, kh, kw) = (w[0], w[2], w[3])
        let (oh, ow) = (outputShape[2], outputShape[3])
        for b in 0..<n {
            for o in 0..<cout {
                for i in 0..<oh {
                    for j in 0..<ow {
                        for c in 0..<cin {
                            for a in 0..<kh {
                                for e in 0..<kw {
                                    let r = i * stride + a - padding, s = j * stride + e - padding
                                    guard r >= 0, r < h, s >= 0, s < wd else { continue }
                                    body(
                                        ((b * cin + c) * h + r) * wd + s, ((o * cin + c) * kh + a) * kw + e,
                                        ((b * cout + o) * oh + i) * ow + j)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    func forward(_ input: NDArray, _ weight: NDArray, _ bias: NDArray?) -> NDArray {
        let (xs, ws) = (input.scalars, weight.scalars)
        var y = [Double](repeating: 0, count: outputShape.elementCount)
        forEachTerm { xi, wi, yi in y[yi] += Double(xs[xi]) * Double(ws[wi]) }
        if let bias {
            let plane = outputShape[2] * outputShape[3]
            for index in y.indices { y[index] += Double(bias.scalars[(index / plane) % outputShape[1]]) }
        }
        return NDArray(shape: outputShape, scalars: y.map(Float.init))
    }

    func backward(_ input: NDArray, _ weight: NDArray, _ dy: NDArray) -> (NDArray, NDArray) {
        let (xs, ws, gs) = (input.scalars, weight.scalars, dy.scalars)
        var dx = [Double](repeating: 0, count: x.elementCount), dw = [Double](repeating: 0, count: w.elementCount)
        forEachTerm { xi, wi, yi in
            dx[xi] += Double(ws[wi]) * Double(gs[yi])
            dw[wi] += Double(xs[xi]) * Double(gs[yi])
        }
        return (NDArray(shape: x, scalars: dx.map(Float.init)), NDArray(shape: w, scalars: dw.map(Float.init)))
    }
}

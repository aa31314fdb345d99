// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

/// Where each output of a max pool took its value from: the argmax positions
/// that route gradients back.
public struct MaxPoolIndices: Sendable, Equatable {
    /// The pooled input's shape, `[N, C, H, W]`.
    public let inputShape: [Int]
    /// The pool's output shape, `[N, C, H_out, W_out]`.
    public let outputShape: [Int]
    /// Per output element, row-major offset `h·W + w` of its maximum within
    /// its own `(n, c)` input plane.
    public let offsets: [Int32]
}

/// Sizes of a square, unpadded 2-D pooling window over an NCHW batch.
struct Pool2dGeometry {
    let planes: Int, height: Int, width: Int, kernel: Int, stride: Int
    let outputHeight: Int, outputWidth: Int

    init(_ op: String, inputShape: [Int], kernel: Int, stride: Int) {
        precondition(inputShape.count == 4, "\(op): expects input [N, C, H, W], got \(inputShape)")
        precondition(kernel >= 1 && stride >= 1, "\(op): needs kernel ≥ 1 and stride ≥ 1, got \(kernel), \(stride)")
        precondition(
            inputShape[2] >= kernel && inputShape[3] >= kernel,
            "\(op): kernel \(kernel) does not fit input \(inputShape)")
        precondition(inputShape[2] * inputShape[3] <= Int(Int32.max), "\(op): input plane of \(inputShape) too large")
        planes = inputShape[0] * inputShape[1]
        height = inputShape[2]
        width = inputShape[3]
        self.kernel = kernel
        self.stride = stride
        outputHeight = (height - kernel) / stride + 1
        outputWidth = (width - kernel) / stride + 1
    }

    var inputPlane: Int { height * width }
    var outputPlane: Int { outputHeight * outputWidth }
    /// Planes per parallel task: a few thousand elements at least.
    var grain: Int { max(1, 4096 / max(inputPlane, 1)) }
}

extension NDArray {
    /// Max pooling over `kernel × kernel` windows moved by `stride` (no padding,
    /// floor), with the position of each maximum.
    ///
    /// ```
    /// y[n, c, i, j] = max_{0 ≤ a, b < k} x[n, c, i·s + a, j·s + b]
    /// ```
    /// Ties go to the first position in row-major window order, and a NaN wins
    /// (the last one in the window), as in PyTorch.
    ///
    /// - Parameter self: `[N, C, H, W]`.
    /// - Returns: the pooled `[N, C, H_out, W_out]` and the argmax indices.
    public func maxPool2d(kernel: Int, stride: Int) -> (values: NDArray, indices: MaxPoolIndices) {
        let g = Pool2dGeometry("maxPool2d", inputShape: shape, kernel: kernel, stride: stride)
        let outputShape = [shape[0], shape[1], g.outputHeight, g.outputWidth]
        var offsets = [Int32](repeating: 0, count: outputShape.elementCount)
        let value = NDArray(shape: outputShape) { out in
            offsets.withUnsafeMutableBufferPointer { indices in
                withUnsafeBufferPointer { x in
                    Parallel.forEachRange(g.planes, grain: g.grain) { range in
                        for p in range {
                            let input = x.baseAddress! + p * g.inputPlane
                            var o = p * g.outputPlane
                            for i in 0..<g.outputHeight {
                                for j in 0..<g.outputWidth {
                                    var best = i * g.stride * g.width + j * g.stride
                                    var maximum = input[best]
                                    for a in 0..<kernel {
                                        let row = (i * g.stride + a) * g.width + j * g.stride
                                        for b in 0..<kernel where input[row + b] > maximum || input[row + b].isNaN {
                                            maximum = input[row + b]
                                            best = row + b
                                        }
                                    }
                                    out[o] = maximum
                                    indices[o] = Int32(best)
                                    o += 1
                                }
                            }
                        }
                    }
                }
            }
        }
        return (value, MaxPoolIndices(inputShape: shape, outputShape: outputShape, offsets: offsets))
    }

    /// Reads `self` (shaped like the pooled input) at max-pool argmax positions.
    ///
    ///     y[n, c, i, j] = self[n, c, offsets[n, c, i, j]]
    ///
    /// - Parameter self: `indices.inputShape`.
    /// - Returns: `indices.outputShape`.
    public func gathered(at indices: MaxPoolIndices) -> NDArray {
        precondition(
            shape == indices.inputShape,
            "maxPool2d gather: array \(shape) does not match pooled input \(indices.inputShape)")
        let planes = shape[0] * shape[1], inputPlane = shape[2] * shape[3]
        let outputPlane = indices.outputShape[2] * indices.outputShape[3]
        return NDArray(shape: indices.outputShape) { out in
            withUnsafeBufferPointer { x in
                indices.offsets.withUnsafeBufferPointer { offsets in
                    Parallel.forEachRange(planes, grain: max(1, 4096 / max(inputPlane, 1))) { range in
                        for p in range {
                            let input = x.baseAddress! + p * inputPlane
                            for o in (p * outputPlane)..<((p + 1) * outputPlane) { out[o] = input[Int(offsets[o])] }
                        }
                    }
                }
            }
        }
    }

    /// Adds each element of `self` (shaped like the pool output) into the
    /// argmax position it came from; positions no window chose stay zero.
    ///
    ///     y[n, c, offsets[n, c, i, j]] += self[n, c, i, j]
    ///
    /// - Parameter self: `indices.outputShape`.
    /// - Returns: `indices.inputShape`.
    public func scattered(at indices: MaxPoolIndices) -> NDArray {
        precondition(
            shape == indices.outputShape,
            "maxPool2d scatter: array \(shape) does not match pool output \(indices.outputShape)")
        let planes = shape[0] * shape[1], outputPlane = shape[2] * shape[3]
        let inputPlane = indices.inputShape[2] * indices.inputShape[3]
        return NDArray(shape: indices.inputShape) { dx in
            withUnsafeBufferPointer { g in
                indices.offsets.withUnsafeBufferPointer { offsets in
                    Parallel.forEachRange(planes, grain: max(1, 4096 / max(inputPlane, 1))) { range in
                        for p in range {
                            let target = dx.baseAddress! + p * inputPlane
                            target.initialize(repeating: 0, count: inputPlane)
                            for o in (p * outputPlane)..<((p + 1) * outputPlane) { target[Int(offsets[o])] += g[o] }
                        }
                    }
                }
            }
        }
    }
}

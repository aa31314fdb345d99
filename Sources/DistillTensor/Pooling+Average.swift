// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

extension NDArray {
    /// Average pooling over `kernel × kernel` windows moved by `stride` (no
    /// padding, floor).
    ///
    ///     y[n, c, i, j] = (1/k²) · Σ_{0 ≤ a, b < k} x[n, c, i·s + a, j·s + b]
    ///
    /// - Parameter self: `[N, C, H, W]`.
    /// - Returns: `[N, C, H_out, W_out]`.
    public func avgPool2d(kernel: Int, stride: Int) -> NDArray {
        let g = Pool2dGeometry("avgPool2d", inputShape: shape, kernel: kernel, stride: stride)
        let scale = 1 / Float(kernel * kernel)
        return NDArray(shape: [shape[0], shape[1], g.outputHeight, g.outputWidth]) { out in
            withUnsafeBufferPointer { x in
                Parallel.forEachRange(g.planes, grain: g.grain) { range in
                    for p in range {
                        let input = x.baseAddress! + p * g.inputPlane
                        var o = p * g.outputPlane
                        for i in 0..<g.outputHeight {
                            for j in 0..<g.outputWidth {
                                var sum: Float = 0
                                for a in 0..<kernel {
                                    let row = input + (i * stride + a) * g.width + j * stride
                                    for b in 0..<kernel { sum += row[b] }
                                }
                                out[o] = sum * scale
                                o += 1
                            }
                        }
                    }
                }
            }
        }
    }

    /// Gradient of `avgPool2d` with respect to its input, with `self` the
    /// output gradient: each output's gradient spread evenly over its window
    /// (overlapping windows add up).
    ///
    ///     dx[n, c, h, w] = (1/k²) · Σ_{i, j : window (i, j) covers (h, w)} g[n, c, i, j]
    ///
    /// - Parameters:
    ///   - self: `g`, `[N, C, H_out, W_out]`.
    ///   - inputShape: the pooled input's shape `[N, C, H, W]`.
    /// - Returns: `[N, C, H, W]`.
    public func avgPool2dBackward(inputShape: [Int], kernel: Int, stride: Int) -> NDArray {
        let g = Pool2dGeometry("avgPool2dBackward", inputShape: inputShape, kernel: kernel, stride: stride)
        precondition(
            shape == [inputShape[0], inputShape[1], g.outputHeight, g.outputWidth],
            "avgPool2dBackward: gradient \(shape) does not match the pool of \(inputShape) (kernel \(kernel), stride \(stride))")
        let scale = 1 / Float(kernel * kernel)
        return NDArray(shape: inputShape) { dx in
            withUnsafeBufferPointer { gradient in
                Parallel.forEachRange(g.planes, grain: g.grain) { range in
                    for p in range {
                        let target = dx.baseAddress! + p * g.inputPlane
                        target.initialize(repeating: 0, count: g.inputPlane)
                        var o = p * g.outputPlane
                        for i in 0..<g.outputHeight {
                            for j in 0..<g.outputWidth {
                                let share = gradient[o] * scale
                                for a in 0..<kernel {
                                    let row = target + (i * stride + a) * g.width + j * stride
                                    for b in 0..<kernel { row[b] += share }
                                }
                                o += 1
                            }
                        }
                    }
                }
            }
        }
    }
}

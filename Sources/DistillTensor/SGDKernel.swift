// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

extension NDArray {
    /// One step of SGD with momentum and weight decay for the parameters
    /// `self`, in one vectorised pass (the optimiser's arithmetic, kept with
    /// the engine's other kernels):
    ///
    ///     d = g + weightDecay · p        (d = g when weightDecay is 0)
    ///     b = momentum · previous + d    (b = d without a previous buffer)
    ///     p' = p − learningRate · b
    ///
    /// - Returns: the new parameters p' and the new momentum buffer b.
    public func sgdStep(
        gradient: NDArray, previousBuffer: NDArray?, learningRate: Float, momentum: Float, weightDecay: Float
    ) -> (parameters: NDArray, buffer: NDArray) {
        precondition(gradient.shape == shape, "sgdStep: gradient \(gradient.shape) for parameters \(shape)")
        precondition(
            previousBuffer.map { $0.shape == shape } ?? true,
            "sgdStep: momentum buffer \(previousBuffer!.shape) for parameters \(shape)")
        var buffer = NDArray(zeros: [])
        let hasPrevious = previousBuffer != nil
        let parameters = NDArray(shape: shape) { out in
            withUnsafeBufferPointer { p in
                gradient.withUnsafeBufferPointer { g in
                    (previousBuffer ?? NDArray(zeros: [])).withUnsafeBufferPointer { previous in
                        buffer = NDArray(shape: shape) { b in
                            let (p, g, out, b) = (p.baseAddress!, g.baseAddress!, out.baseAddress!, b.baseAddress!)
                            let previous = previous.baseAddress!
                            @inline(__always) func lanes(_ x: UnsafePointer<Float>) -> SIMD8<Float> {
                                UnsafeRawPointer(x).loadUnaligned(as: SIMD8<Float>.self)
                            }
                            @inline(__always) func store(_ value: SIMD8<Float>, _ x: UnsafeMutablePointer<Float>) {
                                UnsafeMutableRawPointer(x).storeBytes(of: value, as: SIMD8<Float>.self)
                            }
                            Parallel.forEachRange(count, grain: 1 << 14) { range in
                                var i = range.lowerBound
                                while i + 8 <= range.upperBound {
                                    let weights = lanes(p + i), gradients = lanes(g + i)
                                    let d = weightDecay == 0 ? gradients : gradients + weightDecay * weights
                                    let v = hasPrevious ? momentum * lanes(previous + i) + d : d
                                    store(v, b + i)
                                    store(weights - learningRate * v, out + i)
                                    i += 8
                                }
                                while i < range.upperBound {
                                    let d = weightDecay == 0 ? g[i] : g[i] + weightDecay * p[i]
                                    let v = hasPrevious ? momentum * previous[i] + d : d
                                    b[i] = v
                                    out[i] = p[i] - learningRate * v
                                    i += 1
                                }
                            }
                        }
                    }
                }
            }
        }
        return (parameters, buffer)
    }
}

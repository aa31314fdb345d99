// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

/// Instance normalisation with a per-channel affine map, then ReLU, then 2×2
/// average pooling with stride 2: the tail of every block of DC's ConvNet,
/// computed one (image, channel) plane at a time.
///
/// Run as three ops, the block reads and writes its full-resolution map six
/// times forwards and more backwards; at batch 256 that map is 134 MB, so
/// those passes, not the arithmetic, set the speed. A plane (4 KiB at 32×32)
/// stays in L1 while its statistics, normalisation, activation and pooling
/// are done, and the full-resolution map is read once forwards and once
/// backwards.
///
/// Statistics per plane p = (n, c) over its S = H·W values:
///
///     μ_p = mean(x_p),  rstd_p = 1/√(var(x_p) + ε)          (biased variance)
///     z = (x − μ_p) · (rstd_p · w_c) + b_c,   y = avgpool2×2(max(z, 0))
public enum InstanceNormReLUPool {
    /// The forward result and the per-plane statistics its backward pass needs.
    public struct Forward {
        /// `[N, C, H/2, W/2]`.
        public var output: NDArray
        /// Per plane (index `n·C + c`).
        public var mean: [Float]
        /// Per plane: `1/√(var + ε)`.
        public var inverseStd: [Float]
    }

    /// Gradients of the block for one output gradient.
    public struct Gradients {
        /// ∂L/∂x, `[N, C, H, W]`.
        public var input: NDArray
        /// ∂L/∂w per channel: `Σ_{n, s} ∂L/∂z · x̂`.
        public var weight: [Float]
        /// ∂L/∂b per channel: `Σ_{n, s} ∂L/∂z`.
        public var bias: [Float]
    }

    /// Whether the fused kernels take `shape`: `[N, C, H, W]` with H and W even.
    public static func supports(_ shape: [Int]) -> Bool {
        shape.count == 4 && shape[2] % 2 == 0 && shape[3] % 2 == 0 && shape[2] > 0 && shape[3] > 0
    }

    /// The block's output for `x`, with its statistics.
    ///
    /// - Parameters:
    ///   - x: `[N, C, H, W]`, H and W even.
    ///   - weight, bias: per channel, C each.
    public static func forward(_ x: NDArray, weight: [Float], bias: [Float], epsilon: Float) -> Forward {
        let g = Geometry(x.shape, weight: weight, bias: bias)
        var mean = [Float](repeating: 0, count: g.planes)
        var inverseStd = [Float](repeating: 0, count: g.planes)
        let output = NDArray(shape: [g.batch, g.channels, g.height / 2, g.width / 2]) { out in
            x.withUnsafeBufferPointer { x in
                mean.withUnsafeMutableBufferPointer { mean in
                    inverseStd.withUnsafeMutableBufferPointer { inverseStd in
                        Parallel.forEachRange(g.planes, grain: g.grain) { range in
                            for p in range {
                                let plane = x.baseAddress! + p * g.plane
                                let (mu, rstd) = statistics(plane, count: g.plane, epsilon: epsilon)
                                mean[p] = mu
                                inverseStd[p] = rstd
                                let c = p % g.channels
                                pool(
                                    plane, into: out.baseAddress! + p * g.plane / 4, geometry: g, center: mu,
                                    scale: Float(Double(rstd) * Double(weight[c])), shift: bias[c])
                            }
                        }
                    }
                }
            }
        }
        return Forward(output: output, mean: mean, inverseStd: inverseStd)
    }

    /// Gradients of the block at `x` for the output gradient `gradient`.
    ///
    /// With `u = ∂L/∂z` (the pooled gradient spread over each window, zero
    /// where z ≤ 0) and `x̂ = (x − μ_p) · rstd_p`, per plane:
    ///
    ///     ∂L/∂x = rstd_p · w_c · (u − mean(u) − x̂ · mean(u · x̂))
    ///
    /// - Parameters:
    ///   - statistics: the `forward` result for this `x` (its mean and inverse std).
    public static func backward(
        _ x: NDArray, gradient: NDArray, weight: [Float], bias: [Float], statistics: Forward
    ) -> Gradients {
        let g = Geometry(x.shape, weight: weight, bias: bias)
        precondition(
            gradient.shape == statistics.output.shape,
            "InstanceNormReLUPool.backward: gradient \(gradient.shape) for an output of \(statistics.output.shape)")
        var sums = [Double](repeating: 0, count: g.planes)
        var projections = [Double](repeating: 0, count: g.planes)
        let input = NDArray(shape: x.shape) { dx in
            x.withUnsafeBufferPointer { x in
                gradient.withUnsafeBufferPointer { dy in
                    sums.withUnsafeMutableBufferPointer { sums in
                        projections.withUnsafeMutableBufferPointer { projections in
                            Parallel.forEachRange(g.planes, grain: g.grain) { range in
                                for p in range {
                                    let c = p % g.channels
                                    let (sum, projection) = planeBackward(
                                        x.baseAddress! + p * g.plane, gradient: dy.baseAddress! + p * g.plane / 4,
                                        into: dx.baseAddress! + p * g.plane, geometry: g, mean: statistics.mean[p],
                                        inverseStd: statistics.inverseStd[p], weight: weight[c], bias: bias[c])
                                    sums[p] = sum
                                    projections[p] = projection
                                }
                            }
                        }
                    }
                }
            }
        }
        // Per-channel sums over the batch, in image order.
        var weightGradient = [Double](repeating: 0, count: g.channels)
        var biasGradient = [Double](repeating: 0, count: g.channels)
        for p in 0..<g.planes {
            weightGradient[p % g.channels] += projections[p]
            biasGradient[p % g.channels] += sums[p]
        }
        return Gradients(
            input: input, weight: weightGradient.map { Float($0) }, bias: biasGradient.map { Float($0) })
    }

    // MARK: - Per-plane kernels

    struct Geometry {
        let batch, channels, height, width: Int
        var plane: Int { height * width }
        var planes: Int { batch * channels }
        /// Planes per thread hand-off: about 16 K elements.
        var grain: Int { max(1, (1 << 14) / max(plane, 1)) }

        init(_ shape: [Int], weight: [Float], bias: [Float]) {
            precondition(supports(shape), "InstanceNormReLUPool: input \(shape) is not [N, C, H, W] with H and W even")
            precondition(
                weight.count == shape[1] && bias.count == shape[1],
                "InstanceNormReLUPool: \(weight.count) weights and \(bias.count) biases for \(shape[1]) channels")
            (batch, channels, height, width) = (shape[0], shape[1], shape[2], shape[3])
        }
    }

    typealias Vector = SIMD16<Float>

    /// The mean and `1/√(var + ε)` of `count` values (two passes; the plane is in cache).
    @inline(__always)
    static func statistics(_ x: UnsafePointer<Float>, count: Int, epsilon: Float) -> (Float, Float) {
        let mean = Float(sum(x, count: count) { $0 } / Double(count))
        let variance = sum(x, count: count) { ($0 - mean) * ($0 - mean) } / Double(count)
        return (mean, Float(1 / (variance + Double(epsilon)).squareRoot()))
    }

    /// `Σ f(x_i)`, accumulated in 16 Float lanes and combined in Double.
    @inline(__always)
    static func sum(_ x: UnsafePointer<Float>, count: Int, _ f: (Vector) -> Vector) -> Double {
        var lanes = Vector()
        var i = 0
        while i + 16 <= count {
            lanes += f(load(x + i))
            i += 16
        }
        var total = 0.0
        for lane in 0..<16 { total += Double(lanes[lane]) }
        while i < count {
            total += Double(f(Vector(repeating: x[i]))[0])
            i += 1
        }
        return total
    }

    /// Writes `avgpool2×2(max((x − center)·scale + shift, 0))` of one plane.
    @inline(__always)
    static func pool(
        _ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, geometry g: Geometry,
        center: Float, scale: Float, shift: Float
    ) {
        let halfWidth = g.width / 2
        for i in 0..<(g.height / 2) {
            let top = x + 2 * i * g.width, bottom = top + g.width, row = out + i * halfWidth
            var j = 0
            while 2 * j + 16 <= g.width {
                let a = activation(load(top + 2 * j), center, scale, shift)
                let b = activation(load(bottom + 2 * j), center, scale, shift)
                let columnSums = a + b
                store8((columnSums.evenHalf + columnSums.oddHalf) * 0.25, row + j)
                j += 8
            }
            while j < halfWidth {
                let relu = { (value: Float) in max((value - center) * scale + shift, 0) }
                let columnSums = (relu(top[2 * j]) + relu(bottom[2 * j]), relu(top[2 * j + 1]) + relu(bottom[2 * j + 1]))
                row[j] = (columnSums.0 + columnSums.1) * 0.25
                j += 1
            }
        }
    }

    /// One plane's input gradient, written to `dx`; returns `(Σ u, Σ u · x̂)`.
    @inline(__always)
    static func planeBackward(
        _ x: UnsafePointer<Float>, gradient dy: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>,
        geometry g: Geometry, mean: Float, inverseStd: Float, weight: Float, bias: Float
    ) -> (Double, Double) {
        let scale = Float(Double(inverseStd) * Double(weight))
        let halfWidth = g.width / 2
        // Pass 1: u = ∂L/∂z into dx, with its sums.
        var sumLanes = SIMD8<Float>(), projectionLanes = SIMD8<Float>()
        var sum = 0.0, projection = 0.0
        for r in 0..<g.height {
            let input = x + r * g.width, target = dx + r * g.width, pooled = dy + (r / 2) * halfWidth
            var j = 0
            while j + 8 <= halfWidth {
                // The gradient of output j reaches input columns 2j and 2j + 1.
                let share = load8(pooled + j) * 0.25
                let low = SIMD8(share[0], share[0], share[1], share[1], share[2], share[2], share[3], share[3])
                let high = SIMD8(share[4], share[4], share[5], share[5], share[6], share[6], share[7], share[7])
                let spreadAt = { (offset: Int, spread: SIMD8<Float>) in
                    let values = load8(input + offset)
                    let u = reluGradient(spread, at: (values - mean) * scale + bias)
                    store8(u, target + offset)
                    sumLanes += u
                    projectionLanes += u * (values - mean)
                }
                spreadAt(2 * j, low)
                spreadAt(2 * j + 8, high)
                j += 8
            }
            while j < halfWidth {
                let share = pooled[j] * 0.25
                for column in (2 * j)...(2 * j + 1) {
                    let z = (input[column] - mean) * scale + bias
                    let u: Float = z > 0 ? share : 0
                    target[column] = u
                    sum += Double(u)
                    projection += Double(u * (input[column] - mean))
                }
                j += 1
            }
        }
        for lane in 0..<8 {
            sum += Double(sumLanes[lane])
            projection += Double(projectionLanes[lane])
        }
        projection *= Double(inverseStd)
        // Pass 2: ∂L/∂x = scale · (u − mean(u) − x̂ · mean(u · x̂)).
        let count = Double(g.plane)
        let meanU = Float(sum / count)
        let slope = Float(Double(inverseStd) * projection / count)
        var i = 0
        while i + 16 <= g.plane {
            let values = load(x + i)
            store(((load(dx + i) - meanU) - (values - mean) * slope) * scale, dx + i)
            i += 16
        }
        while i < g.plane {
            dx[i] = ((dx[i] - meanU) - (x[i] - mean) * slope) * scale
            i += 1
        }
        return (sum, projection)
    }

    /// `max(z, 0)` of `z = (x − center)·scale + shift`; NaN stays NaN, as in `relu`.
    @inline(__always)
    static func activation(_ x: Vector, _ center: Float, _ scale: Float, _ shift: Float) -> Vector {
        let z = (x - center) * scale + shift
        return z.replacing(with: 0, where: z .< 0)
    }

    /// `gradient` where `z > 0`, else 0 (NaN included), as in `relu`'s backward.
    @inline(__always)
    static func reluGradient(_ gradient: SIMD8<Float>, at z: SIMD8<Float>) -> SIMD8<Float> {
        gradient.replacing(with: 0, where: .!(z .> 0))
    }

    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> Vector {
        UnsafeRawPointer(pointer).loadUnaligned(as: Vector.self)
    }

    @inline(__always)
    static func load(_ pointer: UnsafeMutablePointer<Float>) -> Vector { load(UnsafePointer(pointer)) }

    @inline(__always)
    static func store(_ value: Vector, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: Vector.self)
    }

    @inline(__always)
    static func load8(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    static func store8(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Float>.self)
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation

extension NDArray {
    /// Softmax along `axis` (negative counts from the end), computed stably by
    /// subtracting each slice's maximum first.
    ///
    ///     softmax(x)ᵢ = e^(xᵢ − m) / Σⱼ e^(xⱼ − m),  m = maxⱼ xⱼ
    public func softmax(alongAxis axis: Int) -> NDArray {
        normalizedExponential(alongAxis: axis, logarithm: false)
    }

    /// Log-softmax along `axis` (negative counts from the end), computed
    /// stably without forming the softmax.
    ///
    ///     logSoftmax(x)ᵢ = (xᵢ − m) − log Σⱼ e^(xⱼ − m),  m = maxⱼ xⱼ
    public func logSoftmax(alongAxis axis: Int) -> NDArray {
        normalizedExponential(alongAxis: axis, logarithm: true)
    }

    /// Views the array as `[outer, n, inner]` around `axis` and normalises
    /// every length-`n` slice independently.
    private func normalizedExponential(alongAxis axis: Int, logarithm: Bool) -> NDArray {
        let resolved = axis < 0 ? axis + rank : axis
        precondition(
            resolved >= 0 && resolved < rank,
            "\(logarithm ? "logSoftmax" : "softmax"): axis \(axis) out of range for shape \(shape)")
        let n = shape[resolved]
        let inner = shape[(resolved + 1)...].reduce(1, *)
        let outer = shape[..<resolved].reduce(1, *)
        return NDArray(shape: shape) { out in
            withUnsafeBufferPointer { input in
                guard let x = input.baseAddress, let y = out.baseAddress, n > 0, inner > 0 else { return }
                let block = n * inner
                Parallel.forEachRange(outer, grain: max(1, (1 << 14) / block)) { range in
                    if inner == 1 {
                        for row in range {
                            SoftmaxKernel.row(x + row * n, y + row * n, n, logarithm: logarithm)
                        }
                    } else {
                        var scratch = [Float](repeating: 0, count: 2 * inner)
                        scratch.withUnsafeMutableBufferPointer { buffer in
                            for o in range {
                                SoftmaxKernel.strided(
                                    x + o * block, y + o * block, n, inner, buffer.baseAddress!, logarithm: logarithm)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Slice kernels for softmax and log-softmax.
enum SoftmaxKernel {
    /// One contiguous slice of length `n`.
    static func row(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, logarithm: Bool) {
        var maximum = x[0]
        for j in 1..<n where x[j] > maximum { maximum = x[j] }
        // A NaN anywhere makes the sum NaN, so it reaches every output as in PyTorch.
        for j in 0..<n { y[j] = FastMath.exp(x[j] - maximum) }
        var total: Float = 0
        for j in 0..<n { total += y[j] }
        if logarithm {
            let logTotal = Foundation.log(total)
            for j in 0..<n { y[j] = (x[j] - maximum) - logTotal }
        } else {
            let scale = 1 / total
            for j in 0..<n { y[j] *= scale }
        }
    }

    /// One `[n, inner]` block normalised along `n`; `scratch` holds `2·inner`
    /// floats. Loops run along `inner`, the contiguous direction.
    static func strided(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, _ inner: Int,
        _ scratch: UnsafeMutablePointer<Float>, logarithm: Bool
    ) {
        let maximum = scratch, total = scratch + inner
        for i in 0..<inner {
            maximum[i] = x[i]
            total[i] = 0
        }
        for j in 1..<n {
            let xr = x + j * inner
            for i in 0..<inner {
                let v = xr[i], m = maximum[i]
                maximum[i] = v > m ? v : m
            }
        }
        for j in 0..<n {
            let xr = x + j * inner, yr = y + j * inner
            for i in 0..<inner {
                let e = FastMath.exp(xr[i] - maximum[i])
                yr[i] = e
                total[i] += e
            }
        }
        if logarithm {
            for i in 0..<inner { total[i] = Foundation.log(total[i]) }
            for j in 0..<n {
                let xr = x + j * inner, yr = y + j * inner
                for i in 0..<inner { yr[i] = (xr[i] - maximum[i]) - total[i] }
            }
        } else {
            for i in 0..<inner { total[i] = 1 / total[i] }
            for j in 0..<n {
                let yr = y + j * inner
                for i in 0..<inner { yr[i] *= total[i] }
            }
        }
    }
}

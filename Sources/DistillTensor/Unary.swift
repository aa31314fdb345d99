// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation

/// An elementwise function of one array: activations, their derivatives, and
/// the elementary functions the autograd ops need.
///
/// Each case is applied by a typed loop with no closure per element; the
/// exponential-based cases use `FastMath.exp`, which has no library call, so
/// the compiler vectorises those loops too.
public enum UnaryFunction: Sendable, Equatable {
    /// `max(x, 0)`; NaN stays NaN.
    case relu
    /// `x` for `x ≥ 0`, `slope·x` below.
    case leakyRelu(slope: Float)
    /// `1 / (1 + e^(−x))`.
    case sigmoid
    /// `x·sigmoid(x)` (also called SiLU).
    case swish
    /// The derivative of swish: `s + x·s·(1 − s)` with `s = sigmoid(x)`.
    case swishDerivative
    /// `s·(1 − s)`: the sigmoid's derivative written in terms of its output `s`.
    case sigmoidDerivativeOfOutput
    /// `eˣ`.
    case exp
    /// Natural logarithm.
    case log
    /// Square root.
    case sqrt
    /// `x²`.
    case square
    /// Hyperbolic tangent.
    case tanh
    /// `x` limited to `[min, max]`; NaN stays NaN.
    case clamp(min: Float, max: Float)
    /// 1 where `x > 0`, else 0: the derivative of ReLU (0 at the kink, as in PyTorch).
    case positiveIndicator
    /// 1 where `x > 0`, else `slope`: the derivative of leaky ReLU.
    case leakyReluDerivative(slope: Float)
    /// 1 where `min ≤ x ≤ max`, else 0: the derivative of clamping (as in PyTorch).
    case clampDerivative(min: Float, max: Float)
}

extension NDArray {
    /// Applies `function` to every element, in parallel for large arrays.
    public func applying(_ function: UnaryFunction) -> NDArray {
        NDArray(shape: shape) { out in
            withUnsafeBufferPointer { input in
                guard let x = input.baseAddress, let y = out.baseAddress else { return }
                // Memory-bound loops: a chunk must be large enough to pay for a thread hand-off.
                Parallel.forEachRange(input.count, grain: 1 << 15) { range in
                    UnaryKernel.apply(function, x + range.lowerBound, y + range.lowerBound, range.count)
                }
            }
        }
    }
}

/// The per-chunk loops behind `NDArray.applying(_:)`; the switch runs once per
/// chunk so each loop body is a plain arithmetic expression.
enum UnaryKernel {
    static func apply(
        _ function: UnaryFunction, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int
    ) {
        switch function {
        case .relu:
            for i in 0..<n {
                let v = x[i]
                y[i] = v < 0 ? 0 : v
            }
        case let .leakyRelu(slope):
            for i in 0..<n {
                let v = x[i]
                y[i] = v < 0 ? v * slope : v
            }
        case .sigmoid:
            for i in 0..<n { y[i] = 1 / (1 + FastMath.exp(-x[i])) }
        case .swish:
            for i in 0..<n {
                let v = x[i]
                y[i] = v / (1 + FastMath.exp(-v))
            }
        case .swishDerivative:
            for i in 0..<n {
                let v = x[i]
                let s = 1 / (1 + FastMath.exp(-v))
                y[i] = s + v * s * (1 - s)
            }
        case .sigmoidDerivativeOfOutput:
            for i in 0..<n {
                let s = x[i]
                y[i] = s * (1 - s)
            }
        case .exp:
            for i in 0..<n { y[i] = FastMath.exp(x[i]) }
        case .log:
            for i in 0..<n { y[i] = Foundation.log(x[i]) }
        case .sqrt:
            for i in 0..<n { y[i] = x[i].squareRoot() }
        case .square:
            for i in 0..<n { y[i] = x[i] * x[i] }
        case .tanh:
            for i in 0..<n { y[i] = Foundation.tanh(x[i]) }
        case let .clamp(low, high):
            for i in 0..<n {
                let v = x[i]
                y[i] = v < low ? low : (v > high ? high : v)
            }
        case .positiveIndicator:
            for i in 0..<n { y[i] = x[i] > 0 ? 1 : 0 }
        case let .leakyReluDerivative(slope):
            for i in 0..<n { y[i] = x[i] > 0 ? 1 : slope }
        case let .clampDerivative(low, high):
            for i in 0..<n {
                let v = x[i]
                y[i] = v >= low ? (v <= high ? 1 : 0) : 0
            }
        }
    }
}

/// Branch-free elementary functions that the compiler can vectorise.
public enum FastMath {
    /// `eˣ` in Float32, accurate to about 1 ulp (Cephes `expf`): range
    /// reduction `x = n·ln2 + r`, a degree-6 polynomial for `eʳ` on
    /// |r| ≤ ln2/2, and `2ⁿ` built from its exponent bits.
    ///
    ///     exp(x) = 2ⁿ · p(r),  n = round(x / ln2)
    ///
    /// Returns +∞ above 88.376 (the result would need n = 128), 0 below
    /// ln(FLT_MIN) (instead of a subnormal) and NaN for NaN.
    @inlinable @inline(__always)
    public static func exp(_ x: Float) -> Float {
        let high: Float = 88.3762626647949, low: Float = -87.3365478515625
        // Comparisons with NaN are false, so NaN passes through the clamp.
        let clamped = x > high ? high : (x < low ? low : x)
        // Adding 1.5·2²³ rounds x/ln2 to an integer held in the low mantissa bits.
        let magic: Float = 12_582_912
        let shifted = clamped * 1.44269504088896341 + magic
        let n = shifted - magic
        let r = (clamped - n * 0.693359375) - n * -2.12194440e-4
        var p: Float = 1.9875691500e-4
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let polynomial = p * r * r + r + 1
        let exponent = (shifted.bitPattern &- magic.bitPattern) &+ 127
        let result = polynomial * Float(bitPattern: exponent &<< 23)
        return x > high ? .infinity : (x < low ? 0 : result)
    }
}

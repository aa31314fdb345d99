// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

/// A seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64).
///
/// Every random draw in distill takes one of these `inout`. Components get
/// independent child streams with `split()`, so an extra draw in one
/// component never shifts the draws of another.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator whose whole stream is determined by `seed`.
    public init(seed: UInt64) {
        var s = seed
        state = (Self.splitMix(&s), Self.splitMix(&s), Self.splitMix(&s), Self.splitMix(&s))
    }

    @inline(__always)
    static func splitMix(_ x: inout UInt64) -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public mutating func next() -> UInt64 {
        let result = Self.rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = Self.rotl(state.3, 45)
        return result
    }

    /// A new generator seeded from this one's next draw.
    public mutating func split() -> SeededGenerator {
        SeededGenerator(seed: next())
    }

    /// Uniform in [0, 1) with 24 random bits.
    public mutating func nextUniform() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// Standard normal draw (Box–Muller, one value per call).
    public mutating func nextNormal() -> Float {
        let u1 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        let radius = (-2.0 * log(max(1 - u1, .leastNonzeroMagnitude))).squareRoot()
        return Float(radius * cos(2.0 * Double.pi * u2))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension NDArray {
    /// Elements drawn uniformly from [lower, upper).
    public static func uniform(
        shape: [Int], lower: Float, upper: Float, using generator: inout SeededGenerator
    ) -> NDArray {
        NDArray(shape: shape) { out in
            for i in 0..<out.count { out[i] = lower + (upper - lower) * generator.nextUniform() }
        }
    }

    /// Elements drawn from the standard normal distribution.
    public static func normal(shape: [Int], using generator: inout SeededGenerator) -> NDArray {
        NDArray(shape: shape) { out in
            for i in 0..<out.count { out[i] = generator.nextNormal() }
        }
    }
}

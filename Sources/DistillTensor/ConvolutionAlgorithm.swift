// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation

/// How 3×3 convolutions with stride 1 and padding 1 between wide layers are
/// computed. The default is exact to float32 rounding of a plain sum;
/// Winograd's F(4×4, 3×3) is faster but multiplies rounding errors by its
/// transforms' constants (up to 8, and 1/6, 1/24). Measured against the
/// float64 golden references (`distill selftest`), it puts ResNet18's
/// parameter gradients up to 23 % off (a wrong ReLU or max-pool branch taken
/// where a pre-activation sits within its error of zero), so it is an opt-in.
public enum ConvolutionAlgorithm: String, CaseIterable, Sendable {
    /// im2col and one GEMM per chunk of images (or the direct kernels of a
    /// first layer): every output is a plain float32 dot product.
    case precise
    /// Winograd F(4×4, 3×3) where it applies (`Winograd.applies(to:)`).
    case winograd4

    /// The algorithm in use: `DISTILL_CONV_ALGORITHM` (`precise` or
    /// `winograd4`), default `precise`. Changed only by `using(_:_:)`.
    public private(set) nonisolated(unsafe) static var active: ConvolutionAlgorithm =
        fromEnvironment().algorithm

    /// Runs `body` with `algorithm` active.
    public static func using<T>(_ algorithm: ConvolutionAlgorithm, _ body: () throws -> T) rethrows -> T {
        let saved = active
        active = algorithm
        defer { active = saved }
        return try body()
    }

    /// The algorithm `DISTILL_CONV_ALGORITHM` asks for, or `precise` with a
    /// one-line notice when the value is unknown.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> (algorithm: ConvolutionAlgorithm, notice: String?) {
        guard let requested = environment["DISTILL_CONV_ALGORITHM"], !requested.isEmpty else { return (.precise, nil) }
        guard let algorithm = ConvolutionAlgorithm(rawValue: requested.lowercased()) else {
            let names = allCases.map(\.rawValue).joined(separator: ", ")
            return (.precise, "DISTILL_CONV_ALGORITHM=\(requested) is not one of \(names); using precise")
        }
        return (algorithm, nil)
    }
}

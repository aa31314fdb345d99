// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import CCBLAS

/// The instruction sets the engine's own vector kernels (the Winograd GEMMs
/// and the direct first-layer convolution in CCBLAS) are written for, in
/// increasing order. Each op uses the best one the CPU has; tests run every
/// one the CPU has against the same references.
public enum VectorKernels: Int32, Comparable, CaseIterable, Sendable {
    /// None of ours: products go to the BLAS, first layers to im2col.
    case none = 0
    /// AVX2 with FMA (x86-64 CPUs since 2013–15).
    case avx2 = 1
    /// AVX-512 F, BW, VL and DQ.
    case avx512 = 2

    /// The best set this CPU runs.
    public static let cpu = VectorKernels(rawValue: distill_cpu_kernels()) ?? .none

    /// Every set this CPU runs, `.none` included.
    public static var supported: [VectorKernels] { allCases.filter { $0 <= cpu } }

    /// The set's name as `distill bench` prints it.
    public var name: String {
        switch self {
        case .none: "none"
        case .avx2: "AVX2"
        case .avx512: "AVX-512"
        }
    }

    public static func < (lhs: VectorKernels, rhs: VectorKernels) -> Bool { lhs.rawValue < rhs.rawValue }
}

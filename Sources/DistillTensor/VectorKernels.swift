// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import CCBLAS
import Foundation

/// The instruction sets the engine's own vector kernels (the direct
/// first-layer convolution, the fused first block, the Winograd GEMMs and
/// tile transforms in CCBLAS) are written for, in increasing order. Ops use
/// `active`: the CPU's best set unless `DISTILL_KERNELS` names another.
/// Every set must give results within the golden tolerances, so tests and
/// `distill selftest` run each one the CPU has.
public enum VectorKernels: Int32, Comparable, CaseIterable, Sendable {
    /// None of ours: products go to the BLAS, first layers to im2col.
    case portable = 0
    /// AVX2 with FMA (x86-64 CPUs since 2013–15).
    case avx2 = 1
    /// AVX-512 F, BW, VL and DQ.
    case avx512 = 2

    /// The best set this CPU runs.
    public static let cpu = VectorKernels(rawValue: distill_cpu_kernels()) ?? .portable

    /// Every set this CPU runs, `.portable` included.
    public static var supported: [VectorKernels] { allCases.filter { $0 <= cpu } }

    /// The set ops use now: `DISTILL_KERNELS` when the CPU has it, else `cpu`.
    /// Changed only by `using(_:_:)`, which tests and the self-test call
    /// while no other work runs.
    public private(set) nonisolated(unsafe) static var active: VectorKernels = fromEnvironment().kernels

    /// Runs `body` with `kernels` active (clamped to what the CPU has).
    public static func using<T>(_ kernels: VectorKernels, _ body: () throws -> T) rethrows -> T {
        let saved = active
        active = min(kernels, cpu)
        defer { active = saved }
        return try body()
    }

    /// The set that `DISTILL_KERNELS` (`avx512`, `avx2` or `portable`) asks
    /// for, clamped to the CPU, with a one-line notice when the variable
    /// cannot be followed (unknown value, or a set this CPU lacks).
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> (kernels: VectorKernels, notice: String?) {
        guard let requested = environment["DISTILL_KERNELS"], !requested.isEmpty else { return (cpu, nil) }
        guard let kernels = VectorKernels(name: requested) else {
            let names = allCases.map(\.variableValue).joined(separator: ", ")
            return (cpu, "DISTILL_KERNELS=\(requested) is not one of \(names); using \(cpu.variableValue)")
        }
        if kernels > cpu {
            return (cpu, "DISTILL_KERNELS=\(requested): this CPU lacks \(kernels.name); using \(cpu.variableValue)")
        }
        return (kernels, nil)
    }

    /// A set from its `DISTILL_KERNELS` value (case-insensitive).
    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.variableValue == name.lowercased() }) else { return nil }
        self = match
    }

    /// The set's value for `DISTILL_KERNELS`.
    public var variableValue: String {
        switch self {
        case .portable: "portable"
        case .avx2: "avx2"
        case .avx512: "avx512"
        }
    }

    /// The set's name as `distill bench` and `distill selftest` print it.
    public var name: String {
        switch self {
        case .portable: "portable"
        case .avx2: "AVX2"
        case .avx512: "AVX-512"
        }
    }

    public static func < (lhs: VectorKernels, rhs: VectorKernels) -> Bool { lhs.rawValue < rhs.rawValue }
}

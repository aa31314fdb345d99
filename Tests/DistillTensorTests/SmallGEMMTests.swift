// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor
import Foundation
import XCTest

/// `BLAS.sgemmSmall` (the Winograd GEMMs' own kernels, AVX2 and AVX-512)
/// against a float64 reference with every kernel set the CPU has, on sizes
/// that exercise every partial block: rows not a multiple of 6 or 8, columns
/// not a multiple of 8, 16 or 48, depths past one depth block and not a
/// multiple of 8, and row strides wider than the rows; A as stored and
/// transposed (the input gradient's products), B as stored and transposed
/// (the weight gradient's).
final class SmallGEMMTests: XCTestCase {
    func testMatchesFloat64ReferenceOnPartialBlocks() {
        var generator = SeededGenerator(seed: 11)
        for kernels in VectorKernels.supported {
            for (m, n, k) in [
                (1, 1, 1), (5, 17, 7), (8, 16, 128), (13, 49, 129), (16, 100, 300), (128, 160, 128), (128, 128, 40),
                (24, 56, 163),
            ] {
                for (beta, transposeA, transposeB) in [
                    (Float(0), false, false), (1, false, false), (0.5, false, false), (0, true, false),
                    (0.5, true, false), (0, false, true), (1, false, true), (0.5, false, true),
                ] {
                    checkCase(
                        m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB, beta: beta,
                        kernels: kernels, generator: &generator)
                }
            }
        }
    }

    func testBetaZeroIgnoresWhatCHeld() {
        let (m, n, k) = (9, 20, 5)
        let a = [Float](repeating: 1, count: m * k), b = [Float](repeating: 2, count: k * n)
        for kernels in VectorKernels.supported {
            for transposeB in [false, true] {
                var c = [Float](repeating: .nan, count: m * n)
                a.withUnsafeBufferPointer { a in
                    b.withUnsafeBufferPointer { b in
                        c.withUnsafeMutableBufferPointer { c in
                            BLAS.sgemmSmall(
                                transposeB: transposeB, m: m, n: n, k: k, a: a.baseAddress!, lda: k,
                                b: b.baseAddress!, ldb: transposeB ? k : n, c: c.baseAddress!, ldc: n, kernels: kernels)
                        }
                    }
                }
                XCTAssertEqual(c, [Float](repeating: 10, count: m * n), "\(kernels.name), transposed B \(transposeB)")
            }
        }
    }

    /// The kernels follow the CPU's flags (Linux on x86-64): AVX-512 F, BW,
    /// VL and DQ, else AVX2 with FMA, else portable; `DISTILL_SMALL_SGEMM=0`
    /// sends the products to the BLAS.
    func testKernelsFollowTheCPU() throws {
        #if os(Linux) && arch(x86_64)
        let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flagsLine = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") }
        let flags = Set(flagsLine?.split(separator: " ").map(String.init) ?? [])
        let expected: VectorKernels =
            flags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512dq"])
            ? .avx512 : flags.isSuperset(of: ["avx2", "fma"]) ? .avx2 : .portable
        XCTAssertEqual(VectorKernels.cpu, expected)
        let disabled = ProcessInfo.processInfo.environment["DISTILL_SMALL_SGEMM"] == "0"
        let requested = VectorKernels.fromEnvironment().kernels
        XCTAssertEqual(BLAS.smallKernels, disabled ? .portable : requested)
        #else
        XCTAssertEqual(BLAS.smallKernels, .portable)
        #endif
    }

    private func checkCase(
        m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, beta: Float, kernels: VectorKernels,
        generator: inout SeededGenerator
    ) {
        // Row strides wider than the rows; the padding must stay untouched.
        let (lda, ldb, ldc) = (transposeA ? m + 3 : k + 3, transposeB ? k + 5 : n + 5, n + 2)
        let a = (0..<((transposeA ? k : m) * lda)).map { _ in Float.random(in: -1...1, using: &generator) }
        let b = (0..<((transposeB ? n : k) * ldb)).map { _ in Float.random(in: -1...1, using: &generator) }
        let start = (0..<(m * ldc)).map { _ in Float.random(in: -1...1, using: &generator) }
        var c = start
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    BLAS.sgemmSmall(
                        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a.baseAddress!, lda: lda,
                        b: b.baseAddress!, ldb: ldb, beta: beta, c: c.baseAddress!, ldc: ldc, kernels: kernels)
                }
            }
        }
        for i in 0..<m {
            for j in 0..<ldc {
                let index = i * ldc + j
                guard j < n else {
                    XCTAssertEqual(
                        c[index], start[index], "\(kernels.name): padding at (\(i), \(j)) of \(m)×\(n)×\(k) changed")
                    continue
                }
                var expected = Double(beta) * Double(start[index]), magnitude = abs(expected)
                for p in 0..<k {
                    let aValue = a[transposeA ? p * lda + i : i * lda + p]
                    let bValue = b[transposeB ? j * ldb + p : p * ldb + j]
                    let term = Double(aValue) * Double(bValue)
                    expected += term
                    magnitude += abs(term)
                }
                // Float32 accumulation over k terms: error within k ulps of the sum of magnitudes.
                let bound = Double(k + 1) * Double(Float.ulpOfOne) * magnitude + 1e-30
                XCTAssertEqual(
                    Double(c[index]), expected, accuracy: bound,
                    "\(kernels.name): C(\(i), \(j)) of \(m)×\(n)×\(k), beta \(beta), "
                        + "transposed A \(transposeA), B \(transposeB)")
            }
        }
    }
}

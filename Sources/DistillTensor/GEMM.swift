// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import CCBLAS
import Foundation

/// Single-precision matrix multiply through the platform BLAS.
public enum BLAS {
    /// `C = alpha · op(A) · op(B) + beta · C` on row-major matrices, where
    /// op(A) is `m × k`, op(B) is `k × n` and C is `m × n`.
    ///
    /// - Parameters:
    ///   - lda, ldb, ldc: row strides of the stored (untransposed) matrices.
    @inline(__always)
    public static func sgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int, split: Bool = true
    ) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            // BLAS leaves C unscaled by beta in some implementations when k = 0.
            for row in 0..<m {
                for col in 0..<n { c[row * ldc + col] = beta == 0 ? 0 : beta * c[row * ldc + col] }
            }
            return
        }
        // The BLAS runs single-threaded (see ccblas.c); a large product is
        // split here into blocks of C computed at once, one core each, along
        // the rows or columns of C, never along k. OpenBLAS's value for an
        // element depends on the shape of the call that computes it, so the
        // split depends only on the sizes: never on the thread count, nor on
        // whether this runs inside another parallel region (where the blocks
        // run one after another), and a product comes out the same bit for bit.
        let (columnBlocks, rowBlocks) = split ? Self.blocks(m: m, n: n, k: k) : (1, 1)
        if columnBlocks > 1 {
            // Blocks of 16 columns keep every part on the kernels' full vector width.
            Parallel.forEachSplit((n + 15) / 16, into: columnBlocks) { _, range in
                let first = range.lowerBound * 16, count = min(range.upperBound * 16, n) - first
                distill_sgemm(
                    transposeA ? 1 : 0, transposeB ? 1 : 0, Int32(m), Int32(count), Int32(k),
                    alpha, a, Int32(lda), transposeB ? b + first * ldb : b + first, Int32(ldb), beta,
                    c + first, Int32(ldc))
            }
        } else if rowBlocks > 1 {
            Parallel.forEachSplit(m, into: rowBlocks) { _, range in
                distill_sgemm(
                    transposeA ? 1 : 0, transposeB ? 1 : 0, Int32(range.count), Int32(n), Int32(k),
                    alpha, transposeA ? a + range.lowerBound : a + range.lowerBound * lda, Int32(lda), b, Int32(ldb),
                    beta, c + range.lowerBound * ldc, Int32(ldc))
            }
        } else {
            distill_sgemm(
                transposeA ? 1 : 0, transposeB ? 1 : 0, Int32(m), Int32(n), Int32(k),
                alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        }
    }

    /// How `sgemm` splits a product: into column blocks (at least 64
    /// columns each) when it is wide enough, else into row blocks (at least
    /// 16 rows each); about one block per 2²¹ multiply-adds, at most
    /// `maximumBlocks`. A function of the sizes alone.
    static func blocks(m: Int, n: Int, k: Int) -> (columns: Int, rows: Int) {
        let wanted = min(maximumBlocks, m * n * k >> 21)
        if wanted < 2 { return (1, 1) }
        let columns = min(wanted, n / 64)
        if columns >= 2 { return (columns, 1) }
        let rows = min(wanted, m / 16)
        return rows >= 2 ? (1, rows) : (1, 1)
    }

    /// The most blocks `sgemm` splits a product into. Every block repacks
    /// the other operand, so more blocks than most machines have cores would
    /// cost time on all of them.
    static let maximumBlocks = 4

    /// `C = op(A) · op(B) + beta · C` for `op(A): m × k` (`A` itself, or
    /// `Aᵀ` when `transposeA`, `A` then `k × m`) and `op(B): k × n` (`B`, or
    /// `Bᵀ` when `transposeB`, `B` then `n × k`), on the calling thread: the
    /// Winograd GEMMs of a convolution, whose m and k (n for the weight
    /// gradient's `A · Bᵀ`) are channel counts and n (k) a chunk of tiles. On
    /// x86-64 CPUs with AVX2 or AVX-512 a kernel of our own that copies only
    /// panels of op(B) (a BLAS copies both operands on every call, a quarter
    /// of its time at these sizes), for `A · Bᵀ` with AVX-512 only;
    /// elsewhere, or with `DISTILL_SMALL_SGEMM=0`, the BLAS. `kernels`
    /// chooses another set the CPU has, for tests.
    @inline(__always)
    public static func sgemmSmall(
        transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int, beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int,
        kernels: VectorKernels = smallKernels
    ) {
        precondition(k > 0, "BLAS.sgemmSmall: k must be positive")
        precondition(kernels <= VectorKernels.cpu, "BLAS.sgemmSmall: this CPU has no \(kernels.name)")
        if m == 0 || n == 0 { return }
        distill_small_sgemm(
            kernels.rawValue, transposeA ? 1 : 0, transposeB ? 1 : 0, Int32(m), Int32(n), Int32(k), a, Int32(lda), b,
            Int32(ldb), beta, c, Int32(ldc))
    }

    /// The kernels `sgemmSmall` runs by default: the active set
    /// (`VectorKernels.active`), or the BLAS (`.portable`) with
    /// `DISTILL_SMALL_SGEMM=0`, to compare the two on one machine.
    public static var smallKernels: VectorKernels { smallKernelsDisabled ? .portable : VectorKernels.active }

    private static let smallKernelsDisabled = ProcessInfo.processInfo.environment["DISTILL_SMALL_SGEMM"] == "0"

    /// Name of the BLAS and kernels in use, e.g. "OpenBLAS 0.3.21 (SkylakeX
    /// kernels) + own AVX-512 kernel for Winograd GEMMs".
    public static var description: String {
        let library = String(cString: distill_blas_description())
        let winograd = ConvolutionAlgorithm.active == .winograd4 && smallKernels != .portable
        return winograd ? library + " + own \(smallKernels.name) kernel for Winograd GEMMs" : library
    }

    /// Threads the BLAS uses per call (1: the engine splits GEMMs itself).
    public static var threadCount: Int { Int(distill_blas_threads()) }

    /// Why this CPU cannot run OpenBLAS's kernels for the core type `name`
    /// (an illegal instruction), or nil when it can or the name is not one of
    /// OpenBLAS's x86-64 core types.
    public static func coreTypeProblem(_ name: String) -> String? {
        guard let lacking = distill_blas_core_type_lacks(name) else { return nil }
        return "DISTILL_BLAS_CORETYPE=\(name): OpenBLAS's \(name) kernels use \(String(cString: lacking)), "
            + "which this CPU lacks; they would stop with an illegal instruction"
    }

    /// Loads the BLAS, returning a one-line reason when it cannot be used.
    public static func load() -> String? {
        var message = [CChar](repeating: 0, count: 512)
        let status = message.withUnsafeMutableBufferPointer { distill_blas_load($0.baseAddress, Int32($0.count)) }
        return status == 0 ? nil : String(cString: message)
    }
}

extension NDArray {
    /// Matrix product of 2-D arrays, optionally transposing either operand.
    ///
    ///     result = op(self) · op(other),  op(self): [m, k], op(other): [k, n]
    public func matmul(_ other: NDArray, transposeSelf: Bool = false, transposeOther: Bool = false) -> NDArray {
        precondition(
            rank == 2 && other.rank == 2,
            "matmul: expects 2-D operands, got \(shape) and \(other.shape)")
        let m = transposeSelf ? shape[1] : shape[0]
        let k = transposeSelf ? shape[0] : shape[1]
        let k2 = transposeOther ? other.shape[1] : other.shape[0]
        let n = transposeOther ? other.shape[0] : other.shape[1]
        precondition(
            k == k2,
            "matmul: inner dimensions differ for \(shape)\(transposeSelf ? "ᵀ" : "") · \(other.shape)\(transposeOther ? "ᵀ" : "")")
        if k == 0 { return NDArray(zeros: [m, n]) }
        return NDArray(shape: [m, n]) { c in
            withUnsafeBufferPointer { a in
                other.withUnsafeBufferPointer { b in
                    BLAS.sgemm(
                        transposeA: transposeSelf, transposeB: transposeOther, m: m, n: n, k: k,
                        a: a.baseAddress!, lda: shape[1], b: b.baseAddress!, ldb: other.shape[1],
                        c: c.baseAddress!, ldc: n)
                }
            }
        }
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

/// What decides the engine's floating-point results besides the program and
/// its inputs: the vector kernel set, the convolution algorithm and the BLAS
/// with its kernels (not the thread count: work is split by problem size).
/// Runs that agree on it compute the same bits; runs that differ agree within
/// float32 rounding per op, which a long training can amplify.
public enum Numerics {
    /// For example "avx2 kernels, precise convolution, OpenBLAS 0.3.21 … (Zen kernels)".
    public static var description: String {
        "\(VectorKernels.active.variableValue) kernels, \(ConvolutionAlgorithm.active.rawValue) convolution, \(BLAS.description)"
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor

/// Why the benchmarks cannot run.
public enum BenchError: Error, CustomStringConvertible, Equatable {
    /// The BLAS library could not be loaded; the payload says how to install it.
    case blasUnavailable(String)
    /// A repeat count below 1 was asked for.
    case invalidRepeats(Int)
    /// `--only` named a workload that does not exist.
    case unknownWorkload(String, known: [String])

    public var description: String {
        switch self {
        case let .blasUnavailable(reason): return "bench: \(reason)"
        case let .invalidRepeats(count): return "bench: --repeats is \(count); it must be at least 1"
        case let .unknownWorkload(name, known):
            return "bench: no workload named '\(name)'; choose from \(known.joined(separator: ", "))"
        }
    }
}

/// The workloads behind `distill bench`.
public enum BenchSuite {
    /// Every standard workload, in report order: the kernels, then the
    /// distillation workloads that `Scripts/bench-vs-pytorch` compares with PyTorch.
    public static var workloads: [Workload] {
        [
            sgemm(size: 2048), conv3x3FwdBwd(), stepForwardBackward(), gradientMatchingStep(imagesPerClass: 1),
            evaluationTraining(), testForward(), gradientMatchingStep(imagesPerClass: 10, measuresPeakMemory: true),
        ]
    }

    /// The standard workloads whose names are in `names`, in report order.
    /// - Throws: `BenchError.unknownWorkload` for a name that is not one.
    public static func workloads(named names: [String]) throws -> [Workload] {
        let all = workloads
        for name in names where !all.contains(where: { $0.name == name }) {
            throw BenchError.unknownWorkload(name, known: all.map(\.name))
        }
        return all.filter { names.contains($0.name) }
    }

    /// Measures `workloads` after checking that the BLAS loads.
    ///
    /// - Parameters:
    ///   - repeats: timed runs per workload (the median is reported), at least 1.
    ///   - progress: receives a status line before each run.
    /// - Throws: `BenchError.blasUnavailable`, `BenchError.invalidRepeats`.
    public static func run(
        _ workloads: [Workload] = workloads, repeats: Int, progress: (String) -> Void = { _ in }
    ) throws -> BenchReport {
        guard repeats >= 1 else { throw BenchError.invalidRepeats(repeats) }
        if let reason = BLAS.load() { throw BenchError.blasUnavailable(reason) }
        let measurements = workloads.map { $0.measure(repeats: repeats, progress: progress) }
        return BenchReport(
            measurements: measurements, blas: BLAS.description, threads: Parallel.coreCount, repeats: repeats)
    }

    /// `C = A · B` for square `size × size` matrices through `BLAS.sgemm`.
    ///
    ///     FLOPs = 2 · size³
    public static func sgemm(size: Int) -> Workload {
        Workload(
            name: "sgemm", sizes: ["m": size, "n": size, "k": size], flops: 2 * pow3(size)
        ) {
            var generator = SeededGenerator(seed: 1)
            let a = NDArray.uniform(shape: [size, size], lower: -1, upper: 1, using: &generator)
            let b = NDArray.uniform(shape: [size, size], lower: -1, upper: 1, using: &generator)
            var c = NDArray(zeros: [size, size])
            return {
                a.withUnsafeBufferPointer { a in
                    b.withUnsafeBufferPointer { b in
                        c.withUnsafeMutableBufferPointer { c in
                            BLAS.sgemm(
                                transposeA: false, transposeB: false, m: size, n: size, k: size,
                                a: a.baseAddress!, lda: size, b: b.baseAddress!, ldb: size,
                                c: c.baseAddress!, ldc: size)
                        }
                    }
                }
            }
        }
    }

    /// Forward, input-gradient and weight-gradient kernels of one 3×3,
    /// padding-1 convolution layer, the bulk of a ConvNet training step.
    ///
    ///     FLOPs = 3 · 2 · N · H · W · C_out · C_in · 9
    public static func conv3x3FwdBwd(
        batch: Int = 256, channels: Int = 128, height: Int = 16, width: Int = 16
    ) -> Workload {
        let flops = 3 * 2 * Double(batch * height * width) * Double(channels * channels * 9)
        return Workload(
            name: "conv3x3_\(channels)_fwd_bwd",
            sizes: [
                "batch": batch, "in_channels": channels, "out_channels": channels,
                "height": height, "width": width, "kernel": 3, "stride": 1, "padding": 1,
            ],
            flops: flops
        ) {
            var generator = SeededGenerator(seed: 2)
            let x = NDArray.normal(shape: [batch, channels, height, width], using: &generator)
            let w = NDArray.normal(shape: [channels, channels, 3, 3], using: &generator).scaled(by: 0.03)
            let dy = NDArray.normal(shape: [batch, channels, height, width], using: &generator)
            return {
                let y = x.conv2d(weight: w, bias: nil, stride: 1, padding: 1)
                let dx = dy.conv2dBackwardInput(weight: w, inputShape: x.shape, stride: 1, padding: 1)
                let dw = x.conv2dBackwardWeight(outputGradient: dy, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1)
                withExtendedLifetime((y, dx, dw)) {}
            }
        }
    }

    private static func pow3(_ n: Int) -> Double { Double(n) * Double(n) * Double(n) }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import ArgumentParser
import DistillBench
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure throughput of the engine's hot paths.",
        discussion: """
            Reports the median over --repeats timed runs (after one warm-up) of each workload, \
            with the BLAS in use and the thread count: SGEMM 2048³; a 3×3 128→128 convolution's \
            forward and both backward kernels on a 256×128×16×16 batch; and the four workloads of \
            the PyTorch reference on the DC ConvNet with Fashion-MNIST shapes (forward+backward of \
            256 images, one DC outer iteration at ipc 1, 300 training epochs on 10 images, a \
            forward pass over 10,000 images), plus the peak memory of a DC outer step at ipc 10.
            """)

    @Flag(help: "Print one JSON object on the last line instead of a table.")
    var json = false

    @Option(parsing: .unconditional, help: "Timed runs per workload; the median is reported.")
    var repeats = 5

    @Option(help: "Comma-separated workloads to run (default: all), e.g. step_fwd_bwd_256,test_10k.")
    var only: String?

    func validate() throws {
        try requirePositive(repeats, "--repeats")
        try requireAtMost(repeats, CountLimit.runs, "--repeats")
        // An empty entry would select nothing and print an empty table; unknown names are refused when the suite is built.
        if let names = commaSeparated(only) {
            if names.contains("") {
                throw ValidationError("--only is empty or lists an empty name; give comma-separated workloads such as step_fwd_bwd_256,test_10k")
            }
            if let twice = firstRepeated(in: names) { throw ValidationError("--only lists \(twice) twice; give each workload once") }
        }
    }

    func run() throws {
        let interactive = isatty(STDERR_FILENO) != 0
        let workloads = try commaSeparated(only).map { try BenchSuite.workloads(named: $0) }
            ?? BenchSuite.workloads
        let report = try BenchSuite.run(workloads, repeats: repeats) { status in
            // On a terminal, one line rewritten in place; in a log, one line per workload.
            if interactive {
                fputs("\r\u{1B}[2Kbench: \(status)", stderr)
            } else if status.hasSuffix("warm-up") {
                fputs("bench: \(status)\n", stderr)
            }
        }
        if interactive { fputs("\r\u{1B}[2K", stderr) }
        print(json ? report.json : report.table)
    }
}

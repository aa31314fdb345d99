// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import ArgumentParser
import DistillBench

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure throughput of the engine's hot paths.",
        discussion: """
            Reports the median over --repeats timed runs (after one warm-up) of each workload: \
            SGEMM 2048³ and a 3×3 128→128 convolution's forward and both backward kernels on a \
            256×128×16×16 batch, with the BLAS in use and the thread count.
            """)

    @Flag(help: "Print one JSON object on the last line instead of a table.")
    var json = false

    @Option(help: "Timed runs per workload; the median is reported.")
    var repeats = 5

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1 (got \(repeats))") }
    }

    func run() throws {
        let interactive = isatty(STDERR_FILENO) != 0
        let report = try BenchSuite.run(repeats: repeats) { status in
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

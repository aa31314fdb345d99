// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import ArgumentParser
import DistillBench

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Measure throughput of the engine's hot paths.")

    @Flag(help: "Print one JSON object on the last line instead of a table.")
    var json = false

    func run() throws {
        let report = BenchSuite.run()
        print(json ? report.json : report.table)
    }
}

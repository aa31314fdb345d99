// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation
import _DistillTestSupport

/// The built `distill` binary, run as a user runs it in a scratch directory,
/// with a generated dataset as its only data source.
struct DistillBinary {
    let data: TinyFashionMNIST
    /// The working directory of every run, inside the dataset's temporary root.
    let scratch: String

    init(data: TinyFashionMNIST) throws {
        self.data = data
        scratch = (data.root as NSString).appendingPathComponent("work")
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    }

    /// A path inside the scratch directory.
    func path(_ name: String) -> String { (scratch as NSString).appendingPathComponent(name) }

    /// Runs the binary in the scratch directory and waits for it.
    func run(_ arguments: [String]) throws -> DistillProcess.Result {
        let readsData = ["condense", "evaluate", "experiment", "train"].contains(arguments[0])
        return try DistillProcess.run(
            arguments + (readsData ? ["--data-dir", data.root] : []), environment: ["HOME": data.root],
            in: URL(fileURLWithPath: scratch))
    }
}

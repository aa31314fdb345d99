// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import ArgumentParser
import DistillCluster
import Foundation

/// A command that shares its work among the ranks of a `ProcessGroup`:
/// every rank runs it, rank 0 alone prints results and progress and writes files.
/// Other commands refuse to run under a launcher with more than one rank.
protocol DistributedCommand: ParsableCommand {
    func run(in group: any ProcessGroup) throws
}

extension DistributedCommand {
    /// A plain call (as the argument parser's own `main` makes): one process.
    func run() throws { try run(in: SingleProcess()) }
}

/// A test hook: `DISTILL_TEST_FAIL_RANK=R` makes rank R fail as its command
/// starts, while the other ranks go on into their work, so the tests can check
/// that one failing rank stops the whole job with one line. Not in `--help`.
enum FaultInjection {
    struct InjectedFault: Error, CustomStringConvertible {
        var description: String { "failed on purpose (DISTILL_TEST_FAIL_RANK)" }
    }

    static func failIfChosen(rank: Int, environment: [String: String]) throws {
        guard let chosen = environment["DISTILL_TEST_FAIL_RANK"], Int(chosen) == rank else { return }
        throw InjectedFault()
    }
}

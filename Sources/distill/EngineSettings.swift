// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor
import Foundation

/// The environment variables that choose how the engine computes, checked
/// once before any command runs: a value that cannot mean anything stops
/// the command with one line; a kernel set this CPU lacks falls back to the
/// best it has, with a notice.
enum EngineSettings {
    /// Problems that must stop the command, and notices to print, for `environment`.
    static func check(_ environment: [String: String]) -> (problems: [String], notices: [String]) {
        var problems: [String] = [], notices: [String] = []
        let kernels = VectorKernels.fromEnvironment(environment)
        if let notice = kernels.notice {
            if VectorKernels(name: environment["DISTILL_KERNELS"] ?? "") == nil { problems.append(notice) } else {
                notices.append(notice)
            }
        }
        if let notice = ConvolutionAlgorithm.fromEnvironment(environment).notice { problems.append(notice) }
        if let problem = Parallel.threadVariableProblem(environment["DISTILL_THREADS"]) { problems.append(problem) }
        return (problems, notices)
    }
}

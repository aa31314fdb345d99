// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor
import Foundation

/// The environment variables that choose how the engine computes, checked
/// once before any command runs: a value that cannot mean anything stops
/// the command with one line; a kernel set this CPU lacks falls back to the
/// best it has, with a notice.
enum EngineSettings {
    /// OpenBLAS's x86-64 core types (its DYNAMIC_ARCH names, matched without
    /// case as OpenBLAS matches them). For any other name OpenBLAS prints a
    /// warning of its own and picks the kernels itself, so a typo would
    /// silently change the kernels.
    static let blasCoreTypes = [
        "Katmai", "Coppermine", "Northwood", "Prescott", "Banias", "Atom", "Core2", "Penryn", "Dunnington", "Nehalem",
        "Athlon", "Opteron", "Opteron_SSE3", "Barcelona", "Nano", "Sandybridge", "Bulldozer", "Piledriver", "Haswell",
        "Steamroller", "Excavator", "Zen", "SkylakeX", "Cooperlake", "SapphireRapids",
    ]

    /// Problems that must stop the command, and notices to print, for `environment`.
    static func check(_ environment: [String: String]) -> (problems: [String], notices: [String]) {
        var problems: [String] = [], notices: [String] = []
        /// The problem with `variable` when it is set to none of `accepted`.
        func unknownValue(_ variable: String, _ accepted: [String]) -> String? {
            guard let value = environment[variable], !value.isEmpty,
                !accepted.contains(where: { $0.caseInsensitiveCompare(value) == .orderedSame })
            else { return nil }
            return "\(variable)=\(value) is not one of \(accepted.joined(separator: ", "))"
        }
        // Only a known kernel set falls back (with a notice) when this CPU lacks it.
        if let problem = unknownValue("DISTILL_KERNELS", VectorKernels.allCases.map(\.variableValue)) {
            problems.append(problem)
        } else if let notice = VectorKernels.fromEnvironment(environment).notice {
            notices.append(notice)
        }
        let choices = [
            ("DISTILL_CONV_ALGORITHM", ConvolutionAlgorithm.allCases.map(\.rawValue)),
            ("DISTILL_SMALL_SGEMM", ["0", "1"]), ("DISTILL_BLAS_CORETYPE", blasCoreTypes),
        ]
        problems += choices.compactMap { unknownValue($0, $1) }
        // A known name may still need instructions this CPU lacks, or be one this
        // OpenBLAS was not built with (found only by loading it).
        if let coreType = environment["DISTILL_BLAS_CORETYPE"], !coreType.isEmpty, problems.isEmpty,
            let reason = BLAS.coreTypeProblem(coreType) ?? BLAS.load() {
            problems.append(reason)
        }
        if let problem = Parallel.threadVariableProblem(environment["DISTILL_THREADS"]) { problems.append(problem) }
        return (problems, notices)
    }
}

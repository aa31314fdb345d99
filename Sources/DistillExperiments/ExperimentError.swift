// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData
import DistillMethods
import DistillZoo
import Foundation

/// Why an experiment is refused before (or while) it runs.
public enum ExperimentError: Error, CustomStringConvertible, LocalizedError, Equatable {
    /// A dataset name that is not one of `DatasetKind`'s.
    case unknownDataset(String)
    /// A comma-separated list option that does not hold integers.
    case malformedList(option: String, value: String)
    /// An `--ipc` list that is empty or holds a count below 1.
    case invalidImagesPerClass([Int])
    /// An `--iterations` list that is empty, holds a count below 1, or does not strictly increase.
    case iterationsNotIncreasing([Int])
    /// A setting outside its range, e.g. `--num-eval 0`.
    case invalidSetting(name: String, value: String, requirement: String)
    /// An evaluation architecture that is neither a zoo name nor a ConvNet spec.
    case unknownArchitecture(String, suggestions: [String])
    /// A run directory that holds a condensation made with other settings.
    case conflictingRun(directory: String, reason: String)
    /// A file of a run directory that distill wrote but can no longer read (truncated, edited).
    case unreadableRunFile(path: String, reason: String)
    /// An experiment directory whose `results.json` another experiment (or something else) wrote.
    case otherExperiment(directory: String, experiment: String, holds: String)
    /// An ipc for which gradient matching (DC, DSA) has no published loops;
    /// experiments use the published ones, so they cannot run it.
    case unpublishedLoops(imagesPerClass: Int)

    public var description: String {
        switch self {
        case let .unknownDataset(name):
            return "unknown dataset '\(name)'; use one of \(DatasetKind.allCases.map(\.name).joined(separator: ", "))"
        case let .malformedList(option, value):
            return "\(option) '\(value)' is not a comma-separated list of integers; write it like \(option) 1,10"
        case let .invalidImagesPerClass(list):
            return list.isEmpty
                ? "--ipc is empty; give one or more images-per-class counts, e.g. --ipc 1,10"
                : "--ipc \(Self.join(list)) holds a count below 1; every images-per-class count must be ≥ 1"
        case let .iterationsNotIncreasing(list):
            return list.isEmpty
                ? "--iterations is empty; give one or more iteration counts, e.g. --iterations 1000,2000,3000"
                : "--iterations \(Self.join(list)) must be positive and strictly increasing, e.g. 1000,2000,3000"
        case let .invalidSetting(name, value, requirement):
            return "\(name) \(value) is not valid: \(requirement)"
        case let .unknownArchitecture(name, suggestions):
            let hint = suggestions.isEmpty
                ? "known networks: \(Zoo.names.joined(separator: ", "))"
                : "did you mean \(suggestions.joined(separator: ", "))?"
            return "unknown evaluation architecture '\(name)'; \(hint)"
        case let .conflictingRun(directory, reason):
            return "\(directory) holds a condensation made with other settings (\(reason)); "
                + "use another --out directory or remove it"
        case let .unreadableRunFile(path, reason):
            return "\(path) cannot be read: \(reason); remove its run directory or use another --out directory"
        case let .otherExperiment(directory, experiment, holds):
            return "\(directory) holds \(holds), which `distill experiment \(experiment)` would replace; use another --out directory"
        case let .unpublishedLoops(ipc):
            return "--ipc \(ipc): experiments run DC and DSA with their published loops, which exist only for ipc "
                + Self.join(GradientMatchingConfiguration.publishedLoops.keys.sorted())
                + "; use one of those, or `distill condense --outer-loop N --inner-loop M` for another ipc"
        }
    }

    public var errorDescription: String? { description }

    private static func join(_ list: [Int]) -> String { list.map(String.init).joined(separator: ",") }

    /// Refuses an evaluation architecture that is not a zoo name, or a ConvNet spec the zoo refuses
    /// (with the zoo's reason, not as an unknown name).
    static func checkArchitecture(_ architecture: String) throws {
        do {
            try Zoo.checkName(architecture)
        } catch ZooError.unknownNetwork(_, let suggestions) {
            throw ExperimentError.unknownArchitecture(architecture, suggestions: suggestions)
        }
    }
}

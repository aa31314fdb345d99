// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation

/// The end-to-end experiments, which write the same three files (`table.md`,
/// `results.json`, `report.html`) into their directory.
enum ExperimentKind: String {
    case modelPool = "model-pool"
    case generalization

    /// The top-level key of `results.json` that only this experiment writes.
    private var resultsKey: String {
        switch self {
        case .modelPool: return "experiment"
        case .generalization: return "study"
        }
    }

    /// Refuses a directory whose `results.json` this experiment did not write:
    /// running it there would replace another experiment's table, results and report.
    /// - Throws: `ExperimentError.otherExperiment`.
    func checkNoOtherResults(in directory: String) throws {
        let path = (directory as NSString).appendingPathComponent("results.json")
        guard let data = FileManager.default.contents(atPath: path) else { return }
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        guard object[resultsKey] == nil else { return }
        let other = [Self.modelPool, .generalization].first { object[$0.resultsKey] != nil }
        let holds = other.map { "the results of `distill experiment \($0.rawValue)`" } ?? "a results.json that no distill experiment wrote"
        throw ExperimentError.otherExperiment(directory: directory, experiment: rawValue, holds: holds)
    }
}

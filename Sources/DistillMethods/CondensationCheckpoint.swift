// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation

/// The settings a condensation run was made with, recorded in its checkpoint
/// so that `--resume` continues only the same run: option name → value as text.
///
/// The iteration count is not among them: a run may be resumed to go further.
public struct RunSettings: Sendable, Equatable, Codable {
    public var values: [String: String]

    public init(_ values: [String: String]) {
        self.values = values
    }

    /// The settings of a run: dataset, method, seed, the pool's adaptation and step
    /// scaling (`none` without), and every field of the method's resolved configuration
    /// (`configurationJSON`, defaults filled in) but its iteration count, named by their
    /// command-line options where they have one.
    public init(
        dataset: String, method: String, seed: UInt64, configurationJSON: String,
        poolAdaptation: PoolAdaptation? = nil, poolStepScaling: PoolStepScaling? = nil
    ) {
        var values = [
            "--dataset": dataset, "--method": method, "--seed": String(seed),
            "--pool-adapt": poolAdaptation?.description ?? "none", "--pool-step": poolStepScaling?.description ?? "none",
        ]
        let object = (try? JSONSerialization.jsonObject(with: Data(configurationJSON.utf8))) as? [String: Any] ?? [:]
        for (key, value) in object where key != "iterations" {
            values[Self.optionNames[key] ?? key] = Self.text(value)
        }
        self.init(values)
    }

    /// One entry per setting that differs, `--lr-img 0.5 (checkpoint: 0.1)`, dataset and method first.
    /// Settings only one side has come with a different method, which is named. A setting of
    /// this run that a checkpoint of the same method lacks differs too (`not recorded`: the
    /// file is damaged), unless versions before 2026-12-06 did not record it (`--pool-adapt`,
    /// `--pool-step`), whose state `CondensationState.problem` still checks against the run.
    public func differences(from recorded: RunSettings) -> [String] {
        let first = ["--dataset", "--method"]
        // Without a recorded method, every setting of this run is looked for.
        let sameMethod = recorded.values["--method"].map { $0 == values["--method"] } ?? true
        let names = Set(values.keys).filter { recorded.values[$0] != nil || (sameMethod && !Self.recordedSince20261206.contains($0)) }
        return names.sorted { a, b in
            (first.firstIndex(of: a) ?? first.count, a) < (first.firstIndex(of: b) ?? first.count, b)
        }.compactMap { name in
            guard let now = values[name], now != recorded.values[name] else { return nil }
            return "\(name) \(now) (checkpoint: \(recorded.values[name] ?? "not recorded"))"
        }
    }

    /// Settings that checkpoints of earlier versions do not record.
    private static let recordedSince20261206: Set = ["--pool-adapt", "--pool-step"]

    public init(from decoder: Decoder) throws {
        values = try decoder.singleValueContainer().decode([String: String].self)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }

    private static let optionNames = [
        "imagesPerClass": "--ipc", "outerLoop": "--outer-loop", "innerLoop": "--inner-loop",
        "learningRateImage": "--lr-img", "learningRateNetwork": "--lr-net", "batchReal": "--batch-real",
        "distance": "--distance", "pool": "--pool", "augmentation": "--dsa-strategy",
        "initialization": "--initialization",
    ]

    private static func text(_ value: Any) -> String {
        if let string = value as? String { return string }
        if let number = value as? NSNumber { return number.stringValue }
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
        else { return "\(value)" }
        return String(decoding: data, as: UTF8.self)
    }
}

/// `checkpoint.json`: the state's fields, plus `settings` (absent in checkpoints of earlier versions).
struct CheckpointFile: Codable {
    var state: CondensationState
    var settings: RunSettings?

    private enum CodingKeys: String, CodingKey { case settings }

    init(state: CondensationState, settings: RunSettings?) {
        self.state = state
        self.settings = settings
    }

    init(from decoder: Decoder) throws {
        state = try CondensationState(from: decoder)
        settings = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(RunSettings.self, forKey: .settings)
    }

    func encode(to encoder: Encoder) throws {
        try state.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(settings, forKey: .settings)
    }
}

extension CondensationState {
    /// Why this decoded state cannot be continued by a run of `iterations` iterations whose images
    /// `optimizer` updates, with `pool`, or nil when it can. After its first iteration a run's state holds a momentum buffer (momentum
    /// above 0), an adaptive pool's learned state and, with step scaling, the main model's step sizes;
    /// one that lacks them, or holds what its run does not use, is damaged or from another run.
    func problem(iterations: Int, optimizer run: ImageOptimizer, pool: ModelPool, outerLoop: Int) -> String? {
        if iteration < 0 { return "iteration \(iteration) is negative" }
        if iteration > iterations {
            return "it is at iteration \(iteration), past this run's \(iterations) iterations (raise --iterations)"
        }
        let rate = optimizer.learningRate
        if !rate.isFinite || rate <= 0 { return "the image learning rate \(rate) is not a finite positive number" }
        let momentum = optimizer.momentum
        if !(momentum >= 0 && momentum < 1) { return "the image momentum \(momentum) is not in [0, 1)" }
        // The recorded settings name the run's rate; the state's copy, which the updates use, must be that one.
        if rate != run.learningRate { return "the image learning rate \(rate) is not the run's --lr-img \(run.learningRate)" }
        if momentum != run.momentum { return "the image momentum \(momentum) is not the run's \(run.momentum)" }
        if let buffer = optimizer.momentumBuffer, buffer.shape != synthetic.images.shape {
            return "its momentum buffer has shape \(buffer.shape), its images \(synthetic.images.shape)"
        }
        if iteration > 0, momentum > 0, optimizer.momentumBuffer == nil {
            return "it lacks the momentum buffer a run has after its first iteration"
        }
        if !synthetic.images.scalars.allSatisfy(\.isFinite) { return "its images hold non-finite values" }
        if iteration > 0, (pool.adaptation != nil) != (poolAdaptation != nil) {
            return pool.adaptation != nil
                ? "it lacks the pool adaptation state a --pool-adapt run has after its first iteration"
                : "it holds a pool adaptation state, but this run has no --pool-adapt"
        }
        if iteration > 0, (pool.stepScaling != nil) != (mainStepNorms != nil) {
            return pool.stepScaling != nil
                ? "it lacks the main-model step sizes (mainStepNorms) a --pool-step run has after its first iteration"
                : "it holds main-model step sizes (mainStepNorms), but this run has no --pool-step"
        }
        let poolMembers = pool.members.count
        if let adaptation = poolAdaptation {
            if adaptation.referenceLosses.count != poolMembers || adaptation.averageRatios.count != poolMembers {
                return "its pool adaptation has \(adaptation.referenceLosses.count) reference losses and "
                    + "\(adaptation.averageRatios.count) average ratios for a pool of \(poolMembers) members"
            }
            let values = adaptation.averageRatios + adaptation.referenceLosses.compactMap { $0 }
            if !values.allSatisfy({ $0.isFinite && $0 > 0 }) { return "its pool adaptation holds values that are not finite and positive" }
        }
        if let norms = mainStepNorms {
            if norms.count != outerLoop { return "it holds \(norms.count) main-model step sizes for \(outerLoop) outer steps" }
            if !norms.allSatisfy({ $0.isFinite && $0 >= 0 }) { return "its main-model step sizes are not finite and non-negative" }
            // A norm of float gradients over these images is at most √n · Float.greatestFiniteMagnitude.
            let largest = Double(Float.greatestFiniteMagnitude) * Double(synthetic.images.scalars.count).squareRoot()
            if let norm = norms.first(where: { $0 > largest }) {
                return "its main-model step size \(norm) is larger than any norm of a float gradient of its images"
            }
        }
        return nil
    }
}

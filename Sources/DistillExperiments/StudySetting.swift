// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillEval
import DistillMethods
import Foundation

/// One row of the generalisation study: how a set is condensed and how it is evaluated,
/// written as `METHOD[+pool=POOL][+adapt=RULE][+step=main][+iterations=N][+protocol=dc|dsa][+kd|+teacher=FILE]`, e.g.
///
///     dc                       DC through ConvNet alone, 1000 iterations
///     dc+pool=paper+kd         DC through the paper's pool, evaluated with KD from a ConvNet trained on the set
///     dc+pool=total-random+adapt=loss
///     dc+pool=main-model+step=main    every member's image step scaled to ConvNet's (`PoolStepScaling`)
///     dm+pool=paper+iterations=2000
///     dc+teacher=convnet.safetensors   KD from a teacher trained on the real training set (`distill train --save`)
///     dc+protocol=dsa          the DC set evaluated with DSA's protocol (DSA augmentation, 1000 epochs)
///
/// Settings that differ only in `+protocol`, `+kd` or `+teacher` share one condensation.
public struct StudySetting: Sendable, Codable, Equatable, CustomStringConvertible {
    /// `dc`, `dsa` or `dm`.
    public var method: String
    /// A pool preset or an `ARCH:P,…` list.
    public var pool: String
    /// A `PoolAdaptation` rule, nil for fixed probabilities.
    public var adapt: String?
    /// A `PoolStepScaling` rule, nil for one image learning rate.
    public var step: String?
    /// Condensation iterations; nil for the method's published count (DC/DSA 1000, DM 20,000).
    public var iterations: Int?
    /// Evaluate with knowledge distillation from a ConvNet trained on the synthetic set.
    public var knowledgeDistillation: Bool
    /// KD from the teacher in this file, trained on the real training set; such rows use real data at evaluation.
    public var teacherWeights: String?
    /// The evaluation protocol; nil for the one the papers use for the method (DSA's for DSA and DM).
    public var evaluationProtocol: EvaluationProtocol?

    public init(
        method: String, pool: String = "none", adapt: String? = nil, iterations: Int? = nil,
        knowledgeDistillation: Bool = false
    ) {
        self.method = method
        self.pool = pool
        self.adapt = adapt
        self.iterations = iterations
        self.knowledgeDistillation = knowledgeDistillation
    }

    /// Parses the written form, as given to `--settings`.
    /// - Throws: `ExperimentError.invalidSetting` naming the part that is wrong.
    public init(parsing text: String) throws {
        try self.init(parsing: text) { .invalidSetting(name: "--settings", value: "'\(text)'", requirement: $0) }
    }

    /// Parses one side of a `--compare` pair.
    /// - Throws: `ExperimentError.invalidSetting` naming the pair and the part that is wrong.
    init(parsing text: String, comparedIn pair: String) throws {
        try self.init(parsing: text) { .invalidSetting(name: "--compare", value: "'\(pair)'", requirement: "'\(text)': \($0)") }
    }

    private init(parsing text: String, refuse: (_ requirement: String) -> ExperimentError) throws {
        let parts = text.split(separator: "+", omittingEmptySubsequences: false).map(String.init)
        guard let method = parts.first, ["dc", "dsa", "dm"].contains(method) else {
            throw refuse("a setting starts with dc, dsa or dm, e.g. dc+pool=paper+kd")
        }
        self.init(method: method)
        // A part given twice would otherwise be settled silently by the last one.
        var given: Set<String> = []
        for part in parts.dropFirst() {
            let name = String(part.prefix { $0 != "=" })
            let afterTeacher = given.contains("teacher")
            guard given.insert(name).inserted else { throw refuse("'\(name)' is given twice") }
            if part == "kd" {
                knowledgeDistillation = true
                continue
            }
            let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            if pair.count == 2 && pair[1].isEmpty { throw refuse("'\(part)' gives no value") }
            guard pair.count == 2 else {
                // '+' separates the parts, so a part after a teacher's is most likely the rest of its path.
                let hint = afterTeacher ? "; a +teacher= path cannot hold '+' (link or rename the file)" : ""
                throw refuse("'\(part)' is not kd or NAME=VALUE\(hint)")
            }
            switch pair[0] {
            case "pool": pool = pair[1]
            case "adapt": adapt = pair[1]
            case "step": step = pair[1]
            case "teacher": teacherWeights = pair[1]
            case "protocol":
                guard let chosen = EvaluationProtocol(rawValue: pair[1]) else { throw refuse("protocol is dc or dsa") }
                evaluationProtocol = chosen
            case "iterations":
                guard let count = Int(pair[1]) else {
                    let digits = !pair[1].isEmpty && pair[1].allSatisfy(\.isASCII) && pair[1].allSatisfy(\.isNumber)
                    throw refuse(digits ? "iterations \(pair[1]) is too large" : "iterations must be a whole number ≥ 1")
                }
                guard count >= 1 else { throw refuse("iterations must be a whole number ≥ 1") }
                iterations = count
            default: throw refuse("unknown part '\(pair[0])' (pool, adapt, step, iterations, protocol, kd, teacher)")
            }
        }
        if knowledgeDistillation && teacherWeights != nil { throw refuse("+kd and +teacher= exclude each other") }
    }

    public var description: String { written(teacher: teacherWeights) }

    /// The setting with its defaults written out (the method's iteration count,
    /// evaluation protocol and adaptation parameters) and its pool in one
    /// spelling: two spellings of one setting, such as `dc` and `dc+protocol=dc`,
    /// or `+adapt=loss` and `+adapt=loss:beta=4`, have the same canonical form.
    public var canonical: String {
        var filled = self
        filled.iterations = iterationCount
        filled.evaluationProtocol = evaluationProtocol ?? EvaluationProtocol(forSetMadeBy: method)
        if let adapt, let parsed = try? PoolAdaptation(parsing: adapt) { filled.adapt = parsed.description }
        if let parsed = try? ModelPool(parsing: pool) { filled.pool = parsed.preset?.rawValue ?? parsed.description }
        return filled.description
    }

    /// The setting as tables, charts and captions show it: a teacher file by its
    /// name alone, since its path (given in the command line) can be as long as the table.
    public var label: String { written(teacher: teacherWeights.map { ($0 as NSString).lastPathComponent }) }

    private func written(teacher: String?) -> String {
        var text = method
        if pool != "none" { text += "+pool=\(pool)" }
        if let adapt { text += "+adapt=\(adapt)" }
        if let step { text += "+step=\(step)" }
        if let iterations { text += "+iterations=\(iterations)" }
        if let evaluationProtocol { text += "+protocol=\(evaluationProtocol.rawValue)" }
        if knowledgeDistillation { text += "+kd" }
        if let teacher { text += "+teacher=\(teacher)" }
        return text
    }

    /// The condensation's run directory inside the study directory: one per
    /// method, pool, adaptation, step scaling and iteration count, so `+kd` rows share it.
    public var condensationDirectory: String {
        var name = "\(method)-\(pool)"
        if let adapt { name += "-adapt-\(adapt)" }
        if let step { name += "-step-\(step)" }
        if let iterations { name += "-it\(iterations)" }
        return String(name.map { $0.isLetter || $0.isNumber || "-._=".contains($0) ? $0 : "_" })
    }

    /// Whether the evaluation uses a teacher, from the set or from real data.
    public var distilled: Bool { knowledgeDistillation || teacherWeights != nil }

    /// The KD settings of the evaluation, nil without KD.
    /// - Throws: the teacher file's errors.
    func distillation() throws -> DistillationSettings? {
        if let teacherWeights { return try DistillationSettings(teacherWeightsAt: teacherWeights) }
        return knowledgeDistillation ? DistillationSettings() : nil
    }

    /// The iterations the condensation runs.
    public var iterationCount: Int { iterations ?? CondensationRequest.defaultIterations(method: method) }

    /// The condensation request (iteration count and resume are set by `SnapshotCondensation`).
    func condensationRequest(study: GeneralizationStudy) -> CondensationRequest {
        CondensationRequest(
            dataset: study.dataset, method: method, imagesPerClass: study.imagesPerClass, pool: pool, poolAdapt: adapt,
            poolStep: step, batchReal: study.batchReal, seed: study.seed)
    }
}

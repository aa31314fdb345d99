// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor
import DistillZoo
import Foundation

/// The architectures a distillation method draws its networks from, with their probabilities.
///
/// Wherever a single-architecture method initialises a fresh network, a pool
/// method first samples an architecture from the pool, then initialises it
/// freshly (the model-pool method of Zhou et al., "Improve Cross-Architecture
/// Generalization on Dataset Distillation"). The first member is the *main
/// model*: the only architecture used during the first `warmup` iterations.
///
/// An architecture is a zoo name (`ConvNet`, `ConvNetBN`, `VGG11`, …) or a
/// ConvNet spec string (`ConvNet(act=swish,norm=groupnorm)`). The string form
/// (`description`) lists `architecture:probability` pairs separated by commas:
///
///     ConvNet:0.9,ConvNetBN:0.05,ConvNet(act=swish,norm=groupnorm):0.05
///
/// Invariants (checked by every initialiser): at least one member, every
/// architecture known, every probability in (0, 1], probabilities summing to
/// 1 within 1e-6, no architecture listed twice (in a custom list, not even
/// under two spellings of the same network, such as `ConvNet` and `ConvNet(width=128)`).
public struct ModelPool: Sendable, Equatable, Codable, CustomStringConvertible {
    /// One architecture and the probability of drawing it.
    public struct Member: Sendable, Equatable, Codable {
        /// A zoo name or a ConvNet spec string, as `Zoo.make(name:…)` accepts it.
        public var architecture: String
        /// In (0, 1].
        public var probability: Double

        public init(architecture: String, probability: Double) {
            self.architecture = architecture
            self.probability = probability
        }
    }

    /// The published pool settings (model-pool paper, CIFAR-10).
    public enum Preset: String, CaseIterable, Sendable, Codable {
        /// The main model alone: the single-architecture method.
        case none
        /// Main model 0.9; with total probability 0.1 a ConvNet of width 128 and depth 3 whose
        /// activation × normalisation × pooling is uniform over {relu, sigmoid, leakyrelu, swish} ×
        /// {instancenorm, batchnorm, layernorm, groupnorm} × {avgpooling, maxpooling} (32 variants).
        case paper
        /// Main model 0.9; LeNet, AlexNet and VGG11 0.1/3 each.
        case mainModel = "main-model"
        /// Main model, LeNet, AlexNet and VGG11 at 0.25 each.
        case totalRandom = "total-random"
    }

    /// The members in order; `members[0]` is the main model.
    public let members: [Member]
    /// Iterations (from 0) during which only the main model is drawn; 0 disables the warm-up.
    public let warmup: Int
    /// The preset this pool was built from, nil for a custom list.
    public let preset: Preset?
    /// How the probabilities change during a run; nil keeps them fixed.
    public var adaptation: PoolAdaptation?
    /// How the image step depends on the member drawn (gradient matching); nil is one learning rate for all.
    public var stepScaling: PoolStepScaling?

    /// A pool of `members`, the first being the main model.
    ///
    /// - Parameters:
    ///   - members: architectures with probabilities.
    ///   - warmup: iterations of main model only, ≥ 0.
    /// - Throws: `PoolError` when the list breaks an invariant.
    public init(members: [Member], warmup: Int = 0) throws {
        try self.init(members: members, warmup: warmup, preset: nil)
    }

    /// One of the published pools around a main model.
    ///
    /// - Parameters:
    ///   - preset: the pool setting.
    ///   - mainModel: the distillation architecture, which takes the place of
    ///     `ConvNet` in every preset (the variants of `paper` stay width-128,
    ///     depth-3 ConvNets).
    ///   - warmup: iterations of main model only, ≥ 0 (the paper's code uses 500).
    /// - Throws: `PoolError` when `mainModel` is unknown or also one of the preset's other members.
    public init(preset: Preset, mainModel: String = "ConvNet", warmup: Int = 0) throws {
        let main = Member(architecture: mainModel, probability: preset == .totalRandom ? 0.25 : 0.9)
        var others: [Member]
        switch preset {
        case .none:
            try self.init(members: [Member(architecture: mainModel, probability: 1)], warmup: warmup, preset: preset)
            return
        case .paper:
            var variants: [String] = []
            for activation in [Activation.relu, .sigmoid, .leakyrelu, .swish] {
                for normalization in [Normalization.instancenorm, .batchnorm, .layernorm, .groupnorm] {
                    for pooling in [Pooling.avgpooling, .maxpooling] {
                        let spec = ConvNetSpec(
                            width: 128, depth: 3, activation: activation, normalization: normalization,
                            pooling: pooling)
                        variants.append(spec.description)
                    }
                }
            }
            others = variants.map { Member(architecture: $0, probability: 0.1 / Double(variants.count)) }
        case .mainModel:
            others = ["LeNet", "AlexNet", "VGG11"].map { Member(architecture: $0, probability: 0.1 / 3) }
        case .totalRandom:
            others = ["LeNet", "AlexNet", "VGG11"].map { Member(architecture: $0, probability: 0.25) }
        }
        try self.init(members: [main] + others, warmup: warmup, preset: preset)
    }

    init(members: [Member], warmup: Int, preset: Preset?) throws {
        guard !members.isEmpty else { throw PoolError.empty }
        guard warmup >= 0 else { throw PoolError.negativeWarmup(warmup) }
        var seen = Set<String>()
        var spellings: [String: String] = [:]
        for member in members {
            try Self.checkArchitecture(member.architecture)
            try Self.checkProbability(member.probability, of: member.architecture, written: "\(member.probability)")
            guard seen.insert(member.architecture).inserted else {
                throw PoolError.duplicateArchitecture(member.architecture)
            }
            // Only a custom list: the paper's preset lists its main model ConvNet
            // again as one of its 32 variants, as the paper's code does.
            guard preset == nil else { continue }
            let canonical = try Zoo.canonicalName(member.architecture)
            if let first = spellings.updateValue(member.architecture, forKey: canonical) {
                throw PoolError.sameArchitecture(first, member.architecture, canonical: canonical)
            }
        }
        let total = members.reduce(0) { $0 + $1.probability }
        guard abs(total - 1) <= 1e-6 else { throw PoolError.probabilitiesDoNotSumToOne(total) }
        self.members = members
        self.warmup = warmup
        self.preset = preset
    }

    /// The main model's architecture (the first member).
    public var mainModel: String { members[0].architecture }

    /// The architectures in order.
    public var architectures: [String] { members.map(\.architecture) }

    /// The architecture for iteration `iteration`: the main model during the
    /// warm-up, otherwise a draw with the members' probabilities.
    ///
    /// One 53-bit uniform is consumed on every call, warm-up included, so
    /// the draws after the warm-up do not depend on its length.
    public func sample(iteration: Int, using generator: inout SeededGenerator) -> String {
        architectures[sampleIndex(iteration: iteration, probabilities: members.map(\.probability), using: &generator)]
    }

    /// The member drawn for iteration `iteration` with `probabilities` (one per
    /// member, summing to 1) in place of the configured ones, as an adaptive
    /// pool draws; the warm-up and the draw itself are as in `sample(iteration:using:)`.
    public func sampleIndex(iteration: Int, probabilities: [Double], using generator: inout SeededGenerator) -> Int {
        precondition(probabilities.count == members.count, "ModelPool: \(probabilities.count) probabilities for \(members.count) members")
        let u = Double(generator.next() >> 11) * 0x1p-53
        if iteration < warmup { return 0 }
        var cumulative = 0.0
        for (index, probability) in probabilities.enumerated() {
            cumulative += probability
            if u < cumulative { return index }
        }
        // Rounding can leave the sum a hair below 1.
        return members.count - 1
    }

    /// This iteration's draw probabilities: the configured ones, or the adapted ones under `adaptation`.
    public func probabilities(adapted state: PoolAdaptationState?) -> [Double] {
        let configured = members.map(\.probability)
        return adaptation?.probabilities(configured: configured, state: state) ?? configured
    }

    /// The parseable string form, `architecture:probability` pairs joined by commas.
    public var description: String {
        members.map { "\($0.architecture):\(Self.format($0.probability))" }.joined(separator: ",")
    }

    /// A multi-line listing for people: the preset, the warm-up and one member per line with its percentage.
    public var summary: String {
        var lines = ["model pool \(preset?.rawValue ?? "custom") (\(members.count) members, main model \(mainModel))"]
        if warmup > 0 { lines.append("  warm-up: main model only for the first \(warmup) iterations") }
        if let adaptation { lines.append("  adaptive: \(adaptation) (the percentages below are the starting ones)") }
        if let stepScaling { lines.append("  image steps: every member's scaled to the \(stepScaling) model's") }
        for member in members {
            let percent = String(format: "%7.3f%%", member.probability * 100)
            lines.append("  \(percent)  \(member.architecture)")
        }
        return lines.joined(separator: "\n")
    }

    /// A probability or sum with six significant digits, so 0.9 + 0.05 reads 0.95.
    static func format(_ value: Double) -> String {
        String(format: "%.6g", value)
    }

    /// Checks that `architecture` names a zoo network or is a valid ConvNet spec.
    static func checkArchitecture(_ architecture: String) throws {
        do {
            try Zoo.checkName(architecture)
        } catch ZooError.unknownNetwork(_, let suggestions) {
            throw PoolError.unknownArchitecture(architecture, suggestions: suggestions)
        } catch let error as ZooError {
            throw PoolError.malformedArchitecture(architecture: architecture, reason: error.description)
        }
    }

    /// Refuses a probability outside (0, 1], quoting it as `written` (as typed, so that
    /// 1.0000005 is not shown rounded to an allowed 1).
    static func checkProbability(_ probability: Double, of architecture: String, written: String) throws {
        guard probability > 0, probability <= 1 else {
            throw PoolError.probabilityOutOfRange(architecture: architecture, probability: written)
        }
    }
}

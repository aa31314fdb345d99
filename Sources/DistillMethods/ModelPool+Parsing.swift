// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor
import DistillZoo
import Foundation

/// Why a model pool is refused.
public enum PoolError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// The pool has no member.
    case empty
    /// An architecture that is neither a zoo name nor a ConvNet spec; `suggestions` lists close names.
    case unknownArchitecture(String, suggestions: [String])
    /// A ConvNet spec string that does not parse.
    case malformedArchitecture(architecture: String, reason: String)
    /// A probability outside (0, 1], as typed.
    case probabilityOutOfRange(architecture: String, probability: String)
    /// The probabilities do not sum to 1 (within 1e-6).
    case probabilitiesDoNotSumToOne(Double)
    /// The same architecture string appears twice.
    case duplicateArchitecture(String)
    /// Two spellings of the same network (`canonical`) in a custom list.
    case sameArchitecture(String, String, canonical: String)
    /// A list entry that is not `architecture:probability`.
    case malformedEntry(entry: String, reason: String)
    /// A negative warm-up length.
    case negativeWarmup(Int)
    /// Distribution matching needs an embedding, which this member lacks.
    case memberWithoutEmbedding(String)
    /// A `--pool-adapt` value that does not parse or is out of range.
    case malformedAdaptation(String, reason: String)
    /// A `--pool-step` value that is not a rule, or one given for a pool of one member.
    case malformedStepScaling(String, reason: String)

    public var description: String {
        switch self {
        case .empty:
            return "the model pool is empty; give at least one architecture:probability pair or a preset "
                + "(\(ModelPool.Preset.allCases.map(\.rawValue).joined(separator: ", ")))"
        case .unknownArchitecture(let name, let suggestions):
            let hint =
                suggestions.isEmpty
                ? "known networks: \(Zoo.names.joined(separator: ", "))"
                : "did you mean \(suggestions.joined(separator: ", "))?"
            return "unknown pool architecture '\(name)'; \(hint) (or a spec like \(ConvNetSpec()))"
        case .malformedArchitecture(let architecture, let reason):
            return "pool architecture '\(architecture)' is not valid: \(reason)"
        case .probabilityOutOfRange(let architecture, let probability):
            return "pool probability \(probability) of '\(architecture)' is outside (0, 1]; "
                + "give each member a probability above 0 and at most 1"
        case .probabilitiesDoNotSumToOne(let total):
            // Seven digits: a sum off by more than the 1e-6 allowed never reads 1.
            return "pool probabilities sum to \(String(format: "%.7g", total)); they must sum to 1"
        case .duplicateArchitecture(let architecture):
            return "pool architecture '\(architecture)' is listed twice; list each once with its total probability"
        case .sameArchitecture(let first, let second, let canonical):
            return "pool architectures '\(first)' and '\(second)' are the same network (\(canonical)); "
                + "list it once with its total probability"
        case .malformedEntry(let entry, let reason):
            return "cannot read pool entry '\(entry)': \(reason); write entries like ConvNet:0.9,ConvNetBN:0.1"
        case .negativeWarmup(let warmup):
            return "pool warm-up \(warmup) is negative; give 0 (no warm-up) or a positive iteration count"
        case .memberWithoutEmbedding(let architecture):
            return "pool architecture '\(architecture)' has no embedding, which distribution matching needs; "
                + "use ConvNet variants, AlexNet, VGG11 or ResNet18 variants (not MLP or LeNet)"
        case .malformedAdaptation(let text, let reason):
            return "--pool-adapt '\(text)': \(reason) (for example 'loss' or 'loss:beta=4,rate=0.2,floor=0.2')"
        case .malformedStepScaling(let text, let reason):
            return "--pool-step '\(text)': \(reason)"
        }
    }

    public var errorDescription: String? { description }
}

extension ModelPool {
    /// Parses a preset name or an `architecture:probability` list.
    ///
    /// Entries are separated by commas outside parentheses, so ConvNet specs
    /// keep their own commas; the probability follows the entry's last colon.
    ///
    ///     paper
    ///     ConvNet:0.9,ConvNetBN:0.05,ConvNet(act=swish,norm=groupnorm):0.05
    ///
    /// - Parameters:
    ///   - text: a `Preset` raw value or an entry list (spaces around separators are ignored).
    ///   - mainModel: the main model of a preset; a list's main model is its first entry.
    ///   - warmup: iterations of main model only, ≥ 0.
    /// - Throws: `PoolError`.
    public init(parsing text: String, mainModel: String = "ConvNet", warmup: Int = 0) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let preset = Preset(rawValue: trimmed.lowercased()) {
            try self.init(preset: preset, mainModel: mainModel, warmup: warmup)
            return
        }
        let entries = try Self.splitTopLevel(trimmed)
        let members = try entries.map { entry -> Member in
            guard let colon = entry.lastIndex(of: ":") else {
                throw PoolError.malformedEntry(entry: entry, reason: "it has no ':probability'")
            }
            let architecture = entry[..<colon].trimmingCharacters(in: .whitespaces)
            let number = entry[entry.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard !architecture.isEmpty else {
                throw PoolError.malformedEntry(entry: entry, reason: "the architecture is missing")
            }
            guard let probability = Double(number), probability.isFinite else {
                throw PoolError.malformedEntry(entry: entry, reason: "'\(number)' is not a number")
            }
            try Self.checkProbability(probability, of: architecture, written: number)
            return Member(architecture: architecture, probability: probability)
        }
        try self.init(members: members, warmup: warmup)
    }

    /// Splits at commas that are not inside parentheses; empty text gives no entries.
    static func splitTopLevel(_ text: String) throws -> [String] {
        if text.isEmpty { return [] }
        var entries: [String] = []
        var current = ""
        var depth = 0
        for character in text {
            switch character {
            case "(": depth += 1
            case ")":
                depth -= 1
                guard depth >= 0 else { throw PoolError.malformedEntry(entry: text, reason: "unbalanced ')'") }
            case "," where depth == 0:
                entries.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
                continue
            default: break
            }
            current.append(character)
        }
        guard depth == 0 else { throw PoolError.malformedEntry(entry: text, reason: "unbalanced '('") }
        entries.append(current.trimmingCharacters(in: .whitespaces))
        if let empty = entries.first(where: \.isEmpty) {
            throw PoolError.malformedEntry(entry: empty, reason: "an entry is empty (a stray comma?)")
        }
        return entries
    }

    /// Builds every member once for the given input, so that a member that
    /// cannot take it (or, for distribution matching, has no embedding) is
    /// refused before any work starts.
    ///
    /// - Parameters:
    ///   - channels, imageSize, classes: the data the networks will see.
    ///   - requiringEmbedding: whether every member must conform to `Embedding`.
    /// - Throws: `PoolError.memberWithoutEmbedding`, or `ZooError.unsupportedInput` from the zoo.
    public func validate(channels: Int, imageSize: Int, classes: Int, requiringEmbedding: Bool) throws {
        var generator = SeededGenerator(seed: 0)
        for architecture in architectures {
            let network = try Zoo.make(
                name: architecture, channels: channels, imageSize: imageSize, classes: classes, using: &generator)
            if requiringEmbedding, !(network is any Embedding) {
                throw PoolError.memberWithoutEmbedding(architecture)
            }
        }
    }

    // MARK: - Codable

    private enum CodingKeys: String, CodingKey {
        case members, warmup, preset
    }

    /// Decodes and re-checks every invariant, so a hand-edited file cannot bypass validation.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let members = try container.decode([Member].self, forKey: .members)
        let warmup = try container.decode(Int.self, forKey: .warmup)
        let preset = try container.decodeIfPresent(Preset.self, forKey: .preset)
        try self.init(members: members, warmup: warmup, preset: preset)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(members, forKey: .members)
        try container.encode(warmup, forKey: .warmup)
        try container.encodeIfPresent(preset, forKey: .preset)
    }
}

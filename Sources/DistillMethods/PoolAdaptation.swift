// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation

/// How a model pool's probabilities change during condensation (`--pool-adapt`).
///
/// Rule `loss`: members the synthetic set still matches badly are drawn more
/// often. With π_k the member's configured probability and L the iteration's
/// matching loss (per class and outer step) when member k was drawn:
///
///     r   = L / L⁰_k                          L⁰_k: k's loss the first time it was drawn
///     ℓ̄_k ← (1 − ρ) · ℓ̄_k + ρ · r            after each iteration that drew k (ℓ̄_k = 1 before)
///     p_k = (1 − γ) · π_k e^{β ℓ̄_k} / Σ_j π_j e^{β ℓ̄_j} + γ · π_k
///
/// A member's loss ratio falls as the set comes to match it, so weight moves
/// to the members whose matching has improved least; the floor γ keeps every
/// member drawn at least γ·π_k of the time. Before any draw every ℓ̄ is 1 and
/// p = π. Losses are compared only with the same member's own first loss,
/// because their scales differ between architectures.
public struct PoolAdaptation: Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Rule: String, Sendable, Codable, CaseIterable {
        case loss
    }

    public var rule: Rule
    /// β > 0: how strongly the averaged loss ratios tilt the probabilities.
    public var sharpness: Double
    /// ρ in (0, 1]: the weight of the newest ratio in the average.
    public var rate: Double
    /// γ in [0, 1): the share of the configured probabilities kept as a floor.
    public var floor: Double

    public init(rule: Rule = .loss, sharpness: Double = 4, rate: Double = 0.2, floor: Double = 0.2) {
        self.rule = rule
        self.sharpness = sharpness
        self.rate = rate
        self.floor = floor
    }

    /// Parses `loss` or `loss:beta=4,rate=0.2,floor=0.2` (any subset of the three, in any order).
    /// - Throws: `PoolError.malformedAdaptation` naming the problem.
    public init(parsing text: String) throws {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let name = parts.first, let rule = Rule(rawValue: name) else {
            throw PoolError.malformedAdaptation(
                text, reason: "the rule must be one of \(Rule.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.init(rule: rule)
        var given = Set<String>()
        for setting in parts.count > 1 ? parts[1].split(separator: ",", omittingEmptySubsequences: false) : [] {
            let pair = setting.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, let value = Double(pair[1]), value.isFinite else {
                throw PoolError.malformedAdaptation(text, reason: "'\(setting)' is not NAME=NUMBER")
            }
            // A second value would silently replace the first.
            guard given.insert(pair[0]).inserted else {
                throw PoolError.malformedAdaptation(text, reason: "\(pair[0]) is given twice")
            }
            switch pair[0] {
            case "beta": sharpness = value
            case "rate": rate = value
            case "floor": floor = value
            default: throw PoolError.malformedAdaptation(text, reason: "unknown setting '\(pair[0])' (beta, rate, floor)")
            }
        }
        guard sharpness > 0 else { throw PoolError.malformedAdaptation(text, reason: "beta must be > 0") }
        guard rate > 0, rate <= 1 else { throw PoolError.malformedAdaptation(text, reason: "rate must be in (0, 1]") }
        // A floor of 1 keeps the configured probabilities: a fixed pool labelled adaptive.
        guard (0..<1).contains(floor) else { throw PoolError.malformedAdaptation(text, reason: "floor must be in [0, 1)") }
    }

    /// The parseable form, with every setting.
    public var description: String {
        "\(rule.rawValue):beta=\(ModelPool.format(sharpness)),rate=\(ModelPool.format(rate)),floor=\(ModelPool.format(floor))"
    }

    /// The probabilities of `configured` members after the draws recorded in `state`.
    public func probabilities(configured: [Double], state: PoolAdaptationState?) -> [Double] {
        guard let state else { return configured }
        // e^{β ℓ̄_k} / Σ_j e^{β ℓ̄_j} with the largest ℓ̄ factored out, so that no exponent is
        // positive: a large β or a diverging member's ratio cannot overflow (∞/∞) or underflow (0/0).
        let largest = state.averageRatios.max() ?? 1
        let tilted = zip(configured, state.averageRatios).map { $0 * exp(sharpness * ($1 - largest)) }
        let total = tilted.reduce(0, +)
        return zip(tilted, configured).map { (1 - floor) * $0 / total + floor * $1 }
    }

    /// `state` (nil before the first draw) after an iteration that drew member `member` with loss `loss`.
    public func record(
        member: Int, loss: Double, in state: PoolAdaptationState?, memberCount: Int
    ) -> PoolAdaptationState {
        var state = state ?? PoolAdaptationState(memberCount: memberCount)
        guard loss.isFinite, loss > 0 else { return state }
        let reference = state.referenceLosses[member] ?? loss
        // A ratio past Double's range (a loss grown from a tiny first one) would poison the average.
        let average = (1 - rate) * state.averageRatios[member] + rate * (loss / reference)
        guard average.isFinite else { return state }
        state.referenceLosses[member] = reference
        state.averageRatios[member] = average
        return state
    }
}

/// What an adaptive pool has learned so far; checkpointed with the synthetic set, so resumed runs stay exact.
public struct PoolAdaptationState: Sendable, Equatable, Codable {
    /// L⁰_k: each member's first matching loss, nil until it is drawn.
    public var referenceLosses: [Double?]
    /// ℓ̄_k: each member's averaged loss ratio.
    public var averageRatios: [Double]

    public init(memberCount: Int) {
        referenceLosses = Array(repeating: nil, count: memberCount)
        averageRatios = Array(repeating: 1, count: memberCount)
    }
}

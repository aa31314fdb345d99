// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor
import Foundation

/// The mean accuracy difference between a setting and a baseline, with a
/// percentile bootstrap interval over paired runs.
///
/// Runs are paired by index: run i of the setting and run i of the baseline
/// train the same architecture from the same seed, so their difference
/// leaves out the spread that the seed alone causes. With per-run
/// differences d₁ … dₙ:
///
/// ```
/// d̄  = (1/n) Σᵢ dᵢ                                  the estimate
/// d̄*ᵦ = (1/n) Σⱼ d_{Iᵦⱼ},  Iᵦⱼ uniform on {1 … n}    b = 1 … B resamples, n indices each, with replacement
/// interval = [q(α/2), q(1 − α/2)],  α = 1 − confidence
/// q(p) = d̄*₍ₖ₎ with k = ⌈p·B⌉ (k ≥ 1)               the smallest resampled mean whose empirical CDF reaches p
/// ```
///
/// Over several architectures, dᵢ is the mean over the A architectures of
/// (setting − baseline) at run i, and the resampling draws whole run
/// indices, so the architectures' results of one run stay together.
public struct PairedBootstrap: Sendable {
    /// Resamples B, ≥ 1.
    public var resamples: Int
    /// The interval's coverage, in (0, 1).
    public var confidence: Double

    public init(resamples: Int = 10_000, confidence: Double = 0.95) {
        self.resamples = resamples
        self.confidence = confidence
    }

    /// The estimate and its interval, in the accuracies' units (percentage points).
    public struct Interval: Sendable, Equatable {
        /// The mean paired difference d̄.
        public var difference: Double
        public var lower: Double
        public var upper: Double
        /// The pairs n it rests on.
        public var pairs: Int
        public var confidence: Double

        /// `+1.23 [-0.40, +2.85]`; just `+1.23` for one pair, whose interval has no width to show.
        public var formatted: String {
            let estimate = String(format: "%+.2f", difference)
            return pairs == 1 ? estimate : estimate + String(format: " [%+.2f, %+.2f]", lower, upper)
        }
    }

    /// The paired difference `setting − baseline` for one architecture.
    ///
    /// - Parameters:
    ///   - baseline: accuracies by run index, n ≥ 1, all finite.
    ///   - setting: accuracies by the same run indices, n values.
    ///   - generator: the source of every resampling draw.
    /// - Throws: `PairedBootstrapError` for empty or unequal lists, non-finite values, or bad settings.
    public func difference(
        baseline: [Double], setting: [Double], using generator: inout SeededGenerator
    ) throws -> Interval {
        try meanDifference(baseline: [baseline], setting: [setting], using: &generator)
    }

    /// The paired difference `setting − baseline` averaged over architectures at each run index.
    ///
    /// - Parameters:
    ///   - baseline: per architecture (A ≥ 1), accuracies by run index (n ≥ 1, the same n for all).
    ///   - setting: the same architectures in the same order, accuracies by the same run indices.
    ///   - generator: the source of every resampling draw.
    /// - Throws: `PairedBootstrapError` for empty or unequal lists, non-finite values, or bad settings.
    public func meanDifference(
        baseline: [[Double]], setting: [[Double]], using generator: inout SeededGenerator
    ) throws -> Interval {
        guard resamples >= 1 else { throw PairedBootstrapError.resamplesOutOfRange(resamples) }
        guard confidence > 0, confidence < 1 else { throw PairedBootstrapError.confidenceOutOfRange(confidence) }
        guard baseline.count == setting.count else {
            throw PairedBootstrapError.architectureCountMismatch(baseline: baseline.count, setting: setting.count)
        }
        guard let runs = baseline.first?.count, runs > 0 else { throw PairedBootstrapError.empty }
        for (index, (base, other)) in zip(baseline, setting).enumerated() {
            guard base.count == runs, other.count == runs else {
                throw PairedBootstrapError.runCountMismatch(architecture: index, expected: runs, baseline: base.count, setting: other.count)
            }
            guard (base + other).allSatisfy(\.isFinite) else { throw PairedBootstrapError.nonFinite(architecture: index) }
        }
        let differences = (0..<runs).map { run in
            zip(baseline, setting).reduce(0) { $0 + $1.1[run] - $1.0[run] } / Double(baseline.count)
        }
        let means = (0..<resamples).map { _ in
            (0..<runs).reduce(0) { sum, _ in sum + differences[Int.random(in: 0..<runs, using: &generator)] } / Double(runs)
        }.sorted()
        let alpha = 1 - confidence
        return Interval(
            difference: differences.reduce(0, +) / Double(runs), lower: quantile(means, alpha / 2),
            upper: quantile(means, 1 - alpha / 2), pairs: runs, confidence: confidence)
    }

    /// q(p) of the doc comment: the ⌈p·B⌉-th smallest of the sorted resampled means.
    private func quantile(_ sorted: [Double], _ probability: Double) -> Double {
        // The tolerance keeps p·B that should be whole (0.975 · 10 000) from rounding up past it.
        let rank = Int((probability * Double(sorted.count) - 1e-9).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}

/// Why a paired bootstrap cannot be computed.
public enum PairedBootstrapError: Error, CustomStringConvertible, LocalizedError, Equatable {
    case empty
    case architectureCountMismatch(baseline: Int, setting: Int)
    case runCountMismatch(architecture: Int, expected: Int, baseline: Int, setting: Int)
    case nonFinite(architecture: Int)
    case resamplesOutOfRange(Int)
    case confidenceOutOfRange(Double)

    public var description: String {
        switch self {
        case .empty:
            return "paired bootstrap: no runs to compare; give at least one paired run"
        case let .architectureCountMismatch(baseline, setting):
            return "paired bootstrap: \(baseline) baseline architectures but \(setting) setting architectures; give the same architectures to both"
        case let .runCountMismatch(architecture, expected, baseline, setting):
            return "paired bootstrap: architecture \(architecture) has \(baseline) baseline and \(setting) setting runs, "
                + "expected \(expected) of each; runs pair by index, so every list needs the same length"
        case let .nonFinite(architecture):
            return "paired bootstrap: architecture \(architecture) has a non-finite accuracy; leave diverged runs out of both lists"
        case let .resamplesOutOfRange(count):
            return "paired bootstrap: \(count) resamples; give 1 or more"
        case let .confidenceOutOfRange(confidence):
            return "paired bootstrap: confidence \(confidence) must lie strictly between 0 and 1"
        }
    }

    public var errorDescription: String? { description }
}

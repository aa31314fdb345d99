// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillEval
import DistillExperiments
import DistillTensor
import Foundation
import XCTest

/// The paired bootstrap interval of a setting's accuracy minus a baseline's.
final class PairedBootstrapTests: XCTestCase {
    func testConstantDifferencesGiveAZeroWidthIntervalAtThatValue() throws {
        var generator = SeededGenerator(seed: 1)
        let single = try PairedBootstrap().difference(
            baseline: [70, 71, 72, 69], setting: [71.5, 72.5, 73.5, 70.5], using: &generator)
        XCTAssertEqual(single.difference, 1.5, accuracy: 1e-12)
        XCTAssertEqual(single.lower, 1.5, accuracy: 1e-12)
        XCTAssertEqual(single.upper, 1.5, accuracy: 1e-12)
        XCTAssertEqual(single.pairs, 4)
        XCTAssertEqual(single.formatted, "+1.50 [+1.50, +1.50]")

        // Over architectures, each run's differences (+1 and +3) are averaged first.
        let mean = try PairedBootstrap().meanDifference(
            baseline: [[50, 60, 55], [40, 45, 42]], setting: [[51, 61, 56], [43, 48, 45]], using: &generator)
        XCTAssertEqual(mean.difference, 2, accuracy: 1e-12)
        XCTAssertEqual(mean.lower, 2, accuracy: 1e-12)
        XCTAssertEqual(mean.upper, 2, accuracy: 1e-12)
    }

    func testPercentileIntervalMatchesTheExactBootstrapDistributionOfThreeRuns() throws {
        // Differences 0, 1 and 5: the 27 equally likely resamples of three indices give the exact distribution.
        let differences: [Double] = [0, 1, 5]
        var exact: [Double: Int] = [:]
        for i in differences { for j in differences { for k in differences { exact[(i + j + k) / 3, default: 0] += 1 } } }
        let atoms = exact.keys.sorted()
        var below = 0
        var cdf: [(atom: Double, below: Double, atOrBelow: Double)] = []
        for atom in atoms {
            cdf.append((atom, Double(below) / 27, Double(below + exact[atom]!) / 27))
            below += exact[atom]!
        }
        let resamples = 10_000
        // The empirical CDF at an atom is a mean of `resamples` Bernoulli draws with success F; five of its
        // standard errors bound how far it strays except with probability below 10⁻⁶.
        func slack(_ probability: Double) -> Double { 5 * (probability * (1 - probability) / Double(resamples)).squareRoot() }
        // The percentile q(p) is the smallest atom whose empirical CDF reaches p, so an atom can come out
        // only if its CDF can reach p and the CDF just below it can stay short of p.
        func admissible(_ p: Double) -> [Double] {
            cdf.filter { $0.atOrBelow + slack($0.atOrBelow) >= p && $0.below - slack($0.below) < p }.map(\.atom)
        }
        for (seed, confidence) in [(UInt64(11), 0.95), (12, 0.8), (13, 0.5)] {
            var generator = SeededGenerator(seed: seed)
            let interval = try PairedBootstrap(resamples: resamples, confidence: confidence).difference(
                baseline: [50, 60, 70], setting: [50, 61, 75], using: &generator)
            XCTAssertEqual(interval.difference, 2, accuracy: 1e-12)
            let alpha = 1 - confidence
            for (value, p) in [(interval.lower, alpha / 2), (interval.upper, 1 - alpha / 2)] {
                let allowed = admissible(p)
                XCTAssertTrue(
                    allowed.contains { abs($0 - value) < 1e-9 }, "q(\(p)) = \(value), exact quantile among \(allowed)")
            }
        }
        // At 95 % the exact quantiles are the extremes, far (over 6 standard errors) from any neighbour.
        XCTAssertEqual(admissible(0.025), [0])
        XCTAssertEqual(admissible(0.975), [5])
    }

    func testTheSameSeedGivesTheSameInterval() throws {
        func interval(seed: UInt64) throws -> (PairedBootstrap.Interval, next: UInt64) {
            var generator = SeededGenerator(seed: seed)
            let interval = try PairedBootstrap(resamples: 2_000).difference(
                baseline: [61.2, 58.9, 60.4, 59.7, 62.0], setting: [63.0, 58.1, 62.9, 61.1, 61.5], using: &generator)
            return (interval, generator.next())
        }
        let first = try interval(seed: 5), second = try interval(seed: 5)
        XCTAssertEqual(first.0, second.0)
        XCTAssertEqual(first.next, second.next, "the draws consumed the same stream")
        XCTAssertLessThan(first.0.lower, first.0.upper)
        XCTAssertTrue((first.0.lower...first.0.upper).contains(first.0.difference))
    }

    func testBadInputIsRefusedWithOneClearLine() {
        var generator = SeededGenerator(seed: 0)
        func message(_ baseline: [[Double]], _ setting: [[Double]], _ bootstrap: PairedBootstrap = PairedBootstrap()) -> String {
            do {
                _ = try bootstrap.meanDifference(baseline: baseline, setting: setting, using: &generator)
                return ""
            } catch {
                return "\(error)"
            }
        }
        let cases = [
            (message([[1, 2, 3]], [[1, 2]]), "pair by index"),
            (message([[]], [[]]), "no runs"),
            (message([], []), "no runs"),
            (message([[1], [2]], [[1]]), "same architectures"),
            (message([[1, .nan]], [[1, 2]]), "non-finite"),
            (message([[1]], [[2]], PairedBootstrap(resamples: 0)), "resamples"),
            (message([[1]], [[2]], PairedBootstrap(confidence: 1)), "between 0 and 1"),
        ]
        for (text, expected) in cases {
            XCTAssertTrue(text.contains(expected), "'\(text)' names \(expected)")
            XCTAssertFalse(text.contains("\n"), text)
        }
        XCTAssertThrowsError(try PairedBootstrap().difference(baseline: [1, 2], setting: [1], using: &generator)) { error in
            XCTAssertEqual(error as? PairedBootstrapError, .runCountMismatch(architecture: 0, expected: 2, baseline: 2, setting: 1))
        }
    }

    func testSummariesPairOnlyRunIndicesWhereNoRunDiverged() throws {
        func summary(_ accuracies: [Double?]) -> AccuracySummary {
            AccuracySummary(runs: accuracies.map {
                RunResult(accuracy: $0 ?? 10, diverged: $0 == nil, fellBackToCrossEntropy: false, seconds: 1)
            })
        }
        var generator = SeededGenerator(seed: 2)
        let interval = try PairedBootstrap().meanDifference(
            baseline: [summary([60, 61, 62]), summary([50, nil, 52])], setting: [summary([62, 0, 64]), summary([54, 55, 56])],
            using: &generator)
        XCTAssertEqual(interval?.pairs, 2, "run 1 diverged in one architecture, so it pairs nowhere")
        XCTAssertEqual(interval?.difference ?? .nan, 3, accuracy: 1e-12, "runs 0 and 2: (2 + 4) / 2 each")
        XCTAssertNil(try PairedBootstrap().meanDifference(baseline: [summary([nil])], setting: [summary([60])], using: &generator))
        XCTAssertEqual(
            try PairedBootstrap().meanDifference(baseline: [summary([60])], setting: [summary([61.25])], using: &generator)?.formatted,
            "+1.25", "one pair: the difference alone")
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData
import DistillIO
import DistillMethods
import Foundation
import XCTest
import _DistillTestSupport

/// The `loss` rule of `PoolAdaptation`: its formula, its parsing, and an
/// adaptive DC run that logs its probabilities and resumes exactly.
final class PoolAdaptationTests: XCTestCase {
    func testProbabilitiesStartAtTheConfiguredOnesAndFollowTheFormula() throws {
        let adaptation = PoolAdaptation(sharpness: 2, rate: 0.5, floor: 0.25)
        let configured = [0.5, 0.25, 0.25]
        XCTAssertEqual(adaptation.probabilities(configured: configured, state: nil), configured)
        // Member 1: first loss 4 (ratio 1), then 2 (ratio 0.5): ℓ̄ = 0.5·1 + 0.5·0.5 = 0.75.
        var state = adaptation.record(member: 1, loss: 4, in: nil, memberCount: 3)
        XCTAssertEqual(state.averageRatios, [1, 1, 1])
        state = adaptation.record(member: 1, loss: 2, in: state, memberCount: 3)
        XCTAssertEqual(state.referenceLosses, [nil, 4, nil])
        XCTAssertEqual(state.averageRatios, [1, 0.75, 1])
        // p_k = (1 − γ) π_k e^{β ℓ̄_k} / Σ_j π_j e^{β ℓ̄_j} + γ π_k, written out.
        let tilted = [0.5 * exp(2.0), 0.25 * exp(1.5), 0.25 * exp(2.0)]
        let expected = zip(tilted, configured).map { 0.75 * $0 / tilted.reduce(0, +) + 0.25 * $1 }
        let probabilities = adaptation.probabilities(configured: configured, state: state)
        for (value, reference) in zip(probabilities, expected) { XCTAssertEqual(value, reference, accuracy: 1e-12) }
        XCTAssertLessThan(probabilities[1], configured[1], "the member the set matches better is drawn less")
        XCTAssertEqual(probabilities.reduce(0, +), 1, accuracy: 1e-12)
    }

    func testTheFloorBoundsEveryMemberFromBelow() {
        let adaptation = PoolAdaptation(sharpness: 50, rate: 1, floor: 0.2)
        var state = adaptation.record(member: 0, loss: 10, in: nil, memberCount: 2)
        state = adaptation.record(member: 0, loss: 0.1, in: state, memberCount: 2)
        let probabilities = adaptation.probabilities(configured: [0.5, 0.5], state: state)
        XCTAssertGreaterThanOrEqual(probabilities[0], 0.2 * 0.5)
        XCTAssertLessThan(probabilities[0], 0.2 * 0.5 + 1e-9)
    }

    func testProbabilitiesStayFiniteForAnySharpnessAndRatio() {
        // e^{β ℓ̄} alone overflows past β ℓ̄ ≈ 709 and underflows to 0/0 below −745.
        for (sharpness, ratios) in [(1e308, [2.0, 1]), (1e6, [0.5, 0.25]), (4, [200, 1]), (4, [1e300, 1e-300])] {
            let adaptation = PoolAdaptation(sharpness: sharpness, rate: 0.2, floor: 0.2)
            var state = PoolAdaptationState(memberCount: 2)
            state.averageRatios = ratios
            let probabilities = adaptation.probabilities(configured: [0.5, 0.5], state: state)
            XCTAssertTrue(probabilities.allSatisfy(\.isFinite), "β \(sharpness), ratios \(ratios): \(probabilities)")
            XCTAssertEqual(probabilities.reduce(0, +), 1, accuracy: 1e-12)
            // The member with the larger ratio takes all the tilted share: (1 − γ) + γ/2.
            XCTAssertEqual(probabilities[0], 0.9, accuracy: 1e-9, "β \(sharpness), ratios \(ratios)")
        }
        // A ratio past Double's range leaves the average as it was.
        let adaptation = PoolAdaptation()
        let state = adaptation.record(member: 0, loss: 1e-300, in: nil, memberCount: 2)
        XCTAssertEqual(adaptation.record(member: 0, loss: 1e300, in: state, memberCount: 2).averageRatios, [1, 1])
    }

    func testParsingNamesTheProblem() throws {
        XCTAssertEqual(try PoolAdaptation(parsing: "loss"), PoolAdaptation())
        XCTAssertEqual(
            try PoolAdaptation(parsing: "loss:floor=0.1,beta=8"), PoolAdaptation(sharpness: 8, rate: 0.2, floor: 0.1))
        XCTAssertEqual(try PoolAdaptation(parsing: PoolAdaptation(sharpness: 3).description), PoolAdaptation(sharpness: 3))
        for (text, fragment) in [
            ("accuracy", "the rule must be one of loss"), ("loss:beta", "'beta' is not NAME=NUMBER"),
            ("loss:beta=0", "beta must be > 0"), ("loss:rate=2", "rate must be in (0, 1]"),
            ("loss:floor=-1", "floor must be in [0, 1)"), ("loss:floor=1", "floor must be in [0, 1)"),
            ("loss:", "'' is not NAME=NUMBER"), ("loss:eta=1", "unknown setting 'eta'"),
            ("loss:beta=nan", "is not NAME=NUMBER"), ("loss:beta=1,beta=2", "beta is given twice"),
        ] {
            XCTAssertThrowsError(try PoolAdaptation(parsing: text), text) { error in
                XCTAssertTrue("\(error)".contains(fragment), "\(text): \(error)")
                XCTAssertTrue("\(error)".hasPrefix("--pool-adapt '\(text)'"), "\(error)")
            }
        }
        let single = CondensationRequest(dataset: .fashionMNIST, method: "dc", imagesPerClass: 1, poolAdapt: "loss")
        XCTAssertThrowsError(try single.modelPool()) { XCTAssertTrue("\($0)".contains("has one member"), "\($0)") }
    }

    func testAdaptiveRunLogsItsProbabilitiesAndResumesExactly() throws {
        let data = try TinyFashionMNIST()
        defer { data.remove() }
        func request(_ iterations: Int, resume: Bool) -> CondensationRequest {
            CondensationRequest(
                dataset: .fashionMNIST, method: "dc", imagesPerClass: 1, pool: "ConvNet:0.5,MLP:0.25,LeNet:0.25",
                poolAdapt: "loss:beta=8,rate=1", iterations: iterations, batchReal: 4, seed: 5, checkpointEvery: 1,
                resume: resume)
        }
        let straight = try request(6, resume: false).reports(on: data, into: "straight")
        _ = try request(3, resume: false).reports(on: data, into: "resumed")
        let resumed = try request(6, resume: true).reports(on: data, into: "resumed")
        XCTAssertEqual(resumed.map(\.poolProbabilities), Array(straight.dropFirst(3)).map(\.poolProbabilities))
        XCTAssertEqual(
            try SyntheticSetFile(contentsOf: "\(data.root)/resumed").images,
            try SyntheticSetFile(contentsOf: "\(data.root)/straight").images)
        XCTAssertEqual(straight[0].poolProbabilities, [0.5, 0.25, 0.25], "the first draw uses the configured pool")
        XCTAssertNotEqual(straight[5].poolProbabilities, straight[0].poolProbabilities, "the probabilities moved")
        let logged = try String(contentsOfFile: "\(data.root)/resumed/log.jsonl", encoding: .utf8)
            .split(separator: "\n").map { try JSONDecoder().decode(IterationReport.self, from: Data($0.utf8)) }
        XCTAssertEqual(logged.map(\.poolProbabilities), straight.map(\.poolProbabilities))
    }
}

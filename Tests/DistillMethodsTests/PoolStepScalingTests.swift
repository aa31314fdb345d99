// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData
import DistillIO
import DistillTensor
import Foundation
import XCTest
import _DistillTestSupport

@testable import DistillMethods

/// `PoolStepScaling.main`: every other member's image gradient takes the main
/// model's size, the main model is drawn first, and the reference is
/// checkpointed so a resumed run stays exact; for DC and for DM.
final class PoolStepScalingTests: XCTestCase {
    /// A two-member pool for `method`: DM's members need an embedding, which MLP lacks.
    private func pool(_ method: String) -> String { method == "dm" ? "ConvNet:0.5,AlexNet:0.5" : "ConvNet:0.5,MLP:0.5" }

    /// The members a two-member pool of even odds draws at iterations 0..<count for `seed` (1 is the other member).
    private func draws(seed: UInt64, count: Int) throws -> [Int] {
        let pool = try ModelPool(parsing: self.pool("dc"))
        return (0..<count).map { iteration in
            var generator = CondensationState.iterationGenerator(seed: seed, iteration: iteration)
            return pool.sampleIndex(iteration: iteration, probabilities: [0.5, 0.5], using: &generator)
        }
    }

    /// The first seed whose draws satisfy `condition`.
    private func seed(count: Int, where condition: ([Int]) -> Bool) throws -> UInt64 {
        try XCTUnwrap((0..<200).first { try condition(draws(seed: UInt64($0), count: count)) }.map(UInt64.init))
    }

    private func method(_ name: String, _ data: TinyFashionMNIST, scaled: Bool) throws -> any CondensationMethod {
        var modelPool = try ModelPool(parsing: pool(name))
        modelPool.stepScaling = scaled ? .main : nil
        let train = try data.locator.load(.fashionMNIST, split: .train)
        if name == "dm" {
            let configuration = try DistributionMatchingConfiguration(imagesPerClass: 1, iterations: 8, batchReal: 4, pool: modelPool)
            return try DistributionMatching(configuration: configuration, data: train)
        }
        let configuration = try GradientMatchingConfiguration(imagesPerClass: 1, iterations: 8, batchReal: 4, pool: modelPool)
        return try GradientMatching(configuration: configuration, data: train)
    }

    private func norm(_ values: [Float]) -> Double { values.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot() }

    /// The gradient the optimiser applied in the step from `before` to `after`: b' − momentum · b.
    private func appliedGradient(before: CondensationState, after: CondensationState) throws -> [Float] {
        let previous = try XCTUnwrap(before.optimizer.momentumBuffer).scalars
        let momentum = after.optimizer.momentum
        return zip(try XCTUnwrap(after.optimizer.momentumBuffer).scalars, previous).map { $0 - momentum * $1 }
    }

    func testEveryOtherMemberStepsAsFarAsTheMainModelInDC() throws {
        try checkEveryOtherMemberStepsAsFarAsTheMainModel(method: "dc")
    }

    func testEveryOtherMemberStepsAsFarAsTheMainModelInDM() throws {
        try checkEveryOtherMemberStepsAsFarAsTheMainModel(method: "dm")
    }

    private func checkEveryOtherMemberStepsAsFarAsTheMainModel(method name: String) throws {
        let data = try TinyFashionMNIST()
        defer { data.remove() }
        let scaled = try method(name, data, scaled: true)
        let plain = try method(name, data, scaled: false)
        let other = name == "dm" ? "AlexNet" : "MLP"
        // The other member at iteration 0 (so the main model must stand in), both members later.
        let seed = try seed(count: 8) { $0[0] == 1 && $0[1...].contains(0) && $0[2...].filter { $0 == 1 }.count >= 2 }
        var state = try scaled.initialState(seed: seed)
        let first = try scaled.step(&state)
        XCTAssertEqual(first.architecture, "ConvNet", "without a reference the main model is drawn in \(other)'s place")
        XCTAssertNil(first.imageStepScales)
        var scaledSteps = 0
        while state.iteration < 8 {
            let before = state
            let reference = try XCTUnwrap(before.mainStepNorms)
            XCTAssertEqual(reference.count, 1, "one size per outer step (ipc 1: one)")
            let report = try scaled.step(&state)
            var unscaled = before
            let plainReport = try plain.step(&unscaled)
            XCTAssertEqual(report.architecture, plainReport.architecture, "scaling changes no draw once the reference exists")
            let applied = try appliedGradient(before: before, after: state)
            let own = try appliedGradient(before: before, after: unscaled)
            if report.architecture == "ConvNet" {
                XCTAssertNil(report.imageStepScales)
                XCTAssertEqual(state.synthetic.images, unscaled.synthetic.images, "the main model's steps are unscaled")
                XCTAssertEqual(try XCTUnwrap(state.mainStepNorms)[0], norm(own), accuracy: 1e-3 * norm(own), "the reference follows the main model")
                continue
            }
            XCTAssertEqual(report.architecture, other)
            scaledSteps += 1
            let scale = try XCTUnwrap(report.imageStepScales?.first)
            XCTAssertEqual(state.mainStepNorms, before.mainStepNorms, "another member leaves the reference alone")
            XCTAssertEqual(norm(applied), reference[0], accuracy: 1e-3 * reference[0], "\(other)'s step has the main model's size")
            XCTAssertEqual(scale, reference[0] / norm(own), accuracy: 1e-3 * scale)
            XCTAssertGreaterThan(abs(scale - 1), 0.1, "the members' gradients differ in size, so the test can tell")
            let tolerance = Float(1e-3 * norm(applied)) / Float(applied.count).squareRoot()
            for (a, b) in zip(applied, own) { XCTAssertEqual(a, Float(scale) * b, accuracy: tolerance) }
        }
        XCTAssertGreaterThanOrEqual(scaledSteps, 2)
    }

    /// A step-scaled run stopped and resumed ends as an uninterrupted one: DC with two outer steps
    /// (one reference size each), and DM.
    func testAStepScaledRunResumesExactly() throws {
        let data = try TinyFashionMNIST()
        defer { data.remove() }
        let seed = try seed(count: 6) { $0[3] == 1 }  // the first draw after the resume needs the checkpointed reference
        func request(_ method: String, _ iterations: Int, resume: Bool) -> CondensationRequest {
            CondensationRequest(
                dataset: .fashionMNIST, method: method, imagesPerClass: 1, pool: pool(method), poolStep: "main",
                iterations: iterations, batchReal: 4, outerLoop: method == "dm" ? nil : 2, innerLoop: method == "dm" ? nil : 1,
                seed: seed, checkpointEvery: 1, resume: resume)
        }
        for (method, outerSteps) in [("dc", 2), ("dm", 1)] {
            let straight = try request(method, 6, resume: false).reports(on: data, into: "\(method)-straight")
            _ = try request(method, 3, resume: false).reports(on: data, into: "\(method)-resumed")
            let resumed = try request(method, 6, resume: true).reports(on: data, into: "\(method)-resumed")
            XCTAssertEqual(resumed.map(\.architecture), straight.dropFirst(3).map(\.architecture), method)
            XCTAssertEqual(resumed.map(\.imageStepScales), straight.dropFirst(3).map(\.imageStepScales), method)
            XCTAssertTrue(resumed.contains { $0.imageStepScales != nil }, "\(method): a scaled step after the resume")
            XCTAssertTrue(straight.allSatisfy { [nil, outerSteps].contains($0.imageStepScales?.count) }, "\(method): one factor per outer step")
            let file = try SyntheticSetFile(contentsOf: "\(data.root)/\(method)-resumed")
            XCTAssertEqual(file.images, try SyntheticSetFile(contentsOf: "\(data.root)/\(method)-straight").images, method)
            XCTAssertEqual(file.metadata["pool_step"], "main")
            let logged = try String(contentsOfFile: "\(data.root)/\(method)-resumed/log.jsonl", encoding: .utf8)
                .split(separator: "\n").map { try JSONDecoder().decode(IterationReport.self, from: Data($0.utf8)) }
            XCTAssertEqual(logged.map(\.imageStepScales), straight.map(\.imageStepScales), method)
        }

        // A damaged reference is refused by name.
        let output = CondensationOutput(directory: "\(data.root)/dc-resumed")
        let saved = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output.checkpointPath))) as? [String: Any])
        for (norms, message) in [
            ([1.0], "holds 1 main-model step sizes for 2 outer steps"), ([1.0, -1.0], "not finite and non-negative"),
            ([1.0, 1e308], "main-model step size 1e+308 is larger than any norm of a float gradient"),
        ] {
            var object = saved
            object["mainStepNorms"] = norms
            try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: output.checkpointPath))
            XCTAssertThrowsError(try request("dc", 7, resume: true).reports(on: data, into: "dc-resumed")) { error in
                guard case .invalidCheckpoint(_, let reason)? = error as? CondensationError else { return XCTFail("\(error)") }
                XCTAssertTrue(reason.contains(message), "\(message): \(reason)")
            }
        }
    }

    func testRefusalsNameTheProblem() {
        for (request, message) in [
            (CondensationRequest(dataset: .fashionMNIST, method: "dc", imagesPerClass: 1, pool: pool("dc"), poolStep: "own"),
             "--pool-step 'own': the rule must be one of main"),
            (CondensationRequest(dataset: .fashionMNIST, method: "dc", imagesPerClass: 1, poolStep: "main"),
             "--pool-step 'main': the pool 'none' has one member, whose steps are the reference"),
            (CondensationRequest(dataset: .fashionMNIST, method: "dm", imagesPerClass: 1, poolStep: "main"),
             "--pool-step 'main': the pool 'none' has one member, whose steps are the reference"),
        ] {
            XCTAssertThrowsError(try request.modelPool()) { XCTAssertEqual("\($0)", message) }
        }
    }
}

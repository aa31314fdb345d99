// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData
import DistillIO
import DistillMethods
import DistillTensor
import Foundation
import XCTest
import _DistillTestSupport

/// `distill condense` end to end on a tiny generated Fashion-MNIST-shaped
/// dataset: output files, and a run stopped after a checkpoint and resumed
/// with `resume: true` ending exactly where an uninterrupted run ends.
final class CondensationRequestTests: XCTestCase {
    private var data: TinyFashionMNIST!
    private var root: String { data.root }

    override func setUpWithError() throws { data = try TinyFashionMNIST() }

    override func tearDownWithError() throws { data.remove() }

    private func request(iterations: Int, resume: Bool) -> CondensationRequest {
        CondensationRequest(
            dataset: .fashionMNIST, method: "dc", imagesPerClass: 1, pool: "paper", iterations: iterations,
            batchReal: 4, seed: 9, checkpointEvery: 1, resume: resume)
    }

    /// Runs `request`, returning the written set and the iterations it ran.
    private func run(_ request: CondensationRequest, into directory: String) throws -> (SyntheticSetFile, [Int]) {
        let locator = data.locator
        var ran: [Int] = []
        _ = try request.run(locator: locator, output: CondensationOutput(directory: directory)) { report, _ in
            ran.append(report.iteration)
        }
        return (try SyntheticSetFile(contentsOf: directory), ran)
    }

    func testResumedRunEndsWithTheSameSyntheticSet() throws {
        let (straight, _) = try run(request(iterations: 3, resume: false), into: "\(root)/straight")
        // Stop after one iteration (its checkpoint is saved), then resume to three.
        _ = try run(request(iterations: 1, resume: false), into: "\(root)/resumed")
        let (resumed, ran) = try run(request(iterations: 3, resume: true), into: "\(root)/resumed")
        XCTAssertEqual(ran, [1, 2], "the resumed run continues after the checkpoint")
        XCTAssertEqual(resumed.images, straight.images)
        XCTAssertEqual(resumed.labels, Array(0..<10))
        XCTAssertEqual(resumed.metadata["iteration"], "3")
        XCTAssertEqual(resumed.metadata["dataset"], "fashion-mnist")
        XCTAssertEqual(resumed.metadata["pool"], "paper")
        let log = try String(contentsOfFile: "\(root)/resumed/log.jsonl", encoding: .utf8)
        XCTAssertEqual(log.split(separator: "\n").count, 3, "one log line per iteration, none repeated")
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(root)/resumed/synthetic.png"))
    }

    func testResumeWithoutCheckpointIsRefused() {
        XCTAssertThrowsError(try run(request(iterations: 2, resume: true), into: "\(root)/empty")) { error in
            XCTAssertTrue("\(error)".contains("no checkpoint"), "\(error)")
        }
    }
}

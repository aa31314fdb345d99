// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData
import DistillIO
import DistillMethods
import DistillTensor
import Foundation
import XCTest

/// `distill condense` end to end on a tiny generated Fashion-MNIST-shaped
/// dataset: output files, and a run stopped after a checkpoint and resumed
/// with `resume: true` ending exactly where an uninterrupted run ends.
final class CondensationRequestTests: XCTestCase {
    private var root = ""

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("distill-\(UUID().uuidString)").path
        let directory = (root as NSString).appendingPathComponent("fashion-mnist")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var generator = SeededGenerator(seed: 3)
        for (prefix, count) in [("train", 40), ("t10k", 20)] {
            let labels = (0..<count).map { UInt8($0 % 10) }
            let pixels = (0..<(count * 784)).map { index -> UInt8 in
                UInt8(truncatingIfNeeded: Int(labels[index / 784]) * 20 + Int(generator.next() % 40))
            }
            try Self.idx(magic: 0x0803, dimensions: [count, 28, 28], bytes: pixels)
                .write(to: URL(fileURLWithPath: "\(directory)/\(prefix)-images-idx3-ubyte"))
            try Self.idx(magic: 0x0801, dimensions: [count], bytes: labels)
                .write(to: URL(fileURLWithPath: "\(directory)/\(prefix)-labels-idx1-ubyte"))
        }
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: root)
    }

    private static func idx(magic: UInt32, dimensions: [Int], bytes: [UInt8]) -> Data {
        var data = Data()
        for word in [magic] + dimensions.map(UInt32.init) {
            data.append(contentsOf: [UInt8(word >> 24), UInt8((word >> 16) & 0xFF), UInt8((word >> 8) & 0xFF), UInt8(word & 0xFF)])
        }
        data.append(contentsOf: bytes)
        return data
    }

    private func request(iterations: Int, resume: Bool) -> CondensationRequest {
        CondensationRequest(
            dataset: .fashionMNIST, method: "dc", imagesPerClass: 1, pool: "paper", iterations: iterations,
            batchReal: 4, seed: 9, checkpointEvery: 1, resume: resume)
    }

    /// Runs `request`, returning the written set and the iterations it ran.
    private func run(_ request: CondensationRequest, into directory: String) throws -> (SyntheticSetFile, [Int]) {
        let locator = DataLocator(dataDirectory: root, environment: ["HOME": root], systemDirectories: [:])
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

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillEval
import Foundation
import XCTest

/// Which results in a folder belong to which set: by path (a set condensed
/// again in place) or by bytes (a set moved), and results that record no
/// source are replaced as before.
final class EvaluatedSourceTests: XCTestCase {
    private var directory: String!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("distill-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    private func file(_ name: String, _ text: String) throws -> String {
        let path = (directory as NSString).appendingPathComponent(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func testASourceIsTheSameByPathOrByBytes() throws {
        let first = try EvaluatedSource(syntheticAt: try file("dc.safetensors", "one"))
        XCTAssertTrue(first.isSame(as: try EvaluatedSource(syntheticAt: try file("copy.safetensors", "one"))), "the same bytes, moved")
        let other = try EvaluatedSource(syntheticAt: try file("dsa.safetensors", "two"))
        XCTAssertFalse(first.isSame(as: other))
        let rewritten = try EvaluatedSource(syntheticAt: try file("dc.safetensors", "three"))
        XCTAssertTrue(first.isSame(as: rewritten), "the same path, condensed again")
        let real = EvaluatedSource(randomRealImagesPerClass: 10, of: "fashion-mnist", seed: 0)
        XCTAssertTrue(real.isSame(as: EvaluatedSource(randomRealImagesPerClass: 10, of: "fashion-mnist", seed: 0)))
        XCTAssertFalse(real.isSame(as: EvaluatedSource(randomRealImagesPerClass: 10, of: "fashion-mnist", seed: 1)))
        XCTAssertFalse(real.isSame(as: first))
    }

    func testOnlyResultsRecordingAnotherSourceAreKept() throws {
        let set = try EvaluatedSource(syntheticAt: try file("dc.safetensors", "one"))
        XCTAssertNoThrow(try EvaluationFiles.checkBelongs(in: directory, to: set), "no results yet")
        _ = try file("evaluation.json", #"{"results": [], "seed": 0}"#)
        XCTAssertNoThrow(try EvaluationFiles.checkBelongs(in: directory, to: set), "results from before sources were recorded")
        var report = EvaluationReport(results: [], seed: 0, runsPerArchitecture: 1, distillation: nil)
        report.source = try EvaluatedSource(syntheticAt: try file("dsa.safetensors", "two"))
        try EvaluationFiles.write(report, to: directory)
        XCTAssertThrowsError(try EvaluationFiles.checkBelongs(in: directory, to: set)) { error in
            XCTAssertTrue("\(error)".contains("holds the results of \(report.source!.path!)"), "\(error)")
        }
        XCTAssertNoThrow(try EvaluationFiles.checkBelongs(in: directory, to: report.source!))
    }
}

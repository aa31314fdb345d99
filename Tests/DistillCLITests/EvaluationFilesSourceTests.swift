// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation
import XCTest
import _DistillTestSupport

/// `evaluate`'s result files: they record the set they are about, another
/// set's results beside it are not replaced, and files that cannot be
/// replaced are found before any network trains.
final class EvaluationFilesSourceTests: BinaryTestCase {
    private func evaluate(_ source: String, _ extra: [String] = []) -> [String] {
        ["evaluate", source, "--models", "MLP", "--num-eval", "1", "--epochs", "0"] + extra
    }

    private func recordedSource(in directory: String) throws -> [String: Any]? {
        let json = try Data(contentsOf: URL(fileURLWithPath: binary.path("\(directory)/evaluation.json")))
        return try (JSONSerialization.jsonObject(with: json) as? [String: Any])?["source"] as? [String: Any]
    }

    func testResultsBesideASetNameItAndAreNotReplacedByAnotherSetsResults() throws {
        try FileManager.default.createDirectory(atPath: binary.path("sets"), withIntermediateDirectories: true)
        let first = try binary.writeSet("sets/dc.safetensors", value: 0.1)
        let second = try binary.writeSet("sets/dsa.safetensors", value: 0.2)
        try binary.run(evaluate(first)).expectSuccess()
        let source = try XCTUnwrap(try recordedSource(in: "sets"))
        XCTAssertEqual(source["path"] as? String, URL(fileURLWithPath: first).standardizedFileURL.path)
        XCTAssertNotNil((source["fingerprint"] as? [String: Any])?["fnv1a64"])
        let csv = try String(contentsOfFile: binary.path("sets/evaluation.csv"), encoding: .utf8)

        let refused = try binary.run(evaluate(second))
        try refused.expectFailure(
            mentioning: "evaluation.json holds the results of \(URL(fileURLWithPath: first).standardizedFileURL.path), which evaluating")
        try refused.expectFailure(mentioning: "pass --out DIR")
        XCTAssertFalse(refused.output.contains("MLP"), "refused before training: \(refused.output)")
        XCTAssertEqual(try String(contentsOfFile: binary.path("sets/evaluation.csv"), encoding: .utf8), csv)

        // The same set again replaces its own results; an explicit --out writes where it is told.
        try binary.run(evaluate(first)).expectSuccess()
        try binary.run(evaluate(second, ["--out", binary.path("sets")])).expectSuccess()
        XCTAssertEqual(try recordedSource(in: "sets")?["path"] as? String, URL(fileURLWithPath: second).standardizedFileURL.path)
    }

    /// A FIFO: `OutputSafetyTests.testEvaluateRefusesAResultFileItCannotReplaceBeforeTraining`.
    func testResultFilesThatCannotBeReplacedAreFoundBeforeTraining() throws {
        let set = try binary.writeSet("set.safetensors")
        for (name, kind) in [("evaluation.json", "a directory"), ("evaluation.csv", "a symbolic link")] {
            let out = binary.path("out-\(name)")
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let file = "\(out)/\(name)"
            if kind == "a directory" {
                try FileManager.default.createDirectory(atPath: file, withIntermediateDirectories: false)
            } else {
                try FileManager.default.createSymbolicLink(atPath: file, withDestinationPath: set)
            }
            let result = try binary.run(evaluate(set, ["--out", out]))
            try result.expectFailure(mentioning: "\(file): it is \(kind), not a regular file")
            XCTAssertEqual(result.output, "", "refused before training")
        }
    }
}

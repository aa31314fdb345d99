// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
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

    /// Two evaluations into one directory at once would both pass the check of evaluation.json and
    /// then write in turn; the directory is held from that check until both files are written.
    func testAnEvaluationHoldsItsDirectoryAndLeavesNoLockFileBehind() throws {
        try FileManager.default.createDirectory(atPath: binary.path("sets"), withIntermediateDirectories: true)
        let set = try binary.writeSet("sets/dc.safetensors")
        let other = try RunDirectoryLock(directory: binary.path("sets"))
        let refused = try binary.run(evaluate(set))
        try refused.expectFailure(mentioning: "\(binary.path("sets")) is in use by process \(getpid()); wait for it to finish")
        XCTAssertEqual(refused.output, "", "refused before training")
        other.release()
        try binary.run(evaluate(set)).expectSuccess()
        XCTAssertEqual(
            Set(try FileManager.default.contentsOfDirectory(atPath: binary.path("sets"))),
            ["dc.safetensors", "evaluation.csv", "evaluation.json"], "no lock file is left in the user's folder")
        // A lock file that was there is kept, and shows that the evaluation held the folder: its process id is recorded.
        let lockFile = binary.path("sets/\(RunDirectoryLock.fileName)")
        try "1\n".write(toFile: lockFile, atomically: false, encoding: .utf8)
        try binary.run(evaluate(set)).expectSuccess()
        let holder = try XCTUnwrap(Int32(try String(contentsOfFile: lockFile, encoding: .utf8).trimmingCharacters(in: .newlines)))
        XCTAssertNotEqual(holder, 1, "the evaluation took the lock")
        XCTAssertNotEqual(holder, getpid())
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

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation
import XCTest
import _DistillTestSupport

/// A single-valued option given twice is refused, naming both values, rather
/// than silently run with the last one; options that take several values keep
/// taking them.
final class RepeatedOptionTests: BinaryTestCase {
    func testARepeatedOptionIsRefusedNamingItsValuesBeforeAnyWork() throws {
        let set = try binary.writeSet("set.safetensors")
        let weights = binary.path("w.safetensors")
        for (arguments, message) in [
            (["export", set, "--out", "f3", "--out", "f4"], "--out is given twice (f3, f4); give it once"),
            (["render", set, "--out", "x.png", "--scale", "2", "--scale", "3"], "--scale is given twice (2, 3); give it once"),
            (["condense", "--method", "dm", "--method=dc", "--out", "c"], "--method is given twice (dm, dc); give it once"),
            (["forward", "--model", "MLP", "--weights", weights, "--input", weights, "--out", "y", "--classes", "2", "--classes", "3"],
             "--classes is given twice (2, 3); give it once"),
            (["experiment", "model-pool", "--ipc", "1", "--ipc", "10", "--out", "e"], "--ipc is given twice (1, 10); give it once"),
            (["evaluate", set, "--kd", "--kd-tau", "1", "--kd-tau=2", "--kd-tau", "-3"], "--kd-tau is given 3 times (1, 2, -3); give it once"),
        ] {
            let result = try binary.run(arguments)
            XCTAssertEqual(result.status, 64, "\(arguments): \(result.errors)")
            XCTAssertEqual(result.errors, "Error: \(message)\n", "\(arguments)")
        }
        for written in ["f3", "f4", "x.png", "c", "y", "e"] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: binary.path(written)), written)
        }
    }

    /// Every single-valued option of every command, found from the parser's own description
    /// of the commands, as the check finds them: none is left to a list to keep up to date.
    func testEverySingleValuedOptionOfEveryCommandIsCovered() throws {
        let dump = try DistillProcess.run(["--experimental-dump-help"], environment: [:], in: URL(fileURLWithPath: binary.scratch))
        XCTAssertEqual(dump.status, 0, dump.errors)
        let root = try XCTUnwrap(
            (try JSONSerialization.jsonObject(with: Data(dump.output.utf8)) as? [String: Any])?["command"] as? [String: Any])
        var checked = 0
        func walk(_ command: [String: Any], path: [String]) throws {
            for argument in command["arguments"] as? [[String: Any]] ?? [] {
                guard argument["kind"] as? String == "option", argument["isRepeating"] as? Bool == false,
                    let name = (argument["preferredName"] as? [String: Any])?["name"] as? String
                else { continue }
                let option = "--" + name
                let result = try DistillProcess.run(
                    path + ["\(option)=1", option, "2"], environment: [:], in: URL(fileURLWithPath: binary.scratch))
                XCTAssertEqual(result.status, 64, "\(path) \(option): \(result.errors)")
                XCTAssertEqual(result.errors, "Error: \(option) is given twice (1, 2); give it once\n", "\(path) \(option)")
                checked += 1
            }
            for subcommand in command["subcommands"] as? [[String: Any]] ?? [] {
                try walk(subcommand, path: path + [try XCTUnwrap(subcommand["commandName"] as? String)])
            }
        }
        try walk(root, path: [])
        // forward alone has five; every command has some.
        XCTAssertGreaterThan(checked, 50)
    }

    func testOptionsThatTakeSeveralValuesStillTakeThem() throws {
        // The study's settings may be given in one --settings or several; the count is refused on its own.
        let result = try binary.run(
            ["experiment", "generalization", "--settings", "dc", "--settings", "dc+kd", "--compare", "dc+kd vs dc", "--ipc", "0", "--out", "s"])
        XCTAssertEqual(result.status, 64, result.errors)
        XCTAssertTrue(result.errors.contains("--ipc must be positive (got 0)"), result.errors)
        XCTAssertFalse(result.errors.contains("given twice"), result.errors)
    }
}

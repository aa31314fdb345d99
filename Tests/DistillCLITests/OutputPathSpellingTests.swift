// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation
import XCTest
import _DistillTestSupport

/// Paths as people type them: one character, `.`, a folder's trailing `/.`, a file's
/// trailing `/`. Foundation's `deletingLastPathComponent` traps on one-character paths,
/// so none of these may reach it.
final class OutputPathSpellingTests: BinaryTestCase {
    func testOneCharacterPathsAreReadAndWritten() throws {
        let set = try binary.writeSet("a")
        // The set's folder is "." here: the evaluation files go beside it.
        try binary.run(["evaluate", "a", "--models", "MLP", "--num-eval", "1", "--epochs", "1"]).expectSuccess()
        XCTAssertTrue(FileManager.default.fileExists(atPath: binary.path("evaluation.json")))
        try binary.run(["export", "a", "--format", "folder", "--out", "b"]).expectSuccess()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: binary.path("b")).count, 10, "one folder per class")
        try binary.run(["export", set, "--format", "npz", "--out", "c"]).expectSuccess()
        XCTAssertTrue(FileManager.default.fileExists(atPath: binary.path("c/synthetic.npz")))
    }

    func testAFolderEndingInDotIsRefusedBeforeAnythingIsMade() throws {
        _ = try binary.writeSet("set.safetensors")
        for out in [".", "./", ".//", "new/.", "p/q/..", "new/./"] {
            try assertRefused(["export", "set.safetensors", "--format", "folder", "--out", out], "give the folder by its own name")
        }
        for left in ["new", "p"] { XCTAssertFalse(FileManager.default.fileExists(atPath: binary.path(left)), "\(left) was left behind") }
    }

    /// A temporary beside a long name is cut to fit the system's limit on a name (255 bytes);
    /// a name over that limit is refused before the work, in a folder yet to be made too.
    func testNamesUpToTheSystemLimitAreWrittenAndLongerOnesRefusedBeforeTheWork() throws {
        let set = try binary.writeSet("set.safetensors")
        let long = { (length: Int, ending: String) in String(repeating: "w", count: length - ending.utf8.count) + ending }
        let trained = try binary.run(["train", "--model", "MLP", "--epochs", "1", "--save", long(250, ".safetensors")])
        try trained.expectSuccess()
        XCTAssertTrue(FileManager.default.fileExists(atPath: binary.path(long(250, ".safetensors"))))
        try binary.run(["render", set, "--out", long(255, ".png")]).expectSuccess()
        try binary.run(["export", set, "--format", "npz", "--out", long(255, ".npz")]).expectSuccess()
        try binary.run(["export", set, "--format", "folder", "--out", long(255, "")]).expectSuccess()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: binary.scratch).filter { $0.contains("distill-tmp") }, [])

        let tooLong = "new/" + long(256, ".safetensors")
        let refused = try binary.run(["train", "--model", "MLP", "--epochs", "1", "--save", tooLong])
        try refused.expectFailure(mentioning: "cannot write \(tooLong): the name is too long")
        XCTAssertFalse(refused.output.contains("test accuracy"), "trained before refusing: \(refused.output)")
        try assertRefused(["render", set, "--out", "new/" + long(256, ".png")], "the name is too long")
        try assertRefused(["export", set, "--format", "npz", "--out", "new/" + long(256, ".npz")], "the name is too long")
        try assertRefused(["export", set, "--format", "folder", "--out", "new/" + long(256, "")], "the name is too long")
        XCTAssertFalse(FileManager.default.fileExists(atPath: binary.path("new")))
    }

    func testAFileNameEndingInASlashIsRefusedBeforeTheWork() throws {
        _ = try binary.writeSet("set.safetensors")
        try assertRefused(["train", "--model", "MLP", "--epochs", "1", "--save", "sv/new/"], "--save ends in '/', so it names a folder")
        try assertRefused(["render", "set.safetensors", "--out", "grid/"], "--out ends in '/', so it names a folder")
        let trained = try binary.run(["train", "--model", "MLP", "--epochs", "1", "--save", "sv/new/"])
        XCTAssertFalse(trained.output.contains("test accuracy"), "trained before refusing: \(trained.output)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: binary.path("sv")))
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import Foundation
import XCTest
import _DistillTestSupport

/// Options a run would ignore, or settings that make a part of the run
/// meaningless, are refused before any work, as `... only applies ...`.
final class IgnoredOptionTests: BinaryTestCase {
    func testFolderOptionsAreRefusedForASetOfABuiltInDataset() throws {
        let set = try binary.writeSet("set.safetensors")
        let evaluate = ["evaluate", set, "--models", "ConvNet", "--num-eval", "1", "--epochs", "0", "--out", binary.path("ev")]
        try binary.expectRefused(evaluate + ["--max-memory", "1"], "--max-memory only applies to folder:PATH datasets (fashion-mnist is not one)")
        try binary.expectRefused(evaluate + ["--skip-bad-images"], "--skip-bad-images only applies to folder:PATH datasets")
        XCTAssertFalse(FileManager.default.fileExists(atPath: binary.path("ev/evaluation.json")))
    }

    func testDataOptionsAreRefusedForAnExportThatReadsNoDataset() throws {
        let set = try binary.writeSet("set.safetensors")
        let export = ["export", set, "--format", "npz", "--out", binary.path("q.npz")]
        try binary.expectRefused(export + ["--max-memory", "1"], "--max-memory only applies to folder:PATH datasets (fashion-mnist is not one)")
        try binary.expectRefused(export + ["--skip-bad-images"], "--skip-bad-images only applies to folder:PATH datasets")
        try binary.expectRefused(export + ["--data-dir", "/nonexistent"], "--data-dir only applies when the set's class names are read")
        XCTAssertFalse(FileManager.default.fileExists(atPath: binary.path("q.npz")))
        try binary.run(export).expectSuccess()
    }

    func testPoolOptionsNeedAPoolOfSeveralMembersAndAWarmUpIterationsAfterIt() throws {
        let condense = ["condense", "--iterations", "2", "--batch-real", "4", "--out", binary.path("c")]
        for option in [["--pool-warmup", "1"], ["--pool-adapt", "loss"], ["--pool-step", "main"]] {
            try binary.expectRefused(
                condense + option, "\(option[0]) only applies with a --pool of more than one member (the pool 'none' has one)")
        }
        try binary.expectRefused(
            condense + ["--pool", "paper", "--pool-warmup", "5"], "--pool-warmup 5 leaves none of the 2 iterations to the pool")
        XCTAssertFalse(FileManager.default.fileExists(atPath: binary.path("c")))
    }

    func testAModelOtherThanAPoolListsFirstEntryIsRefused() throws {
        // A list's main model is its first entry: another --model would be recorded but never drawn.
        try binary.expectRefused(
            ["condense", "--model", "LeNet", "--pool", "ConvNet:0.5,MLP:0.5", "--iterations", "1", "--batch-real", "4", "--out", binary.path("c")],
            "--model LeNet is not the main model of the --pool list, which is its first entry (ConvNet); list LeNet first, or leave --model out")
        XCTAssertFalse(FileManager.default.fileExists(atPath: binary.path("c")))
        // Without --model the list's first entry is the main model, and the set records it.
        try binary.run(["condense", "--pool", "MLP:0.5,ConvNet:0.5", "--iterations", "1", "--batch-real", "4", "--out", binary.path("c")])
            .expectSuccess()
        let set = try SyntheticSetFile(contentsOf: binary.path("c/synthetic.safetensors"))
        XCTAssertEqual(set.metadata["model"], "MLP")
    }

    func testARepeatedAugmentationGroupIsRefused() throws {
        try binary.expectRefused(
            ["condense", "--method", "dsa", "--dsa-strategy", "color_color", "--iterations", "1", "--batch-real", "2", "--out", binary.path("c")],
            "--dsa-strategy 'color_color' lists color twice; give each group once")
    }

    func testAGoldenPathThatIsAFileIsNotCalledMissing() throws {
        let file = binary.path("golden.txt")
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        try binary.expectRefused(["selftest", "--golden", file], "golden directory \(file) is not a directory")
        try binary.expectRefused(["selftest", "--golden", binary.path("absent")], "does not exist")
    }
}

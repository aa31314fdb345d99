// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import Foundation
import XCTest
import _DistillTestSupport

/// folder:PATH datasets on the command line: results never written into the dataset,
/// class folders whose names a run could not record refused, a bad --dataset in one line.
final class FolderDatasetTests: BinaryTestCase {
    /// A 2-class dataset of 8×8 gray PNGs in the scratch directory, with a link to it.
    private func writeFolder() throws -> String {
        let folder = binary.path("ds")
        for split in ["train", "test"] {
            for (label, name) in ["a", "b"].enumerated() {
                let directory = "\(folder)/\(split)/\(name)"
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                for index in 0..<2 {
                    try PNG.encode(pixels: (0..<64).map { UInt8(label * 150 + index * 20 + $0 % 30) }, width: 8, height: 8, channels: 1)
                        .write(to: URL(fileURLWithPath: "\(directory)/\(index).png"))
                }
            }
        }
        try FileManager.default.createSymbolicLink(atPath: binary.path("link"), withDestinationPath: folder)
        try FileManager.default.createDirectory(atPath: binary.path("other"), withIntermediateDirectories: true)
        return folder
    }

    /// Every path under `folder` but the statistics cache a read writes, to see that a refused command left the dataset as it was.
    private func tree(_ folder: String) -> [String] {
        (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []).filter { $0 != ".distill-stats.json" }.sorted()
    }

    func testAPoolMemberThatCannotTakeTheImagesIsRefusedBeforeTheFirstCondensation() throws {
        let folder = try writeFolder()
        let common = ["--dataset", "folder:\(folder)", "--models", "MLP", "--num-eval", "1", "--epochs", "1", "--batch-real", "2"]
        for (arguments, refusal) in [
            (["experiment", "model-pool", "--quick", "--pool-ablation", "--iterations", "1", "--out", binary.path("mpa")] + common,
             "invalid pool main-model: its member "),
            (["experiment", "generalization", "--settings", "dc+iterations=1", "dc+pool=total-random+iterations=1", "--out", binary.path("g")] + common,
             "--settings 'dc+pool=total-random+iterations=1' is not valid: invalid pool total-random: its member "),
        ] {
            let result = try binary.run(arguments)
            try result.expectFailure(mentioning: refusal)
            XCTAssertTrue(result.errors.contains("cannot take 1×8×8 inputs"), result.errors)
            XCTAssertFalse(result.output.contains("condense "), "condensed before refusing: \(result.output)")
        }
    }

    func testResultsInsideTheDatasetAreRefusedBeforeAnythingIsWritten() throws {
        let folder = try writeFolder()
        let before = tree(folder)
        let dataset = ["--dataset", "folder:\(folder)"]
        let study = ["--num-eval", "1", "--epochs", "1", "--models", "ConvNet", "--batch-real", "2"]
        for (arguments, option, path) in [
            (["condense"] + dataset + ["--iterations", "1", "--out"], "--out", "ds/train/run"),
            // The dataset through a link, the output through `..`.
            (["condense", "--dataset", "folder:link", "--iterations", "1", "--out"], "--out", "other/../ds/test/run"),
            (["condense"] + dataset + ["--iterations", "1", "--out"], "--out", "ds"),
            (["experiment", "generalization"] + dataset + study + ["--settings", "dc+iterations=2", "--out"], "--out", "ds/train"),
            (["experiment", "model-pool"] + dataset + study + ["--quick", "--out"], "--out", "link/study"),
            (["evaluate", "--random-real", "1"] + dataset + ["--models", "MLP", "--num-eval", "1", "--epochs", "0", "--out"], "--out", "ds/e"),
            (["export", "--random-real", "1"] + dataset + ["--format", "npz", "--out"], "--out", "ds/train/a/real.npz"),
            (["train"] + dataset + ["--model", "MLP", "--epochs", "0", "--save"], "--save", "ds/train/a/w.safetensors"),
        ] {
            let result = try binary.run(arguments + [path])
            try result.expectFailure(mentioning: "\(option) \(path) lies inside the image-folder dataset folder:")
            XCTAssertEqual(result.status, 64, "\(arguments)")
            XCTAssertEqual(tree(folder), before, "\(arguments) changed the dataset")
        }
        // A sibling whose name starts like the dataset's is outside it.
        try binary.run(["train"] + dataset + ["--model", "MLP", "--epochs", "0", "--save", "dsx/w.safetensors"]).expectSuccess()
        XCTAssertEqual(tree(folder), before)
    }

    func testResultsOfASetOfAFolderDatasetAreNotWrittenIntoIt() throws {
        let folder = try writeFolder()
        let set = binary.path("run")
        try binary.run(["condense", "--dataset", "folder:\(folder)", "--iterations", "1", "--batch-real", "2", "--out", set])
            .expectSuccess()
        let before = tree(folder)
        for arguments in [
            ["render", set, "--out", "ds/train/a/grid.png"],
            ["export", set, "--format", "folder", "--out", "ds/train/c"],
            ["evaluate", set, "--models", "MLP", "--num-eval", "1", "--epochs", "0", "--out", "link/train/e"],
        ] {
            try binary.run(arguments).expectFailure(mentioning: "--out \(arguments.last!) lies inside the image-folder dataset folder:\(folder)")
            XCTAssertEqual(tree(folder), before, "\(arguments) changed the dataset")
        }
        // Without --out, evaluation results go beside the set: here, into the dataset.
        let inside = "\(folder)/train/a/set.safetensors"
        try FileManager.default.copyItem(atPath: "\(set)/synthetic.safetensors", toPath: inside)
        try binary.run(["evaluate", inside, "--models", "MLP", "--num-eval", "1", "--epochs", "0"])
            .expectFailure(mentioning: "the set's directory \(folder)/train/a lies inside the image-folder dataset")
        XCTAssertEqual(tree(folder), (before + ["train/a/set.safetensors"]).sorted())
    }

    func testClassFoldersARunCouldNotNameAreRefused() throws {
        let folder = try writeFolder()
        try FileManager.default.createDirectory(atPath: "\(folder)/train/a\nx", withIntermediateDirectories: false)
        try binary.run(["condense", "--dataset", "folder:\(folder)", "--iterations", "1", "--out", "run"])
            .expectFailure(mentioning: "the class folder name 'a\\nx' in \(folder)/train holds a control character; rename it")
        try FileManager.default.removeItem(atPath: "\(folder)/train/a\nx")
        let bad = Array("\(folder)/train/c".utf8) + [0xFF, 0]
        XCTAssertEqual(bad.withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { mkdir($0.baseAddress!, 0o755) } }, 0)
        try binary.run(["train", "--dataset", "folder:\(folder)", "--model", "MLP", "--epochs", "0"])
            .expectFailure(mentioning: "the class folder name 'c\\xFF' in \(folder)/train is not valid UTF-8; rename it")
        XCTAssertFalse(FileManager.default.fileExists(atPath: binary.path("run")))
    }

    func testABadDatasetNameIsOneLine() throws {
        for command in [["train"], ["condense", "--out", "c"], ["experiment", "generalization", "--settings", "dc", "--out", "g"]] {
            for (value, message) in [
                ("folder:", "--dataset folder: names no folder; give folder:PATH"),
                ("folder: ", "--dataset folder:  names no folder"),
                ("nope", "--dataset nope: unknown dataset; give one of mnist, fashion-mnist, svhn, cifar10, cifar100 or folder:PATH"),
                ("", "--dataset is empty; give one of mnist"),
            ] {
                let result = try binary.run(command + ["--dataset", value])
                try result.expectFailure(mentioning: message)
                XCTAssertEqual(result.status, 64, "\(command) --dataset '\(value)'")
                XCTAssertEqual(result.errors.split(separator: "\n").count, 1, result.errors)
            }
        }
        try binary.run(["evaluate", "--random-real", "1", "--dataset", "folder:"]).expectFailure(mentioning: "--dataset folder: names no folder")
        try binary.run(["export", "--random-real", "1", "--format", "npz", "--out", "r.npz", "--dataset", "x"])
            .expectFailure(mentioning: "--dataset x: unknown dataset")
        for name in ["nope", "folder:x"] {
            let result = try binary.run(["data", "fetch", name])
            try result.expectFailure(mentioning: "cannot fetch '\(name)': data fetch downloads one of mnist, fashion-mnist")
            XCTAssertEqual(result.status, 64)
        }
        // The case of a built-in name is still free.
        try binary.run(["train", "--dataset", "Fashion-MNIST", "--model", "MLP", "--epochs", "0"]).expectSuccess()
    }
}

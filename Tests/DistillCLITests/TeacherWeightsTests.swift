// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import DistillTensor
import Foundation
import XCTest
import _DistillTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// `train --save` then `evaluate --kd --teacher-weights`: a teacher trained on
/// the real training set, labelled as such, and refused when it does not fit.
final class TeacherWeightsTests: BinaryTestCase {
    private func path(_ name: String) -> String { binary.path(name) }

    private func distill(_ arguments: String...) throws -> DistillProcess.Result { try binary.run(arguments) }

    /// A quickly trained MLP teacher at `name`.
    private func teacher(_ name: String = "teacher.safetensors") throws -> String {
        try distill("train", "--model", "MLP", "--epochs", "0", "--batch", "8", "--save", path(name)).expectSuccess()
        return path(name)
    }

    /// A copy of `file` with some metadata replaced.
    private func copy(of file: String, to name: String, changing changes: [String: String]) throws -> String {
        let contents = try SafeTensorsFile(contentsOf: file)
        let tensors = try Dictionary(uniqueKeysWithValues: contents.names.map { ($0, SafeTensorsEntry(try contents.floats($0))) })
        try SafeTensors.write(tensors, metadata: contents.metadata.merging(changes) { $1 }, to: path(name))
        return path(name)
    }

    func testTrainSavesASelfDescribingTeacherThatEvaluateUsesAndLabels() throws {
        let file = path("teacher.safetensors")
        let trained = try distill(
            "train", "--model", "ConvNet", "--epochs", "1", "--batch", "8", "--lr", "0.02", "--seed", "1", "--save", file)
        try trained.expectSuccess()
        let lines = trained.output.split(separator: "\n").map(String.init)
        let accuracyLine = try XCTUnwrap(lines.firstIndex { $0.contains("test accuracy") }, trained.output)
        XCTAssertEqual(lines.firstIndex(of: "wrote \(file)"), accuracyLine + 1, "the accuracy is printed before the file is written")
        var metadata = try SafeTensorsFile(contentsOf: file).metadata
        let accuracy = try XCTUnwrap(metadata.removeValue(forKey: "test_accuracy").flatMap(Double.init))
        XCTAssertTrue(lines[accuracyLine].contains(String(format: "test accuracy %.2f%%", accuracy)), lines[accuracyLine])
        XCTAssertEqual(
            metadata,
            [
                "model": "ConvNet", "dataset": "fashion-mnist", "image_shape": "1,28,28", "classes": "10", "mean": "0.2861",
                "std": "0.353", "epochs": "1", "lr": "0.02", "batch": "8", "seed": "1",
            ])

        let evaluated = try distill(
            "evaluate", "--random-real", "1", "--models", "MLP", "--num-eval", "1", "--epochs", "2", "--kd",
            "--teacher-weights", "teacher.safetensors", "--out", path("results"), "--json")
        try evaluated.expectSuccess()
        XCTAssertTrue(
            evaluated.output.hasPrefix("KD (teacher trained on real data: teacher.safetensors; ConvNet on fashion-mnist, "),
            evaluated.output)
        XCTAssertTrue(evaluated.output.contains("with KD, real-data teacher (%)"), evaluated.output)
        let report = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("results/evaluation.json")))) as? [String: Any])
        XCTAssertEqual(report["teacherTrainedOnRealData"] as? Bool, true)
        let csv = try String(contentsOfFile: path("results/evaluation.csv"), encoding: .utf8)
        XCTAssertTrue(csv.contains("MLP,true,0,") && csv.hasSuffix(",real-data\n"), csv)
        let summary = try XCTUnwrap(evaluated.output.split(separator: "\n").last)
        XCTAssertTrue(summary.contains(#""teacher_trained_on_real_data":true"#), String(summary))
    }

    func testTeacherFilesThatDoNotFitAreRefusedInOneLineBeforeTraining() throws {
        let file = try teacher()
        let cases: [(String, String)] = [
            (try copy(of: file, to: "cifar.safetensors", changing: ["image_shape": "3,32,32", "mean": "0.5,0.5,0.5", "std": "0.2,0.2,0.2"]),
             "was trained on images of shape [3, 32, 32], but fashion-mnist images are [1, 28, 28]"),
            (try copy(of: file, to: "classes.safetensors", changing: ["classes": "100"]),
             "predicts 100 classes, but fashion-mnist has 10"),
            (try copy(of: file, to: "mnist.safetensors", changing: ["mean": "0.1307", "std": "0.3081"]),
             "was trained on inputs normalised with mean [0.1307] and std [0.3081], but fashion-mnist is normalised with mean [0.2861]"),
            (try copy(of: file, to: "bare.safetensors", changing: ["model": ""]), "has 'model' metadata ''; expected a network name"),
            (try copy(of: file, to: "other-data.safetensors", changing: ["dataset": "mnist"]),
             "other-data.safetensors was trained on mnist, not fashion-mnist"),
            (path("missing.safetensors"), "cannot read safetensors file '\(path("missing.safetensors"))'"),
        ]
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: path("garbled.safetensors")))
        for (teacher, message) in cases + [(path("garbled.safetensors"), path("garbled.safetensors"))] {
            let evaluated = try distill(
                "evaluate", "--random-real", "1", "--models", "MLP", "--num-eval", "1", "--epochs", "1", "--kd",
                "--teacher-weights", teacher, "--out", path("results"))
            try evaluated.expectFailure(mentioning: message)
            XCTAssertFalse(evaluated.output.contains("architecture"), "nothing was evaluated: \(evaluated.output)")
        }

        // A synthetic set whose recorded normalisation is not the dataset's, so not the teacher's either.
        let set = SyntheticSetFile(
            images: NDArray(repeating: 0, shape: [10, 1, 28, 28]), labels: Array(0..<10),
            metadata: ["dataset": "fashion-mnist", "mean": "0.5", "std": "0.5"])
        try set.write(to: path("set.safetensors"))
        try distill("evaluate", path("set.safetensors"), "--models", "MLP", "--num-eval", "1", "--epochs", "1", "--kd", "--teacher-weights", file)
            .expectFailure(mentioning: "\(path("set.safetensors")) records the normalisation mean 0.5, std 0.5, but fashion-mnist images are normalised with")

        try distill("evaluate", "--random-real", "1", "--teacher-weights", file)
            .expectFailure(mentioning: "--teacher-weights names a KD teacher; add --kd to use it")
        try distill("evaluate", "--random-real", "1", "--kd", "--teacher", "MLP", "--teacher-weights", file)
            .expectFailure(mentioning: "--teacher and --teacher-weights both name the teacher")
    }

    func testSaveAndOutRefuseDevicesAndDirectoriesWithoutTouchingThem() throws {
        let directory = path("a-directory")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (destination, kind) in [("/dev/null", "a character device"), (directory, "a directory")] {
            let trained = try distill("train", "--model", "MLP", "--epochs", "0", "--save", destination)
            try trained.expectFailure(mentioning: "\(destination): it is \(kind), not a regular file")
            XCTAssertFalse(trained.output.contains("test accuracy"), "refused before training: \(trained.output)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), [])

        let file = try teacher()
        let evaluated = try distill(
            "evaluate", "--random-real", "1", "--models", "MLP", "--num-eval", "1", "--epochs", "1", "--kd",
            "--teacher-weights", file, "--out", "/dev/null")
        try evaluated.expectFailure(mentioning: "/dev/null")
        XCTAssertFalse(evaluated.output.contains("architecture"), "refused before training: \(evaluated.output)")
        var status = stat()
        XCTAssertEqual(stat("/dev/null", &status), 0)
        XCTAssertEqual(status.st_mode & S_IFMT, S_IFCHR, "/dev/null is still a device")
    }

    func testSaveReplacesOnlyASavedNetworkAndNothingIsWrittenInADirectoryARunHolds() throws {
        let file = try teacher()
        try distill("train", "--model", "MLP", "--epochs", "0", "--batch", "8", "--save", file).expectSuccess()
        // A synthetic set (or a checkpoint) under a mistyped name is not lost.
        let set = try binary.writeSet("set.safetensors")
        let before = try Data(contentsOf: URL(fileURLWithPath: set))
        let trained = try distill("train", "--model", "MLP", "--epochs", "0", "--save", set)
        try trained.expectFailure(mentioning: "\(set) exists and is not a network `distill train --save` wrote")
        XCTAssertFalse(trained.output.contains("test accuracy"), "refused before training: \(trained.output)")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: set)), before)
        // Nothing is written into a directory a running condensation holds.
        let run = path("run")
        let lock = try RunDirectoryLock(directory: run)
        defer { lock.release() }
        try distill("train", "--model", "MLP", "--epochs", "0", "--save", "\(run)/w.safetensors")
            .expectFailure(mentioning: "\(run) is in use by process \(getpid()); wait for it to finish, stop it, or use another --save")
        try distill("render", set, "--out", "\(run)/synthetic.png").expectFailure(mentioning: "\(run) is in use by process")
        try distill("export", set, "--format", "npz", "--out", "\(run)/x.npz").expectFailure(mentioning: "\(run) is in use by process")
        let evaluated = try distill("evaluate", set, "--models", "MLP", "--num-eval", "1", "--epochs", "0", "--out", run)
        try evaluated.expectFailure(mentioning: "\(run) is in use by process \(getpid()); wait for it to finish, stop it, or use another --out")
        XCTAssertFalse(evaluated.output.contains("architecture"), "refused before training: \(evaluated.output)")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: run), [RunDirectoryLock.fileName])
        // Nor beside the snapshot a running condensation keeps there.
        let snapshot = "\(run)/synthetic.safetensors"
        try FileManager.default.copyItem(atPath: set, toPath: snapshot)
        try distill("evaluate", snapshot, "--models", "MLP", "--num-eval", "1", "--epochs", "0")
            .expectFailure(mentioning: "\(run) is in use by process \(getpid())")
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: run)), [RunDirectoryLock.fileName, "synthetic.safetensors"])
    }
}

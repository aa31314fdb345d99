// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import Foundation
import XCTest
import _DistillTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The `distill` binary with outputs it must not clobber: special files,
/// directories in use or holding a run, checkpoints from another run, a
/// diverging condensation, and result files that cannot be written.
final class OutputSafetyTests: XCTestCase {
    private var data: TinyFashionMNIST!
    private var scratch: String!
    private var run: String { path("run") }

    override func setUpWithError() throws {
        data = try TinyFashionMNIST()
        scratch = (data.root as NSString).appendingPathComponent("work")
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { data.remove() }

    private func condense(_ extra: String...) throws -> DistillProcess.Result {
        try distill(["condense", "--ipc", "1", "--iterations", "1", "--batch-real", "4", "--out", run] + extra)
    }

    func testRenderRefusesFIFOsSymbolicLinksAndDirectoriesAndTouchesNothing() throws {
        try condense().expectSuccess()
        let fifo = path("grid.png")
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        let target = path("target.png")
        try Data("target".utf8).write(to: URL(fileURLWithPath: target))
        let link = path("link.png")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        try FileManager.default.createDirectory(atPath: path("d"), withIntermediateDirectories: false)
        // "d": a directory named relative to the working directory, in one character.
        for (out, kind) in [(fifo, "a FIFO (named pipe)"), (link, "a symbolic link"), (run, "a directory"), ("d", "a directory")] {
            try distill("render", run, "--out", out).expectFailure(mentioning: "\(out): it is \(kind), not a regular file")
        }
        try distill("forward", "--model", "ConvNet", "--weights", "w", "--input", "x", "--out", fifo)
            .expectFailure(mentioning: "\(fifo): it is a FIFO (named pipe), not a regular file")
        var status = stat()
        XCTAssertEqual(lstat(fifo, &status), 0)
        XCTAssertEqual(status.st_mode & S_IFMT, S_IFIFO)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: link), target)
        XCTAssertEqual(try String(contentsOfFile: target, encoding: .utf8), "target")
    }

    func testAnUnusableOutIsFoundBeforeAnyWork() throws {
        let file = path("a-file")
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        try distill(["condense", "--iterations", "1", "--out", file]).expectFailure(mentioning: "cannot ")
        try distill(["condense", "--iterations", "1", "--out", "/proc/distill-\(UUID().uuidString)"])
            .expectFailure(mentioning: "/proc/distill-")
        try condense().expectSuccess()
        let evaluated = try distill("evaluate", run, "--models", "ConvNet", "--num-eval", "1", "--epochs", "1", "--out", "\(file)/results")
        try evaluated.expectFailure(mentioning: file)
        XCTAssertFalse(evaluated.output.contains("ConvNet"), "no network was trained: \(evaluated.output)")
    }

    func testEvaluateRefusesAResultFileItCannotReplaceBeforeTraining() throws {
        try condense().expectSuccess()
        let out = path("evaluation")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        XCTAssertEqual(mkfifo("\(out)/evaluation.csv", 0o644), 0)
        let evaluated = try distill("evaluate", run, "--models", "ConvNet", "--num-eval", "1", "--epochs", "1", "--out", out)
        // Found by the files' types before training; a write that fails later still follows the printed table.
        try evaluated.expectFailure(mentioning: "cannot write \(out)/evaluation.csv: it is a FIFO")
        XCTAssertEqual(evaluated.output, "", "no network was trained")
    }

    func testExperimentPrintsItsTableBeforeAWriteThatFails() throws {
        let directory = path("experiment")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        XCTAssertEqual(mkfifo("\(directory)/table.md", 0o644), 0)
        let result = try distill(
            "experiment", "model-pool", "--quick", "--iterations", "1", "--models", "ConvNet", "--epochs", "1",
            "--batch-real", "2", "--out", directory)
        try result.expectFailure(
            mentioning: "the results above could not be written to \(directory): cannot write \(directory)/table.md: it is a FIFO")
        XCTAssertTrue(result.output.contains("# Model-pool experiment"), result.output)
    }

    func testADamagedOrForeignKeptSetIsNamedNotEvaluated() throws {
        let directory = path("kept")
        let arguments = [
            "experiment", "model-pool", "--quick", "--iterations", "1", "--models", "ConvNet", "--epochs", "1",
            "--batch-real", "2", "--out", directory,
        ]
        try distill(arguments).expectSuccess()
        let kept = "\(directory)/ipc1-baseline/synthetic-iter1.safetensors"
        let original = try Data(contentsOf: URL(fileURLWithPath: kept))
        // Another condensation's set in its place is not evaluated under this one's name.
        let pool = "\(directory)/ipc1-model-pool/synthetic-iter1.safetensors"
        try Data(contentsOf: URL(fileURLWithPath: pool)).write(to: URL(fileURLWithPath: kept))
        try distill(arguments).expectFailure(
            mentioning: "ipc1-baseline holds a condensation made with other settings (its kept set synthetic-iter1.safetensors records pool paper, this condensation none)")
        try Data(original.prefix(100)).write(to: URL(fileURLWithPath: kept))
        let result = try distill(arguments)
        try result.expectFailure(mentioning: kept)
        XCTAssertFalse(result.output.contains("could not be written"), result.output)
    }

    func testARunRefusedAfterLockingItsNewDirectoryLeavesNoDirectory() throws {
        let missing = path("no-data")
        for (command, out) in [
            (["condense", "--iterations", "1"], path("new/run")),
            (["experiment", "generalization", "--settings", "dc+iterations=1", "--models", "MLP"], path("study")),
            (["experiment", "model-pool", "--quick", "--iterations", "1", "--models", "MLP"], path("pool")),
        ] {
            let result = try DistillProcess.run(command + ["--data-dir", missing, "--out", out], in: URL(fileURLWithPath: scratch))
            try result.expectFailure(mentioning: "--data-dir \(missing) cannot hold datasets: it does not exist")
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), "\(command[0]) left \(out)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("new")), "nor the parent it made")
        // A directory that was there stays.
        try FileManager.default.createDirectory(atPath: path("kept"), withIntermediateDirectories: false)
        let kept = try DistillProcess.run(
            ["condense", "--iterations", "1", "--data-dir", missing, "--out", path("kept")], in: URL(fileURLWithPath: scratch))
        try kept.expectFailure(mentioning: "cannot hold datasets")
        XCTAssertTrue(FileManager.default.fileExists(atPath: path("kept")))
    }

    func testAnExperimentWhoseCondensationIsRefusedLeavesNoDirectory() throws {
        // Refused when its condensation is built, after the experiment claimed its directories: a
        // condensation directory left behind would refuse the corrected command as "other settings".
        for (command, out) in [
            (["experiment", "generalization", "--settings", "dc+iterations=1", "--models", "MLP"], path("study")),
            (["experiment", "model-pool", "--quick", "--iterations", "1", "--models", "MLP"], path("pool")),
        ] {
            let result = try DistillProcess.run(
                command + ["--batch-real", "100000000", "--out", out], in: URL(fileURLWithPath: scratch))
            try result.expectFailure(mentioning: "use a smaller --ipc or --batch-real")
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), "\(command[1]) left \(out)")
        }
    }

    func testASecondCondenseIntoADirectoryInUseFailsAtOnce() throws {
        let lock = try RunDirectoryLock(directory: run)
        try condense().expectFailure(mentioning: "\(run) is in use by process \(getpid())")
        lock.release()
        try condense().expectSuccess()
    }

    func testARunIsReplacedOnlyWithForceAndResumedOnlyWithItsSettings() throws {
        try condense().expectSuccess()
        try condense().expectFailure(mentioning: "pass --resume to continue it or --force to start afresh")
        try condense("--force").expectSuccess()
        try distill(["condense", "--ipc", "1", "--iterations", "2", "--batch-real", "4", "--out", run, "--resume", "--lr-img", "0.5", "--pool", "paper"])
            .expectFailure(mentioning: "--lr-img 0.5 (checkpoint: 0.1")
        try Data("{\"seed\": 0, \"iter".utf8).write(to: URL(fileURLWithPath: "\(run)/checkpoint.json"))
        try condense("--resume").expectFailure(mentioning: "\(run)/checkpoint.json is not a usable checkpoint: it is not valid JSON")
    }

    func testAResumedRunRemovesTemporaryFilesOfAKilledOne() throws {
        try condense().expectSuccess()
        let stale = [
            ".checkpoint.json\(AtomicWrite.temporaryMarker)\(Int32.max - 1)-\(UUID().uuidString)",
            ".log.jsonl.\(UUID().uuidString).tmp",
        ]
        for name in stale { try Data(count: 100).write(to: URL(fileURLWithPath: "\(run)/\(name)")) }
        try distill(["condense", "--ipc", "1", "--iterations", "2", "--batch-real", "4", "--out", run, "--resume"]).expectSuccess()
        let left = try FileManager.default.contentsOfDirectory(atPath: run).filter { $0.hasPrefix(".") && $0 != RunDirectoryLock.fileName }
        XCTAssertEqual(left, [])
    }

    func testDivergenceIsNamedAndANonFiniteRateRefused() throws {
        try distill(["condense", "--ipc", "1", "--iterations", "8", "--batch-real", "4", "--out", run, "--lr-img", "1e38", "--checkpoint-every", "1"])
            .expectFailure(mentioning: "last good checkpoint at iteration")
        try condense("--lr-img", "inf", "--force").expectFailure(mentioning: "--lr-img must be a finite number above 0")
    }

    // MARK: - Running the binary

    private func path(_ name: String) -> String { (scratch as NSString).appendingPathComponent(name) }

    private func distill(_ arguments: String...) throws -> DistillProcess.Result { try distill(arguments) }

    /// Runs the built binary with the generated data as its only data source.
    private func distill(_ arguments: [String]) throws -> DistillProcess.Result {
        let readsData = ["condense", "evaluate", "experiment"].contains(arguments[0])
        return try DistillProcess.run(
            arguments + (readsData ? ["--data-dir", data.root] : []), environment: ["HOME": data.root],
            in: URL(fileURLWithPath: scratch))
    }
}

extension DistillProcess.Result {
    func expectSuccess(file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(status, 0, errors, file: file, line: line)
    }

    /// A non-zero status and exactly one error line, in plain words, containing `text`.
    func expectFailure(mentioning text: String, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertNotEqual(status, 0, "succeeded: \(output)", file: file, line: line)
        let lines = errors.split(separator: "\n").filter { $0.hasPrefix("Error:") }
        XCTAssertEqual(lines.count, 1, errors, file: file, line: line)
        XCTAssertTrue(lines.first?.contains(text) ?? false, "expected '\(text)' in: \(errors)", file: file, line: line)
        for raw in ["Error Domain", "DecodingError", "EncodingError", "NSCocoaErrorDomain"] {
            XCTAssertFalse(errors.contains(raw), errors, file: file, line: line)
        }
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import Foundation
import XCTest
import _DistillTestSupport

/// The binary under `mpirun`: several ranks give exactly the single-process
/// results, only rank 0 prints and writes, and a failing rank stops the job.
final class MultiRankTests: XCTestCase {
    private var data: TinyFashionMNIST!
    private var binary: DistillBinary!

    override func setUpWithError() throws {
        guard Self.mpirun != nil else {
            throw XCTSkip("mpirun is not on PATH (Scripts/install-deps installs openmpi-bin)")
        }
        data = try TinyFashionMNIST()
        binary = try DistillBinary(data: data)
    }

    override func tearDown() { data?.remove() }

    private static let mpirun: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"
        return path.split(separator: ":").map { "\($0)/mpirun" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// `distill arguments` on `ranks` ranks (0: without a launcher), one thread each,
    /// so the arithmetic is the same whatever the machine's core count.
    private func distill(ranks: Int, _ arguments: [String], environment: [String: String] = [:]) throws -> DistillProcess.Result {
        let readsData = ["condense", "evaluate", "experiment"].contains(arguments[0])
        let full = arguments + (readsData ? ["--data-dir", data.root] : [])
        let variables = ["HOME": data.root, "DISTILL_THREADS": "1"].merging(environment) { $1 }
        let directory = URL(fileURLWithPath: binary.scratch)
        guard ranks > 0 else { return try DistillProcess.run(full, environment: variables, in: directory) }
        // Open MPI's shared-memory transport cannot map another process's memory in some
        // containers; copying through the shared segment works everywhere.
        let launcher = ["--allow-run-as-root", "--oversubscribe", "-np", "\(ranks)", "--mca", "btl_vader_single_copy_mechanism", "none"]
        return try DistillProcess.run(
            program: Self.mpirun!, launcher + [DistillProcess.executable.path] + full, environment: variables,
            in: directory)
    }

    /// Every accuracy and divergence flag in a JSON file, in document order
    /// (keys sorted), without the wall times, which differ from run to run.
    private func accuracies(in file: String) throws -> [String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        func walk(_ value: Any, _ found: inout [String]) {
            if let object = value as? [String: Any] {
                for key in object.keys.sorted() {
                    if key == "accuracy" || key == "diverged" { found.append("\(key) \(object[key]!)") }
                    walk(object[key]!, &found)
                }
            } else if let array = value as? [Any] {
                for element in array { walk(element, &found) }
            }
        }
        var found: [String] = []
        walk(try JSONSerialization.jsonObject(with: data), &found)
        return found
    }

    /// The bytes of a file in the scratch directory.
    private func contents(_ name: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: binary.path(name))) }

    func testEvaluateGivesTheSingleProcessAccuraciesOnTwoAndThreeRanks() throws {
        let grid = [
            "evaluate", "--random-real", "2", "--models", "ConvNet,MLP", "--num-eval", "2", "--epochs", "2", "--kd",
            "--teacher", "MLP",
        ]
        let single = try distill(ranks: 0, grid + ["--out", binary.path("one")])
        XCTAssertEqual(single.status, 0, single.errors)
        let expected = try accuracies(in: binary.path("one/evaluation.json"))
        XCTAssertEqual(expected.count, 16, "2 architectures × 2 runs × plain and KD, accuracy and flag")
        for ranks in [2, 3] {
            let out = binary.path("ranks\(ranks)")
            let result = try distill(ranks: ranks, grid + ["--out", out])
            XCTAssertEqual(result.status, 0, result.errors)
            XCTAssertEqual(try accuracies(in: out + "/evaluation.json"), expected, "\(ranks) ranks")
            // Rank 0 alone prints: one table, one "wrote" line.
            XCTAssertEqual(result.output.components(separatedBy: "wrote ").count - 1, 1, result.output)
            XCTAssertEqual(
                result.output.components(separatedBy: "\n").filter { $0.hasPrefix("| ConvNet") }.count,
                single.output.components(separatedBy: "\n").filter { $0.hasPrefix("| ConvNet") }.count, result.output)
        }
    }

    func testCondenseGivesTheSingleProcessSetOnTwoAndThreeRanks() throws {
        for method in ["dc", "dsa", "dm"] {
            let condense = ["condense", "--method", method, "--ipc", "1", "--iterations", "2", "--batch-real", "4"]
            let single = try distill(ranks: 0, condense + ["--out", binary.path("\(method)-1")])
            XCTAssertEqual(single.status, 0, single.errors)
            for ranks in [2, 3] {
                let result = try distill(ranks: ranks, condense + ["--out", binary.path("\(method)-\(ranks)")])
                XCTAssertEqual(result.status, 0, result.errors)
                XCTAssertEqual(
                    try contents("\(method)-\(ranks)/synthetic.safetensors"), try contents("\(method)-1/synthetic.safetensors"),
                    "\(method) on \(ranks) ranks")
                XCTAssertEqual(
                    result.output.replacingOccurrences(of: "\(method)-\(ranks)/", with: "\(method)-1/"), single.output,
                    "rank 0 alone prints the summary")
            }
        }
    }

    func testACondensationStartedOnTwoRanksResumesOnThree() throws {
        let condense = ["condense", "--method", "dc", "--ipc", "1", "--batch-real", "4"]
        let straight = try distill(ranks: 0, condense + ["--iterations", "3", "--out", binary.path("straight")])
        XCTAssertEqual(straight.status, 0, straight.errors)
        let first = try distill(ranks: 2, condense + ["--iterations", "1", "--out", binary.path("resumed")])
        XCTAssertEqual(first.status, 0, first.errors)
        let second = try distill(ranks: 3, condense + ["--iterations", "3", "--resume", "--out", binary.path("resumed")])
        XCTAssertEqual(second.status, 0, second.errors)
        XCTAssertEqual(try contents("resumed/synthetic.safetensors"), try contents("straight/synthetic.safetensors"))
    }

    func testQuickExperimentGivesTheSingleProcessResultsAndResumesWithAnotherRankCount() throws {
        let experiment = [
            "experiment", "model-pool", "--quick", "--models", "ConvNet,MLP", "--epochs", "1", "--num-eval", "2",
            "--batch-real", "2",
        ]
        let single = try distill(ranks: 0, experiment + ["--iterations", "1,2", "--out", binary.path("single")])
        XCTAssertEqual(single.status, 0, single.errors)
        let expected = try accuracies(in: binary.path("single/results.json"))
        XCTAssertFalse(expected.isEmpty)
        // A first job that stops after the first kept set stands in for a killed one.
        let first = try distill(ranks: 2, experiment + ["--iterations", "1", "--out", binary.path("ranks")])
        XCTAssertEqual(first.status, 0, first.errors)
        let second = try distill(ranks: 3, experiment + ["--iterations", "1,2", "--out", binary.path("ranks")])
        XCTAssertEqual(second.status, 0, second.errors)
        XCTAssertTrue(second.output.contains("reused"), "the evaluations of iteration 1 come from the cache: \(second.output)")
        XCTAssertEqual(try accuracies(in: binary.path("ranks/results.json")), expected)
    }

    func testGeneralizationStudyGivesTheSingleProcessResultsOnThreeRanks() throws {
        let study = [
            "experiment", "generalization", "--settings", "dc+iterations=2", "dc+pool=ConvNet:0.05,MLP:0.95+adapt=loss+step=main+iterations=2",
            "--models", "ConvNet,MLP", "--epochs", "1", "--num-eval", "2", "--batch-real", "2", "--test-per-class", "2",
        ]
        let single = try distill(ranks: 0, study + ["--out", binary.path("study-single")])
        XCTAssertEqual(single.status, 0, single.errors)
        let ranks = try distill(ranks: 3, study + ["--out", binary.path("study-ranks")])
        XCTAssertEqual(ranks.status, 0, ranks.errors)
        let recorded = try JSONSerialization.jsonObject(with: contents("study-single/results.json")) as? [String: Any]
        let command = recorded?["command"] as? String ?? ""
        XCTAssertTrue(
            command.hasPrefix("distill " + study.joined(separator: " ") + " --out " + binary.path("study-single")),
            "the command to paste: \(command)")
        let expected = try accuracies(in: binary.path("study-single/results.json"))
        XCTAssertEqual(expected.count, 16, "accuracy and diverged of two settings × two architectures × two runs")
        XCTAssertEqual(try accuracies(in: binary.path("study-ranks/results.json")), expected)
        let pool = "dc-ConvNet_0.05_MLP_0.95-adapt-loss-step-main-it2"
        XCTAssertTrue(
            String(decoding: try contents("study-ranks/\(pool)/log.jsonl"), as: UTF8.self).contains("imageStepScales"),
            "the ranks scaled a step alike")
        for name in ["dc-none-it2", pool] {
            XCTAssertEqual(
                try contents("study-ranks/\(name)/synthetic-iter2.safetensors"), try contents("study-single/\(name)/synthetic-iter2.safetensors"),
                name)
        }
    }

    func testAFailingRankStopsTheJobWithOneLineNamingIt() throws {
        let started = Date()
        let result = try distill(
            ranks: 3,
            ["evaluate", "--random-real", "2", "--models", "MLP", "--num-eval", "6", "--epochs", "40", "--out", binary.path("failed")],
            environment: ["DISTILL_TEST_FAIL_RANK": "1"])
        XCTAssertNotEqual(result.status, 0)
        let lines = result.errors.split(separator: "\n").filter { $0.hasPrefix("distill:") }
        XCTAssertEqual(lines, ["distill: rank 1 of 3: failed on purpose (DISTILL_TEST_FAIL_RANK)"], result.errors)
        XCTAssertFalse(FileManager.default.fileExists(atPath: binary.path("failed/evaluation.json")))
        XCTAssertLessThan(Date().timeIntervalSince(started), 60, "the other ranks were stopped, not waited for")
    }

    func testAnErrorEveryRankMeetsIsReportedOnceByRankZeroAndTheJobEndsNormally() throws {
        let arguments = ["evaluate", binary.path("missing.safetensors"), "--models", "MLP"]
        let plain = try distill(ranks: 0, arguments)
        let result = try distill(ranks: 3, arguments)
        XCTAssertEqual(result.status, plain.status, result.errors)
        XCTAssertNotEqual(result.status, 0)
        let lines = result.errors.split(separator: "\n").filter { $0.hasPrefix("Error:") || $0.hasPrefix("distill:") }
        XCTAssertEqual(lines.map(String.init), [plain.errors.trimmingCharacters(in: .newlines)], result.errors)
        XCTAssertTrue(lines.first?.contains("missing.safetensors") == true, result.errors)
        XCTAssertFalse(result.errors.contains("MPI_ABORT"), "no rank aborted the job: \(result.errors)")
    }

    func testACommandThatRunsInOneProcessRefusesSeveralRanks() throws {
        let result = try distill(ranks: 2, ["models"])
        XCTAssertNotEqual(result.status, 0)
        let lines = result.errors.split(separator: "\n").filter { $0.contains("runs in one process") }
        XCTAssertEqual(lines.count, 1, "rank 0 alone reports: \(result.errors)")
        XCTAssertTrue(result.output.isEmpty, result.output)
    }

    func testOneRankUnderTheLauncherIsAPlainRun() throws {
        let result = try distill(ranks: 1, ["models"])
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertEqual(result.output, try distill(ranks: 0, ["models"]).output)
    }
}

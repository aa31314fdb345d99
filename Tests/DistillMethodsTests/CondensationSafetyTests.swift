// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData
import DistillIO
import DistillMethods
import Foundation
import XCTest
import _DistillTestSupport

/// What a condensation run does with its directory: it owns it while it runs,
/// replaces an earlier run only when told and only at its first checkpoint,
/// resumes only the same run from a sound checkpoint, and stops on divergence.
final class CondensationSafetyTests: XCTestCase {
    private var data: TinyFashionMNIST!
    private var directory: String { "\(data.root)/run" }
    private var output: CondensationOutput { CondensationOutput(directory: directory) }

    override func setUpWithError() throws { data = try TinyFashionMNIST() }

    override func tearDownWithError() throws { data.remove() }

    private func request(
        method: String = "dc", iterations: Int, resume: Bool = false, force: Bool = false, learningRateImage: Float? = nil,
        pool: String = "none", checkpointEvery: Int = 1
    ) -> CondensationRequest {
        CondensationRequest(
            dataset: .fashionMNIST, method: method, imagesPerClass: 1, pool: pool, iterations: iterations,
            learningRateImage: learningRateImage, batchReal: 4, seed: 9, checkpointEvery: checkpointEvery,
            resume: resume, force: force)
    }

    @discardableResult
    private func run(_ request: CondensationRequest) throws -> String {
        try request.run(locator: data.locator, output: output) { _, _ in }
    }

    private func loggedIterations() throws -> [Int] {
        try String(contentsOfFile: output.logPath, encoding: .utf8).split(separator: "\n").map {
            try JSONDecoder().decode(IterationReport.self, from: Data($0.utf8)).iteration
        }
    }

    private func logLines() throws -> Int {
        try String(contentsOfFile: output.logPath, encoding: .utf8).split(separator: "\n").count
    }

    func testASecondRunIntoALockedDirectoryIsRefusedAtOnce() throws {
        let lock = try RunDirectoryLock(directory: directory)
        XCTAssertThrowsError(try run(request(iterations: 1))) { error in
            XCTAssertEqual(error as? RunDirectoryInUseError, RunDirectoryInUseError(directory: directory, process: getpid()))
        }
        XCTAssertFalse(output.holdsRun)
        lock.release()
        XCTAssertNoThrow(try run(request(iterations: 1)))
    }

    func testStartingAfreshOverARunNeedsForceAndKeepsItsFilesUntilTheFirstCheckpoint() throws {
        try run(request(iterations: 2))
        XCTAssertEqual(try logLines(), 2)
        XCTAssertThrowsError(try run(request(iterations: 3))) { error in
            XCTAssertEqual(error as? CondensationError, .runExists(directory: directory, iteration: 2))
            XCTAssertTrue("\(error)".contains("--force"), "\(error)")
        }
        XCTAssertEqual(try logLines(), 2, "a refused run deletes nothing")
        let checkpoint = try Data(contentsOf: URL(fileURLWithPath: output.checkpointPath))
        // Diverging before its first checkpoint, a forced run leaves the old one whole.
        XCTAssertThrowsError(try run(request(iterations: 4, force: true, learningRateImage: 1e30, checkpointEvery: 10)))
        XCTAssertEqual(try logLines(), 2)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: output.checkpointPath)), checkpoint)
        try run(request(iterations: 3, force: true))
        XCTAssertEqual(try logLines(), 3, "the new run's log replaces the old one")
    }

    func testResumingWithOtherSettingsIsRefusedNamingEachDifference() throws {
        try run(request(iterations: 1))
        XCTAssertThrowsError(try run(request(iterations: 2, resume: true, learningRateImage: 0.5, pool: "paper"))) { error in
            guard case .resumeMismatch(let path, let differences)? = error as? CondensationError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(path, output.checkpointPath)
            XCTAssertEqual(differences.map { String($0.prefix { $0 != " " }) }, ["--lr-img", "--pool"])
            XCTAssertTrue(differences[0].hasPrefix("--lr-img 0.5 (checkpoint: 0.1"), differences[0])
        }
        XCTAssertThrowsError(try run(request(method: "dsa", iterations: 2, resume: true))) { error in
            XCTAssertTrue("\(error)".contains("--method dsa (checkpoint: dc)"), "\(error)")
        }
        // More iterations are the one change a resumed run may make.
        XCTAssertNoThrow(try run(request(iterations: 2, resume: true)))
    }

    func testResumingAFinishedRunSaysNothingWasLeftToRun() throws {
        XCTAssertTrue(try run(request(iterations: 2)).hasPrefix("wrote "))
        let modified = try FileManager.default.attributesOfItem(atPath: output.syntheticPath)[.modificationDate] as? Date
        let message = try run(request(iterations: 2, resume: true))
        XCTAssertEqual(
            message, "\(output.syntheticPath) is already at iteration 2 of 2; no iteration was left to run (raise --iterations to continue)")
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: output.syntheticPath)[.modificationDate] as? Date, modified)
    }

    func testSettingsACheckpointDoesNotRecordAreDifferences() throws {
        try run(request(iterations: 1))
        let saved = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output.checkpointPath))) as? [String: Any])
        let settings = try XCTUnwrap(saved["settings"] as? [String: String])
        let edits: [([String: String], [String])] = [
            // Emptied: nothing recorded, so every setting of the run, the method among them, differs.
            ([:], ["--dataset fashion-mnist (checkpoint: not recorded)", "--method dm (checkpoint: not recorded)"]),
            (settings.filter { $0.key != "--lr-img" }, ["--method dm (checkpoint: dc)"]),
        ]
        for (recorded, expected) in edits {
            var object = saved
            object["settings"] = recorded
            try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: output.checkpointPath))
            XCTAssertThrowsError(try run(request(method: "dm", iterations: 2, resume: true))) { error in
                guard case .resumeMismatch(_, let differences)? = error as? CondensationError else { return XCTFail("\(error)") }
                XCTAssertEqual(Array(differences.prefix(expected.count)), expected)
            }
        }
        // The same method: the setting the checkpoint lacks is named.
        var object = saved
        object["settings"] = settings.filter { $0.key != "--lr-img" }
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: output.checkpointPath))
        XCTAssertThrowsError(try run(request(iterations: 2, resume: true))) { error in
            guard case .resumeMismatch(_, let differences)? = error as? CondensationError else { return XCTFail("\(error)") }
            XCTAssertEqual(differences, ["--lr-img 0.1 (checkpoint: not recorded)"])
        }
        // Checkpoints written before 2026-12-06 lack --pool-adapt and --pool-step; the state is checked for those.
        object["settings"] = settings.filter { !["--pool-adapt", "--pool-step"].contains($0.key) }
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: output.checkpointPath))
        XCTAssertNoThrow(try run(request(iterations: 2, resume: true)))
    }

    func testResumingWithAnotherPoolAdaptationOrStepScalingIsRefused() throws {
        var adaptive = request(iterations: 2, pool: "ConvNet:0.5,MLP:0.5")
        adaptive.poolAdapt = "loss"
        try run(adaptive)
        let changes: [(String, (inout CondensationRequest) -> Void)] = [
            ("--pool-adapt loss:beta=50,rate=0.2,floor=0.2 (checkpoint: loss:beta=4,rate=0.2,floor=0.2)", { $0.poolAdapt = "loss:beta=50" }),
            ("--pool-adapt none (checkpoint: loss:beta=4", { $0.poolAdapt = nil }),
            ("--pool-step main (checkpoint: none)", { $0.poolStep = "main" }),
        ]
        for (difference, change) in changes {
            var resumed = adaptive
            resumed.iterations = 3
            resumed.resume = true
            change(&resumed)
            XCTAssertThrowsError(try run(resumed)) { error in
                guard case .resumeMismatch(_, let differences)? = error as? CondensationError else { return XCTFail("\(error)") }
                XCTAssertEqual(differences.count, 1, "\(differences)")
                XCTAssertTrue(differences[0].hasPrefix(difference), "\(differences)")
            }
        }
    }

    func testACheckpointLackingWhatItsRunHasAfterOneIterationIsRefused() throws {
        var scaled = request(iterations: 2, pool: "ConvNet:0.5,MLP:0.5")
        scaled.poolAdapt = "loss"
        scaled.poolStep = "main"
        try run(scaled)
        let saved = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output.checkpointPath))) as? [String: Any])
        let edits: [(String, (inout [String: Any]) -> Void)] = [
            ("lacks the main-model step sizes (mainStepNorms)", { $0["mainStepNorms"] = nil }),
            ("lacks the pool adaptation state", { $0["poolAdaptation"] = nil }),
            ("lacks the momentum buffer", { Self.remove(&$0, optimizer: "momentumBuffer") }),
            ("records no settings", { $0["settings"] = nil }),
        ]
        var resumed = scaled
        resumed.iterations = 3
        resumed.resume = true
        for (message, edit) in edits {
            var object = saved
            edit(&object)
            try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: output.checkpointPath))
            XCTAssertThrowsError(try run(resumed)) { error in
                guard case .invalidCheckpoint(_, let reason)? = error as? CondensationError else { return XCTFail("\(message): \(error)") }
                XCTAssertTrue(reason.contains(message), "\(message): \(reason)")
            }
        }
        // A fixed pool's run whose checkpoint holds what only adaptive or scaled runs have.
        try? FileManager.default.removeItem(atPath: directory)
        try run(request(iterations: 2, pool: "ConvNet:0.5,MLP:0.5"))
        var plain = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output.checkpointPath))) as? [String: Any])
        plain["mainStepNorms"] = saved["mainStepNorms"]
        try JSONSerialization.data(withJSONObject: plain).write(to: URL(fileURLWithPath: output.checkpointPath))
        XCTAssertThrowsError(try run(request(iterations: 3, resume: true, pool: "ConvNet:0.5,MLP:0.5"))) { error in
            XCTAssertTrue("\(error)".contains("holds main-model step sizes (mainStepNorms), but this run has no --pool-step"), "\(error)")
        }
    }

    func testTheLogHoldsEveryIterationOfTheCheckpointWhenALaterWriteFails() throws {
        // During iteration 0 the picture's name becomes a folder with a file in it, which no write can replace:
        // the first checkpoint (iteration 2) fails at the picture, after the checkpoint itself.
        let first = request(iterations: 4, checkpointEvery: 2)
        XCTAssertThrowsError(
            try first.run(locator: data.locator, output: output) { report, _ in
                guard report.iteration == 0 else { return }
                try? FileManager.default.createDirectory(atPath: output.gridPath, withIntermediateDirectories: false)
                XCTAssertTrue(FileManager.default.createFile(atPath: "\(output.gridPath)/blocker", contents: nil))
            })
        XCTAssertEqual(try output.loadCheckpoint().iteration, 2)
        XCTAssertEqual(try loggedIterations(), [0, 1])
        try FileManager.default.removeItem(atPath: output.gridPath)
        try run(request(iterations: 4, resume: true, checkpointEvery: 2))
        XCTAssertEqual(try loggedIterations(), [0, 1, 2, 3])
    }

    func testAPoolThatCannotBeIsRefusedBeforeTheDirectoryIsMade() throws {
        var scaledAlone = request(iterations: 1)
        scaledAlone.poolStep = "main"
        var adaptedAlone = request(iterations: 1)
        adaptedAlone.poolAdapt = "loss"
        for (bad, message) in [
            (request(iterations: 1, pool: "ConvNet:0.5,Bogus:0.5"), "unknown pool architecture 'Bogus'"),
            (scaledAlone, "the pool 'none' has one member"), (adaptedAlone, "the pool 'none' has one member"),
        ] {
            XCTAssertThrowsError(try run(bad)) { XCTAssertTrue("\($0)".contains(message), "\(message): \($0)") }
            XCTAssertFalse(FileManager.default.fileExists(atPath: directory), "\(message): the run left its directory")
        }
    }

    func testCheckpointValuesAreChecked() throws {
        try run(request(iterations: 1))
        let saved = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output.checkpointPath))) as? [String: Any])
        let edits: [(String, (inout [String: Any]) -> Void)] = [
            ("iteration -5 is negative", { $0["iteration"] = -5 }),
            ("past this run's 3 iterations", { $0["iteration"] = 1 << 62 }),
            ("learning rate -1.0 is not a finite positive number", { Self.edit(&$0, optimizer: "learningRate", -1) }),
            ("momentum 1.5 is not in [0, 1)", { Self.edit(&$0, optimizer: "momentum", 1.5) }),
            // Sound values, but not the run's: the recorded settings say --lr-img 0.1 and momentum 0.5.
            ("learning rate 1e+30 is not the run's --lr-img 0.1", { Self.edit(&$0, optimizer: "learningRate", 1e30) }),
            ("momentum 0.9 is not the run's 0.5", { Self.edit(&$0, optimizer: "momentum", 0.9) }),
            // Linux's decoder reports a number that does not fit its field as broken JSON.
            ("is valid JSON, but a number in it does not fit its field", { $0["iteration"] = 1.5 }),
        ]
        for (message, edit) in edits {
            var object = saved
            edit(&object)
            try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: output.checkpointPath))
            XCTAssertThrowsError(try run(request(iterations: 3, resume: true))) { error in
                guard case .invalidCheckpoint(let path, let reason)? = error as? CondensationError else {
                    return XCTFail("\(message): \(error)")
                }
                XCTAssertEqual(path, output.checkpointPath)
                XCTAssertTrue(reason.contains(message), "\(message): \(reason)")
            }
        }
    }

    func testACheckpointWhoseIPCDisagreesWithItsImagesIsNamedDamaged() throws {
        try run(request(iterations: 1))
        var object = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output.checkpointPath))) as? [String: Any])
        var synthetic = try XCTUnwrap(object["synthetic"] as? [String: Any])
        synthetic["imagesPerClass"] = 2
        object["synthetic"] = synthetic
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: output.checkpointPath))
        XCTAssertThrowsError(try run(request(iterations: 2, resume: true))) { error in
            // The images are this run's shape, so the checkpoint's ipc is what is damaged, not the run's.
            guard case .invalidCheckpoint(_, let reason)? = error as? CondensationError else { return XCTFail("\(error)") }
            XCTAssertEqual(reason, "its 10 images of 10 classes are recorded as ipc 2")
        }
    }

    func testATruncatedCheckpointIsNamedInOneLine() throws {
        try run(request(iterations: 1))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: output.checkpointPath))
        for damaged in [bytes.prefix(bytes.count / 2), Data("garbage".utf8), Data()] {
            try damaged.write(to: URL(fileURLWithPath: output.checkpointPath))
            XCTAssertThrowsError(try run(request(iterations: 2, resume: true))) { error in
                let text = "\(error)"
                XCTAssertTrue(text.hasPrefix("\(output.checkpointPath) is not a usable checkpoint: "), text)
                XCTAssertFalse(text.contains("\n") || text.contains("DecodingError"), text)
            }
        }
    }

    func testAnOutputNameTakenByAnotherKindOfFileIsRefusedBeforeTheFirstIteration() throws {
        for name in ["synthetic.png", "synthetic.safetensors", "log.jsonl"] {
            try? FileManager.default.removeItem(atPath: directory)
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let taken = "\(directory)/\(name)"
            if name == "synthetic.png" {
                XCTAssertEqual(mkfifo(taken, 0o600), 0)
            } else {
                try FileManager.default.createDirectory(atPath: taken, withIntermediateDirectories: false)
            }
            XCTAssertThrowsError(try run(request(iterations: 2, checkpointEvery: 1))) { error in
                XCTAssertEqual(
                    error as? NotARegularFileError,
                    NotARegularFileError(path: taken, kind: name == "synthetic.png" ? "a FIFO (named pipe)" : "a directory"))
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: output.checkpointPath), "no iteration ran: \(name)")
        }
    }

    func testDivergenceStopsTheRunAndKeepsTheLastGoodCheckpoint() throws {
        // DC goes non-finite after a checkpoint at these rates, DM in its first iteration.
        for (method, rate) in [("dc", Float(1e35)), ("dm", Float(1e38))] {
            try? FileManager.default.removeItem(atPath: directory)
            var thrown: Error?
            XCTAssertThrowsError(try run(request(method: method, iterations: 8, learningRateImage: rate))) { thrown = $0 }
            guard case .diverged(let iteration, _, let lastCheckpoint, _)? = thrown as? CondensationError else {
                XCTFail("\(method): \(String(describing: thrown))")
                continue
            }
            XCTAssertTrue("\(thrown!)".hasPrefix("diverged at iteration \(iteration) (loss "), "\(thrown!)")
            guard let lastCheckpoint else {
                XCTAssertEqual(method, "dm", "\(thrown!)")
                XCTAssertTrue("\(thrown!)".contains("no checkpoint was written"), "\(thrown!)")
                XCTAssertFalse(output.holdsRun, "nothing of a run that diverged before its first checkpoint is kept")
                continue
            }
            XCTAssertTrue("\(thrown!)".contains("last good checkpoint at iteration \(lastCheckpoint) in \(directory)"))
            let state = try output.loadCheckpoint()
            XCTAssertEqual(state.iteration, lastCheckpoint, method)
            XCTAssertEqual(lastCheckpoint, iteration - 1, "\(method): checkpoints every iteration")
            XCTAssertTrue(state.synthetic.images.scalars.allSatisfy(\.isFinite), method)
            XCTAssertEqual(try SyntheticSetFile(contentsOf: directory).metadata["iteration"], String(lastCheckpoint), method)
        }
    }

    func testNonFiniteLearningRatesAreRefusedBeforeTheRun() {
        for rate in [Float.infinity, .nan] {
            XCTAssertThrowsError(try run(request(iterations: 1, learningRateImage: rate))) { error in
                XCTAssertTrue("\(error)".contains("image learning rate"), "\(error)")
            }
        }
        XCTAssertFalse(output.holdsRun)
    }

    private static func remove(_ object: inout [String: Any], optimizer key: String) {
        var optimizer = object["optimizer"] as? [String: Any] ?? [:]
        optimizer[key] = nil
        object["optimizer"] = optimizer
    }

    private static func edit(_ object: inout [String: Any], optimizer key: String, _ value: Double) {
        var optimizer = object["optimizer"] as? [String: Any] ?? [:]
        optimizer[key] = value
        object["optimizer"] = optimizer
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import XCTest
import _DistillTestSupport

/// `experiment generalization` and `experiment model-pool` refuse what would
/// fail or mislead later before the first condensation.
final class StudyRefusalTests: BinaryTestCase {
    private func study(_ settings: [String], _ extra: [String] = []) -> [String] {
        ["experiment", "generalization", "--settings"] + settings
            + ["--models", "MLP", "--num-eval", "1", "--epochs", "1", "--batch-real", "2", "--out", binary.path("study")] + extra
    }

    private func expectNothingCondensed(_ result: DistillProcess.Result, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(result.output.contains("condense "), result.output, file: file, line: line)
    }

    func testTwoSpellingsOfOneSettingAreRefused() throws {
        try binary.expectRefused(
            study(["dc+iterations=2", "dc+protocol=dc+iterations=2"]),
            "--settings 'dc+iterations=2' and 'dc+iterations=2+protocol=dc' is not valid: both are dc+iterations=2+protocol=dc once defaults are filled in")
        try binary.expectRefused(study(["dm+iterations=2", "dm+iterations=2+protocol=dsa"]), "list each setting once")
    }

    func testAnAdaptationWithinASettingIsNamedAsTheSetting() throws {
        let result = try binary.run(study(["dc+adapt=loss+iterations=2"]))
        try result.expectFailure(
            mentioning: "--settings 'dc+adapt=loss+iterations=2' is not valid: adapt=loss: the pool 'none' has one member")
        XCTAssertFalse(result.errors.contains("--pool-adapt"), result.errors)
        let scaled = try binary.run(study(["dm+step=main+iterations=2"]))
        try scaled.expectFailure(
            mentioning: "--settings 'dm+step=main+iterations=2' is not valid: step=main: the pool 'none' has one member, whose steps are the reference")
        expectNothingCondensed(scaled)
    }

    func testEvaluationNetworksThatCannotTakeTheDataAreRefusedBeforeCondensing() throws {
        let tooDeep = "ConvNet(depth=6)"
        let generalization = try binary.run(
            ["experiment", "generalization", "--settings", "dc+iterations=2", "--models", "MLP,\(tooDeep)", "--num-eval", "1",
             "--epochs", "1", "--batch-real", "2", "--out", binary.path("g")])
        try generalization.expectFailure(mentioning: "cannot take 1×28×28 inputs with 10 classes")
        expectNothingCondensed(generalization)
        let pool = try binary.run(
            ["experiment", "model-pool", "--quick", "--iterations", "2", "--models", tooDeep, "--num-eval", "1", "--epochs", "1",
             "--batch-real", "2", "--out", binary.path("p")])
        try pool.expectFailure(mentioning: "cannot take 1×28×28 inputs with 10 classes")
        expectNothingCondensed(pool)
        XCTAssertFalse(FileManager.default.fileExists(atPath: binary.path("g")))
        XCTAssertFalse(FileManager.default.fileExists(atPath: binary.path("p")))
    }

    func testAnotherExperimentsResultsAreNotReplaced() throws {
        let pool = ["experiment", "model-pool", "--quick", "--iterations", "2", "--models", "MLP", "--num-eval", "1", "--epochs", "1",
                    "--batch-real", "2", "--out", binary.path("study")]
        for (results, command, holds) in [
            (#"{"experiment": {"dataset": "fashion-mnist"}}"#, study(["dc+iterations=2"]), "the results of `distill experiment model-pool`"),
            (#"{"study": {"settings": []}}"#, pool, "the results of `distill experiment generalization`"),
            ("my notes", study(["dc+iterations=2"]), "a results.json that no distill experiment wrote"),
        ] {
            try FileManager.default.createDirectory(atPath: binary.path("study"), withIntermediateDirectories: true)
            try results.write(toFile: binary.path("study/results.json"), atomically: true, encoding: .utf8)
            let result = try binary.run(command)
            try result.expectFailure(mentioning: "study holds \(holds), which `distill experiment")
            expectNothingCondensed(result)
            XCTAssertEqual(try String(contentsOfFile: binary.path("study/results.json"), encoding: .utf8), results)
            XCTAssertFalse(FileManager.default.fileExists(atPath: binary.path("study/table.md")))
        }
    }

    func testPairsMatchSettingsByMeaningAndRepeatNoRow() throws {
        let settings = ["dc+iterations=2", "dc+pool=paper+iterations=2", "dc+kd+iterations=2"]
        for (pairs, refusal) in [
            (["dc+kd+iterations=2 vs dc+pool=paper+iterations=2", "dc+pool=paper+iterations=2 vs dc+kd+iterations=2"],
             "'dc+pool=paper+iterations=2 vs dc+iterations=2+kd' is not valid: it is 'dc+iterations=2+kd vs dc+pool=paper+iterations=2' negated; list one of the two"),
            (["dc+kd+iterations=2 vs dc+pool=paper+iterations=2", "dc+iterations=2+kd+protocol=dc vs dc+pool=paper+iterations=2"],
             "list each pair once"),
        ] {
            let refused = try binary.run(study(settings, ["--compare"] + pairs))
            try refused.expectFailure(mentioning: refusal)
            expectNothingCondensed(refused)
        }
        // Another spelling of a listed setting is that setting; its row is labelled as --settings spells it.
        try binary.run(
            study(["dc+iterations=2", "dc+pool=paper+iterations=2", "dsa+iterations=2"],
                  ["--compare", "dsa+iterations=2+protocol=dsa vs dc+pool=paper+protocol=dc+iterations=2"])
        ).expectSuccess()
        let table = try String(contentsOfFile: binary.path("study/table.md"), encoding: .utf8)
        XCTAssertTrue(table.contains("| dsa+iterations=2 minus dc+pool=paper+iterations=2 | "), table)
    }

    func testMoreTestImagesPerClassThanTheSplitHoldsAreRefused() throws {
        // The generated test split holds 2 images of each class.
        let result = try binary.run(study(["dc+iterations=2"], ["--test-per-class", "3"]))
        try result.expectFailure(
            mentioning: "--test-per-class 3 is not valid: the test split of fashion-mnist holds 2 images of class T-shirt/top; give at most 2")
        expectNothingCondensed(result)
    }
}

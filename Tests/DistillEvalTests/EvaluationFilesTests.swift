// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData
import DistillEval
import DistillTensor
import Foundation
import XCTest

/// The evaluate path end to end: a plan with KD trained on a tiny set, and the files it writes.
final class EvaluationFilesTests: XCTestCase {
    /// 20 Fashion-MNIST-shaped images, two per class, class k at brightness k.
    private func tinySet() -> Dataset {
        var generator = SeededGenerator(seed: 8)
        let labels = (0..<20).map { $0 % 10 }
        let scalars = labels.flatMap { label in (0..<784).map { _ in Float(label) / 5 - 1 + 0.2 * generator.nextNormal() } }
        return Dataset(
            kind: .fashionMNIST, split: .test, images: NDArray(shape: [20, 1, 28, 28], scalars: scalars), labels: labels,
            classNames: (0..<10).map { "class \($0)" }, normalization: DatasetKind.fashionMNIST.normalization)
    }

    /// A stopped evaluation (here: stopped by a failing write after its third
    /// training) resumed from its finished trainings trains only the others and
    /// reports what an uninterrupted one does, KD students (whose set-trained
    /// teacher is trained again) included.
    func testStoppedEvaluationResumesFromItsFinishedTrainings() throws {
        struct Stop: Error {}
        let set = tinySet()
        let plan = EvaluationPlan(
            architectures: ["MLP", "LeNet"], runs: 2, protocolFor: { _ in TrainingProtocol(epochs: 2) },
            distillation: DistillationSettings(teacher: "MLP"), seed: 3)
        let whole = try plan.run(images: set.images, labels: set.labels, testSet: set)

        var kept: [Int: RunResult] = [:]
        XCTAssertThrowsError(
            try plan.run(
                images: set.images, labels: set.labels, testSet: set,
                runFinished: { cell, result in
                    kept[cell] = result
                    if kept.count == 3 { throw Stop() }
                })
        ) { XCTAssertTrue($0 is Stop, "\($0)") }
        XCTAssertEqual(kept.keys.sorted(), [0, 1, 2])

        var trained: [Int] = []
        let resumed = try plan.run(
            images: set.images, labels: set.labels, testSet: set,
            finishedRuns: kept.merging([8: RunResult(accuracy: 1, diverged: false, fellBackToCrossEntropy: false, seconds: 0)]) { $1 },
            runFinished: { cell, _ in trained.append(cell) })
        XCTAssertEqual(trained, [3, 4, 5, 6, 7], "only the trainings not kept (cell 8 is outside the grid of 8)")
        func accuracies(_ report: EvaluationReport) -> [[Double?]] {
            report.results.flatMap { [$0.plain.runs.map(\.accuracy), $0.distilled!.runs.map(\.accuracy)] }
        }
        XCTAssertEqual(accuracies(resumed), accuracies(whole))
    }

    func testEvaluationWritesCSVWithOneRowPerRunAndJSONOfTheReport() throws {
        let set = tinySet()
        let plan = EvaluationPlan(
            architectures: ["MLP", "LeNet"], runs: 2, protocolFor: { _ in TrainingProtocol(epochs: 2) },
            distillation: DistillationSettings(teacher: "MLP"), seed: 3)
        let report = try plan.run(images: set.images, labels: set.labels, testSet: set)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("distill-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try EvaluationFiles.write(report, to: directory)

        let csv = try String(contentsOfFile: "\(directory)/evaluation.csv", encoding: .utf8)
        let lines = csv.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "architecture,kd,run,accuracy,diverged,fell_back_to_ce,seconds,kd_teacher")
        XCTAssertEqual(lines.count, 1 + 2 * 2 * 2, "architectures × (plain, KD) × runs")
        let keys = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).prefix(3).joined(separator: ",") }
        XCTAssertEqual(
            keys,
            ["MLP,false,0", "MLP,false,1", "MLP,true,0", "MLP,true,1", "LeNet,false,0", "LeNet,false,1", "LeNet,true,0", "LeNet,true,1"])
        for (line, run) in zip(lines.dropFirst(), report.results.flatMap { [$0.plain.runs, $0.distilled!.runs].flatMap { $0 } }) {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            XCTAssertEqual(fields.count, 8, line)
            XCTAssertEqual(fields[3], run.accuracy.map { Substring(String(format: "%.2f", $0)) } ?? "", line)
            XCTAssertEqual(fields[4], Substring(String(run.diverged)), line)
            XCTAssertEqual(fields[7], fields[1] == "true" ? "evaluated-set" : "", line)
        }

        let json = try JSONDecoder().decode(
            EvaluationReport.self, from: Data(contentsOf: URL(fileURLWithPath: "\(directory)/evaluation.json")))
        XCTAssertEqual(json, report)
        XCTAssertEqual(json.distillation?.teacher, "MLP")
        XCTAssertFalse(json.teacherTrainedOnRealData)
        XCTAssertNil(EvaluationFiles.realDataTeacherLine(report))
        XCTAssertTrue(EvaluationFiles.table(report).hasPrefix("architecture"))
    }
}

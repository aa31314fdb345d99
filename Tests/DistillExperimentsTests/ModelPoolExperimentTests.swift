// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData
import DistillEval
import DistillExperiments
import DistillIO
import DistillMethods
import Foundation
import _DistillTestSupport
import XCTest

/// A miniature model-pool experiment on a generated dataset: the files it
/// writes, and that starting it again continues rather than redoes.
final class ModelPoolExperimentTests: XCTestCase {
    private var data: TinyFashionMNIST!
    private var directory = ""

    override func setUpWithError() throws {
        data = try TinyFashionMNIST()
        directory = (data.root as NSString).appendingPathComponent("experiment")
    }

    override func tearDownWithError() throws {
        data.remove()
    }

    private func miniature(iterations: [Int], poolAblation: Bool = true) -> ModelPoolExperiment {
        ModelPoolExperiment(
            dataset: .fashionMNIST, imagesPerClass: [1], iterations: iterations, architectures: ["ConvNet", "MLP"],
            evaluationRuns: 1, epochs: 2, batchReal: 4, poolAblation: poolAblation, seed: 4)
    }

    /// Runs `experiment`, returning its results and the events it reported.
    private func run(_ experiment: ModelPoolExperiment) throws -> (ModelPoolResults, stages: [String], progress: Int) {
        var stages: [String] = []
        var progress = 0
        let results = try experiment.run(in: directory, locator: data.locator) { event in
            switch event {
            case .stage(let line): stages.append(line)
            case .condensation, .evaluation: progress += 1
            case .finished: break
            }
        }
        return (results, stages, progress)
    }

    func testExperimentWritesTablesResultsAndReportAndContinuesWhereItStopped() throws {
        // A first, shorter run stands in for one killed after the first kept set.
        let (first, _, _) = try run(miniature(iterations: [1]))
        XCTAssertEqual(first.iterationsRun, 4, "one iteration for each of the four pool settings")

        let (results, _, _) = try run(miniature(iterations: [1, 2]))
        XCTAssertEqual(results.iterationsRun, 4, "continues from the checkpoints: one more iteration per setting")
        XCTAssertEqual(results.evaluationsRun, 4, "only the sets at iteration 2 are evaluated; iteration 1 comes from the cache")
        XCTAssertEqual(results.cells.filter { $0.table == .main }.count, 4 * 2 * 2, "methods × architectures × iterations")
        XCTAssertEqual(results.cells.filter { $0.table == .ablation }.count, 3 * 2 * 2)
        XCTAssertNotNil(results.cell(table: .main, imagesPerClass: 1, iteration: 2, row: "pool + KD", architecture: "MLP"))

        // The kept set at iteration 2 is the one an uninterrupted condensation ends with.
        let straightDirectory = (data.root as NSString).appendingPathComponent("straight")
        var straight = miniature(iterations: [2]).condensationRequest(imagesPerClass: 1, setting: .modelPool)
        straight.iterations = 2
        _ = try straight.run(locator: data.locator, output: CondensationOutput(directory: straightDirectory)) { _, _ in }
        let kept = try SyntheticSetFile(contentsOf: "\(directory)/ipc1-model-pool/synthetic-iter2.safetensors")
        XCTAssertEqual(kept.images, try SyntheticSetFile(contentsOf: straightDirectory).images)
        XCTAssertEqual(kept.metadata["pool"], "paper")

        let table = try String(contentsOfFile: "\(directory)/table.md", encoding: .utf8)
        XCTAssertTrue(table.contains("## Ours: Fashion-MNIST, iteration 2"), table)
        XCTAssertTrue(table.contains("| ipc | method | ConvNet | MLP |"), table)
        XCTAssertTrue(table.contains("Published, CIFAR-10"), table)
        XCTAssertTrue(table.contains("| 1 | baseline | 28.49 | 26.59 | 20.97 | 21.83 | 26.53 | 14.30 |"), table)
        XCTAssertTrue(table.contains("| 10 | pool + KD | – | 30.02 | 24.91 | 25.38 | 33.85 | 21.51 |"), table)
        XCTAssertTrue(table.contains("| 10 | main + similar | – | 29.37 | 25.82 | 23.70 | 34.97 | 18.34 |"), table)
        let ours = results.cell(table: .main, imagesPerClass: 1, iteration: 2, row: "KD", architecture: "MLP")!
        XCTAssertTrue(table.contains("| 1 | KD | "), table)
        XCTAssertTrue(table.contains(ours.summary.formatted), "our cell \(ours.summary.formatted) is in the table")
        XCTAssertTrue(table.contains("| 1 | total random | "), table)

        let decoded = try JSONDecoder().decode(
            ModelPoolResults.self, from: Data(contentsOf: URL(fileURLWithPath: "\(directory)/results.json")))
        XCTAssertEqual(decoded, results)

        let html = try String(contentsOfFile: "\(directory)/report.html", encoding: .utf8)
        XCTAssertTrue(html.contains("data:image/png;base64,"))
        XCTAssertTrue(html.contains("<svg"))
        for attribute in ["src=\"http", "href=\"http", "src='http", "href='http", "url(http", "@import"] {
            XCTAssertFalse(html.contains(attribute), "report.html must not load \(attribute)")
        }
        XCTAssertEqual(html.components(separatedBy: "<figure class=\"set\">").count - 1, 4 * 2, "one set per setting and iteration")
        XCTAssertEqual(
            html.components(separatedBy: "data:image/png;base64,").count - 1, 4 * 2 * 10, "one picture per class of every set")
        XCTAssertEqual(
            html.components(separatedBy: "<figcaption>Ankle boot</figcaption>").count - 1, 4 * 2,
            "class blocks named from the dataset, since condense records no names")
        XCTAssertTrue(html.contains("Ours minus baseline"), "the paired differences")
        XCTAssertFalse(table.contains("± 0.00") || html.contains("± 0.00"), "single runs show their value alone")
        XCTAssertTrue(table.contains("## Ours minus baseline: Fashion-MNIST, iteration 2"), table)

        // Started again, it reuses every kept set and cached evaluation.
        let (again, stages, progress) = try run(miniature(iterations: [1, 2]))
        XCTAssertEqual(again.iterationsRun, 0)
        XCTAssertEqual(again.evaluationsRun, 0)
        XCTAssertEqual(progress, 0, "no condensation or training progress")
        XCTAssertEqual(again.cells, results.cells)
        XCTAssertEqual(stages.filter { $0.contains("reused") }.count, 4 + 4 * 2, stages.joined(separator: "\n"))
    }

    func testDirectoryMadeWithOtherSettingsIsRefused() throws {
        _ = try run(ModelPoolExperiment(
            dataset: .fashionMNIST, imagesPerClass: [1], iterations: [1], architectures: ["MLP"], evaluationRuns: 1,
            epochs: 1, batchReal: 4, seed: 4))
        var changed = ModelPoolExperiment(
            dataset: .fashionMNIST, imagesPerClass: [1], iterations: [1], architectures: ["MLP"], evaluationRuns: 1,
            epochs: 1, batchReal: 4, seed: 4)
        changed.batchReal = 5
        XCTAssertThrowsError(try run(changed)) { error in
            XCTAssertTrue("\(error)".contains("other settings"), "\(error)")
        }
    }

    func testADamagedRunRequestIsNamedInOneLine() throws {
        let experiment = ModelPoolExperiment(
            dataset: .fashionMNIST, imagesPerClass: [1], iterations: [1], architectures: ["MLP"], evaluationRuns: 1,
            epochs: 1, batchReal: 4, seed: 4)
        _ = try run(experiment)
        let requests = try XCTUnwrap(FileManager.default.enumerator(atPath: directory)).compactMap { $0 as? String }
            .filter { $0.hasSuffix("condensation-request.json") }
        let damaged = (directory as NSString).appendingPathComponent(try XCTUnwrap(requests.first))
        try Data("{\"seed\": ".utf8).write(to: URL(fileURLWithPath: damaged))
        XCTAssertThrowsError(try run(experiment)) { error in
            XCTAssertEqual(
                "\(error)",
                "\(damaged) cannot be read: it is not valid JSON (empty, truncated or damaged); "
                    + "remove its run directory or use another --out directory")
        }
    }

    func testBadSettingsAreRefusedWithOneLine() {
        func message(_ change: (inout ModelPoolExperiment) -> Void) -> String? {
            var experiment = ModelPoolExperiment()
            change(&experiment)
            do {
                try experiment.validate()
                return nil
            } catch {
                return "\(error)"
            }
        }
        let messages = [
            message { $0.imagesPerClass = [] }, message { $0.imagesPerClass = [1, 0] },
            message { $0.iterations = [2000, 1000] }, message { $0.iterations = [0, 5] }, message { $0.iterations = [] },
            message { $0.evaluationRuns = 0 }, message { $0.architectures = ["ResNet81"] },
            message { $0.imagesPerClass = [1, 2] },
        ]
        for text in messages {
            XCTAssertNotNil(text)
            XCTAssertFalse(text?.contains("\n") ?? true, text ?? "")
        }
        XCTAssertTrue(messages[2]!.contains("strictly increasing"), messages[2]!)
        XCTAssertTrue(messages[6]!.contains("ResNet18"), "suggests the close name: \(messages[6]!)")
        XCTAssertTrue(messages[7]!.hasPrefix("--ipc 2: experiments run DC and DSA with their published loops, which exist only for ipc 1,10,20,30,40,50"), messages[7]!)
        XCTAssertNil(message { _ in })
        XCTAssertThrowsError(try ModelPoolExperiment.dataset(named: "fashion")) { error in
            XCTAssertTrue("\(error)".contains("fashion-mnist"), "\(error)")
        }
        XCTAssertEqual(try ModelPoolExperiment.integers(in: "1, 10", option: "--ipc"), [1, 10])
        XCTAssertThrowsError(try ModelPoolExperiment.integers(in: "1,x", option: "--ipc"))
    }

    func testQuickRunSaysWhatItReduces() {
        let quick = ModelPoolExperiment.quick()
        XCTAssertTrue(quick.quick)
        XCTAssertEqual(quick.imagesPerClass, [1])
        XCTAssertNoThrow(try quick.validate())
        XCTAssertTrue(quick.reductions.contains { $0.hasPrefix("iterations 10") }, "\(quick.reductions)")
        XCTAssertEqual(ModelPoolExperiment().reductions, [], "the full experiment reduces nothing")
        var fullEpochs = quick
        fullEpochs.epochs = 300
        XCTAssertFalse(fullEpochs.reductions.contains { $0.contains("training epochs") }, "300 epochs is the full count: \(fullEpochs.reductions)")
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData
import DistillEval
import DistillExperiments
import DistillMethods
import Foundation
import _DistillTestSupport
import XCTest

/// A miniature generalisation study on generated data: the setting syntax,
/// the files, the adaptive pool's chart, and a second start that reuses everything.
final class GeneralizationStudyTests: XCTestCase {
    func testSettingsParseAndPrintBack() throws {
        let text = "dc+pool=ConvNet:0.5,MLP:0.5+adapt=loss:beta=2+iterations=3+kd"
        let setting = try StudySetting(parsing: text)
        XCTAssertEqual(setting.method, "dc")
        XCTAssertEqual(setting.pool, "ConvNet:0.5,MLP:0.5")
        XCTAssertEqual(setting.adapt, "loss:beta=2")
        XCTAssertEqual(setting.iterations, 3)
        XCTAssertTrue(setting.knowledgeDistillation)
        XCTAssertEqual(setting.description, text)
        XCTAssertEqual(try StudySetting(parsing: "dc+kd").condensationDirectory, try StudySetting(parsing: "dc").condensationDirectory)
        XCTAssertEqual(try StudySetting(parsing: "dm").iterationCount, 20_000)
        for (bad, fragment) in [
            ("gm", "starts with dc, dsa or dm"), ("dc+pool", "is not kd or NAME=VALUE"), ("dc+iterations=0", "≥ 1"),
            ("dc+colour=red", "unknown part 'colour'"), ("dc+kd+teacher=t.safetensors", "exclude each other"),
        ] {
            XCTAssertThrowsError(try StudySetting(parsing: bad), bad) { XCTAssertTrue("\($0)".contains(fragment), "\(bad): \($0)") }
        }
    }

    func testStudyWritesItsTablesAndReusesEverythingWhenStartedAgain() throws {
        let data = try TinyFashionMNIST()
        defer { data.remove() }
        let directory = (data.root as NSString).appendingPathComponent("study")
        let study = GeneralizationStudy(
            settings: try ["dc+iterations=2", "dc+pool=ConvNet:0.5,MLP:0.5+adapt=loss+iterations=2", "dc+iterations=2+kd"]
                .map(StudySetting.init(parsing:)),
            architectures: ["ConvNet", "MLP", "LeNet"], evaluationRuns: 2, epochs: 2, batchReal: 4, testImagesPerClass: 5,
            seed: 3)
        var condensed = 0
        var table = ""
        let first = try study.run(in: directory, locator: data.locator, command: "distill experiment generalization …") {
            if case .condensation = $0 { condensed += 1 }
            if case .finished(let text) = $0 { table = text }
        }
        XCTAssertEqual(condensed, 4, "two iterations for each of the two condensations; +kd shares the first")
        XCTAssertEqual(first.rows.map(\.setting.description), study.settings.map(\.description))
        XCTAssertEqual(first.rows[0].synthetic, first.rows[2].synthetic)
        XCTAssertEqual(first.rows[2].report.distillation, DistillationSettings())
        for fragment in ["| dc+iterations=2 |", "mean of 2 others", "Minus the baseline (dc+iterations=2)", "| dc+iterations=2+kd |"] {
            XCTAssertTrue(table.contains(fragment), "table.md lacks \(fragment):\n\(table)")
        }
        let report = try String(contentsOfFile: "\(directory)/report.html", encoding: .utf8)
        XCTAssertTrue(report.contains("Pool probabilities, dc+pool=ConvNet:0.5,MLP:0.5+adapt=loss+iterations=2"))
        XCTAssertEqual(report.components(separatedBy: "<figure class=\"set\">").count - 1, 2, "one figure per condensed set")
        let json = try JSONDecoder().decode(GeneralizationResults.self, from: Data(contentsOf: URL(fileURLWithPath: "\(directory)/results.json")))
        XCTAssertEqual(json.rows.count, 3)

        var stages: [String] = []
        condensed = 0
        let second = try study.run(in: directory, locator: data.locator, command: "again") {
            if case .condensation = $0 { condensed += 1 }
            if case .stage(let line) = $0 { stages.append(line) }
        }
        XCTAssertEqual(condensed, 0)
        XCTAssertEqual(stages.filter { $0.contains("reused") }.count, 6, "\(stages)")
        XCTAssertEqual(second.rows.map { $0.report.results.map(\.plain) }, first.rows.map { $0.report.results.map(\.plain) })
    }
}

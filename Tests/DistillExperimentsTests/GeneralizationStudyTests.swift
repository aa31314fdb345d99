// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData
import DistillEval
import DistillExperiments
import DistillIO
import DistillMethods
import DistillTensor
import DistillZoo
import Foundation
import _DistillTestSupport
import XCTest

/// A miniature generalisation study on generated data: the setting syntax,
/// the files, the adaptive pool's chart, and a second start that reuses everything.
final class GeneralizationStudyTests: XCTestCase {
    func testSettingsParseAndPrintBack() throws {
        let text = "dc+pool=ConvNet:0.5,MLP:0.5+adapt=loss:beta=2+iterations=3+protocol=dsa+kd"
        let setting = try StudySetting(parsing: text)
        XCTAssertEqual(setting.method, "dc")
        XCTAssertEqual(setting.pool, "ConvNet:0.5,MLP:0.5")
        XCTAssertEqual(setting.adapt, "loss:beta=2")
        XCTAssertEqual(setting.iterations, 3)
        XCTAssertTrue(setting.knowledgeDistillation)
        XCTAssertEqual(setting.evaluationProtocol, .dsa)
        XCTAssertEqual(setting.description, text)
        for sharing in ["dc+kd", "dc+protocol=dsa"] {
            XCTAssertEqual(try StudySetting(parsing: sharing).condensationDirectory, try StudySetting(parsing: "dc").condensationDirectory)
        }
        XCTAssertEqual(try StudySetting(parsing: "dm").iterationCount, 20_000)
        let scaled = try StudySetting(parsing: "dc+pool=main-model+step=main")
        XCTAssertEqual(scaled.step, "main")
        XCTAssertEqual(scaled.description, "dc+pool=main-model+step=main")
        XCTAssertEqual(scaled.condensationDirectory, "dc-main-model-step-main")
        let teacher = try StudySetting(parsing: "dc+pool=paper+teacher=/runs/study/teacher-convnet.safetensors")
        XCTAssertEqual(teacher.description, "dc+pool=paper+teacher=/runs/study/teacher-convnet.safetensors")
        XCTAssertEqual(teacher.label, "dc+pool=paper+teacher=teacher-convnet.safetensors", "tables name the teacher file alone")
        XCTAssertEqual(setting.label, setting.description)
        for (bad, fragment) in [
            ("gm", "starts with dc, dsa or dm"), ("dc+pool", "is not kd or NAME=VALUE"), ("dc+iterations=0", "≥ 1"),
            ("dc+iterations=99999999999999999999", "iterations 99999999999999999999 is too large"),
            ("dc+teacher=t/a+b.safetensors", "'b.safetensors' is not kd or NAME=VALUE; a +teacher= path cannot hold '+'"),
            ("dc+teacher=", "'teacher=' gives no value"), ("dc+pool=", "'pool=' gives no value"),
            ("dc+colour=red", "unknown part 'colour'"), ("dc+kd+teacher=t.safetensors", "exclude each other"),
            ("dc+protocol=mtt", "protocol is dc or dsa"), ("dc+pool=paper+pool=none", "'pool' is given twice"),
            ("dc+kd+kd", "'kd' is given twice"), ("dc+iterations=2+iterations=3", "'iterations' is given twice"),
        ] {
            XCTAssertThrowsError(try StudySetting(parsing: bad), bad) { XCTAssertTrue("\($0)".contains(fragment), "\(bad): \($0)") }
        }
        let comparison = try StudyComparison(parsing: "dsa+pool=paper vs dsa")
        XCTAssertEqual(comparison.setting, try StudySetting(parsing: "dsa+pool=paper"))
        XCTAssertEqual(comparison.control, try StudySetting(parsing: "dsa"))
        XCTAssertEqual(comparison.description, "dsa+pool=paper vs dsa")
        XCTAssertEqual(try StudyComparison(parsing: "dsa+pool=paper  vs  dsa"), comparison, "spaces around vs do not matter")
        for (bad, fragment) in [
            ("dsa+pool=paper", "write SETTING vs CONTROL"), ("dsa vs dc vs dm", "write SETTING vs CONTROL"), (" vs dsa", "write SETTING vs CONTROL"),
            ("dsa vs gm", "'gm': a setting starts with dc"), ("dc+kd+kd vs dc", "'dc+kd+kd': 'kd' is given twice"),
        ] {
            XCTAssertThrowsError(try StudyComparison(parsing: bad), bad) {
                XCTAssertTrue("\($0)".hasPrefix("--compare '\(bad)' is not valid") && "\($0)".contains(fragment), "\(bad): \($0)")
            }
        }
        let twoSettings = try ["dc", "dsa"].map(StudySetting.init(parsing:))
        for (pair, fragment) in [("dsa+pool=paper vs dsa", "dsa+pool=paper is not one of --settings"), ("dsa vs dsa", "minus itself")] {
            let study = GeneralizationStudy(settings: twoSettings, comparisons: [try StudyComparison(parsing: pair)])
            XCTAssertThrowsError(try study.validate(), pair) {
                XCTAssertTrue("\($0)".contains("--compare '\(pair)'") && "\($0)".contains(fragment), "\(pair): \($0)")
            }
        }
        // DC and DSA need published loops for the ipc; DM has none to need.
        let ipc2 = { (setting: String) in
            GeneralizationStudy(settings: [try StudySetting(parsing: setting)], imagesPerClass: 2)
        }
        XCTAssertThrowsError(try ipc2("dsa").validate()) { XCTAssertEqual($0 as? ExperimentError, .unpublishedLoops(imagesPerClass: 2)) }
        XCTAssertNoThrow(try ipc2("dm").validate())
    }

    func testStudyWritesItsTablesAndReusesEverythingWhenStartedAgain() throws {
        let data = try TinyFashionMNIST()
        defer { data.remove() }
        let directory = (data.root as NSString).appendingPathComponent("study")
        let pool = "dc+pool=ConvNet:0.5,MLP:0.5+adapt=loss+iterations=2"
        let study = GeneralizationStudy(
            settings: try ["dc+iterations=2", pool, "dc+iterations=2+kd"].map(StudySetting.init(parsing:)),
            comparisons: [try StudyComparison(parsing: "dc+iterations=2+kd vs dc+iterations=2")],
            architectures: ["ConvNet", "MLP", "LeNet"], evaluationRuns: 2, epochs: 2, batchReal: 4, testImagesPerClass: 2,
            seed: 3)
        var condensed = 0
        var table = ""
        var stages: [String] = []
        var progressTables: [String] = []
        let first = try study.run(in: directory, locator: data.locator, command: "distill experiment generalization …") {
            if case .condensation = $0 { condensed += 1 }
            if case .finished(let text) = $0 { table = text }
            if case .stage(let line) = $0 {
                stages.append(line)
                // table.md as it stands when a setting starts.
                if line.hasPrefix("condense "), !line.contains("reused") {
                    progressTables.append((try? String(contentsOfFile: "\(directory)/table.md", encoding: .utf8)) ?? "")
                }
            }
        }
        XCTAssertEqual(condensed, 4, "two iterations for each of the two condensations; +kd shares the first")
        XCTAssertEqual(progressTables.count, 3)
        XCTAssertEqual(progressTables[0], "", "no table before the first setting is done")
        XCTAssertTrue(
            progressTables[1].contains("**In progress:** 1 of 3 settings done; still to come: `dc+pool=ConvNet:0.5,MLP:0.5+adapt=loss+iterations=2`, `dc+iterations=2+kd`."),
            progressTables[1])
        XCTAssertTrue(progressTables[2].contains("**In progress:** 2 of 3 settings done"), progressTables[2])
        XCTAssertTrue(progressTables[2].contains("| dc+iterations=2+kd minus dc+iterations=2 | – | – |"), "a pair not yet done:\n\(progressTables[2])")
        XCTAssertFalse(table.contains("In progress"), table)
        XCTAssertNil(first.pending)
        XCTAssertTrue(stages.contains { $0.hasPrefix("dc+iterations=2: ConvNet ") && $0.hasSuffix("; table so far in table.md") }, "\(stages)")
        XCTAssertEqual(first.rows.map(\.setting.description), study.settings.map(\.description))
        XCTAssertEqual(first.rows[0].synthetic, first.rows[2].synthetic)
        XCTAssertEqual(first.rows[2].report.distillation, DistillationSettings())
        for fragment in [
            "| dc+iterations=2 |", "mean of 2 others", "Minus the baseline (dc+iterations=2)", "| dc+iterations=2+kd |",
            "Evaluated with: \(Numerics.description).",
        ] {
            XCTAssertTrue(table.contains(fragment), "table.md lacks \(fragment):\n\(table)")
        }
        // A compared pair is paired by run like the differences to the baseline: the KD students minus the
        // plain networks on the same set, as in the baseline's table.
        func section(_ title: String) throws -> [[String]] {
            let text = try XCTUnwrap(table.components(separatedBy: "## \(title)\n\n").dropFirst().first, table)
            return text.components(separatedBy: "\n\n")[0].components(separatedBy: "\n").dropFirst(2)
                .map { $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } }
        }
        let compared = try section("Compared pairs, accuracy points, 95 % paired-bootstrap interval")
        XCTAssertEqual(compared.map(\.first), ["dc+iterations=2+kd minus dc+iterations=2"])
        let minusBaseline = try section("Minus the baseline (dc+iterations=2), accuracy points, 95 % paired-bootstrap interval")
        let kd = try XCTUnwrap(minusBaseline.first { $0.first == "dc+iterations=2+kd" }, table)
        XCTAssertEqual(compared[0].dropFirst(), kd.dropFirst())
        let convNet = [2, 0].map { first.rows[$0].summary(of: "ConvNet")!.runs }
        let pairs = (0..<2).filter { run in convNet.allSatisfy { !$0[run].diverged } }
        XCTAssertFalse(pairs.isEmpty)
        let estimate = pairs.map { convNet[0][$0].accuracy! - convNet[1][$0].accuracy! }.reduce(0, +) / Double(pairs.count)
        XCTAssertTrue(compared[0][1].hasPrefix(String(format: "%+.2f ", estimate)), "\(compared[0])")
        // Every network's accuracy is listed, as the paired intervals use them: the KD row shows its students'.
        XCTAssertTrue(table.contains("## Every network's test accuracy (%)\n\n| setting | architecture | network 1 | network 2 |"), table)
        for row in first.rows {
            let runs = try XCTUnwrap(row.report.results.first { $0.architecture == "LeNet" })
            let shown = try XCTUnwrap(row.setting.distilled ? runs.distilled : runs.plain).runs
            XCTAssertEqual(shown.count, 2)
            let line = "| \(row.setting) | LeNet | " + shown.map { run in
                run.accuracy.map { String(format: "%.2f", $0) + (run.diverged ? " (diverged)" : "") } ?? "diverged"
            }.joined(separator: " | ") + " |"
            XCTAssertTrue(table.contains(line), "table.md lacks \(line):\n\(table)")
        }
        let report = try String(contentsOfFile: "\(directory)/report.html", encoding: .utf8)
        XCTAssertTrue(report.contains("<h3>Every network's test accuracy (%)</h3>"))
        XCTAssertTrue(report.contains("Pool probabilities, dc+pool=ConvNet:0.5,MLP:0.5+adapt=loss+iterations=2"))
        XCTAssertEqual(report.components(separatedBy: "<figure class=\"set\">").count - 1, 2, "one figure per condensed set")
        let json = try JSONDecoder().decode(GeneralizationResults.self, from: Data(contentsOf: URL(fileURLWithPath: "\(directory)/results.json")))
        XCTAssertEqual(json.rows.count, 3)

        stages = []
        condensed = 0
        let second = try study.run(in: directory, locator: data.locator, command: "again") {
            if case .condensation = $0 { condensed += 1 }
            if case .stage(let line) = $0 { stages.append(line) }
        }
        XCTAssertEqual(condensed, 0)
        XCTAssertEqual(stages.filter { $0.contains("reused") }.count, 6, "\(stages)")
        XCTAssertEqual(second.rows.map { $0.report.results.map(\.plain) }, first.rows.map { $0.report.results.map(\.plain) })
    }

    /// Runs `settings` in `data`'s `study` directory, on ConvNet and MLP with one network
    /// of one epoch each: the results, the condensation iterations run, and `table.md`.
    private func runSmallStudy(
        _ settings: [String], on data: TinyFashionMNIST
    ) throws -> (results: GeneralizationResults, condensed: Int, table: String, directory: String) {
        let directory = (data.root as NSString).appendingPathComponent("study")
        let study = GeneralizationStudy(
            settings: try settings.map(StudySetting.init(parsing:)), architectures: ["ConvNet", "MLP"], evaluationRuns: 1,
            epochs: 1, batchReal: 4, testImagesPerClass: 2, seed: 3)
        var condensed = 0
        var table = ""
        let results = try study.run(in: directory, locator: data.locator, command: "distill experiment generalization …") {
            if case .condensation = $0 { condensed += 1 }
            if case .finished(let text) = $0 { table = text }
        }
        return (results, condensed, table, directory)
    }

    /// An untrained MLP saved as `distill train --save` saves a teacher, for images of `channels`×28×28.
    private func writeUntrainedTeacher(channels: Int, to path: String) throws {
        var generator = SeededGenerator(seed: 5)
        let network = try Zoo.make(name: "MLP", channels: channels, imageSize: 28, classes: 10, using: &generator)
        try TrainedNetworkFile.write(
            network,
            info: TrainedNetworkInfo(
                model: "MLP", dataset: "fashion-mnist", imageShape: [channels, 28, 28], classCount: 10,
                normalization: (channels == 1 ? DatasetKind.fashionMNIST : .cifar10).normalization, epochs: 0, learningRate: 0.01,
                batchSize: 8, seed: 5, testAccuracy: 10),
            to: path)
    }

    /// What would fail hours into a study is refused before its first condensation:
    /// a teacher made for other images, a file where the evaluations go, a pair
    /// listed twice, and two teachers the tables could not tell apart.
    func testStudyRefusesWhatWouldFailLaterBeforeAnyWork() throws {
        let data = try TinyFashionMNIST()
        defer { data.remove() }
        let colour = (data.root as NSString).appendingPathComponent("colour/teacher.safetensors")
        let grey = (data.root as NSString).appendingPathComponent("grey/teacher.safetensors")
        try writeUntrainedTeacher(channels: 3, to: colour)
        try writeUntrainedTeacher(channels: 1, to: grey)
        let directory = (data.root as NSString).appendingPathComponent("study")
        func attempt(_ settings: [String], compare: [String] = [], _ fragment: String, line: UInt = #line) throws {
            let study = GeneralizationStudy(
                settings: try settings.map(StudySetting.init(parsing:)), comparisons: try compare.map(StudyComparison.init(parsing:)),
                architectures: ["ConvNet"], evaluationRuns: 1, epochs: 1, batchReal: 4, testImagesPerClass: 2, seed: 3)
            var worked = false
            XCTAssertThrowsError(
                try study.run(in: directory, locator: data.locator, command: "refused") {
                    if case .condensation = $0 { worked = true }
                }, line: line
            ) { XCTAssertTrue("\($0)".contains(fragment), "\($0)", line: line) }
            XCTAssertFalse(worked, "refused before condensing", line: line)
        }
        try attempt(["dc+iterations=1", "dc+iterations=1+teacher=\(colour)"], "trained on images of shape [3, 28, 28]")
        try attempt(
            ["dc+iterations=1", "dc+iterations=1+teacher=\(grey)", "dc+iterations=1+teacher=\(colour)"],
            "both show as dc+iterations=1+teacher=teacher.safetensors")
        try attempt(
            ["dc+iterations=1", "dc+iterations=1+kd"], compare: ["dc+iterations=1+kd vs dc+iterations=1", "dc+kd+iterations=1 vs dc+iterations=1"],
            "list each pair once")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.createFile(atPath: (directory as NSString).appendingPathComponent("evaluations"), contents: Data()))
        try attempt(["dc+iterations=1"], "evaluations: a file of that name is in the way")
    }

    /// A one-setting study (`dc+iterations=1`, two ConvNets of one epoch) run once
    /// in `data`'s folder, with the path of its evaluation's cache entry.
    private func oneSettingStudy(
        in data: TinyFashionMNIST
    ) throws -> (study: GeneralizationStudy, directory: String, first: GeneralizationResults, entryPath: String) {
        let directory = (data.root as NSString).appendingPathComponent("study")
        let study = GeneralizationStudy(
            settings: [try StudySetting(parsing: "dc+iterations=1")], architectures: ["ConvNet"],
            evaluationRuns: 2, epochs: 1, batchReal: 4, testImagesPerClass: 2, seed: 3)
        let first = try study.run(in: directory, locator: data.locator, command: "first")
        return (study, directory, first, (directory as NSString).appendingPathComponent("evaluations/dc-none-it1-iter1.json"))
    }

    /// A cache entry is reused only when it holds what its key asks for, with
    /// accuracies a training can give; its statistics are computed again from
    /// its runs. One damaged or edited otherwise is evaluated again.
    func testAlteredCacheEntriesAreEvaluatedAgain() throws {
        let data = try TinyFashionMNIST()
        defer { data.remove() }
        let (study, directory, first, entryPath) = try oneSettingStudy(in: data)
        let stored = try Data(contentsOf: URL(fileURLWithPath: entryPath))
        func rerun(editing edit: (inout [String: Any]) -> Void) throws -> (reused: Bool, report: EvaluationReport) {
            var summary = try XCTUnwrap(
                (try JSONSerialization.jsonObject(with: stored) as? [String: Any]).flatMap { ($0["report"] as? [String: Any]) }
                    .flatMap { ($0["results"] as? [[String: Any]])?.first?["plain"] as? [String: Any] })
            edit(&summary)
            var entry = try XCTUnwrap(try JSONSerialization.jsonObject(with: stored) as? [String: Any])
            var report = try XCTUnwrap(entry["report"] as? [String: Any])
            var results = try XCTUnwrap(report["results"] as? [[String: Any]])
            results[0]["plain"] = summary
            report["results"] = results
            entry["report"] = report
            try JSONSerialization.data(withJSONObject: entry).write(to: URL(fileURLWithPath: entryPath))
            var stages: [String] = []
            let rerun = try study.run(in: directory, locator: data.locator, command: "again") {
                if case .stage(let line) = $0 { stages.append(line) }
            }
            return (stages.contains { $0.contains("reused evaluations/dc-none-it1-iter1.json") }, rerun.rows[0].report)
        }
        let statistics = try rerun { $0["mean"] = 999.0; $0["std"] = 0.0 }
        XCTAssertTrue(statistics.reused, "the runs are intact")
        XCTAssertEqual(statistics.report, first.rows[0].report, "the mean comes from the runs, not from the file")
        for (what, edit) in [
            ("an impossible accuracy", { (summary: inout [String: Any]) in
                var runs = summary["runs"] as! [[String: Any]]
                runs[0]["accuracy"] = 999.0
                summary["runs"] = runs
            }),
            ("a run missing", { (summary: inout [String: Any]) in summary["runs"] = Array((summary["runs"] as! [Any]).prefix(1)) }),
        ] {
            let again = try rerun(editing: edit)
            XCTAssertFalse(again.reused, what)
            XCTAssertEqual(again.report.results[0].plain.runs.map(\.accuracy), first.rows[0].report.results[0].plain.runs.map(\.accuracy), what)
        }
        // A wall time no evaluation takes (it trapped the table's formatting once): evaluated again, the table written.
        for seconds in [1e300, -5] {
            var entry = try XCTUnwrap(try JSONSerialization.jsonObject(with: stored) as? [String: Any])
            entry["seconds"] = seconds
            try JSONSerialization.data(withJSONObject: entry).write(to: URL(fileURLWithPath: entryPath))
            var reused = false
            _ = try study.run(in: directory, locator: data.locator, command: "again") {
                if case .stage(let line) = $0, line.contains("reused evaluations/dc-none-it1-iter1.json") { reused = true }
            }
            XCTAssertFalse(reused, "seconds \(seconds)")
            let table = try String(contentsOfFile: (directory as NSString).appendingPathComponent("table.md"), encoding: .utf8)
            XCTAssertFalse(table.contains(":-"), table)
        }
    }

    /// A set with other bytes in the same place (condensed again after its run
    /// directory was removed, say on another CPU) is evaluated again, and kept
    /// trainings of the old set are not reused; an entry from before entries
    /// recorded their set is still taken on its key.
    func testASetWithOtherBytesIsEvaluatedAgain() throws {
        let data = try TinyFashionMNIST()
        defer { data.remove() }
        let (study, directory, first, entryPath) = try oneSettingStudy(in: data)
        func entry() throws -> [String: Any] {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: entryPath))) as? [String: Any])
        }
        func rerun() throws -> (reused: Bool, trained: Int, results: GeneralizationResults) {
            var stages: [String] = []
            var trained = 0
            let results = try study.run(in: directory, locator: data.locator, command: "again") {
                if case .stage(let line) = $0 { stages.append(line) }
                if case .evaluation(let progress) = $0, progress.finishedAccuracy != nil { trained += 1 }
            }
            return (stages.contains { $0.contains("reused evaluations/dc-none-it1-iter1.json") }, trained, results)
        }
        let firstSet = try XCTUnwrap(try entry()["set"] as? [String: Any], "the entry records its set")

        // The set's pixels halved, its metadata kept: the condensation is reused, its evaluation is not.
        let setPath = (directory as NSString).appendingPathComponent(first.rows[0].synthetic)
        let set = try SyntheticSetFile(contentsOf: setPath)
        let halved = NDArray(shape: set.images.shape, scalars: set.images.scalars.map { $0 / 2 })
        try SyntheticSetFile(images: halved, labels: set.labels, metadata: set.metadata).write(to: setPath)
        let changed = try rerun()
        XCTAssertFalse(changed.reused)
        XCTAssertEqual(changed.trained, 2)
        let secondSet = try XCTUnwrap(try entry()["set"] as? [String: Any])
        XCTAssertNotEqual(secondSet["fnv1a64"] as? String, firstSet["fnv1a64"] as? String)
        XCTAssertTrue(try rerun().reused, "the new entry is the new set's")

        // A training kept from the old set, as a stop part-way leaves it, is trained again.
        let key = try XCTUnwrap(try entry()["key"])
        try FileManager.default.removeItem(atPath: entryPath)
        let runs = (directory as NSString).appendingPathComponent("evaluations/dc-none-it1-iter1-runs")
        try FileManager.default.createDirectory(atPath: runs, withIntermediateDirectories: true)
        let kept: [String: Any] = [
            "key": key, "set": firstSet, "cell": 1,
            "result": ["accuracy": 12.5, "diverged": false, "fellBackToCrossEntropy": false, "seconds": 1.0],
        ]
        try JSONSerialization.data(withJSONObject: kept).write(to: URL(fileURLWithPath: "\(runs)/1.json"))
        let resumed = try rerun()
        XCTAssertEqual(resumed.trained, 2)
        XCTAssertEqual(
            resumed.results.rows[0].report.results[0].plain.runs.map(\.accuracy), changed.results.rows[0].report.results[0].plain.runs.map(\.accuracy))

        // An entry without the field is taken on its key.
        var legacy = try entry()
        legacy["set"] = nil
        try JSONSerialization.data(withJSONObject: legacy).write(to: URL(fileURLWithPath: entryPath))
        XCTAssertTrue(try rerun().reused)
    }

    /// `+protocol=dsa` evaluates the baseline's set again, under DSA's protocol,
    /// in an evaluation of its own: one condensation, two cache entries.
    func testProtocolSettingReevaluatesTheSameSetUnderAnotherProtocol() throws {
        let data = try TinyFashionMNIST()
        defer { data.remove() }
        let (results, condensed, table, directory) = try runSmallStudy(["dc+iterations=1", "dc+iterations=1+protocol=dsa"], on: data)
        XCTAssertEqual(condensed, 1, "the +protocol row reuses the baseline's condensation")
        XCTAssertEqual(results.rows[0].synthetic, results.rows[1].synthetic)
        XCTAssertEqual(
            results.rows.map { $0.report.results.map(\.trainingProtocol) },
            [[TrainingProtocol(epochs: 1), TrainingProtocol(epochs: 1)],
             [TrainingProtocol(epochs: 1, augmentation: .dsa(.standard)), TrainingProtocol(epochs: 1, augmentation: .dsa(.standard))]])
        for name in ["dc-none-it1-iter1.json", "dc-none-it1-iter1-protocol-dsa.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(directory)/evaluations/\(name)"), name)
        }
        XCTAssertTrue(table.contains("| dc+iterations=1+protocol=dsa |"), table)
        XCTAssertTrue(table.contains("or the one `+protocol=` names"), table)
    }

    /// A teacher trained on real data: its row shares the baseline's set, stands in a
    /// table of its own, and is named by the teacher's file name, not its path.
    func testRealDataTeacherRowStandsApartAndSharesTheBaselineSet() throws {
        let data = try TinyFashionMNIST()
        defer { data.remove() }
        let teacherDirectory = (data.root as NSString).appendingPathComponent("a/long/way/to/the")
        try FileManager.default.createDirectory(atPath: teacherDirectory, withIntermediateDirectories: true)
        let teacher = (teacherDirectory as NSString).appendingPathComponent("teacher.safetensors")
        try writeUntrainedTeacher(channels: 1, to: teacher)
        let (results, condensed, table, directory) = try runSmallStudy(["dc+iterations=1", "dc+iterations=1+teacher=\(teacher)"], on: data)
        XCTAssertEqual(condensed, 1, "the teacher row evaluates the baseline's set")
        XCTAssertEqual(results.rows[1].report.distillation?.teacherWeights?.path, teacher)
        XCTAssertFalse(table.contains(teacherDirectory), "no table row carries the path:\n\(table)")
        let tables = table.components(separatedBy: "## ")
        let own = try XCTUnwrap(tables.first { $0.hasPrefix("Test accuracy") && $0.contains("teacher trained on the real training set") })
        XCTAssertTrue(own.contains("| dc+iterations=1+teacher=teacher.safetensors |"), own)
        XCTAssertFalse(own.contains("| dc+iterations=1 |"), own)
        XCTAssertTrue(table.contains("| dc+iterations=1+teacher=teacher.safetensors (real-data teacher) |"), table)
        XCTAssertTrue(table.contains("| mean of 1 others | condensation (h:mm:ss) | evaluation (h:mm:ss) |"), table)
        // Both accuracy rows end with their wall times, alike as h:mm:ss.
        let times = try NSRegularExpression(pattern: "^\\| dc\\+iterations=1[^|]* \\|.* \\| [0-9]+:[0-5][0-9]:[0-5][0-9] \\| [0-9]+:[0-5][0-9]:[0-5][0-9] \\|$", options: .anchorsMatchLines)
        XCTAssertEqual(times.numberOfMatches(in: table, range: NSRange(table.startIndex..., in: table)), 2, table)
        let report = try String(contentsOfFile: "\(directory)/report.html", encoding: .utf8)
        XCTAssertEqual(
            report.components(separatedBy: "<figure class=\"set\"><figcaption>").dropFirst().map { $0.components(separatedBy: "</figcaption>")[0] },
            ["dc+iterations=1, dc+iterations=1+teacher=teacher.safetensors"], "one figure for the shared set, naming both rows")
    }

    /// An evaluation stopped part-way keeps its finished trainings: started
    /// again, the study trains only the rest, uses the kept results (a planted
    /// one shows it was read, one made with other settings is ignored), and
    /// replaces them with the whole entry.
    func testStoppedEvaluationResumesFromTheTrainingsItKept() throws {
        let data = try TinyFashionMNIST()
        defer { data.remove() }
        let directory = (data.root as NSString).appendingPathComponent("study")
        let study = GeneralizationStudy(
            settings: [try StudySetting(parsing: "dc+iterations=1")], architectures: ["ConvNet", "MLP"],
            evaluationRuns: 2, epochs: 2, batchReal: 4, testImagesPerClass: 2, seed: 3)
        let first = try study.run(in: directory, locator: data.locator, command: "first")
        let evaluations = (directory as NSString).appendingPathComponent("evaluations")
        let entryPath = (evaluations as NSString).appendingPathComponent("dc-none-it1-iter1.json")
        let entry = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: entryPath))) as? [String: Any])
        // As a stop part-way leaves it: no entry, and the trainings that finished.
        try FileManager.default.removeItem(atPath: entryPath)
        let runs = (evaluations as NSString).appendingPathComponent("dc-none-it1-iter1-runs")
        try FileManager.default.createDirectory(atPath: runs, withIntermediateDirectories: true)
        func plant(cell: Int, accuracy: Double, key: Any) throws {
            let run: [String: Any] = [
                "key": key, "cell": cell,
                "result": ["accuracy": accuracy, "diverged": false, "fellBackToCrossEntropy": false, "seconds": 1.0],
            ]
            try JSONSerialization.data(withJSONObject: run).write(to: URL(fileURLWithPath: "\(runs)/\(cell).json"))
        }
        let key = try XCTUnwrap(entry["key"] as? [String: Any])
        try plant(cell: 1, accuracy: 12.5, key: key)
        var otherSeed = key
        otherSeed["seed"] = 4
        try plant(cell: 2, accuracy: 99, key: otherSeed)

        var stages: [String] = []
        var trained: [String] = []
        let second = try study.run(in: directory, locator: data.locator, command: "second") {
            if case .stage(let line) = $0 { stages.append(line) }
            if case .evaluation(let progress) = $0, progress.finishedAccuracy != nil {
                trained.append("\(progress.architecture) \(progress.run)")
            }
        }
        XCTAssertTrue(stages.contains { $0.contains("reused 1 trainings kept in evaluations/dc-none-it1-iter1-runs") }, "\(stages)")
        XCTAssertEqual(trained, ["ConvNet 0", "MLP 0", "MLP 1"], "cell 1 (ConvNet run 1) was kept")
        let convNet = second.rows[0].report.results[0].plain.runs.map(\.accuracy)
        XCTAssertEqual(convNet, [first.rows[0].report.results[0].plain.runs[0].accuracy, 12.5])
        XCTAssertEqual(
            second.rows[0].report.results[1].plain.runs.map(\.accuracy), first.rows[0].report.results[1].plain.runs.map(\.accuracy))
        XCTAssertTrue(FileManager.default.fileExists(atPath: entryPath))
        XCTAssertFalse(FileManager.default.fileExists(atPath: runs), "the whole entry replaces the kept trainings")
    }

    /// A KD row trains no network without KD that the same set's plain row
    /// trained: it takes them from that row's entry, and its report equals the
    /// one a study without the plain row computes by training them all.
    func testKDRowReusesThePlainRowsTrainings() throws {
        let data = try TinyFashionMNIST()
        defer { data.remove() }
        func study(_ settings: [String], in name: String) throws -> (GeneralizationResults, trainedWithoutKD: Int, stages: [String]) {
            let study = GeneralizationStudy(
                settings: try settings.map(StudySetting.init(parsing:)), architectures: ["ConvNet", "MLP"], evaluationRuns: 2,
                epochs: 2, batchReal: 4, testImagesPerClass: 2, seed: 3)
            var trainedWithoutKD = 0
            var stages: [String] = []
            let results = try study.run(in: (data.root as NSString).appendingPathComponent(name), locator: data.locator, command: name) {
                if case .stage(let line) = $0 { stages.append(line) }
                if case .evaluation(let progress) = $0, progress.finishedAccuracy != nil, !progress.distilled { trainedWithoutKD += 1 }
            }
            return (results, trainedWithoutKD, stages)
        }
        let both = try study(["dc+iterations=1", "dc+iterations=1+kd"], in: "both")
        XCTAssertEqual(both.trainedWithoutKD, 4, "2 architectures × 2 runs, once")
        XCTAssertTrue(
            both.stages.contains("evaluate dc+iterations=1+kd: reused the 4 trainings without KD of evaluations/dc-none-it1-iter1.json"),
            "\(both.stages)")
        let alone = try study(["dc+iterations=1+kd"], in: "alone")
        XCTAssertEqual(alone.trainedWithoutKD, 4)
        // Times differ from run to run; the accuracies may not.
        func accuracies(_ summaries: [AccuracySummary?]) -> [[Double?]] { summaries.map { $0?.runs.map(\.accuracy) ?? [] } }
        let kd = both.0.rows[1].report.results
        XCTAssertEqual(accuracies(kd.map(\.plain)), accuracies(alone.0.rows[0].report.results.map(\.plain)), "reusing changes no result")
        XCTAssertEqual(accuracies(kd.map(\.distilled)), accuracies(alone.0.rows[0].report.results.map(\.distilled)))
        XCTAssertEqual(kd.map(\.plain), both.0.rows[0].report.results.map(\.plain))
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillEval
@testable import DistillExperiments
import DistillIO
import DistillTensor
import Foundation
import XCTest

/// The building blocks of `report.html` and `table.md`: labelled set figures, bar
/// whiskers and the differences to the baseline.
final class ReportPiecesTests: XCTestCase {
    // MARK: - Labelled set figures

    /// An element of a parsed fragment: its tag, attributes, text and children.
    private final class Element {
        let tag: String
        let attributes: [String: String]
        var text = ""
        var children: [Element] = []
        init(tag: String, attributes: [String: String]) {
            self.tag = tag
            self.attributes = attributes
        }

        func all(_ tag: String, class name: String? = nil) -> [Element] {
            children.flatMap { child in
                (child.tag == tag && (name == nil || child.attributes["class"] == name) ? [child] : []) + child.all(tag, class: name)
            }
        }
    }

    /// Parses the markup into a tree, failing on tags that do not nest; `<img …/>` has no end tag.
    private func parse(_ html: String) throws -> Element {
        let root = Element(tag: "root", attributes: [:])
        var open = [root]
        let tag = try NSRegularExpression(pattern: "<(/?)([a-z]+)((?:\\s+[a-z-]+=\"[^\"]*\")*)\\s*(/?)>")
        let attribute = try NSRegularExpression(pattern: "([a-z-]+)=\"([^\"]*)\"")
        var last = html.startIndex
        for match in tag.matches(in: html, range: NSRange(html.startIndex..., in: html)) {
            let range = Range(match.range, in: html)!
            open.last!.text += html[last..<range.lowerBound]
            last = range.upperBound
            let name = String(html[Range(match.range(at: 2), in: html)!])
            if match.range(at: 1).length > 0 {
                XCTAssertEqual(open.last!.tag, name, "</\(name)> closes <\(open.last!.tag)>")
                open.removeLast()
                continue
            }
            let text = String(html[Range(match.range(at: 3), in: html)!])
            var attributes: [String: String] = [:]
            for pair in attribute.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                attributes[String(text[Range(pair.range(at: 1), in: text)!])] = String(text[Range(pair.range(at: 2), in: text)!])
            }
            let element = Element(tag: name, attributes: attributes)
            open.last!.children.append(element)
            if match.range(at: 4).length == 0 { open.append(element) }
        }
        XCTAssertEqual(open.count, 1, "every element is closed")
        return root
    }

    private func pngSize(_ dataURI: String) throws -> (width: Int, height: Int) {
        let prefix = "data:image/png;base64,"
        XCTAssertTrue(dataURI.hasPrefix(prefix))
        let bytes = try XCTUnwrap(Data(base64Encoded: String(dataURI.dropFirst(prefix.count)))).map { Int($0) }
        return (bytes[16] << 24 | bytes[17] << 16 | bytes[18] << 8 | bytes[19], bytes[20] << 24 | bytes[21] << 16 | bytes[22] << 8 | bytes[23])
    }

    /// `classes` classes of `perClass` 1×6×4 images each, labels class-major.
    private func syntheticSet(classes: Int, perClass: Int, metadata: [String: String] = [:]) -> SyntheticSetFile {
        let count = classes * perClass
        return SyntheticSetFile(
            images: NDArray(shape: [count, 1, 6, 4], scalars: (0..<(count * 24)).map { Float($0 % 7) / 7 }),
            labels: (0..<count).map { $0 / perClass }, metadata: ["mean": "0.5", "std": "0.25"].merging(metadata) { $1 })
    }

    func testSetFigureHasOneCaptionedBlockPerClassWithItsImagesInARow() throws {
        let figure = try SyntheticSetFigure(
            file: syntheticSet(classes: 3, perClass: 2), caption: "iteration 5 <final>", fallbackClassNames: ["T-shirt/top", "Trouser", "Pull<over>"]
        ).html()
        let root = try parse(figure)
        let set = try XCTUnwrap(root.all("figure", class: "set").first)
        XCTAssertEqual(set.children.first?.tag, "figcaption")
        XCTAssertEqual(set.children.first?.text, "iteration 5 &lt;final&gt;")
        let flow = try XCTUnwrap(set.all("div", class: "classes").first)
        let blocks = flow.children
        XCTAssertEqual(blocks.count, 3, "one block per class")
        XCTAssertEqual(blocks.map { $0.attributes["class"] }, ["class", "class", "class"])
        XCTAssertEqual(blocks.map { $0.all("figcaption").first?.text }, ["T-shirt/top", "Trouser", "Pull&lt;over&gt;"])
        for block in blocks {
            let images = block.all("img")
            XCTAssertEqual(images.count, 1, "the class's images come as one row")
            let image = images[0]
            let size = try pngSize(try XCTUnwrap(image.attributes["src"]))
            XCTAssertEqual(size.width, 2 * (4 + 1) + 1, "two images across")
            XCTAssertEqual(size.height, 6 + 2)
            XCTAssertEqual(image.attributes["width"], "\(size.width * 2)", "rows of several images show at 2×")
            XCTAssertEqual(image.attributes["height"], "\(size.height * 2)")
        }
        XCTAssertTrue(SyntheticSetFigure.style.contains("flex-wrap: wrap"))
        XCTAssertTrue(SyntheticSetFigure.style.contains("image-rendering: pixelated"))
    }

    func testSetFigureNamesClassesFromTheFileFirstAndShowsSingleImagesAt3x() throws {
        let named = syntheticSet(classes: 10, perClass: 1, metadata: ["class_names": (0..<10).map { "name \($0)" }.joined(separator: "\n")])
        let root = try parse(try SyntheticSetFigure(file: named, caption: "ipc 1", fallbackClassNames: ["ignored"]).html())
        let blocks = root.all("figure", class: "class")
        XCTAssertEqual(blocks.count, 10)
        XCTAssertEqual(blocks.map { $0.all("figcaption").first?.text }, (0..<10).map { "name \($0)" })
        XCTAssertEqual(blocks[0].all("img").first?.attributes["width"], "\((4 + 2) * 3)")

        let unnamed = try parse(try SyntheticSetFigure(file: syntheticSet(classes: 2, perClass: 1), caption: "", fallbackClassNames: ["only"]).html())
        XCTAssertEqual(unnamed.all("figure", class: "class").map { $0.all("figcaption").first?.text }, ["only", "class 1"])
    }

    // MARK: - Bar whiskers

    private func summary(_ accuracies: [Double]) -> AccuracySummary {
        AccuracySummary(runs: accuracies.map { RunResult(accuracy: $0, diverged: false, fellBackToCrossEntropy: false, seconds: 1) })
    }

    func testBarsOfSeveralRunsHaveAStdWhiskerAndSingleRunsNone() {
        let chart = BarChart(
            title: "t", groups: ["ConvNet", "MLP"],
            series: [
                .init(name: "one run", color: "#000", bars: [BarChart.Bar(summary([50])), BarChart.Bar(summary([40]))]),
                .init(name: "three runs", color: "#111", bars: [BarChart.Bar(summary([40, 50, 60])), BarChart.Bar(nil)]),
            ])
        let svg = chart.svg()
        let whiskers = svg.components(separatedBy: "\n").filter { $0.contains("class=\"whisker\"") }
        XCTAssertEqual(whiskers.count, 1, svg)
        // Mean 50, population std √(200/3) ≈ 8.165: the plot maps 0–100 % onto y = 214 … 34.
        let std = (200.0 / 3).squareRoot()
        let high = String(format: "%.1f", 34 + 180 * (1 - (50 + std) / 100)), low = String(format: "%.1f", 34 + 180 * (1 - (50 - std) / 100))
        XCTAssertTrue(whiskers[0].contains(" \(high)V\(low)"), whiskers[0])
        XCTAssertTrue(svg.contains("three runs, ConvNet: 50.00 ± 8.16% (mean over 3 runs)"), svg)
        XCTAssertTrue(svg.contains("one run, ConvNet: 50.00% (1 run)"), svg)
        XCTAssertTrue(svg.contains("three runs, MLP: diverged"), "a missing cell is marked, not drawn")
    }

    /// Long setting names and a long title fit: the picture widens for the title,
    /// and legend entries wrap onto new rows instead of running past its right edge.
    func testChartIsWideEnoughForItsTitleAndWrapsItsLegend() throws {
        let names = (1...6).map { "dc+pool=total-random+adapt=loss:beta=\($0)+iterations=2000" }
        let title = "Accuracy by architecture (whiskers: ± std over runs), a title longer than three groups of bars"
        let svg = BarChart(
            title: title, groups: ["ConvNet", "MLP", "LeNet"],
            series: names.map { .init(name: $0, color: "#000", bars: Array(repeating: BarChart.Bar(nil), count: 3)) }
        ).svg()
        let number = { (pattern: String, text: String) -> [Double] in
            let regex = try NSRegularExpression(pattern: pattern)
            return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map {
                Double(text[Range($0.range(at: 1), in: text)!])!
            }
        }
        let width = try XCTUnwrap(number("<svg width=\"([0-9.]+)\"", svg).first)
        let height = try XCTUnwrap(number("height=\"([0-9.]+)\" viewBox", svg).first)
        XCTAssertGreaterThanOrEqual(width, 44 + Double(title.count) * 13 * 0.62, "the title fits")
        let legend = svg.components(separatedBy: "\n").filter { line in names.contains { line.contains(">\($0)</text>") } }
        XCTAssertEqual(legend.count, names.count)
        var rows = Set<Double>()
        for (line, name) in zip(legend, names) {
            let x = try XCTUnwrap(number("<rect x=\"([0-9.]+)\"", line).first)
            let y = try XCTUnwrap(number("<rect x=\"[0-9.]+\" y=\"([0-9.]+)\"", line).first)
            XCTAssertLessThanOrEqual(x + 24 + Double(name.count) * 11 * 0.62, width + 0.1, "\(name) runs past the edge")
            XCTAssertLessThan(y + 10, height, "\(name) is below the picture")
            rows.insert(y)
        }
        XCTAssertGreaterThan(rows.count, 1, "six long names wrap")
    }

    /// A study of 15 settings over 6 architectures: every series has a colour of its
    /// own, and bars narrow so the plot stays about 1000 units across.
    func testManySeriesKeepDistinctColoursAndNarrowerBars() throws {
        let series = (0..<15).map { index in
            BarChart.Series(
                name: "setting \(index)", color: BarChart.palette[index % BarChart.palette.count],
                bars: Array(repeating: BarChart.Bar(summary([60, 70])), count: 6))
        }
        XCTAssertEqual(Set(series.map(\.color)).count, 15)
        XCTAssertEqual(Set(BarChart.palette).count, BarChart.palette.count, "no colour twice in the palette")
        let svg = BarChart(title: "t", groups: ["ConvNet", "MLP", "LeNet", "AlexNet", "VGG11", "ResNet18"], series: series).svg()
        let regex = try NSRegularExpression(pattern: "<rect x=\"([0-9.]+)\" y=\"[0-9.]+\" width=\"([0-9.]+)\" height=\"[0-9.]+\" fill=\"#[0-9a-f]+\"><title>")
        let bars = regex.matches(in: svg, range: NSRange(svg.startIndex..., in: svg)).map { match in
            (x: Double(svg[Range(match.range(at: 1), in: svg)!])!, width: Double(svg[Range(match.range(at: 2), in: svg)!])!)
        }
        XCTAssertEqual(bars.count, 90)
        // 6 gaps of 28 leave 832 units for 90 bars: 9.2 each, drawn 2 narrower.
        XCTAssertEqual(bars[0].width, (832.0 / 90 - 2), accuracy: 0.06)
        let right = try XCTUnwrap(bars.map { $0.x + $0.width }.max())
        XCTAssertLessThanOrEqual(right, 44 + 1000, "the plot ends within 1000 units of its axis")
        XCTAssertLessThan(right, 44 + 15 * 6 * 16, "narrower than at 16 units a bar")
    }

    func testLegendLinesBecomeParagraphsWithCodeAndBoldSpans() {
        XCTAssertEqual(
            HTMLPage.paragraph("**In progress:** to come: `dc+pool=paper`, `a<b`."),
            "<p><strong>In progress:</strong> to come: <code>dc+pool=paper</code>, <code>a&lt;b</code>.</p>")
    }

    // MARK: - Differences to the baseline

    /// A study's results over ConvNet and MLP, 12 runs each, with made-up accuracies that differ by setting.
    private func studyResults(_ settings: [String], comparisons: [String] = [], seed: UInt64 = 0) throws -> GeneralizationResults {
        let parsed = try settings.map(StudySetting.init(parsing:))
        let rows = parsed.map { setting in
            let offset = Double(setting.description.utf8.reduce(0) { $0 + Int($1) } % 7)
            let results = ["ConvNet", "MLP"].enumerated().map { index, architecture in
                ArchitectureResult(
                    architecture: architecture,
                    plain: summary((0..<12).map { run in 60 + offset + Double(index) + 3 * sin(Double(run * 7 + index) + offset) }),
                    distilled: nil)
            }
            return GeneralizationResults.Row(
                setting: setting, synthetic: "\(setting)/set", log: "\(setting)/log.jsonl", condensationSeconds: 1, evaluationSeconds: 1,
                report: EvaluationReport(results: results, seed: seed, runsPerArchitecture: 12, distillation: nil))
        }
        let study = GeneralizationStudy(
            settings: parsed, comparisons: try comparisons.map(StudyComparison.init(parsing:)), architectures: ["ConvNet", "MLP"],
            evaluationRuns: 12, seed: seed)
        return GeneralizationResults(study: study, command: "", rows: rows, pending: nil, wallSeconds: 1)
    }

    /// A pair's interval depends on the seed and its two settings only: not on the
    /// other settings, nor on their order, nor on which table shows it.
    func testPairedIntervalsDependOnThePairAloneNotOnItsPlaceInTheStudy() throws {
        let full = try studyResults(["dc", "dsa", "dc+pool=paper"], comparisons: ["dc+pool=paper vs dc", "dc+pool=paper vs dsa"])
        let rows = { (table: ResultTable) in Dictionary(uniqueKeysWithValues: table.rows.map { ($0[0], Array($0.dropFirst())) }) }
        let differences = rows(full.differenceTable())
        let pool = try XCTUnwrap(differences["dc+pool=paper"])
        XCTAssertTrue(pool.allSatisfy { $0.contains("[") }, "intervals over 12 pairs: \(pool)")
        XCTAssertEqual(rows(try studyResults(["dc", "dc+pool=paper"]).differenceTable())["dc+pool=paper"], pool)
        let compared = rows(try XCTUnwrap(full.comparisonTable()))
        XCTAssertEqual(compared["dc+pool=paper minus dc"], pool, "a pair with the baseline repeats its difference")
        let alone = try studyResults(["dsa", "dc+pool=paper"]).differenceTable()
        XCTAssertEqual(compared["dc+pool=paper minus dsa"], rows(alone)["dc+pool=paper"])
        // The draws do depend on the seed, so an interval that moved with its row's place would show here.
        XCTAssertNotEqual(rows(try studyResults(["dc", "dc+pool=paper"], seed: 1).differenceTable())["dc+pool=paper"], pool)
    }

    /// The legend names the numerics of the evaluations: once when all rows share them, else each with its rows.
    func testLegendNamesTheNumericsEachRowWasEvaluatedWith() throws {
        var results = try studyResults(["dc", "dsa", "dc+pool=paper"])
        for index in results.rows.indices { results.rows[index].numerics = "avx2 kernels" }
        XCTAssertTrue(GeneralizationFiles.legend(results).contains("Evaluated with: avx2 kernels."))
        results.rows[1].numerics = "avx512 kernels"
        results.rows[2].numerics = nil
        XCTAssertTrue(
            GeneralizationFiles.legend(results).contains(
                "Evaluated with several numerics, which can move a network's accuracy by about a point: "
                    + "avx2 kernels (`dc`); avx512 kernels (`dsa`); not recorded (`dc+pool=paper`)."),
            "\(GeneralizationFiles.legend(results))")
    }

    private func results(runs: Int, cells: [(TableMethod, String, [Double?])]) -> ModelPoolResults {
        ModelPoolResults(
            experiment: ModelPoolExperiment(
                imagesPerClass: [1], iterations: [10], architectures: ["ConvNet", "MLP", "LeNet"], evaluationRuns: runs),
            reductions: [], condensations: [], evaluations: [],
            cells: cells.map { method, architecture, accuracies in
                ResultCell(
                    table: .main, imagesPerClass: 1, iteration: 10, row: method.rawValue, setting: method.setting,
                    distilled: method.distilled, architecture: architecture,
                    summary: AccuracySummary(runs: accuracies.map {
                        RunResult(accuracy: $0 ?? 10, diverged: $0 == nil, fellBackToCrossEntropy: false, seconds: 1)
                    }))
            },
            wallSeconds: 0, iterationsRun: 0, evaluationsRun: 0)
    }

    func testDifferenceTableGivesEachRowMinusTheBaselinePerArchitectureAndOverTheOthers() {
        let table = results(
            runs: 3,
            cells: [
                (.baseline, "ConvNet", [50, 52, 54]), (.baseline, "MLP", [40, 41, 42]), (.baseline, "LeNet", [30, 30, 30]),
                (.modelPool, "ConvNet", [51, 53, 55]), (.modelPool, "MLP", [42, 43, 44]), (.modelPool, "LeNet", [34, nil, 34]),
            ]
        ).differenceTable(iteration: 10)
        XCTAssertEqual(table.header, ["ipc", "method", "ConvNet", "MLP", "LeNet", "mean excl. ConvNet"])
        XCTAssertEqual(table.rows.map { $0[1] }, ["model pool", "KD", "pool + KD"])
        XCTAssertEqual(
            table.rows[0], ["1", "model pool", "+1.00 [+1.00, +1.00]", "+2.00 [+2.00, +2.00]", "+4.00 [+4.00, +4.00] (2 of 3 pairs)",
                            "+3.00 [+3.00, +3.00] (2 of 3 pairs)"])
        XCTAssertEqual(table.rows[1], ["1", "KD", "–", "–", "–", "–"], "no KD cells")

        let single = results(runs: 1, cells: [(.baseline, "MLP", [40]), (.knowledgeDistillation, "MLP", [43.5])]).differenceTable(iteration: 10)
        XCTAssertEqual(single.rows[1][3], "+3.50", "one run: the difference without an interval")
    }
}

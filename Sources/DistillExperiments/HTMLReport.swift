// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import Foundation

/// `report.html`: one self-contained page (no external resources) with the
/// tables and differences to the baseline, an accuracy chart with ±std
/// whiskers per images-per-class and iteration, and the kept synthetic sets
/// as labelled class blocks of PNGs embedded as data URIs.
struct HTMLReport {
    let results: ModelPoolResults
    /// The experiment directory the records' paths are relative to.
    let directory: String
    /// The dataset's class names by label, for sets whose files record none.
    let classNames: [String]?

    private static let colors: [TableMethod: String] = [
        .baseline: "#7f8c8d", .modelPool: "#2e86c1", .knowledgeDistillation: "#d68910", .poolAndKnowledgeDistillation: "#28b463",
    ]
    private static let ablationColors: [PoolSetting: String] = [.totalRandom: "#c0392b", .mainModel: "#8e44ad", .modelPool: "#2e86c1"]

    /// The page.
    /// - Throws: `SafeTensorsError` or `SyntheticGridError` for a kept set that cannot be read or drawn.
    func render() throws -> String {
        let experiment = results.experiment
        var body = ["<h1>Model-pool experiment on \(escapeHTML(experiment.dataset.displayName))</h1>"]
        body += results.legend.map(HTMLPage.paragraph)
        body.append(
            "<p>Charts: each bar is a mean; its whisker spans ± the population std over the runs "
                + "(no whisker for a single run); × marks a cell whose runs all diverged.</p>")
        for iteration in experiment.iterations {
            body.append("<h2>Iteration \(iteration)</h2>")
            body.append(results.mainTable(iteration: iteration).html)
            body.append(results.differenceTable(iteration: iteration).html)
            for ipc in experiment.imagesPerClass {
                body.append(mainChart(imagesPerClass: ipc, iteration: iteration).svg())
            }
            if experiment.poolAblation {
                body.append(results.ablationTable(iteration: iteration).html)
                for ipc in experiment.imagesPerClass {
                    body.append(ablationChart(imagesPerClass: ipc, iteration: iteration).svg())
                }
            }
        }
        body.append("<h2>Published, CIFAR-10</h2>")
        body.append(
            ModelPoolResults.publishedTable(
                PublishedResults.modelPool, title: "Model-pool paper, CIFAR-10, iteration 1000", rowHeader: "method"
            ).html)
        if experiment.poolAblation {
            body.append(
                ModelPoolResults.publishedTable(
                    PublishedResults.ablation, title: "Pool-setting ablation, CIFAR-10, ipc 10, iteration 1000", rowHeader: "pool"
                ).html)
        }
        body.append("<h2>Synthetic sets</h2>")
        body.append("<p>One block per class, its images de-normalised with the dataset's mean and std and enlarged 2–3×.</p>")
        for condensation in results.condensations {
            body.append("<h3>ipc \(condensation.imagesPerClass), \(escapeHTML(condensation.setting.rawValue)) (pool \(escapeHTML(condensation.pool)))</h3>")
            for snapshot in condensation.snapshots {
                let file = try SyntheticSetFile(contentsOf: (directory as NSString).appendingPathComponent(snapshot.file))
                let caption = "iteration \(snapshot.iteration)" + (snapshot.seconds.map { String(format: ", %.0f s", $0) } ?? "")
                body.append(try SyntheticSetFigure(file: file, caption: caption, fallbackClassNames: classNames).html())
            }
        }
        body.append(timingTable().html)
        return HTMLPage.render(
            title: "Model-pool experiment on \(experiment.dataset.displayName)", labelColumns: 2, body: body)
    }

    private func mainChart(imagesPerClass ipc: Int, iteration: Int) -> BarChart {
        BarChart(
            title: "ipc \(ipc), iteration \(iteration): accuracy (%) per architecture and method",
            groups: results.experiment.architectures,
            series: TableMethod.allCases.map { method in
                BarChart.Series(
                    name: method.rawValue, color: Self.colors[method]!,
                    bars: results.experiment.architectures.map {
                        BarChart.Bar(
                            results.cell(
                                table: .main, imagesPerClass: ipc, iteration: iteration, row: method.rawValue, architecture: $0
                            )?.summary)
                    })
            })
    }

    private func ablationChart(imagesPerClass ipc: Int, iteration: Int) -> BarChart {
        BarChart(
            title: "ipc \(ipc), iteration \(iteration): accuracy (%) per architecture and pool setting",
            groups: results.experiment.architectures,
            series: PoolSetting.ablation.map { setting in
                BarChart.Series(
                    name: setting.ablationLabel, color: Self.ablationColors[setting]!,
                    bars: results.experiment.architectures.map {
                        BarChart.Bar(
                            results.cell(
                                table: .ablation, imagesPerClass: ipc, iteration: iteration, row: setting.rawValue, architecture: $0
                            )?.summary)
                    })
            })
    }

    private func timingTable() -> ResultTable {
        var rows: [[String]] = results.condensations.flatMap { condensation in
            condensation.snapshots.map {
                [condensation.directory, "condense to iteration \($0.iteration)", $0.seconds.map { String(format: "%.1f", $0) } ?? "–"]
            }
        }
        rows += results.evaluations.map {
            [$0.setting.directoryName(imagesPerClass: $0.imagesPerClass), "evaluate iteration \($0.iteration)\($0.distilled ? " (+KD)" : "")",
             String(format: "%.1f", $0.seconds)]
        }
        return ResultTable(title: "Wall time (s)", header: ["run", "stage", "seconds"], rows: rows)
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillEval
import Foundation

/// A grouped bar chart of accuracies (0–100 %) as inline SVG: one group per
/// architecture, one bar per method; each bar is a mean with a whisker from
/// mean − std to mean + std when it averages more than one run.
struct BarChart {
    struct Bar {
        var mean: Double?
        /// The population std over the runs in the mean.
        var std: Double?
        /// How many runs the mean is over; a single run gets no whisker, since it has no spread to show.
        var runs: Int

        /// The bar of a summary's mean and std over its runs that did not diverge; nil draws “×”.
        init(_ summary: AccuracySummary?) {
            mean = summary?.mean
            std = summary?.std
            runs = summary.map { $0.runs.count - $0.divergedCount } ?? 0
        }
    }

    struct Series {
        var name: String
        /// A CSS colour.
        var color: String
        /// One bar per group; a nil mean is drawn as “×” (every run diverged or no result).
        var bars: [Bar]
    }

    var title: String
    var groups: [String]
    var series: [Series]

    /// Series colours in order, told apart up to 20 series: grey for the first (a
    /// baseline), then matplotlib's `tab20` hues, the strong ones before their light twins.
    static let palette = [
        "#7f7f7f", "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf",
        "#c7c7c7", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#dbdb8d", "#9edae5",
    ]

    private let groupGap = 28.0, left = 44.0, top = 34.0, plotHeight = 180.0

    /// 16 units, narrowed (to 6 at least) where many bars would make the plot wider than 1000.
    private var barWidth: Double {
        let fitting = (1000 - Double(groups.count) * groupGap) / Double(max(1, groups.count * series.count))
        return min(16, max(6, fitting))
    }

    func svg() -> String {
        let groupWidth = Double(series.count) * barWidth + groupGap
        let plotWidth = left + Double(groups.count) * groupWidth + 16
        // Wide enough for the title, and for the legend in rows of at most that width.
        let width = max(plotWidth, left + textWidth(title, fontSize: 13) + 16, 480)
        let legendTop = top + plotHeight + 34
        let legend = legendPositions(width: width)
        let height = legendTop + Double((legend.map(\.row).max() ?? 0) + 1) * legendRowHeight + 6
        var parts = [
            "<svg width=\"\(f(width))\" height=\"\(f(height))\" "
                + "viewBox=\"0 0 \(f(width)) \(f(height))\" role=\"img\" aria-label=\"\(escapeHTML(title))\">",
            "<text x=\"\(f(left))\" y=\"18\" font-size=\"13\" font-weight=\"bold\">\(escapeHTML(title))</text>",
        ]
        for tick in stride(from: 0, through: 100, by: 20) {
            let y = yPosition(Double(tick))
            parts.append(
                "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(plotWidth - 16))\" y2=\"\(f(y))\" stroke=\"#ddd\"/>"
                    + "<text x=\"\(f(left - 6))\" y=\"\(f(y + 4))\" font-size=\"10\" text-anchor=\"end\">\(tick)</text>")
        }
        for (groupIndex, group) in groups.enumerated() {
            let groupLeft = left + Double(groupIndex) * groupWidth + groupGap / 2
            for (seriesIndex, series) in series.enumerated() {
                let x = groupLeft + Double(seriesIndex) * barWidth
                parts.append(bar(series.bars[groupIndex], x: x, color: series.color, label: "\(series.name), \(group)"))
            }
            parts.append(
                "<text x=\"\(f(groupLeft + Double(series.count) * barWidth / 2))\" y=\"\(f(top + plotHeight + 16))\" "
                    + "font-size=\"11\" text-anchor=\"middle\">\(escapeHTML(group))</text>")
        }
        for (series, position) in zip(series, legend) {
            let y = legendTop + Double(position.row) * legendRowHeight
            parts.append(
                "<rect x=\"\(f(position.x))\" y=\"\(f(y))\" width=\"10\" height=\"10\" fill=\"\(series.color)\"/>"
                    + "<text x=\"\(f(position.x + 14))\" y=\"\(f(y + 9))\" font-size=\"11\">\(escapeHTML(series.name))</text>")
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n")
    }

    private let legendRowHeight = 18.0

    /// Where each series' legend entry goes: left to right, wrapping to a new row at `width`.
    private func legendPositions(width: Double) -> [(x: Double, row: Int)] {
        var x = left, row = 0
        return series.map { series in
            let entryWidth = 24 + textWidth(series.name, fontSize: 11)
            if x > left, x + entryWidth > width {
                x = left
                row += 1
            }
            defer { x += entryWidth }
            return (x, row)
        }
    }

    /// A generous estimate of a sans-serif text's width (no font metrics in a plain SVG string).
    private func textWidth(_ text: String, fontSize: Double) -> Double { Double(text.count) * fontSize * 0.62 }

    private func bar(_ bar: Bar, x: Double, color: String, label: String) -> String {
        guard let mean = bar.mean else {
            return "<text x=\"\(f(x + barWidth / 2))\" y=\"\(f(yPosition(0) - 3))\" font-size=\"11\" text-anchor=\"middle\" "
                + "fill=\"#b00\"><title>\(escapeHTML(label)): diverged</title>×</text>"
        }
        let y = yPosition(mean)
        let std = bar.runs > 1 ? bar.std : nil
        let value = String(format: "%.2f", mean) + (std.map { String(format: " ± %.2f", $0) } ?? "")
        let runs = bar.runs == 1 ? "1 run" : "mean over \(bar.runs) runs"
        var svg =
            "<rect x=\"\(f(x + 1))\" y=\"\(f(y))\" width=\"\(f(barWidth - 2))\" height=\"\(f(yPosition(0) - y))\" fill=\"\(color)\">"
            + "<title>\(escapeHTML(label)): \(value)% (\(runs))</title></rect>"
        if let std {
            let center = x + barWidth / 2, cap = barWidth / 4
            let high = yPosition(mean + std), low = yPosition(mean - std)
            svg += "<path class=\"whisker\" d=\"M\(f(center)) \(f(high))V\(f(low))M\(f(center - cap)) \(f(high))H\(f(center + cap))"
                + "M\(f(center - cap)) \(f(low))H\(f(center + cap))\" stroke=\"#222\" fill=\"none\"/>"
        }
        return svg
    }

    private func yPosition(_ accuracy: Double) -> Double {
        top + plotHeight * (1 - min(max(accuracy, 0), 100) / 100)
    }

    private func f(_ value: Double) -> String { String(format: "%.1f", value) }
}

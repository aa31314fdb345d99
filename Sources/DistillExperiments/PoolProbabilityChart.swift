// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillMethods
import Foundation

/// An adaptive pool's draw probabilities over the iterations, from a
/// condensation's `log.jsonl`, as an inline SVG line chart. Pools of more
/// than six members show the main model and the rest summed.
struct PoolProbabilityChart {
    /// One line per shown member: its name and probability at each logged iteration.
    let lines: [(name: String, values: [Double])]

    /// - Throws: a file-system or decoding error; nil-free logs only (adaptive runs log every iteration).
    init(log path: String, pool: ModelPool) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let rows = try text.split(separator: "\n").compactMap {
            try JSONDecoder().decode(IterationReport.self, from: Data($0.utf8)).poolProbabilities
        }
        let names = pool.architectures
        if names.count <= 6 {
            lines = names.indices.map { index in (names[index], rows.map { $0[index] }) }
        } else {
            lines = [(names[0], rows.map { $0[0] }), ("\(names.count - 1) others", rows.map { 1 - $0[0] })]
        }
    }

    func svg() -> String {
        let width = 560.0, height = 200.0, left = 40.0, top = 10.0, plotWidth = 500.0, plotHeight = 150.0
        let colors = ["#2e86c1", "#c0392b", "#28b463", "#8e44ad", "#d68910", "#7f8c8d"]
        let count = max((lines.first?.values.count ?? 1) - 1, 1)
        var parts = ["<svg width=\"\(Int(width))\" height=\"\(Int(height + 20))\" role=\"img\" aria-label=\"pool probabilities\">"]
        for tick in [0.0, 0.5, 1.0] {
            let y = top + plotHeight * (1 - tick)
            parts.append(
                "<line x1=\"\(left)\" y1=\"\(y)\" x2=\"\(left + plotWidth)\" y2=\"\(y)\" stroke=\"#ddd\"/>"
                    + "<text x=\"\(left - 4)\" y=\"\(y + 4)\" font-size=\"10\" text-anchor=\"end\">\(tick)</text>")
        }
        for (index, line) in lines.enumerated() {
            let points = line.values.enumerated().map { i, p in
                String(format: "%.1f,%.1f", left + plotWidth * Double(i) / Double(count), top + plotHeight * (1 - p))
            }
            let color = colors[index % colors.count]
            parts.append("<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" points=\"\(points.joined(separator: " "))\"/>")
            parts.append(
                "<text x=\"\(left + Double(index) * 130)\" y=\"\(height + 14)\" font-size=\"11\" fill=\"\(color)\">\(escapeHTML(line.name))</text>")
        }
        parts.append("<text x=\"\(left + plotWidth)\" y=\"\(top + plotHeight + 14)\" font-size=\"10\" text-anchor=\"end\">iteration \(count + 1)</text>")
        parts.append("</svg>")
        return parts.joined(separator: "\n")
    }
}

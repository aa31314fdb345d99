// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

/// The self-contained page every experiment report is: one style sheet, no external resources.
/// A table wider than the window scrolls inside the page, and charts shrink to fit it,
/// so that the text beside them keeps the window's width.
enum HTMLPage {
    /// - Parameters:
    ///   - title: the page title, plain text.
    ///   - labelColumns: how many leading table columns hold labels (left-aligned); the rest are numbers.
    ///   - body: HTML fragments in order.
    static func render(title: String, labelColumns: Int, body: [String]) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>\(escapeHTML(title))</title>
        <style>
        body { font-family: sans-serif; margin: 2em; color: #222; }
        p { max-width: 72em; }
        table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; display: block; overflow-x: auto; max-width: 100%; }
        th, td { border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: right; }
        th:nth-child(-n+\(labelColumns)), td:nth-child(-n+\(labelColumns)) { text-align: left; }
        td:nth-child(n+\(labelColumns + 1)) { white-space: nowrap; }
        svg { display: block; margin: 0.5em 0 1.5em; max-width: 100%; height: auto; }
        \(SyntheticSetFigure.style)
        </style>
        </head>
        <body>
        \(body.joined(separator: "\n"))
        </body>
        </html>

        """
    }

    /// A legend line, written for Markdown, as an HTML paragraph: `**bold**` and `` `code` `` spans become tags.
    static func paragraph(_ markdown: String) -> String {
        let spans = escapeHTML(markdown).components(separatedBy: "`").enumerated().map { index, span in
            index % 2 == 1
                ? "<code>\(span)</code>"
                : span.components(separatedBy: "**").enumerated()
                    .map { $0.offset % 2 == 1 ? "<strong>\($0.element)</strong>" : $0.element }.joined()
        }
        return "<p>\(spans.joined())</p>"
    }
}

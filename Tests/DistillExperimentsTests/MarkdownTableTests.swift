// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import XCTest

@testable import DistillExperiments

/// A cell of `table.md` stays one cell whatever its text: a teacher file may be named with a `|` or a line break.
final class MarkdownTableTests: XCTestCase {
    func testBarsAndLineBreaksInACellAreEscaped() {
        let table = ResultTable(title: "t", header: ["setting", "ConvNet"], rows: [["dc+teacher=a|b\nc.safetensors", "70.00"]])
        let lines = table.markdown.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.last, #"| dc+teacher=a\|b\nc.safetensors | 70.00 |"#)
        XCTAssertEqual(lines.count, 5, "title, blank, header, rule, one row")
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import XCTest
import _DistillTestSupport

/// A test case that runs the built `distill` binary on a tiny generated Fashion-MNIST,
/// fresh for every test.
class BinaryTestCase: XCTestCase {
    var data: TinyFashionMNIST!
    var binary: DistillBinary!

    override func setUpWithError() throws {
        data = try TinyFashionMNIST()
        binary = try DistillBinary(data: data)
    }

    override func tearDownWithError() throws { data.remove() }

    /// Runs `arguments` and expects a refusal: a non-zero status, no trap, and exactly one `Error:` line containing `mentions`.
    func assertRefused(_ arguments: [String], _ mentions: String, line: UInt = #line) throws {
        let result = try binary.run(arguments)
        XCTAssertNotEqual(result.status, 0, "\(arguments) succeeded", line: line)
        // A trap ends with a signal (status above 128 through the shell, or a Swift fatal-error line).
        XCTAssertFalse(result.errors.contains("Fatal error"), "\(arguments) trapped: \(result.errors)", line: line)
        let errorLines = result.errors.split(separator: "\n").filter { $0.hasPrefix("Error:") }
        XCTAssertEqual(errorLines.count, 1, "\(arguments): \(result.errors)", line: line)
        XCTAssertTrue(errorLines.first?.contains(mentions) ?? false, "\(arguments): \(result.errors)", line: line)
    }
}

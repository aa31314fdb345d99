// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import Foundation
import XCTest

final class AtomicWriteTests: XCTestCase {
    func testWriteReplacesTheFileAndLeavesNoTemporaryBehind() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("nested/out.txt").path
        try AtomicWrite.write("first", to: path)
        try AtomicWrite.write("second", to: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "second")
        let entries = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("nested").path)
        XCTAssertEqual(entries, ["out.txt"])
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import DistillTensor
import Foundation
import XCTest

final class FileFingerprintTests: XCTestCase {
    /// The published FNV-1a 64-bit test vectors.
    func testMatchesTheReferenceVectors() {
        XCTAssertEqual(FileFingerprint(of: Data()).fnv1a64, "cbf29ce484222325")
        XCTAssertEqual(FileFingerprint(of: Data("a".utf8)).fnv1a64, "af63dc4c8601ec8c")
        XCTAssertEqual(FileFingerprint(of: Data("foobar".utf8)), FileFingerprint(byteCount: 6, fnv1a64: "85944171f73967e8"))
    }

    func testASafetensorsFileFingerprintsTheBytesItWasParsedFrom() throws {
        let bytes = try SafeTensors.encode(["w": SafeTensorsEntry(NDArray(shape: [2], scalars: [1, 2]))])
        XCTAssertEqual(try SafeTensorsFile(data: bytes).fingerprint, FileFingerprint(of: bytes))
        let changed = try SafeTensors.encode(["w": SafeTensorsEntry(NDArray(shape: [2], scalars: [1, 3]))])
        XCTAssertNotEqual(try SafeTensorsFile(data: changed).fingerprint, FileFingerprint(of: bytes))
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

@testable import DistillData
import Foundation
import XCTest

final class MD5Tests: XCTestCase {
    private func digest(_ chunks: [Data]) -> String {
        var md5 = MD5()
        for chunk in chunks { md5.update(data: chunk) }
        return DatasetDownloader.hex(md5.finalize())
    }

    func testRFC1321Vectors() {
        XCTAssertEqual(digest([]), "d41d8cd98f00b204e9800998ecf8427e")
        XCTAssertEqual(digest([Data("abc".utf8)]), "900150983cd24fb0d6963f7d28e17f72")
        XCTAssertEqual(digest([Data("message digest".utf8)]), "f96b697d7cb7938d525a2f31aaf161d0")
        let digits = "12345678901234567890123456789012345678901234567890123456789012345678901234567890"
        XCTAssertEqual(digest([Data(digits.utf8)]), "57edf4a22be3c955ac49da2e2107b67a")
    }

    func testChunkingDoesNotChangeTheDigest() {
        let million = Data(repeating: UInt8(ascii: "a"), count: 1_000_000)
        XCTAssertEqual(digest([million]), "7707d6ae4e027c70eea2a935c2296f21")
        let pieces = stride(from: 0, to: million.count, by: 777).map { million[$0..<min($0 + 777, million.count)] }
        XCTAssertEqual(digest(pieces.map { Data($0) }), "7707d6ae4e027c70eea2a935c2296f21")
    }
}

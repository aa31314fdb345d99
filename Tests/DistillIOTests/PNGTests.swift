// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import DistillTensor
import Foundation
import XCTest

final class PNGTests: XCTestCase {
    func testPNGHasSignatureHeaderAndDimensions() {
        let data = PNG.encode(pixels: [0, 128, 255, 64, 32, 16], width: 3, height: 2, channels: 1)
        let bytes = [UInt8](data)
        XCTAssertEqual(Array(bytes[0..<8]), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        XCTAssertEqual(String(bytes: bytes[12..<16], encoding: .ascii), "IHDR")
        XCTAssertEqual(Array(bytes[16..<24]), [0, 0, 0, 3, 0, 0, 0, 2])
        XCTAssertEqual(bytes[25], 0, "grayscale colour type")
        XCTAssertEqual(String(bytes: bytes[(bytes.count - 8)..<(bytes.count - 4)], encoding: .ascii), "IEND")
    }

    func testGridSizeFollowsClassesAndImagesPerClass() {
        // 2 classes × 3 images of 1×4×5, scale 2, gap 2.
        let images = NDArray(repeating: 0, shape: [6, 1, 4, 5])
        let bytes = [UInt8](ImageGrid.png(images, columns: 3, mean: [0.5], std: [0.25], scale: 2, gap: 2))
        let width = Int(bytes[16]) << 24 | Int(bytes[17]) << 16 | Int(bytes[18]) << 8 | Int(bytes[19])
        let height = Int(bytes[20]) << 24 | Int(bytes[21]) << 16 | Int(bytes[22]) << 8 | Int(bytes[23])
        XCTAssertEqual(width, 3 * (5 * 2 + 2) + 2)
        XCTAssertEqual(height, 2 * (4 * 2 + 2) + 2)
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import DistillTensor
import Foundation
import XCTest

/// `distill render`'s picture of a synthetic-set file.
final class SyntheticGridTests: XCTestCase {
    /// 2 classes × 3 images of 1×4×5, labels interleaved (not class-major).
    private func file(metadata: [String: String] = ["mean": "0.5", "std": "0.25"]) -> SyntheticSetFile {
        let scalars = (0..<(6 * 20)).map { Float($0 / 20) - 2 }
        return SyntheticSetFile(
            images: NDArray(shape: [6, 1, 4, 5], scalars: scalars), labels: [0, 1, 0, 1, 0, 1], metadata: metadata)
    }

    private func dimensions(_ png: Data) -> (width: Int, height: Int) {
        let bytes = [UInt8](png)
        let width = Int(bytes[16]) << 24 | Int(bytes[17]) << 16 | Int(bytes[18]) << 8 | Int(bytes[19])
        let height = Int(bytes[20]) << 24 | Int(bytes[21]) << 16 | Int(bytes[22]) << 8 | Int(bytes[23])
        return (width, height)
    }

    func testRenderedFileIsAPNGOfGridSizeTimesScale() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("distill-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try file().write(to: path)
        let reread = try SyntheticSetFile(contentsOf: path)
        for scale in [1, 4] {
            let png = try reread.gridPNG(scale: scale)
            XCTAssertEqual(Array([UInt8](png)[0..<8]), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            let size = dimensions(png)
            XCTAssertEqual(size.width, 3 * (5 * scale + 2) + 2, "3 images per class across")
            XCTAssertEqual(size.height, 2 * (4 * scale + 2) + 2, "one row per class")
            XCTAssertTrue(reread.gridSize(scale: scale) == size)
        }
    }

    func testGridOrdersImagesByClassLikeCondense() throws {
        // The same set stored class-major draws the same picture.
        let interleaved = file()
        let order = [0, 2, 4, 1, 3, 5]
        let classMajor = SyntheticSetFile(
            images: interleaved.images.rows(order), labels: order.map { interleaved.labels[$0] }, metadata: interleaved.metadata)
        XCTAssertEqual(try interleaved.gridPNG(scale: 2), try classMajor.gridPNG(scale: 2))
        XCTAssertEqual(
            try classMajor.gridPNG(scale: 2),
            ImageGrid.png(classMajor.images, columns: 3, mean: [0.5], std: [0.25], scale: 2))
    }

    func testClassRowPicturesHoldEachClassInLabelOrderAtTheImagesOwnSize() throws {
        let interleaved = file()
        let rows = try interleaved.classRowPictures()
        XCTAssertEqual(rows.map(\.label), [0, 1])
        XCTAssertEqual(rows.map(\.imageCount), [3, 3])
        for row in rows {
            XCTAssertTrue(dimensions(row.png) == (row.width, row.height))
            XCTAssertEqual(row.width, 3 * (5 + ClassRowPicture.gap) + ClassRowPicture.gap, "3 images across at scale 1")
            XCTAssertEqual(row.height, 4 + 2 * ClassRowPicture.gap)
            let members = interleaved.labels.indices.filter { interleaved.labels[$0] == row.label }
            XCTAssertEqual(
                row.png, ImageGrid.png(interleaved.images.rows(members), columns: 3, mean: [0.5], std: [0.25], scale: 1, gap: 1),
                "class \(row.label) holds exactly its own images")
        }
        // Uneven classes still draw, one row each.
        let uneven = SyntheticSetFile(
            images: NDArray(repeating: 0, shape: [3, 1, 4, 5]), labels: [2, 0, 2], metadata: ["mean": "0", "std": "1"])
        XCTAssertEqual(try uneven.classRowPictures().map(\.imageCount), [1, 2])
        XCTAssertThrowsError(try file(metadata: ["mean": "0.5"]).classRowPictures()) { error in
            XCTAssertEqual(error as? SyntheticGridError, .missingNormalization(key: "std"))
        }
    }

    func testClassNamesComeFromTheMetadata() {
        XCTAssertNil(file().classNames)
        let named = file(metadata: ["mean": "0.5", "std": "0.25", "class_names": "T-shirt/top\nTrouser"])
        XCTAssertEqual(named.classNames, ["T-shirt/top", "Trouser"])
    }

    func testSetsThatCannotBeDrawnAreRefused() {
        XCTAssertThrowsError(try file(metadata: [:]).gridPNG()) { error in
            XCTAssertEqual(error as? SyntheticGridError, .missingNormalization(key: "mean"))
        }
        XCTAssertThrowsError(try file(metadata: ["mean": "0.5,0.1", "std": "0.25"]).gridPNG())
        let uneven = SyntheticSetFile(
            images: NDArray(repeating: 0, shape: [3, 1, 4, 5]), labels: [0, 0, 1], metadata: ["mean": "0", "std": "1"])
        XCTAssertThrowsError(try uneven.gridPNG())
        XCTAssertThrowsError(try file().gridPNG(scale: 0))
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import DistillTensor
import Foundation
import XCTest

/// `.npy` arrays in a stored zip, as `numpy.savez` writes and `numpy.load` reads them.
final class NPZTests: XCTestCase {
    func testNPYHeaderIsNumPysVersionOneLayout() {
        let bytes = [UInt8](NPYArray.float32(shape: [2, 3], values: [1, 2, 3, 4, 5, 6]).encoded())
        XCTAssertEqual(Array(bytes[0..<8]), [0x93] + Array("NUMPY".utf8) + [1, 0])
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        XCTAssertEqual((10 + headerLength) % 64, 0, "data starts on a 64-byte boundary")
        let header = String(bytes: bytes[10..<(10 + headerLength)], encoding: .ascii)!
        XCTAssertTrue(header.hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"), header)
        XCTAssertTrue(header.hasSuffix("\n"))
        XCTAssertEqual(bytes.count, 10 + headerLength + 24)
    }

    func testArraysRoundTripThroughAnArchive() throws {
        let arrays: [(String, NPYArray)] = [
            ("images", .float32(shape: [1, 1, 2, 2], values: [0.5, -1.25, 3, .pi])),
            ("labels", .int64(shape: [3], values: [0, 9, -2])),
            ("class_names", .strings(shape: [2], values: ["T-shirt/top", "Ankle boot ✓"])),
            ("dataset", .strings(shape: [], values: ["fashion-mnist"])),
            ("image_size", .int64(shape: [], values: [28])),
            // A UTF-8 name, flagged as such, read back whatever the process's locale.
            ("größe ✓", .int64(shape: [1], values: [7])),
        ]
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("distill-\(UUID().uuidString).npz").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try NPZ.encode(arrays, file: path).write(to: URL(fileURLWithPath: path))
        let read = try NPZ.read(contentsOf: path)
        XCTAssertEqual(Set(read.keys), Set(arrays.map(\.0)))
        for (name, array) in arrays { XCTAssertEqual(read[name], array, name) }
        XCTAssertEqual(read["labels"]?.shape, [3])
        XCTAssertEqual(read["dataset"]?.shape, [])
    }

    func testSyntheticSetRoundTripsThroughNPZWithClassNames() throws {
        let images = NDArray(shape: [2, 1, 2, 2], scalars: [0.1, 0.2, 0.3, 0.4, -1, -2, -3, -4])
        let set = SyntheticSetFile(
            images: images, labels: [1, 0], metadata: ["dataset": "mnist", "mean": "0.1307", "std": "0.3081", "image_size": "2"])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("distill-\(UUID().uuidString).npz").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try set.npz(classNames: ["zero", "one"], file: path).write(to: URL(fileURLWithPath: path))
        let read = try SyntheticSetFile(contentsOf: path)
        XCTAssertEqual(read.images, images)
        XCTAssertEqual(read.labels, [1, 0])
        XCTAssertEqual(read.dataset, "mnist")
        XCTAssertEqual(read.metadata["mean"], "0.1307")
        XCTAssertEqual(read.metadata["std"], "0.3081")
        XCTAssertEqual(read.metadata["image_size"], "2")
        XCTAssertEqual(read.metadata["class_names"], "zero\none")
    }

    func testBadFilesNameTheFileAndTheFault() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("distill-\(UUID().uuidString).npz").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("not a zip".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try SyntheticSetFile(contentsOf: path)) { error in
            XCTAssertEqual("\(error)", "\(path) is not a .npz file (no zip directory); write it with numpy.savez")
        }
        try NPZ.encode([("images", .float32(shape: [1, 1, 1, 1], values: [0]))], file: path).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try SyntheticSetFile(contentsOf: path)) { error in
            XCTAssertEqual("\(error)", "\(path) has no array 'labels' (it has images)")
        }
        try NPZ.encode(
            [("images", .float32(shape: [2, 1, 1, 1], values: [0, 1])), ("labels", .int64(shape: [3], values: [0, 1, 2]))],
            file: path
        ).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try SyntheticSetFile(contentsOf: path)) { error in
            XCTAssertEqual("\(error)", "array 'labels' in \(path): must be integers of shape [2], one per image")
        }
    }

    func testClassFoldersKeepLabelOrderUnderSortedNames() {
        XCTAssertEqual(SyntheticSetFile.classFolderNames(["airplane", "bird", "cat"]), ["airplane", "bird", "cat"])
        XCTAssertEqual(
            SyntheticSetFile.classFolderNames(["T-shirt/top", "Trouser", "Pullover"]), ["0_T-shirt-top", "1_Trouser", "2_Pullover"])
        let many = SyntheticSetFile.classFolderNames((0..<12).map(String.init))
        XCTAssertEqual(many.first, "00_0")
        XCTAssertEqual(many, many.sorted(), "zero-padded labels sort in label order")
    }
}

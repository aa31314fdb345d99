// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import DistillTensor
import Foundation
import XCTest

/// The class checks `render`, `export` and `evaluate` share: names for every class of
/// the dataset, every label one of them, an image of every class.
final class SetClassesTests: XCTestCase {
    private let names = ["T-shirt/top", "Trouser", "Pullover"]

    private func set(_ labels: [Int], classNames: [String]? = nil) -> SyntheticSetFile {
        var metadata = ["dataset": "fashion-mnist"]
        if let classNames { metadata["class_names"] = classNames.joined(separator: "\n") }
        return SyntheticSetFile(
            images: NDArray(shape: [labels.count, 1, 1, 1], scalars: .init(repeating: 0, count: labels.count)),
            labels: labels, metadata: metadata)
    }

    func testAClassWithoutAnImageIsNamed() {
        XCTAssertThrowsError(try set([0, 0, 2]).checkClasses(ofDataset: 3, namedBy: names, file: "s")) {
            XCTAssertEqual("\($0)", "s has no image of class 1 (Trouser); a synthetic set needs at least one image per class")
        }
        XCTAssertThrowsError(try set([0, 2]).checkClasses(ofDataset: nil, file: "s")) {
            XCTAssertEqual($0 as? SyntheticSetFileError, .missingClass(file: "s", label: 1, name: nil))
        }
        XCTAssertEqual(try set([2, 1, 0]).checkClasses(ofDataset: 3, namedBy: names, file: "s"), 3)
        XCTAssertEqual(try set([1, 0]).checkClasses(ofDataset: nil, file: "s"), 2)
    }

    func testRecordedNamesMustCountTheDatasetsClasses() {
        XCTAssertThrowsError(try set([0, 1], classNames: ["a", "b"]).checkClasses(ofDataset: 10, file: "s")) {
            XCTAssertEqual(
                "\($0)", "s lists 2 class names in its 'class_names' metadata, but fashion-mnist has 10 classes; "
                    + "a synthetic set names every class of its dataset")
        }
        XCTAssertThrowsError(try set([0, 3], classNames: names).checkClasses(ofDataset: nil, file: "s")) {
            XCTAssertEqual($0 as? SyntheticSetFileError, .labelOutOfRange(file: "s", label: 3, classes: 3))
        }
        XCTAssertThrowsError(try set([0, -1]).checkClasses(ofDataset: nil, file: "s")) {
            XCTAssertEqual($0 as? SyntheticSetFileError, .labelOutOfRange(file: "s", label: -1, classes: nil))
        }
    }

    func testClassNamesAreRecordedOnlyInAFormTheyReadBackFrom() throws {
        let names = ["T-shirt/top", "a\tb", "é", ""]
        let metadata = try SyntheticSetFile.classNamesMetadata(names)
        let read = SyntheticSetFile(
            images: NDArray(shape: [1, 1, 1, 1], scalars: [0]), labels: [0], metadata: ["class_names": metadata])
        XCTAssertEqual(read.classNames, names)
        // "\r\n" is one Character: a search by Character would miss its line feed.
        for name in ["a\nx", "b\r\nc"] {
            XCTAssertThrowsError(try SyntheticSetFile.classNamesMetadata(["ok", name])) {
                XCTAssertEqual($0 as? UnrecordableClassNameError, UnrecordableClassNameError(name: name))
                XCTAssertTrue("\($0)".hasPrefix("the class name \(name.debugDescription) holds a line break"), "\($0)")
                XCTAssertFalse("\($0)".contains("\n"))
            }
        }
    }

    func testAnNPZWhoseClassNameHoldsALineBreakIsRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("distill-\(UUID().uuidString).npz").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let arrays: [(String, NPYArray)] = [
            ("images", .float32(shape: [2, 1, 1, 1], values: [0, 1])), ("labels", .int64(shape: [2], values: [0, 1])),
            ("class_names", .strings(shape: [2], values: ["a\nx", "b"])),
        ]
        try NPZ.encode(arrays, file: path).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try SyntheticSetFile(contentsOf: path)) {
            XCTAssertTrue("\($0)".hasPrefix("array 'class_names' in \(path): the class name \"a\\nx\" holds a line break"), "\($0)")
        }
    }
}

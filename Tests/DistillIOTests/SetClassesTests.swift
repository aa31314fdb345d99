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
}

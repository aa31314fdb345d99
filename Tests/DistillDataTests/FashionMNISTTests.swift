// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData
import DistillTensor
import Foundation
import XCTest

/// Reads the real Fashion-MNIST that Debian's `dataset-fashion-mnist` installs.
final class FashionMNISTTests: XCTestCase {
    func testDebianPackageLoadsWithOfficialCountsAndStatistics() throws {
        let system = DataLocator.systemDirectories[.fashionMNIST]!
        guard FileManager.default.fileExists(atPath: system + "/train-images-idx3-ubyte.gz") else {
            throw XCTSkip("Fashion-MNIST is not installed at \(system); run `apt-get install dataset-fashion-mnist`")
        }
        // An empty home keeps a user's own copy from shadowing the package.
        let home = ArchiveWriters.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let locator = DataLocator(environment: ["HOME": home])
        XCTAssertEqual(locator.search(.fashionMNIST).found?.origin, .system)

        let start = Date()
        let (train, test) = try locator.load(.fashionMNIST)
        let seconds = Date().timeIntervalSince(start)
        XCTAssertEqual(train.count, 60_000)
        XCTAssertEqual(test.count, 10_000)
        XCTAssertEqual(train.images.shape, [60_000, 1, 28, 28])
        XCTAssertEqual(Set(train.labels), Set(0..<10))
        XCTAssertEqual(Set(test.labels), Set(0..<10))
        for label in 0..<10 {
            XCTAssertEqual(train.indices(ofClass: label).count, 6000)
            XCTAssertEqual(test.indices(ofClass: label).count, 1000)
        }
        // The published mean and std are the training set's own, so normalised pixels have mean ≈ 0, std ≈ 1.
        let count = Double(train.images.count)
        let mean = Double(train.images.sumAll()) / count
        let meanSquare = Double(train.images.elementwise(.multiply, train.images).sumAll()) / count
        let std = (meanSquare - mean * mean).squareRoot()
        XCTAssertEqual(mean, 0, accuracy: 1e-3)
        XCTAssertEqual(std, 1, accuracy: 1e-3)
        print("FashionMNISTTests: loaded 70000 images in \(String(format: "%.2f", seconds)) s; mean \(mean), std \(std)")
    }
}

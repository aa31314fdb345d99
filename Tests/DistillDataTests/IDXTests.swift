// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData
import DistillTensor
import XCTest

final class IDXTests: XCTestCase {
    private func assertCorrupt(
        _ body: () throws -> Void, mentions parts: [String], file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard case DatasetError.corrupt = error else {
                return XCTFail("expected DatasetError.corrupt, got \(error)", file: file, line: line)
            }
            for part in parts {
                XCTAssertTrue("\(error)".contains(part), "\(error) should mention \(part)", file: file, line: line)
            }
        }
    }

    func testRawAndGzipRoundTrips() throws {
        let directory = ArchiveWriters.temporaryDirectory()
        var generator = SeededGenerator(seed: 1)
        let pixels = (0..<(5 * 28 * 28)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let images = IDXFile(dimensions: [5, 28, 28], bytes: pixels)
        let labels = IDXFile(dimensions: [5], bytes: [3, 1, 4, 1, 5])

        ArchiveWriters.write(images.encoded(as: .images), to: directory + "/images")
        ArchiveWriters.write(ArchiveWriters.gzip(images.encoded(as: .images)), to: directory + "/images.gz")
        ArchiveWriters.write(ArchiveWriters.gzip(labels.encoded(as: .labels)), to: directory + "/labels.gz")
        XCTAssertEqual(try IDXFile.read(contentsOf: directory + "/images", expecting: .images), images)
        XCTAssertEqual(try IDXFile.read(contentsOf: directory + "/images.gz", expecting: .images), images)
        XCTAssertEqual(try IDXFile.read(contentsOf: directory + "/labels.gz", expecting: .labels), labels)
        XCTAssertEqual(Array(images.encoded(as: .images).prefix(8)), [0, 0, 8, 3, 0, 0, 0, 5])
    }

    func testBadMagicNamesTheFileAndBothMagics() {
        let directory = ArchiveWriters.temporaryDirectory()
        let labels = IDXFile(dimensions: [3], bytes: [0, 1, 2]).encoded(as: .labels)
        ArchiveWriters.write(ArchiveWriters.gzip(labels), to: directory + "/swapped.gz")
        assertCorrupt(
            { _ = try IDXFile.read(contentsOf: directory + "/swapped.gz", expecting: .images) },
            mentions: [directory + "/swapped.gz", "bad magic 0x00000801", "expected 0x00000803"])
        assertCorrupt(
            { _ = try IDXFile.parse([1, 2], expecting: .labels, source: "tiny") },
            mentions: ["tiny", "too short"])
    }

    func testTruncatedAndOverlongDataAreRefused() {
        let images = IDXFile(dimensions: [2, 28, 28], bytes: [UInt8](repeating: 7, count: 2 * 784)).encoded(as: .images)
        assertCorrupt(
            { _ = try IDXFile.parse(Array(images.dropLast(10)), expecting: .images, source: "short") },
            mentions: ["short", "truncated", "[2, 28, 28] need 1568 data bytes, found 1558"])
        assertCorrupt(
            { _ = try IDXFile.parse(images + [0], expecting: .images, source: "long") },
            mentions: ["long", "too long"])
        assertCorrupt(
            { _ = try IDXFile.parse(Array(images.prefix(10)), expecting: .images, source: "header") },
            mentions: ["header needs 16 bytes"])
    }

    func testDimensionsWhoseProductOverflowsAreRefused() {
        // magic 0x00000803, then extents 0xFFFFFFFF × 0xFFFFFFFF × 3: 2^64 · 3 bytes, past Int.max.
        let header: [UInt8] = [0, 0, 8, 3] + [0xFF, 0xFF, 0xFF, 0xFF] + [0xFF, 0xFF, 0xFF, 0xFF] + [0, 0, 0, 3]
        assertCorrupt(
            { _ = try IDXFile.parse(header + [1, 2, 3], expecting: .images, source: "huge") },
            mentions: ["huge", "[4294967295, 4294967295, 3]", "more data bytes than any file holds, found 3"])
    }

    func testDatasetFromIDXDirectoryHasCountsLabelsAndNormalisedPixels() throws {
        let directory = ArchiveWriters.temporaryDirectory() + "/fashion-mnist"
        var generator = SeededGenerator(seed: 2)
        let written = ArchiveWriters.writeIDXDataset(
            into: directory, trainCount: 30, testCount: 12, compressed: true, using: &generator)
        let locator = DataLocator(dataDirectory: (directory as NSString).deletingLastPathComponent, environment: [:])
        let (train, test) = try locator.load(.fashionMNIST)
        XCTAssertEqual(train.images.shape, [30, 1, 28, 28])
        XCTAssertEqual(test.images.shape, [12, 1, 28, 28])
        XCTAssertEqual(train.labels, written.train.labels.map(Int.init))
        XCTAssertEqual(test.split, .test)
        XCTAssertEqual(train.classNames[9], "Ankle boot")
        let pixel = written.train.pixels[784 * 7 + 300]
        XCTAssertEqual(train.images.scalars[784 * 7 + 300], (Float(pixel) / 255 - 0.2861) / 0.3530)
    }

    func testMismatchedImageAndLabelCountsAreRefused() throws {
        let directory = ArchiveWriters.temporaryDirectory() + "/mnist"
        var generator = SeededGenerator(seed: 3)
        ArchiveWriters.writeIDXDataset(into: directory, trainCount: 4, testCount: 4, compressed: false, using: &generator)
        let labels = IDXFile(dimensions: [3], bytes: [0, 1, 2]).encoded(as: .labels)
        ArchiveWriters.write(labels, to: directory + "/t10k-labels-idx1-ubyte")
        let locator = DataLocator(dataDirectory: (directory as NSString).deletingLastPathComponent, environment: [:])
        XCTAssertNoThrow(try locator.load(.mnist, split: .train))
        assertCorrupt(
            { _ = try locator.load(.mnist, split: .test) },
            mentions: ["t10k-labels-idx1-ubyte", "3 labels for the 4 images", "distill data fetch mnist"])
    }
}

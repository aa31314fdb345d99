// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import CImageCodecs
import DistillTensor
import Foundation
import XCTest

@testable import DistillData

/// `folder:PATH` datasets: layout, decoding through libpng and libjpeg, resizing,
/// cached statistics, bad images and the memory limit, on files written here.
final class ImageFolderTests: XCTestCase {
    private var root: String!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("distill-folder-\(UUID().uuidString)").path
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: root) }

    func testGrayPNGFolderDecodesExactlyWithStatisticsAndClassNames() throws {
        let images = (0..<5).map { seed in (0..<36).map { UInt8(truncatingIfNeeded: seed * 37 + $0 * 7) } }
        try write(png: images[0], width: 6, height: 6, channels: 1, at: "train/cat/1.png")
        try write(png: images[1], width: 6, height: 6, channels: 1, at: "train/cat/0.png")
        try write(png: images[2], width: 6, height: 6, channels: 1, at: "train/ant/a.PNG")
        try write(png: images[3], width: 6, height: 6, channels: 1, at: "val/ant/x.png")
        try write(png: images[4], width: 6, height: 6, channels: 1, at: "val/cat/y.png")
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: "\(root!)/train/cat/notes.txt"))

        let folder = try ImageFolder.resolve(root: root, options: ImageFolderOptions())
        XCTAssertEqual(folder.classNames, ["ant", "cat"])
        XCTAssertEqual([folder.channels, folder.imageSize, folder.trainCount, folder.testCount], [1, 6, 3, 2])
        // Files sorted by name within each class, classes in name order.
        let trainPixels = images[2] + images[1] + images[0]
        let values = trainPixels.map { Double($0) / 255 }
        let mean = values.reduce(0, +) / Double(values.count)
        let std = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
        XCTAssertEqual(Double(folder.normalization.mean[0]), mean, accuracy: 1e-6)
        XCTAssertEqual(Double(folder.normalization.std[0]), std, accuracy: 1e-6)

        let splits = try DataLocator().load(.folder(folder))
        XCTAssertEqual(splits.train.labels, [0, 1, 1])
        XCTAssertEqual(splits.test.labels, [0, 1])
        XCTAssertEqual(splits.train.images.shape, [3, 1, 6, 6])
        XCTAssertEqual(splits.train.images.scalars, folder.normalization.normalize(pixels: trainPixels, shape: [3, 1, 6, 6]).scalars)
        XCTAssertEqual(splits.test.images.scalars, folder.normalization.normalize(pixels: images[3] + images[4], shape: [2, 1, 6, 6]).scalars)
    }

    func testStatisticsAreCachedBesideTheDataByFileList() throws {
        try write(png: Array(0..<16), width: 4, height: 4, channels: 1, at: "train/a/0.png")
        try write(png: Array(100..<116), width: 4, height: 4, channels: 1, at: "train/b/0.png")
        try write(png: Array(50..<66), width: 4, height: 4, channels: 1, at: "test/a/0.png")
        try write(png: Array(60..<76), width: 4, height: 4, channels: 1, at: "test/b/0.png")
        let first = try ImageFolder.resolve(root: root, options: ImageFolderOptions())
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(root!)/.distill-stats.json"))
        // Same byte count, undecodable content: only a cache hit can describe the folder now.
        try Data(repeating: 0, count: try fileSize("train/b/0.png")).write(to: URL(fileURLWithPath: "\(root!)/train/b/0.png"))
        XCTAssertEqual(try ImageFolder.resolve(root: root, options: ImageFolderOptions()), first)
        XCTAssertEqual(try ImageFolder.resolve(root: root, options: ImageFolderOptions(imageSize: 4)), first)
        // Another image size is another key: the folder is decoded again and the bad file found.
        XCTAssertThrowsError(try ImageFolder.resolve(root: root, options: ImageFolderOptions(imageSize: 2))) { error in
            XCTAssertTrue("\(error)".contains("train/b/0.png"), "\(error)")
        }
    }

    func testColourJPEGMakesTheSetRGBAndImagesAreResizedToTheSquare() throws {
        // 8×4 gray: the centre 4×4 square, halved by area averaging to 2×2.
        let wide = (0..<32).map { UInt8($0 * 8) }
        try write(png: wide, width: 8, height: 4, channels: 1, at: "train/a/wide.png")
        let flat: [UInt8] = (0..<(16 * 16)).flatMap { _ -> [UInt8] in [200, 100, 50] }
        try write(jpeg: flat, width: 16, height: 16, channels: 3, at: "train/b/colour.jpg")
        try write(png: wide, width: 8, height: 4, channels: 1, at: "test/a/0.png")
        try write(png: wide, width: 8, height: 4, channels: 1, at: "test/b/0.png")
        let folder = try ImageFolder.resolve(root: root, options: ImageFolderOptions(imageSize: 2))
        XCTAssertEqual(folder.channels, 3)
        let train = try DataLocator().load(.folder(folder), split: .train)
        XCTAssertEqual(train.images.shape, [2, 3, 2, 2])
        // Output (r, c) averages rows 2r, 2r+1 and columns 2+2c, 3+2c of the source.
        let expected = (0..<4).map { index -> UInt8 in
            let (row, column) = (2 * (index / 2), 2 + 2 * (index % 2))
            let sum = [0, 1, 8, 9].map { Int(wide[row * 8 + column + $0]) }.reduce(0, +)
            return UInt8((Double(sum) / 4).rounded())
        }
        let gray = folder.normalization.normalize(pixels: expected + expected + expected, shape: [1, 3, 2, 2])
        XCTAssertEqual(Array(train.images.scalars.prefix(12)), gray.scalars, "a gray image is copied into each channel")
        // JPEG is lossy; a flat colour survives within a step or two.
        let colour = folder.normalization.denormalize(train.images).scalars.suffix(12).map { $0 * 255 }
        for (index, value) in colour.enumerated() {
            XCTAssertEqual(value, [200, 100, 50][index / 4], accuracy: 3, "channel \(index / 4)")
        }
    }

    func testCorruptImageStopsTheRunUnlessSkipped() throws {
        try write(png: Array(0..<16), width: 4, height: 4, channels: 1, at: "train/a/0.png")
        try write(png: Array(10..<26), width: 4, height: 4, channels: 1, at: "train/a/1.png")
        try write(png: Array(100..<116), width: 4, height: 4, channels: 1, at: "train/b/0.png")
        try write(png: Array(0..<16), width: 4, height: 4, channels: 1, at: "test/a/0.png")
        try write(png: Array(0..<16), width: 4, height: 4, channels: 1, at: "test/b/0.png")
        var truncated = try Data(contentsOf: URL(fileURLWithPath: "\(root!)/train/a/1.png"))
        truncated.removeLast(20)
        try truncated.write(to: URL(fileURLWithPath: "\(root!)/train/a/1.png"))

        XCTAssertThrowsError(try ImageFolder.resolve(root: root, options: ImageFolderOptions())) { error in
            XCTAssertTrue("\(error)".hasPrefix("corrupt data in \(root!)/train/a/1.png: "), "\(error)")
        }
        let notes = Notes()
        let folder = try ImageFolder.resolve(root: root, options: ImageFolderOptions(skipsBadImages: true, progress: notes.add))
        let train = try folder.load(splits: [.train])[.train]!
        XCTAssertEqual(train.labels, [0, 1])
        XCTAssertTrue(notes.lines.contains { $0.hasPrefix("skipped corrupt data in \(root!)/train/a/1.png") }, "\(notes.lines)")
    }

    func testLayoutErrorsAndMemoryLimitNameTheProblem() throws {
        XCTAssertThrowsError(try ImageFolder.resolve(root: root, options: ImageFolderOptions())) { error in
            XCTAssertTrue("\(error)".contains("\(root!)/train"), "\(error)")
        }
        try write(png: Array(0..<16), width: 4, height: 4, channels: 1, at: "train/a/0.png")
        try write(png: Array(20..<36), width: 4, height: 4, channels: 1, at: "train/b/0.png")
        XCTAssertThrowsError(try ImageFolder.resolve(root: root, options: ImageFolderOptions())) { error in
            XCTAssertTrue("\(error)".contains("\(root!)/val"), "\(error)")
        }
        try write(png: Array(0..<16), width: 4, height: 4, channels: 1, at: "test/zebra/0.png")
        XCTAssertThrowsError(try ImageFolder.resolve(root: root, options: ImageFolderOptions())) { error in
            XCTAssertTrue("\(error)".contains("class 'zebra' has no folder under train/"), "\(error)")
        }
        try FileManager.default.moveItem(atPath: "\(root!)/test/zebra", toPath: "\(root!)/test/a")
        try write(png: Array(0..<16), width: 4, height: 4, channels: 1, at: "test/b/0.png")
        XCTAssertThrowsError(
            try ImageFolder.resolve(root: root, options: ImageFolderOptions(imageSize: 1000, memoryLimit: 1 << 20))
        ) { error in
            XCTAssertTrue("\(error)".contains("--max-memory 1 or a smaller --image-size"), "\(error)")
        }
        // A size whose byte count overflows Int is refused the same way, not trapped on.
        for size in [3_037_000_500, Int.max] {
            XCTAssertThrowsError(try ImageFolder.resolve(root: root, options: ImageFolderOptions(imageSize: size))) { error in
                XCTAssertTrue("\(error)".contains("need ") && "\(error)".contains("give a smaller --image-size"), "\(error)")
            }
        }
        let kind = try DataLocator().dataset(named: "folder:\(root!)")
        XCTAssertEqual(kind.name, "folder:\(root!)")
        XCTAssertEqual(kind.imageShape, [1, 4, 4])
    }

    func testEveryClassNeedsTestImagesAndADatasetNeedsTwoClasses() throws {
        try write(png: Array(0..<16), width: 4, height: 4, channels: 1, at: "train/a/0.png")
        try write(png: Array(0..<16), width: 4, height: 4, channels: 1, at: "test/a/0.png")
        func assertCorrupt(_ path: String, _ reason: String, options: ImageFolderOptions = ImageFolderOptions()) {
            XCTAssertThrowsError(try DataLocator().load(.folder(try ImageFolder.resolve(root: root, options: options)))) { error in
                XCTAssertTrue("\(error)".hasPrefix("corrupt data in \(root!)/\(path): \(reason);"), "\(error)")
            }
        }
        assertCorrupt("train", "it holds one class folder; a classification dataset needs at least 2 classes")
        try write(png: Array(20..<36), width: 4, height: 4, channels: 1, at: "train/b/0.png")
        // Before, the accuracy left class b out without a word: 100 % after one epoch.
        assertCorrupt("test/b", "it is missing; every class of train/ needs a folder of images here")
        try FileManager.default.createDirectory(atPath: "\(root!)/test/b", withIntermediateDirectories: false)
        assertCorrupt("test/b", "it holds no PNG or JPEG images")
        try Data("not a png".utf8).write(to: URL(fileURLWithPath: "\(root!)/test/b/0.png"))
        assertCorrupt(
            "test/b", "none of its images could be decoded; every class needs at least one in the test split",
            options: ImageFolderOptions(skipsBadImages: true))
    }

    func testDecoderNamesTheFileAndTheFault() throws {
        let gray = (0..<(16 * 16)).map { UInt8($0 % 251) }
        try write(jpeg: gray, width: 16, height: 16, channels: 1, at: "whole.jpg")
        let whole = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(root!)/whole.jpg")))
        let decoded = try ImageDecoder.decode(whole, path: "whole.jpg")
        XCTAssertEqual([decoded.width, decoded.height, decoded.channels], [16, 16, 1])
        XCTAssertThrowsError(try ImageDecoder.decode(Array(whole.prefix(whole.count - 40)), path: "cut.jpg")) { error in
            XCTAssertTrue("\(error)".hasPrefix("corrupt data in cut.jpg: "), "\(error)")
        }
        XCTAssertThrowsError(try ImageDecoder.decode(Array("GIF89a".utf8), path: "a.gif")) { error in
            XCTAssertTrue("\(error)".contains("a.gif: neither a PNG nor a JPEG"), "\(error)")
        }
    }

    func testAreaWeightsShrinkAndCopyAtTheSameSize() {
        XCTAssertEqual(ImageResize.weights(source: 4, target: 2).map { $0.map(\.index) }, [[0, 1], [2, 3]])
        XCTAssertEqual(ImageResize.weights(source: 4, target: 2).flatMap { $0.map(\.weight) }, [0.5, 0.5, 0.5, 0.5])
        XCTAssertEqual(ImageResize.weights(source: 3, target: 2)[0].map(\.weight), [Float(2.0 / 3), Float(1.0 / 3)])
        XCTAssertEqual(ImageResize.weights(source: 5, target: 5).map { $0.map(\.index) }, (0..<5).map { [$0] })
        let image = DecodedImage(width: 3, height: 3, channels: 1, pixels: Array(0..<9))
        XCTAssertEqual(ImageResize.squarePlanar(image, size: 3), Array(0..<9))
    }

    // MARK: - Writing test images

    private func write(png pixels: [UInt8], width: Int, height: Int, channels: Int, at relative: String) throws {
        try write(relative) { out, count, error in
            distill_png_encode(pixels, Int32(width), Int32(height), Int32(channels), out, count, error, 256)
        }
    }

    private func write(jpeg pixels: [UInt8], width: Int, height: Int, channels: Int, at relative: String) throws {
        try write(relative) { out, count, error in
            distill_jpeg_encode(pixels, Int32(width), Int32(height), Int32(channels), 95, out, count, error, 256)
        }
    }

    private func write(
        _ relative: String,
        encode: (UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>, UnsafeMutablePointer<Int>, UnsafeMutablePointer<CChar>) -> Int32
    ) throws {
        let url = URL(fileURLWithPath: root).appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        var buffer: UnsafeMutablePointer<UInt8>?
        var count = 0
        var error = [CChar](repeating: 0, count: 256)
        XCTAssertEqual(encode(&buffer, &count, &error), 1, String(cString: error))
        defer { free(buffer) }
        try Data(bytes: buffer!, count: count).write(to: url)
    }

    private func fileSize(_ relative: String) throws -> Int {
        try FileManager.default.attributesOfItem(atPath: "\(root!)/\(relative)")[.size] as! Int
    }
}

private final class Notes: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    var lines: [String] { lock.withLock { stored } }
    @Sendable func add(_ line: String) { lock.withLock { stored.append(line) } }
}

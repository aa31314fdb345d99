// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData
@testable import DistillIO
import DistillTensor
import Foundation
import XCTest
import _DistillTestSupport

/// Synthetic-set files that `render`, `export` and `evaluate` must treat alike, and outputs
/// that would replace an input or mix with files already there: one error line each, never a
/// trap, a silent result or a damaged input.
final class SetFileRefusalTests: BinaryTestCase {
    // MARK: - Sets every reader refuses alike

    func testAnNPZWithoutImagesIsRefusedByEveryReader() throws {
        let empty = try writeNPZ("empty.npz", images: .float32(shape: [0, 1, 28, 28], values: []), labels: .int64(shape: [0], values: []))
        try assertRefusedByEveryReader(empty, "empty.npz holds no images; condense a set with at least one image per class")
    }

    func testASetMissingAClassIsRefusedByEveryReader() throws {
        let labels = [0, 0] + Array(2..<10)
        let missing = try writeSet("class1-missing.safetensors", labels: labels)
        try assertRefusedByEveryReader(missing, "class1-missing.safetensors has no image of class 1 (Trouser); a synthetic set needs")
        let npz = try writeNPZ("class1-missing.npz", labels: .int64(shape: [10], values: labels.map(Int64.init)))
        try assertRefusedByEveryReader(npz, "class1-missing.npz has no image of class 1 (Trouser)")
        let five = try writeSet("five.safetensors", count: 5)
        try assertRefusedByEveryReader(five, "five.safetensors has no image of class 5 (Sandal)")
    }

    func testBoolLabelsAndADatasetThatIsNotANameAreNamed() throws {
        let bool = try writeNPZ("bool.npz", labels: .bool(shape: [10], values: .init(repeating: true, count: 10)))
        try assertRefusedByEveryReader(bool, "array 'labels' in \(bool): must be integers of shape [10], one per image (found bool)")
        let number = try writeNPZ("number.npz", dataset: .int64(shape: [], values: [5]))
        try assertRefused(evaluate(number), "array 'dataset' in \(number): must be a string array")
        let none = try writeNPZ("none.npz", dataset: nil)
        try assertRefused(evaluate(none), "none.npz records no dataset; expected one of")
    }

    func testKnownNPZArraysOfAnotherTypeAreRefusedNotIgnored() throws {
        let numbers = try writeNPZ("number-names.npz", extra: [("class_names", NPYArray.int64(shape: [2], values: [7, 8]).encoded())])
        try assertRefusedByEveryReader(numbers, "array 'class_names' in \(numbers): must be a str array, one name per class")
        let size = try writeNPZ("float-size.npz", extra: [("image_size", NPYArray.float32(shape: [], values: [16.5]).encoded())])
        try assertRefusedByEveryReader(size, "array 'image_size' in \(size): must be one integer, the image side in pixels")
        // np.array(['a', 'b'], dtype=object): a pickle, named and never loaded.
        let header = "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }\n"
        let pickle = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8) + [0x80, 0x02, 0x2E])
        let object = try writeNPZ("object-names.npz", extra: [("class_names", pickle)])
        try assertRefusedByEveryReader(object, "array 'class_names' in \(object): it is an object array (pickled Python objects)")
    }

    func testClassNamesOfAnotherCountAreNamedByRenderAndEvaluate() throws {
        let set = try writeSet("two-names.safetensors", metadata: ["class_names": "a\nb"])
        let mismatch = "two-names.safetensors lists 2 class names in its 'class_names' metadata, but fashion-mnist has 10 classes"
        try assertRefusedByEveryReader(set, mismatch)
    }

    func testDamagedNPZFilesAreOneLine() throws {
        // An images.npy whose header declares more elements than an Int counts, in an otherwise sound archive.
        let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 1, 999999999, 28), }\n"
        let npy = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8) + [0, 0, 0, 0])
        let huge = binary.path("hugeshape.npz")
        let labels = NPYArray.int64(shape: [10], values: (0..<10).map(Int64.init)).encoded()
        try ZipArchive.stored([("images.npy", npy), ("labels.npy", labels)], file: huge).write(to: URL(fileURLWithPath: huge))
        try assertRefusedByEveryReader(huge, "array 'images' in \(huge): shape [99999999999, 1, 999999999, 28] holds more elements than any file can")

        let good = try writeNPZ("crc.npz")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        bytes[bytes.range(of: Data("images.npy".utf8))!.upperBound + 300] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: good))
        try assertRefusedByEveryReader(good, "crc.npz is a damaged .npz: member 'images.npy' fails its CRC-32 check")
    }

    // MARK: - export treats pixels and normalisation as render does

    func testExportRefusesTheNormalisationRenderRefuses() throws {
        for (name, mean, std, message) in [
            ("nan-std", "0.2860", "nan", "'std' metadata 'nan' must be finite and positive"),
            ("neg-std", "0.2860", "-0.353", "'std' metadata '-0.353' must be finite and positive"),
            ("inf-mean", "inf", "0.3530", "'mean' metadata 'inf' must be finite"),
        ] {
            let set = try writeSet("\(name).safetensors", metadata: ["mean": mean, "std": std])
            try assertRefused(["export", set, "--format", "folder", "--out", binary.path("\(name)-png")], message)
            try assertRefused(["export", set, "--format", "npz", "--out", binary.path("\(name).npz")], message)
            try assertRefused(["render", set, "--out", binary.path("\(name).png")], message)
            XCTAssertFalse(FileManager.default.fileExists(atPath: binary.path("\(name)-png")))
        }
    }

    func testExportDrawsNonFinitePixelsAsRenderDoes() throws {
        var scalars = [Float](repeating: 0.5, count: 10 * 784)
        (scalars[5], scalars[6]) = (.nan, .infinity)
        let set = try writeSet("nan-pixel.safetensors", images: NDArray(shape: [10, 1, 28, 28], scalars: scalars))
        let out = binary.path("nan-png")
        let result = try binary.run(["export", set, "--format", "folder", "--out", out])
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertTrue(result.output.contains("(10 classes; 2 values are not finite: NaN drawn black, ±inf clamped)"), result.output)
        let png = try Data(contentsOf: URL(fileURLWithPath: "\(out)/0_T-shirt-top/0.png"))
        XCTAssertEqual(Array(try ImageDecoder.decode([UInt8](png), path: "0.png").pixels[5...6]), [0, 255])
    }

    // MARK: - outputs that would replace an input or join old files

    func testRenderAndExportRefuseToWriteOverTheirInput() throws {
        let set = try writeSet("set.safetensors")
        let before = try Data(contentsOf: URL(fileURLWithPath: set))
        try assertRefused(["render", set, "--out", set], "--out \(set) is the input file \(set); write to another file")
        let hardLink = binary.path("link.png")
        try FileManager.default.linkItem(atPath: set, toPath: hardLink)
        try assertRefused(["render", set, "--out", hardLink], "--out \(hardLink) is the input file \(set)")
        let npz = try writeNPZ("set.npz")
        let npzBefore = try Data(contentsOf: URL(fileURLWithPath: npz))
        try assertRefused(["export", npz, "--format", "npz", "--out", npz], "is the input file \(npz)")
        try assertRefused(["export", set, "--format", "folder", "--out", set], "is the input file \(set)")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: set)), before)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: npz)), npzBefore)
    }

    func testRenderWritesOnlyPNGNames() throws {
        let set = try writeSet("set.safetensors")
        try assertRefused(["render", set, "--out", binary.path("x.jpg")], "render writes a PNG picture; give a file name ending in .png")
        XCTAssertFalse(FileManager.default.fileExists(atPath: binary.path("x.jpg")))
        let result = try binary.run(["render", set, "--out", binary.path("x.PNG")])
        XCTAssertEqual(result.status, 0, result.errors)
    }

    func testFolderExportNeedsANewOrEmptyFolderAndIsAllOrNothing() throws {
        let set = try writeSet("set.safetensors")
        let out = binary.path("exp")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: false)
        let first = try binary.run(["export", set, "--format", "folder", "--out", out])
        XCTAssertEqual(first.status, 0, first.errors)
        try assertRefused(
            ["export", set, "--format", "folder", "--out", out], "cannot write into \(out): it already holds 10 entries; give an empty or new folder")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out).count, 10)

        // The sixth class folder's name is too long to create: nothing of the first five stays.
        var names = (0..<10).map { "class\($0)" }
        names[5] = String(repeating: "n", count: 300)
        let long = try writeSet("long.safetensors", metadata: ["class_names": names.joined(separator: "\n")])
        let failed = binary.path("failed")
        try assertRefused(["export", long, "--format", "folder", "--out", failed], "the name is too long")
        XCTAssertFalse(FileManager.default.fileExists(atPath: failed))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: binary.scratch).filter { $0.contains("distill-tmp") }, [])
    }

    func testAFolderExportRemovesTheTemporaryFolderAKilledExportLeft() throws {
        let set = try writeSet("set.safetensors")
        let marker = AtomicWrite.temporaryMarker
        // An export killed part-way left the first; the second is this test's, the running export's parent.
        let stale = ".outf\(marker)\(Int32.max - 1)-\(UUID().uuidString)"
        let live = ".outf\(marker)\(getpid())-\(UUID().uuidString)"
        for name in [stale, live] { try AtomicWrite.write("png", to: binary.path("\(name)/T-shirt/0.png")) }
        try binary.run(["export", set, "--format", "folder", "--out", binary.path("outf")]).expectSuccess()
        let left = try FileManager.default.contentsOfDirectory(atPath: binary.scratch).filter { $0.contains(marker) }
        XCTAssertEqual(left, [live])
    }

    // MARK: - Helpers

    private func evaluate(_ set: String) -> [String] { ["evaluate", set, "--models", "ConvNet(width=8)", "--num-eval", "1", "--epochs", "1"] }

    private func assertRefusedByEveryReader(_ set: String, _ mentions: String, line: UInt = #line) throws {
        try assertRefused(["render", set, "--out", binary.path("x.png")], mentions, line: line)
        try assertRefused(["export", set, "--format", "folder", "--out", binary.path("x-png")], mentions, line: line)
        try assertRefused(["export", set, "--format", "npz", "--out", binary.path("x.npz")], mentions, line: line)
        try assertRefused(evaluate(set), mentions, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: binary.path("x-png")), line: line)
    }

    /// A ten-image Fashion-MNIST set (one per class unless `labels` says otherwise) in the scratch directory.
    private func writeSet(
        _ name: String, count: Int = 10, images: NDArray? = nil, labels: [Int]? = nil, metadata: [String: String] = [:]
    ) throws -> String {
        let images = images ?? NDArray(shape: [count, 1, 28, 28], scalars: .init(repeating: 0, count: count * 784))
        let path = binary.path(name)
        try SafeTensors.write(
            [
                "images": SafeTensorsEntry(images),
                "labels": SafeTensorsEntry(shape: [images.shape[0]], integers: (labels ?? Array(0..<images.shape[0])).map(Int64.init)),
            ],
            metadata: ["dataset": "fashion-mnist", "mean": "0.2860", "std": "0.3530", "method": "dc"].merging(metadata) { $1 },
            to: path)
        return path
    }

    /// A ten-image Fashion-MNIST `.npz` in the scratch directory; `dataset` nil leaves the array out;
    /// `extra` adds members as raw `.npy` bytes (for dtypes `NPYArray` does not write).
    private func writeNPZ(
        _ name: String, images: NPYArray = .float32(shape: [10, 1, 28, 28], values: .init(repeating: 0, count: 10 * 784)),
        labels: NPYArray = .int64(shape: [10], values: (0..<10).map(Int64.init)),
        dataset: NPYArray? = .strings(shape: [], values: ["fashion-mnist"]), extra: [(String, Data)] = []
    ) throws -> String {
        let path = binary.path(name)
        var arrays: [(String, NPYArray)] = [
            ("images", images), ("labels", labels),
            ("mean", .float32(shape: [1], values: [0.2860])), ("std", .float32(shape: [1], values: [0.3530])),
        ]
        if let dataset { arrays.append(("dataset", dataset)) }
        let members = arrays.map { ($0.0 + ".npy", $0.1.encoded()) } + extra.map { ($0.0 + ".npy", $0.1) }
        try ZipArchive.stored(members, file: path).write(to: URL(fileURLWithPath: path))
        return path
    }
}

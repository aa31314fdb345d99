// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData
import DistillIO
import DistillTensor
import Foundation
import XCTest

/// Synthetic-set files that a diverged run, a bug or a hostile user could
/// produce: each is drawn safely or refused with an error naming the fault.
final class HostileSetTests: XCTestCase {
    private func set(
        _ scalars: [Float] = [Float](repeating: 0, count: 2 * 16), channels: Int = 1,
        mean: String = "0.5", std: String = "0.25"
    ) -> SyntheticSetFile {
        SyntheticSetFile(
            images: NDArray(shape: [2, channels, 4, 4], scalars: scalars), labels: [0, 1],
            metadata: ["mean": mean, "std": std])
    }

    private func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("distill-\(UUID().uuidString).safetensors").path
    }

    func testNonFinitePixelsAreDrawnNaNBlackInfinityClamped() throws {
        var scalars = [Float](repeating: 0, count: 2 * 16)
        (scalars[0], scalars[1], scalars[2]) = (.nan, .infinity, -.infinity)
        let file = set(scalars)
        XCTAssertEqual(file.nonFinitePixelCount, 3)
        let png = try file.gridPNG(scale: 1)
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        // The same values straight through the grid, read back from its pixel rule.
        let grid = ImageGrid.png(
            NDArray(shape: [1, 1, 1, 3], scalars: [.nan, .infinity, -.infinity]), columns: 1, mean: [0.5], std: [0.25],
            scale: 1, gap: 0)
        let decoded = try ImageDecoder.decode([UInt8](grid), path: "grid.png")
        XCTAssertEqual(decoded.pixels, [0, 255, 0])
    }

    func testNonFiniteOrNonPositiveNormalisationIsRefused() {
        for (mean, std, key) in [("0.5", "nan", "std"), ("nan", "0.25", "mean"), ("inf", "0.25", "mean"), ("0.5", "0", "std"), ("0.5", "-1", "std")] {
            XCTAssertThrowsError(try set(mean: mean, std: std).gridPNG(), "\(mean) \(std)") { error in
                guard case SyntheticGridError.invalidNormalization(key, _) = error else {
                    return XCTFail("expected invalidNormalization(\(key)), got \(error)")
                }
                XCTAssertTrue("\(error)".contains("'\(key)' metadata"), "\(error)")
            }
        }
    }

    func testChannelCountsAPNGCannotShowAreRefused() {
        XCTAssertThrowsError(try set([Float](repeating: 0, count: 2 * 2 * 16), channels: 2, mean: "0,0", std: "1,1").gridPNG()) {
            XCTAssertEqual($0 as? SyntheticGridError, .unsupportedChannels(2))
        }
    }

    func testHugeScalesAreRefusedWithoutOverflow() {
        for scale in [100_000, 99_999_999_999, Int.max] {
            XCTAssertThrowsError(try set().gridPNG(scale: scale), "scale \(scale)") { error in
                guard case SyntheticGridError.pictureTooLarge(_, _, scale) = error else {
                    return XCTFail("scale \(scale): expected pictureTooLarge, got \(error)")
                }
            }
        }
        XCTAssertEqual(ImageGrid.size(rows: 2, columns: 1, imageHeight: 4, imageWidth: 4, scale: Int.max).width, Int.max)
    }

    func testEmptyMisshapenAndMiscountedSetsAreNamed() throws {
        let cases: [(images: NDArray, labels: [Int64], expected: SyntheticSetFileError)] = [
            (NDArray(shape: [0, 1, 4, 4], scalars: []), [], .empty(file: "")),
            (NDArray(shape: [2, 4, 4], scalars: .init(repeating: 0, count: 32)), [0, 1],
             .wrongRank(file: "", tensor: "images", shape: [2, 4, 4], expected: "[N, C, H, W]")),
            (NDArray(shape: [2, 1, 4, 4], scalars: .init(repeating: 0, count: 32)), [0, 1, 2],
             .countMismatch(file: "", images: 2, labels: 3)),
        ]
        for (images, labels, expected) in cases {
            let path = temporaryPath()
            defer { try? FileManager.default.removeItem(atPath: path) }
            try SafeTensors.write(
                ["images": SafeTensorsEntry(images), "labels": SafeTensorsEntry(shape: [labels.count], integers: labels)],
                to: path)
            XCTAssertThrowsError(try SyntheticSetFile(contentsOf: path)) { error in
                XCTAssertEqual(error as? SyntheticSetFileError, expected.at(path), "\(error)")
            }
        }
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try SyntheticSetFile(images: NDArray(shape: [0, 1, 4, 4], scalars: []), labels: [], metadata: [:]).write(to: path)
        XCTAssertThrowsError(try SyntheticSetFile(contentsOf: path)) {
            XCTAssertTrue("\($0)".hasSuffix("holds no images; condense a set with at least one image per class"), "\($0)")
        }
    }

    func testMemoryArithmeticSaturatesAndTheBudgetRefusesTheImpossible() throws {
        XCTAssertEqual(MemoryBudget.product(1 << 40, 1 << 40), .max)
        XCTAssertEqual(MemoryBudget.product(0, .max, .max), 0)
        XCTAssertEqual(MemoryBudget.sum(.max, 1), .max)
        XCTAssertEqual(MemoryBudget.format(31_400_000_000_000), "31.4 TB")
        XCTAssertEqual(MemoryBudget.format(999), "999 bytes")
        #if os(Linux) || os(macOS)
            let available = try XCTUnwrap(MemoryBudget.availableBytes())
            XCTAssertGreaterThan(available, 1 << 20)
            XCTAssertNoThrow(try MemoryBudget.check(1 << 10, for: "a kilobyte", fix: "none"))
            XCTAssertThrowsError(try MemoryBudget.check(.max, for: "everything", fix: "ask for less")) {
                XCTAssertTrue("\($0)".hasPrefix("everything needs more than 9.22 EB of memory but "), "\($0)")
                XCTAssertTrue("\($0)".hasSuffix("is available; ask for less"), "\($0)")
            }
        #endif
    }
}

extension SyntheticSetFileError {
    /// The same error for the file at `path`.
    fileprivate func at(_ path: String) -> SyntheticSetFileError {
        switch self {
        case .wrongRank(_, let tensor, let shape, let expected): return .wrongRank(file: path, tensor: tensor, shape: shape, expected: expected)
        case .countMismatch(_, let images, let labels): return .countMismatch(file: path, images: images, labels: labels)
        case .empty: return .empty(file: path)
        case .labelOutOfRange(_, let label, let classes): return .labelOutOfRange(file: path, label: label, classes: classes)
        case .classNamesMismatch(_, let names, let dataset, let classes):
            return .classNamesMismatch(file: path, names: names, dataset: dataset, classes: classes)
        case .missingClass(_, let label, let name): return .missingClass(file: path, label: label, name: name)
        }
    }
}

extension HostileSetTests {
    func testNonIntegerShapeExtentIsCalledThat() {
        let header = Data(#"{"x":{"dtype":"F32","shape":[28.5],"data_offsets":[0,4]}}"#.utf8)
        var length = UInt64(header.count).littleEndian
        let bytes = Data(bytes: &length, count: 8) + header + Data(count: 4)
        XCTAssertThrowsError(try SafeTensorsFile(data: bytes)) { error in
            guard case let .malformedEntry(nil, "x", reason)? = error as? SafeTensorsError else { return XCTFail("\(error)") }
            XCTAssertEqual(reason, "'x.shape[0]': 28.5 is not an integer")
        }
    }
}

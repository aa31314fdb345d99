// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import DistillTensor
import Foundation
import XCTest
import DistillSelfTest
import _DistillTestSupport

final class SafeTensorsTests: XCTestCase {
    private var opsPath: String { Golden.fixturePath("ops.safetensors") }

    /// A file of two F32 tensors, built by hand: `a` [2] at bytes 0..<8, `b` [1] at 8..<12.
    private func crafted(header: String, dataBytes: Int = 12) -> Data {
        var bytes = [UInt8](repeating: 0, count: 8)
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { bytes.replaceSubrange(0..<8, with: $0) }
        return Data(bytes + Array(header.utf8) + [UInt8](repeating: 0, count: dataBytes))
    }

    private func assertError(_ expected: SafeTensorsError, _ body: () throws -> Void, line: UInt = #line) {
        XCTAssertThrowsError(try body(), line: line) { error in
            XCTAssertEqual(error as? SafeTensorsError, expected, "\(error)", line: line)
        }
    }

    // MARK: - Round trip

    func testRoundTripOfAllDTypesWithMetadata() throws {
        let floats = NDArray(shape: [2, 3], scalars: [1.5, -2, .pi, 0, -.greatestFiniteMagnitude, 1e-30])
        let doubles: [Double] = [0.1, -1e300, .pi]
        let integers: [Int64] = [.min, -1, 0, 42, .max]
        let metadata = ["manifest": "{\"net\": \"ConvNet\"}\n", "note": "tab\there, ünïcode, \u{1}"]
        let encoded = try SafeTensors.encode(
            [
                "conv/weight": SafeTensorsEntry(floats),
                "scalar": SafeTensorsEntry(NDArray(scalar: 7)),
                "empty": SafeTensorsEntry(NDArray(zeros: [0, 4])),
                "reference": SafeTensorsEntry(shape: [3, 1], doubles: doubles),
                "labels": SafeTensorsEntry(shape: [5], integers: integers),
            ], metadata: metadata)
        let headerLength = encoded.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        XCTAssertEqual(headerLength % 8, 0)

        let file = try SafeTensorsFile(data: encoded)
        XCTAssertEqual(file.metadata, metadata)
        XCTAssertEqual(file.names, ["conv/weight", "empty", "labels", "reference", "scalar"])
        XCTAssertEqual(try file.floats("conv/weight"), floats)
        XCTAssertEqual(try file.floats("scalar"), NDArray(scalar: 7))
        XCTAssertEqual(try file.floats("empty").shape, [0, 4])
        let reference = try file.doubles("reference")
        XCTAssertEqual(reference.shape, [3, 1])
        XCTAssertEqual(reference.values, doubles)
        XCTAssertEqual(try file.floats("reference").scalars, doubles.map { Float($0) })
        XCTAssertEqual(try file.integers("labels").values, integers)
        XCTAssertEqual(try file.info("labels"), SafeTensorsInfo(dtype: .int64, shape: [5], byteRange: 0..<40))
        XCTAssertEqual(try file.info("reference").byteRange, 40..<64)
    }

    func testWriteThenReadFromDiskAndFailedWriteLeavesNoFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("out.safetensors").path
        let entries = ["x": SafeTensorsEntry(NDArray(shape: [2], scalars: [1, 2]))]
        try SafeTensors.write(entries, metadata: ["k": "v"], to: path)
        XCTAssertEqual(try SafeTensorsFile(contentsOf: path).floats("x").scalars, [1, 2])

        let invalid = directory.appendingPathComponent("invalid.safetensors").path
        assertError(.invalidTensorName(name: "__metadata__")) {
            try SafeTensors.write(["__metadata__": entries["x"]!], to: invalid)
        }
        // A directory in the way makes the final rename fail after the bytes were written.
        let blocked = directory.appendingPathComponent("blocked.safetensors")
        try FileManager.default.createDirectory(at: blocked, withIntermediateDirectories: false)
        XCTAssertThrowsError(try SafeTensors.write(entries, to: blocked.path))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted(),
                       ["blocked.safetensors", "out.safetensors"])
    }

    // MARK: - Golden file

    func testReadsTheGoldenOpsFile() throws {
        let file = try SafeTensorsFile(contentsOf: opsPath)
        XCTAssertEqual(file.names.count, 156)
        XCTAssertEqual(file.metadata, ["manifest": "{}"])
        XCTAssertEqual(try file.info("conv0/x").dtype, .float32)
        XCTAssertEqual(try file.floats("conv0/x").shape, [2, 3, 7, 7])
        XCTAssertEqual(Array(try file.floats("conv0/x").scalars.prefix(2)), [-0.1117185652256012, -0.49659010767936707])
        XCTAssertEqual(try file.doubles("conv2/dw").shape, [6, 4, 5, 5])
        XCTAssertEqual(try file.doubles("cross_entropy/loss").values, [1.9823785326736663])
        XCTAssertEqual(try file.integers("conv1/cfg").values, [1, 3])
        XCTAssertEqual(try file.integers("cross_entropy/labels").values, [0, 9, 3, 3, 7])
    }

    /// `dm` has a manifest full of escaped quotes, `ops` all three dtypes.
    func testReencodingGoldenFilesReproducesTheirBytes() throws {
        for name in ["ops", "dm"] {
            let original = try Data(contentsOf: URL(fileURLWithPath: Golden.fixturePath("\(name).safetensors")))
            let file = try SafeTensorsFile(data: original)
            var entries: [String: SafeTensorsEntry] = [:]
            for tensor in file.names {
                let shape = try file.info(tensor).shape
                switch try file.info(tensor).dtype {
                case .float32: entries[tensor] = SafeTensorsEntry(try file.floats(tensor))
                case .float64: entries[tensor] = SafeTensorsEntry(shape: shape, doubles: try file.doubles(tensor).values)
                case .int64: entries[tensor] = SafeTensorsEntry(shape: shape, integers: try file.integers(tensor).values)
                }
            }
            XCTAssertEqual(try SafeTensors.encode(entries, metadata: file.metadata), original, name)
        }
    }

    // MARK: - Errors

    func testRejectsTruncatedHeaders() {
        assertError(.fileTooShort(file: nil, byteCount: 5)) { _ = try SafeTensorsFile(data: Data([1, 2, 3, 4, 5])) }
        var absurd = crafted(header: "{}")
        absurd[7] = 0x40
        assertError(.headerLengthOutOfRange(file: nil, headerLength: 0x4000_0000_0000_0002, available: 14)) {
            _ = try SafeTensorsFile(data: absurd)
        }
        let beyond = crafted(header: "{}", dataBytes: 0).prefix(9)
        assertError(.headerLengthOutOfRange(file: nil, headerLength: 2, available: 1)) {
            _ = try SafeTensorsFile(data: beyond)
        }
    }

    func testRejectsMalformedHeaders() {
        XCTAssertThrowsError(try SafeTensorsFile(data: crafted(header: "{\"a\": [1,"))) { error in
            guard case .headerNotJSON = error as? SafeTensorsError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try SafeTensorsFile(data: crafted(header: "[1, 2]"))) { error in
            guard case .headerNotJSON = error as? SafeTensorsError else { return XCTFail("\(error)") }
        }
        let cases: [(String, String)] = [
            ("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", "missing dtype"),
            ("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", "missing shape"),
            ("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", "missing data_offsets"),
            ("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", "is not [begin, end]"),
            ("{\"a\":{\"dtype\":\"F32\",\"shape\":\"2\",\"data_offsets\":[0,8]}}", "'a.shape' must be an array"),
        ]
        for (header, reason) in cases {
            XCTAssertThrowsError(try SafeTensorsFile(data: crafted(header: header)), header) { error in
                guard case let .malformedEntry(nil, "a", message) = error as? SafeTensorsError else {
                    return XCTFail("\(header): \(error)")
                }
                XCTAssertTrue(message.contains(reason), "\(header): \(message)")
            }
        }
    }

    func testRejectsInconsistentEntries() {
        // A header with the valid entry `a` (F32 [2] at bytes 0..<8) and an entry `b` with the given fields.
        func header(_ b: String) -> Data {
            crafted(header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\(b)}}")
        }
        assertError(.unsupportedDType(file: nil, tensor: "b", dtype: "F16")) {
            _ = try SafeTensorsFile(data: header("\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[8,12]"))
        }
        assertError(.sizeMismatch(file: nil, tensor: "b", shape: [2], dtype: "F32", expectedBytes: 8, actualBytes: 4)) {
            _ = try SafeTensorsFile(data: header("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,12]"))
        }
        assertError(.truncatedData(file: nil, tensor: "b", end: 16, dataSize: 12)) {
            _ = try SafeTensorsFile(data: header("\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[8,16]"))
        }
        assertError(.overlappingData(file: nil, first: "a", second: "b")) {
            _ = try SafeTensorsFile(data: header("\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]"))
        }
    }

    /// Bytes past the last tensor are padding or damage; a file is refused by its size
    /// before its data is read, so one extended to 40 GB is named as such, not as unreadable.
    func testDataPastTheLastTensorIsRefused() throws {
        let header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}"
        XCTAssertNoThrow(try SafeTensorsFile(data: crafted(header: header, dataBytes: 8)))
        assertError(.unaccountedData(file: nil, dataSize: 12, tensorsEnd: 8)) {
            _ = try SafeTensorsFile(data: crafted(header: header))
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("distill-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try crafted(header: header, dataBytes: 8).write(to: URL(fileURLWithPath: path))
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: 40 << 30)  // sparse: no disk space taken
        try handle.close()
        let dataSize = (40 << 30) - 8 - header.utf8.count
        assertError(.unaccountedData(file: path, dataSize: dataSize, tensorsEnd: 8)) {
            _ = try SafeTensorsFile(contentsOf: path)
        }
    }

    func testReportsMissingTensorsAndWrongDTypesWithTheFileName() throws {
        let file = try SafeTensorsFile(contentsOf: opsPath)
        XCTAssertThrowsError(try file.floats("conv9/x")) { error in
            guard case let .missingTensor(path, name, available) = error as? SafeTensorsError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(path, opsPath)
            XCTAssertEqual(name, "conv9/x")
            XCTAssertEqual(available.count, 156)
            XCTAssertTrue("\(error)".contains("ops.safetensors' has no tensor 'conv9/x'; it holds 'avgpool2/dx'"))
        }
        assertError(.wrongDType(file: opsPath, tensor: "conv0/cfg", stored: "I64", requested: "F32")) {
            _ = try file.floats("conv0/cfg")
        }
        assertError(.wrongDType(file: opsPath, tensor: "conv0/y", stored: "F64", requested: "I64")) {
            _ = try file.integers("conv0/y")
        }
        XCTAssertThrowsError(try SafeTensorsFile(contentsOf: opsPath + ".missing")) { error in
            guard case .unreadable = error as? SafeTensorsError else { return XCTFail("\(error)") }
        }
    }
}

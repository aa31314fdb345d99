// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

@testable import DistillSelfTest
import DistillIO
import DistillTensor
import Foundation
import XCTest

/// The self-test's own rules: a wrong value fails, a manifest's keyword
/// arguments may be numbers, unknown files and cases are refused.
final class SelfTestTests: XCTestCase {
    func testAValueOffByMoreThanItsToleranceFails() throws {
        let golden = try Golden("ops")
        let reference = try golden.file.doubles("relu/y")
        let exact = NDArray(shape: reference.shape, scalars: reference.values.map(Float.init))
        XCTAssertTrue(try golden.compare(exact, to: "relu/y").passed)
        let tolerance = try XCTUnwrap(try golden.tolerance(for: "relu/y"))
        // Every element 3× the tolerance off, relatively: the relative L2 error is 3× the tolerance.
        let scaled = NDArray(shape: reference.shape, scalars: reference.values.map { Float($0 * (1 + 3 * tolerance)) })
        let comparison = try golden.compare(scaled, to: "relu/y")
        XCTAssertFalse(comparison.passed)
        XCTAssertEqual(comparison.ratio, 3, accuracy: 0.01)
    }

    func testReportNamesTheFailingKeysWorstFirst() {
        let report = SelfTestReport(
            file: "ops", kernels: .portable,
            comparisons: [
                GoldenComparison(key: "ops:a", error: 1e-5, bound: 1e-4, isAbsolute: false),
                GoldenComparison(key: "ops:b", error: 2e-4, bound: 1e-4, isAbsolute: false),
                GoldenComparison(key: "ops:c", error: .nan, bound: 1e-4, isAbsolute: false),
            ])
        XCTAssertFalse(report.passed)
        XCTAssertEqual(report.failures.map(\.key), ["ops:b", "ops:c"])
        XCTAssertTrue(report.summary.hasPrefix("ops [portable]: FAIL, 2 of 3 values"), report.summary)
        XCTAssertTrue(report.summary.contains("ops:c (inf×), ops:b (2×)"), report.summary)
    }

    func testAnEmptyReportDoesNotPass() {
        XCTAssertFalse(SelfTestReport(file: "ops", kernels: .portable, comparisons: []).passed)
        XCTAssertFalse(SelfTestReport(file: "ops", kernels: .portable, problem: "unreadable").passed)
    }

    func testManifestKeywordArgumentsMayBeNumbersOrStrings() throws {
        let json = """
            {"a": {"params": [], "buffers": [], "net": "ConvNet", "kwargs": {"depth": 4, "width": "64", "act_": "relu"},
                   "channel": 3, "im": 32}}
            """
        let networks = try JSONDecoder().decode([String: GoldenNetwork].self, from: Data(json.utf8))
        XCTAssertEqual(networks["a"]?.kwargs, ["depth": "4", "width": "64", "act_": "relu"])
    }

    func testUnknownFilesAreRefusedByName() {
        XCTAssertThrowsError(try SelfTest.check("weights")) { error in
            XCTAssertEqual(error as? SelfTestError, .unknownFile("weights", known: SelfTest.standardFiles))
        }
    }

    func testAFileWithAnUnknownCaseIsNotPassed() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("selftest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try SafeTensors.write(
            ["mystery/y": SafeTensorsEntry(NDArray(shape: [1], scalars: [0]))],
            to: directory.appendingPathComponent("ops.safetensors").path)
        try FileManager.default.copyItem(
            atPath: Golden.fixturePath("tolerances.json"), toPath: directory.appendingPathComponent("tolerances.json").path)
        let report = SelfTest.run("ops", directory: directory.path, kernelSets: [.portable])[0]
        XCTAssertFalse(report.passed)
        XCTAssertTrue(report.problem?.hasPrefix("ops: cases with no check here: mystery; expected cases missing: avgpool2") ?? false, "\(report.problem ?? "nil")")
    }
}

/// A golden directory with a file missing or a broken tolerances.json fails
/// with one message naming the file, never passes with checks left out.
final class GoldenDirectoryTests: XCTestCase {
    private var directory: String!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("distill-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    private var tolerancesPath: String { "\(directory!)/tolerances.json" }

    func testAMissingStandardFileIsNamed() throws {
        // Only the names matter to the listing.
        for name in SelfTest.standardFiles where name != "ops" {
            XCTAssertTrue(FileManager.default.createFile(atPath: "\(directory!)/\(name).safetensors", contents: nil))
        }
        XCTAssertThrowsError(try SelfTest.files(in: directory)) { error in
            XCTAssertEqual(error as? SelfTestError, .missingFiles(directory: directory, names: ["ops"]))
            XCTAssertTrue("\(error)".hasPrefix("golden file \(directory!)/ops.safetensors missing"), "\(error)")
        }
    }

    func testMalformedTolerancesAreOnePlainLine() throws {
        try "{".write(toFile: tolerancesPath, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try GoldenTolerances(contentsOf: tolerancesPath)) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(tolerancesPath): it is not valid JSON"), "\(error)")
        }
        try "{\"ops:a\": \"x\"}".write(toFile: tolerancesPath, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try GoldenTolerances(contentsOf: tolerancesPath)) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(tolerancesPath): 'ops:a' must be a number"), "\(error)")
        }
    }

    /// A relative error of 1 passes a result of all zeros, so such a tolerance checks nothing.
    func testAToleranceThatPassesAllZerosIsRefusedByKey() throws {
        try "{\"ops:a\": 0.86, \"ops:b\": 1, \"ops:c\": 1e9}".write(toFile: tolerancesPath, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try GoldenTolerances(contentsOf: tolerancesPath)) { error in
            XCTAssertEqual(error as? GoldenError, .invalidTolerance(file: tolerancesPath, key: "ops:b", value: 1))
            XCTAssertTrue("\(error)".contains("a relative error of 1 passes a result of all zeros"), "\(error)")
        }
    }

    func testAnOversizedTolerancesFileIsRefusedUnread() throws {
        XCTAssertTrue(FileManager.default.createFile(atPath: tolerancesPath, contents: nil))
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: tolerancesPath))
        try handle.truncate(atOffset: UInt64(GoldenTolerances.maximumByteCount + 1))
        try handle.close()
        XCTAssertThrowsError(try GoldenTolerances(contentsOf: tolerancesPath)) { error in
            XCTAssertEqual(
                "\(error)", "cannot read \(tolerancesPath): it holds 16777217 bytes, more than the 16777216 such a file may hold")
        }
    }

    /// Damaged inputs fail naming the key instead of reaching an engine precondition.
    func testAnOpsInputTheEngineCannotTakeIsNamed() throws {
        try FileManager.default.copyItem(atPath: Golden.fixturePath("tolerances.json"), toPath: tolerancesPath)
        for (key, value, problem): (String, Int64, String) in [
            ("cross_entropy/labels", 99, "ops:cross_entropy/labels holds 99, outside 0..<10"),
            ("kd1/labels", -5, "ops:kd1/labels holds -5, outside 0..<10"),
            ("conv0/cfg", -1, "ops:conv0/cfg holds -1, outside 0...7"),
            ("conv3/cfg", 0, "ops:conv3/cfg has stride 0; a stride is at least 1"),
        ] {
            try writeOps(setting: key, to: value)
            let report = SelfTest.run("ops", directory: directory, kernelSets: [.portable])[0]
            XCTAssertEqual(report.problem, problem)
        }
        // Shapes edited in the header, the data left as it is (the same element count).
        for (key, shape, edited, problem) in [
            ("linear/w", "[5,7]", "[7,5]", "ops:linear/w has shape [7, 5] for an input of 7 features"),
            ("avgpool4/x", "[2,3,4,4]", "[8,3,1,4]", "ops:avgpool4/x has shape [8, 3, 1, 4], smaller than the 4×4 pool"),
            ("layernorm/weight", "[4,3,3]", "[3,4,3]", "ops:layernorm/weight has shape [3, 4, 3], not [4, 3, 3]"),
        ] {
            try writeOps(shapeOf: key, from: shape, to: edited)
            let report = SelfTest.run("ops", directory: directory, kernelSets: [.portable])[0]
            XCTAssertEqual(report.problem, problem)
        }
    }

    /// A copy of the fixture ops.safetensors whose header gives `key` the shape `edited` (written as `shape` is, same length).
    private func writeOps(shapeOf key: String, from shape: String, to edited: String) throws {
        var bytes = try Data(contentsOf: URL(fileURLWithPath: Golden.fixturePath("ops.safetensors")))
        let entry = Data("\"\(key)\":{\"dtype\":\"F32\",\"shape\":\(shape)".utf8)
        let range = try XCTUnwrap(bytes.range(of: entry), "\(key) is not written as expected")
        bytes.replaceSubrange(range, with: Data("\"\(key)\":{\"dtype\":\"F32\",\"shape\":\(edited)".utf8))
        try bytes.write(to: URL(fileURLWithPath: "\(directory!)/ops.safetensors"))
    }

    /// A copy of the fixture ops.safetensors with the first I64 of `key` set to `value`.
    private func writeOps(setting key: String, to value: Int64) throws {
        let source = Golden.fixturePath("ops.safetensors")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: source))
        let headerLength = bytes.prefix(8).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        let offset = 8 + headerLength + (try SafeTensorsFile(contentsOf: source).info(key).byteRange.lowerBound)
        withUnsafeBytes(of: value.littleEndian) { bytes.replaceSubrange(offset..<offset + 8, with: $0) }
        try bytes.write(to: URL(fileURLWithPath: "\(directory!)/ops.safetensors"))
    }

    func testANegativeToleranceIsRefusedByKey() throws {
        try "{\"ops:a\": 1e-6, \"ops:b\": -1e-6, \"ops:c\": null}".write(toFile: tolerancesPath, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try GoldenTolerances(contentsOf: tolerancesPath)) { error in
            XCTAssertEqual(error as? GoldenError, .invalidTolerance(file: tolerancesPath, key: "ops:b", value: -1e-6))
        }
    }
}

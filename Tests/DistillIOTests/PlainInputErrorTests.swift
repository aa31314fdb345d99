// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import DistillTensor
import Foundation
import XCTest

/// Malformed input files are refused with a plain reason that names the file
/// and the field, never with Foundation's decoding or permission text.
final class PlainInputErrorTests: XCTestCase {
    private var directory: String!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("distill-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    private func headerOnly(_ header: String) -> Data {
        var length = UInt64(header.utf8.count).littleEndian
        return Data(bytes: &length, count: 8) + Data(header.utf8)
    }

    private func message(_ data: Data) -> String {
        do {
            _ = try SafeTensorsFile(data: data)
            return "accepted"
        } catch {
            return "\(error)"
        }
    }

    func testSafeTensorsHeaderFaultsAreNamedPlainly() {
        let cases: [(Data, String)] = [
            (headerOnly("[]"), "safetensors data: the header must be a JSON object"),
            (headerOnly("{\"a\": [1,"), "safetensors data: the header is not valid JSON"),
            (Data(count: 8), "safetensors data: the header is not valid JSON"),
            (headerOnly("{\"__metadata__\":{\"dataset\":3}}"), "'__metadata__.dataset' must be a string"),
            (headerOnly("{\"a\":{\"dtype\":\"F32\",\"shape\":[1e400],\"data_offsets\":[0,4]}}"),
             "safetensors data: the header holds the number 1e400, beyond a double's range"),
            (headerOnly("{\"run1e400\": [1,"), "safetensors data: the header is not valid JSON"),
            (headerOnly("{\"a\":{\"dtype\":\"F32\",\"shape\":\"2\",\"data_offsets\":[0,8]}}"), "'a.shape' must be an array"),
        ]
        for (data, expected) in cases {
            let text = message(data)
            XCTAssertTrue(text.contains(expected), text)
            XCTAssertFalse(text.contains("Expected to decode") || text.contains("valid JSON."), text)
        }
    }

    func testLabelsStoredAsFloatsAreCalledThat() throws {
        let path = "\(directory!)/floats.safetensors"
        try SafeTensors.write(
            ["images": SafeTensorsEntry(NDArray(repeating: 0, shape: [1, 1, 2, 2])),
             "labels": SafeTensorsEntry(NDArray(repeating: 0, shape: [1]))],
            metadata: [:], to: path)
        XCTAssertThrowsError(try SyntheticSetFile(contentsOf: path)) { error in
            XCTAssertTrue("\(error)".hasSuffix("tensor 'labels' must hold integers (I64), found F32"), "\(error)")
        }
    }

    func testAFIFOIsNotARegularFile() throws {
        let fifo = "\(directory!)/fifo.safetensors"
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        XCTAssertThrowsError(try SafeTensorsFile(contentsOf: fifo)) { error in
            XCTAssertEqual(error as? SafeTensorsError, .unreadable(file: fifo, reason: "it is a FIFO (named pipe), not a regular file"))
        }
        XCTAssertThrowsError(try NPZ.read(contentsOf: fifo)) { error in
            XCTAssertTrue("\(error)".contains("not a regular file"), "\(error)")
        }
    }

    func testALockFileThatIsNotARegularFileIsNamed() throws {
        let lock = "\(directory!)/\(RunDirectoryLock.fileName)"
        try FileManager.default.createDirectory(atPath: lock, withIntermediateDirectories: false)
        XCTAssertThrowsError(try RunDirectoryLock(directory: directory)) { error in
            XCTAssertEqual("\(error)", "cannot lock \(lock): it is a directory, not a regular file; remove it")
        }
        try FileManager.default.removeItem(atPath: lock)
        try FileManager.default.createSymbolicLink(atPath: lock, withDestinationPath: "/tmp")
        XCTAssertThrowsError(try RunDirectoryLock(directory: directory)) { error in
            XCTAssertEqual("\(error)", "cannot lock \(lock): it is a symbolic link, not a regular file; remove it")
        }
    }

    func testAnEndedProcessIsNotNamedAsTheLockHolder() throws {
        let holder = try RunDirectoryLock(directory: directory)
        // An ended owner's id left in the file, as a holder that never wrote its own leaves it.
        let ended = Process()
        ended.executableURL = URL(fileURLWithPath: "/bin/true")
        try ended.run()
        ended.waitUntilExit()
        try "\(ended.processIdentifier)\n".write(toFile: "\(directory!)/\(RunDirectoryLock.fileName)", atomically: false, encoding: .utf8)
        XCTAssertThrowsError(try RunDirectoryLock(directory: directory)) { error in
            XCTAssertEqual(error as? RunDirectoryInUseError, RunDirectoryInUseError(directory: directory, process: nil))
        }
        holder.release()
    }

    func testLabelsOutsideTheClassesAreRefused() throws {
        let set = SyntheticSetFile(images: NDArray(repeating: 0, shape: [2, 1, 2, 2]), labels: [0, 99], metadata: [:])
        XCTAssertNoThrow(try set.checkLabels(classes: 100, file: "s"))
        XCTAssertThrowsError(try set.checkLabels(classes: 10, file: "s")) { error in
            XCTAssertEqual("\(error)", "s has label 99 but the dataset has 10 classes (labels 0 to 9)")
        }
        let negative = SyntheticSetFile(images: NDArray(repeating: 0, shape: [1, 1, 2, 2]), labels: [-1], metadata: [:])
        XCTAssertThrowsError(try negative.checkLabels(classes: nil, file: "s")) { error in
            XCTAssertEqual("\(error)", "s has label -1 but labels start at 0")
        }
    }

    func testNonFiniteValuesAreNamedByTensorAndIndex() {
        XCTAssertNil(NonFiniteValueError(file: "f", tensor: "images", values: [0, 1]))
        XCTAssertEqual(
            NonFiniteValueError(file: "f", tensor: "images", values: [0, .nan, .infinity])?.description,
            "f: images holds a non-finite value (nan) at index 1; only files of finite numbers can be used")
    }

    func testRecordedNormalisationIsAbsentOrValid() {
        func set(_ metadata: [String: String]) -> SyntheticSetFile {
            SyntheticSetFile(images: NDArray(repeating: 0, shape: [1, 1, 2, 2]), labels: [0], metadata: metadata)
        }
        XCTAssertNil(try set([:]).recordedNormalization())
        XCTAssertEqual(try set(["mean": "0.5", "std": "0.25"]).recordedNormalization()?.std, [0.25])
        for bad in [["mean": "0.5"], ["mean": "abc", "std": "1"], ["mean": "0", "std": "0"], ["mean": "nan", "std": "1"]] {
            XCTAssertThrowsError(try set(bad).recordedNormalization(), "\(bad)")
        }
    }
}

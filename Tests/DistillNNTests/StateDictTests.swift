// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillIO
import DistillNN
import DistillTensor
import Foundation
import XCTest

final class StateDictTests: XCTestCase {
    private var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "distill-nn-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func trainedNet(seed: UInt64) -> TinyNet {
        var generator = SeededGenerator(seed: seed)
        let net = TinyNet(using: &generator)
        _ = net(Tensor(.normal(shape: [2, 1, 4, 4], using: &generator)))  // moves the running statistics
        return net
    }

    func testSafeTensorsRoundTripRestoresParametersAndBuffers() throws {
        let source = trainedNet(seed: 1)
        let path = directory + "/net.safetensors"
        try source.saveStateDict(to: path)
        let file = try SafeTensorsFile(contentsOf: path)
        XCTAssertEqual(try file.info("features.1.num_batches_tracked").dtype, .int64)
        XCTAssertEqual(try file.info("features.0.weight").shape, [2, 1, 3, 3])

        let target = trainedNet(seed: 2)
        XCTAssertNotEqual(target.stateDict(), source.stateDict())
        try target.loadStateDict(from: path)
        XCTAssertEqual(target.stateDict().entries.map(\.key), source.stateDict().keys)
        for (key, value) in source.stateDict().entries { XCTAssertEqual(target.stateDict()[key], value, key) }
        XCTAssertTrue(target.parameters.allSatisfy(\.requiresGradient))
        source.eval()
        target.eval()
        var generator = SeededGenerator(seed: 3)
        let x = Tensor(.normal(shape: [2, 1, 4, 4], using: &generator))
        XCTAssertEqual(target(x).scalars, source(x).scalars)
    }

    func testMissingBatchCountIsAcceptedAndKeepsTheCount() throws {
        let net = trainedNet(seed: 4)
        var state = trainedNet(seed: 5).stateDict()
        state["features.1.num_batches_tracked"] = nil
        try net.load(stateDict: state)
        XCTAssertEqual(net.stateDict()["features.1.num_batches_tracked"], .int64(shape: [], values: [1]))
        XCTAssertEqual(net.stateDict()["features.1.running_mean"], state["features.1.running_mean"])
    }

    func testRefusesMissingExtraMisshapenAndMistypedEntriesWithoutChangingTheModule() {
        let net = trainedNet(seed: 6)
        let original = net.stateDict()
        let valid = trainedNet(seed: 7).stateDict()

        var missing = valid
        missing["features.1.running_var"] = nil
        assertRefusal(net, missing, .missing(key: "features.1.running_var", expectedShape: [2]), mentions: ["[2]"])

        var extra = valid
        extra["features.9.weight"] = .float(NDArray(zeros: [5]))
        assertRefusal(net, extra, .unexpected(key: "features.9.weight", shape: [5]), mentions: ["[5]"])

        var misshapen = valid
        misshapen["classifier.weight"] = .float(NDArray(zeros: [4, 13]))
        assertRefusal(
            net, misshapen, .shapeMismatch(key: "classifier.weight", expected: [4, 12], actual: [4, 13]),
            mentions: ["[4, 12]", "[4, 13]"])

        var mistyped = valid
        mistyped["features.1.num_batches_tracked"] = .float(NDArray(zeros: []))
        assertRefusal(
            net, mistyped, .dtypeMismatch(key: "features.1.num_batches_tracked", expected: "I64", actual: "F32"),
            mentions: ["I64", "F32"])

        XCTAssertEqual(net.stateDict(), original)
    }

    func testRefusalFromAFileNamesTheKey() throws {
        let path = directory + "/other.safetensors"
        var generator = SeededGenerator(seed: 8)
        try Linear(inFeatures: 3, outFeatures: 2, using: &generator).saveStateDict(to: path)
        let wider = Linear(inFeatures: 4, outFeatures: 2, using: &generator)
        XCTAssertThrowsError(try wider.loadStateDict(from: path)) { error in
            XCTAssertEqual(error as? StateDictError, .shapeMismatch(key: "weight", expected: [2, 4], actual: [2, 3]))
        }
    }

    private func assertRefusal(
        _ net: Module, _ state: StateDict, _ expected: StateDictError, mentions: [String],
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertThrowsError(try net.load(stateDict: state), file: file, line: line) { error in
            XCTAssertEqual(error as? StateDictError, expected, file: file, line: line)
            let text = "\(error)"
            for fragment in mentions {
                XCTAssertTrue(text.contains(fragment), "\(text) lacks \(fragment)", file: file, line: line)
            }
            XCTAssertFalse(text.contains("\n"), file: file, line: line)
        }
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData
import DistillEval
import DistillIO
import DistillTensor
import Foundation
import XCTest
import _DistillTestSupport

/// A set to evaluate is refused when its images or metadata would make the
/// evaluation mean something else than it says: non-finite pixels, another
/// normalisation than its dataset's, a method that picks no protocol.
final class TrainingSetChecksTests: XCTestCase {
    private var data: TinyFashionMNIST!

    override func setUpWithError() throws { data = try TinyFashionMNIST() }

    override func tearDownWithError() throws { data.remove() }

    private func load(_ metadata: [String: String], pixel: Float = 0) throws -> TrainingSet {
        let path = (data.root as NSString).appendingPathComponent("set.safetensors")
        var scalars = [Float](repeating: 0, count: 10 * 784)
        scalars[5] = pixel
        try SyntheticSetFile(
            images: NDArray(shape: [10, 1, 28, 28], scalars: scalars), labels: Array(0..<10),
            metadata: ["dataset": "fashion-mnist"].merging(metadata) { $1 }
        ).write(to: path)
        return try TrainingSet(syntheticAt: path, locator: data.locator)
    }

    private func assertRefused(_ metadata: [String: String], pixel: Float = 0, _ mentions: String, line: UInt = #line) {
        XCTAssertThrowsError(try load(metadata, pixel: pixel), line: line) { error in
            XCTAssertTrue("\(error)".contains(mentions), "\(error)", line: line)
        }
    }

    func testTheDatasetsNormalisationOrNoneIsAccepted() throws {
        XCTAssertNoThrow(try load([:]))
        XCTAssertEqual(try load(["mean": "0.2861", "std": "0.353", "method": "dsa"]).method, "dsa")
        // Rounded to three decimals elsewhere.
        XCTAssertNoThrow(try load(["mean": "0.286", "std": "0.353"]))
    }

    func testAnotherOrMalformedNormalisationIsRefused() {
        assertRefused(["mean": "0.5", "std": "0.5"], "records the normalisation mean 0.5, std 0.5, but fashion-mnist images are normalised with mean 0.2861, std 0.353")
        assertRefused(["mean": "nan", "std": "0.353"], "'mean' metadata 'nan' must be finite")
        assertRefused(["mean": "0.2861", "std": "0"], "'std' metadata '0' must be finite and positive")
        assertRefused(["mean": "abc", "std": "0.353"], "'mean' metadata 'abc' is not 1 comma-separated numbers")
        assertRefused(["mean": "0.2861"], "no 'std' metadata")
    }

    func testAnUnknownMethodIsRefused() {
        assertRefused(["method": "gm"], "records method 'gm', which picks no evaluation protocol; expected one of dc, dsa, dm, real, external")
        assertRefused(["method": ""], "records method ''")
    }

    func testClassNamesOtherThanTheDatasetsAreRefused() throws {
        let names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
        XCTAssertNoThrow(try load(["class_names": names.joined(separator: "\n")]))
        var swapped = names
        swapped.swapAt(0, 1)
        assertRefused(
            ["class_names": swapped.joined(separator: "\n")],
            "names label 0 'Trouser' in its class_names, but in fashion-mnist label 0 is 'T-shirt/top'")
        assertRefused(["class_names": (0..<10).map { "c\($0)" }.joined(separator: "\n")], "names label 0 'c0'")
    }

    func testNonFinitePixelsAreRefusedByIndex() {
        assertRefused([:], pixel: .nan, "set.safetensors: images holds a non-finite value (nan) at index 5")
    }

    func testATeacherWithANonFiniteWeightIsRefusedByTensor() throws {
        let path = (data.root as NSString).appendingPathComponent("teacher.safetensors")
        let info = TrainedNetworkInfo(
            model: "MLP", dataset: "fashion-mnist", imageShape: [1, 28, 28], classCount: 10,
            normalization: DatasetKind.fashionMNIST.normalization, epochs: 1, learningRate: 0.01, batchSize: 256, seed: 0,
            testAccuracy: 50)
        try SafeTensors.write(
            ["fc.weight": SafeTensorsEntry(NDArray(shape: [2], scalars: [0, .infinity]))], metadata: info.metadata, to: path)
        XCTAssertThrowsError(try TrainedNetworkFile(contentsOf: path)) { error in
            XCTAssertEqual("\(error)", "\(path): fc.weight holds a non-finite value (inf) at index 1; only files of finite numbers can be used")
        }
    }

    func testPublishedSetsStillLoad() throws {
        let sets = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/results/sets").path
        let names = try FileManager.default.contentsOfDirectory(atPath: sets).filter { $0.hasSuffix(".safetensors") }
        XCTAssertFalse(names.isEmpty)
        for name in names {
            XCTAssertNoThrow(try TrainingSet(syntheticAt: "\(sets)/\(name)", locator: data.locator), name)
        }
    }
}

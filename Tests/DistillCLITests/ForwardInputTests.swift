// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import DistillTensor
import XCTest
import _DistillTestSupport

/// `distill forward` with inputs it must not overwrite or silently run on.
final class ForwardInputTests: XCTestCase {
    private var data: TinyFashionMNIST!
    private var binary: DistillBinary!
    private var weights: String { binary.path("w.safetensors") }

    override func setUpWithError() throws {
        data = try TinyFashionMNIST()
        binary = try DistillBinary(data: data)
        try binary.run(["train", "--model", "MLP", "--epochs", "0", "--batch", "8", "--save", weights]).expectSuccess()
    }

    override func tearDownWithError() throws { data.remove() }

    private func writeInput(_ name: String, size: Int = 28, badIndex: Int? = nil) throws -> String {
        var scalars = [Float](repeating: 0.5, count: 2 * size * size)
        if let badIndex { scalars[badIndex] = .nan }
        let path = binary.path(name)
        try SafeTensors.write(["x": SafeTensorsEntry(NDArray(shape: [2, 1, size, size], scalars: scalars))], to: path)
        return path
    }

    private func forward(input: String, out: String) -> [String] {
        ["forward", "--model", "MLP", "--weights", weights, "--input", input, "--out", out]
    }

    func testAnOutThatIsAnInputIsRefusedAndTheInputKept() throws {
        let input = try writeInput("x.safetensors")
        let before = try Data(contentsOf: URL(fileURLWithPath: weights))
        try binary.expectRefused(forward(input: input, out: weights), "--out \(weights) is the input file \(weights)")
        try binary.expectRefused(forward(input: input, out: input), "--out \(input) is the input file \(input)")
        // Another name of the same file: a hard link.
        let link = binary.path("link.safetensors")
        try FileManager.default.linkItem(atPath: input, toPath: link)
        try binary.expectRefused(forward(input: input, out: link), "--out \(link) is the input file \(input)")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: weights)), before)
        XCTAssertNoThrow(try SafeTensorsFile(contentsOf: input).floats("x"))
        try binary.run(forward(input: input, out: binary.path("logits.safetensors"))).expectSuccess()
    }

    func testNonFiniteInputsAndInputsOfAnotherShapeThanTheWeightsAreRefused() throws {
        let nan = try writeInput("nan.safetensors", badIndex: 800)
        try binary.expectRefused(forward(input: nan, out: binary.path("y.safetensors")), "tensor 'x' holds a non-finite value (nan) at index 800")
        let larger = try writeInput("x32.safetensors", size: 32)
        try binary.expectRefused(
            forward(input: larger, out: binary.path("y.safetensors")),
            "tensor 'x' in \(larger) holds 1×32×32 images but \(weights) records image_shape 1,28,28")
        XCTAssertFalse(FileManager.default.fileExists(atPath: binary.path("y.safetensors")))
    }

    func testANetworkThatCannotTakeTheImagesIsNamedWithTheRecordedClassCount() throws {
        let input = try writeInput("x.safetensors")
        try binary.expectRefused(
            ["forward", "--model", "ConvNet(depth=6)", "--weights", weights, "--input", input, "--out", binary.path("y.safetensors")],
            "cannot take 1×28×28 inputs with 10 classes")
    }
}

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

    private func forward(input: String, out: String, weights: String? = nil) -> [String] {
        ["forward", "--model", "MLP", "--weights", weights ?? self.weights, "--input", input, "--out", out]
    }

    /// A copy of the weights at `name` with `metadata` changed and `change` applied to the tensors.
    private func copyWeights(
        _ name: String, metadata changes: [String: String] = [:], _ change: (String, inout NDArray) -> Void = { _, _ in }
    ) throws -> String {
        let contents = try SafeTensorsFile(contentsOf: weights)
        let tensors = try Dictionary(uniqueKeysWithValues: contents.names.map { name in
            var values = try contents.floats(name)
            change(name, &values)
            return (name, SafeTensorsEntry(values))
        })
        try SafeTensors.write(tensors, metadata: contents.metadata.merging(changes) { $1 }, to: binary.path(name))
        return binary.path(name)
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

    func testNonFiniteWeightsAreRefusedByTensorAndAnOverflowWritesNothing() throws {
        let out = binary.path("y.safetensors")
        let input = try writeInput("x.safetensors")
        // The classifier's bias: every other logit would be NaN.
        let nan = try copyWeights("nan.safetensors") { name, values in
            guard name == "fc_3.bias" else { return }
            var scalars = values.scalars
            scalars[1] = .nan
            values = NDArray(shape: values.shape, scalars: scalars)
        }
        try binary.expectRefused(
            forward(input: input, out: out, weights: nan), "\(nan): fc_3.bias holds a non-finite value (nan) at index 1")
        // Finite weights and inputs whose products overflow float32.
        let huge = try copyWeights("huge.safetensors") { _, values in
            values = NDArray(shape: values.shape, scalars: values.scalars.map { _ in 3e38 })
        }
        try binary.expectRefused(
            forward(input: input, out: out, weights: huge),
            "the logits hold 20 non-finite values of 20: the inputs in \(input) and the weights in \(huge) overflow float32")
        let large = binary.path("large.safetensors")
        try SafeTensors.write(["x": SafeTensorsEntry(NDArray(shape: [2, 1, 28, 28], scalars: .init(repeating: 3e38, count: 2 * 784)))], to: large)
        try binary.expectRefused(forward(input: large, out: out), "overflow float32 in the network; nothing was written")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    func testMetadataTheWeightsGarbleIsRefusedAsTheWeightsFiles() throws {
        let input = try writeInput("x.safetensors")
        for (key, value, expected) in [
            ("image_shape", "abc", "3 positive integers C,H,W with H = W"), ("classes", "-2", "an integer of 2 or more"),
            ("classes", "99999999999999999999", "an integer of 2 or more"),
        ] {
            let file = try copyWeights("\(key).safetensors", metadata: [key: value])
            try binary.expectRefused(
                forward(input: input, out: binary.path("y.safetensors"), weights: file),
                "\(file) has '\(key)' metadata '\(value)'; expected \(expected)")
            // `evaluate --teacher-weights` reads the file by the same rule.
            try binary.expectRefused(
                ["evaluate", "--random-real", "1", "--models", "MLP", "--num-eval", "1", "--epochs", "1", "--kd", "--teacher-weights", file],
                "\(file) has '\(key)' metadata '\(value)'; expected \(expected)")
        }
    }
}

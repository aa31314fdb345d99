// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillTensor
import XCTest
import _DistillTestSupport

/// Every case of `Tests/Fixtures/ops.safetensors` against PyTorch float64 references.
///
/// Each case feeds the stored Float32 inputs to the op, takes the gradients of
/// `⟨y, gy⟩` (or of the loss) with respect to the inputs, and compares outputs
/// and gradients with the README's rule, ‖a − r‖ / ‖r‖ ≤ tolerance. Gradients
/// are taken twice, without and with `createGraph`, because ops may back-propagate
/// through fused kernels in the first case and through differentiable
/// `Tensor` ops (the second-order path of gradient matching) in the second.
final class GoldenOpsTests: XCTestCase {
    private static let cases: Set<String> = [
        "conv0", "conv1", "conv2", "conv3", "conv4", "conv5", "maxpool2", "avgpool2", "avgpool4",
        "relu", "leakyrelu", "sigmoid", "swish", "log_softmax", "instancenorm", "groupnorm4", "layernorm",
        "batchnorm_train", "batchnorm_eval", "linear", "cross_entropy", "kd0", "kd1", "kd2",
    ]

    private func golden() throws -> Golden { try Golden("ops") }

    private func assertMatches(
        _ golden: Golden, _ results: [(key: String, value: NDArray)], _ context: String,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        for (key, value) in results {
            let comparison = try golden.compare(value, to: key)
            XCTAssertTrue(comparison.passed, "\(comparison) [\(context)]", file: file, line: line)
        }
    }

    /// Runs case `name`: the op on the stored inputs, its output `y` and the
    /// gradients of ⟨y, gy⟩ stored as `d<input>`.
    private func checkCase(
        _ name: String, inputs: [String], file: StaticString = #filePath, line: UInt = #line,
        _ op: ([Tensor]) -> Tensor
    ) throws {
        let golden = try golden()
        let upstream = Tensor(try golden.floats("\(name)/gy"))
        for createGraph in [false, true] {
            let variables = try inputs.map { Tensor(try golden.floats("\(name)/\($0)")).requiringGradient() }
            let y = op(variables)
            let grads = try gradients(of: (y * upstream).sum(), withRespectTo: variables, createGraph: createGraph)
            let results = [("\(name)/y", y.array)] + zip(inputs, grads).map { ("\(name)/d\($0)", $1.array) }
            try assertMatches(golden, results, "createGraph: \(createGraph)", file: file, line: line)
        }
    }

    func testEveryCaseOfTheFileIsCovered() throws {
        let prefixes = Set(try golden().file.names.map { String($0.prefix { $0 != "/" }) })
        XCTAssertEqual(prefixes, Self.cases)
    }

    // MARK: - Convolution and pooling

    func testConvolution() throws {
        let golden = try golden()
        for index in 0..<6 {
            let name = "conv\(index)"
            let configuration = try golden.integers("\(name)/cfg")
            let hasBias = golden.file.contains("\(name)/b")
            try checkCase(name, inputs: hasBias ? ["x", "w", "b"] : ["x", "w"]) { v in
                v[0].conv2d(
                    weight: v[1], bias: hasBias ? v[2] : nil, stride: configuration[0], padding: configuration[1])
            }
        }
    }

    func testPooling() throws {
        try checkCase("maxpool2", inputs: ["x"]) { $0[0].maxPool2d(kernel: 2, stride: 2) }
        try checkCase("avgpool2", inputs: ["x"]) { $0[0].avgPool2d(kernel: 2, stride: 2) }
        try checkCase("avgpool4", inputs: ["x"]) { $0[0].avgPool2d(kernel: 4, stride: 4) }
    }

    // MARK: - Activations and linear

    func testActivations() throws {
        try checkCase("relu", inputs: ["x"]) { $0[0].relu() }
        try checkCase("leakyrelu", inputs: ["x"]) { $0[0].leakyRelu(slope: 0.01) }
        try checkCase("sigmoid", inputs: ["x"]) { $0[0].sigmoid() }
        try checkCase("swish", inputs: ["x"]) { $0[0].swish() }
        try checkCase("log_softmax", inputs: ["x"]) { $0[0].logSoftmax(axis: -1) }
    }

    func testLinear() throws {
        try checkCase("linear", inputs: ["x", "w", "b"]) { $0[0].linear(weight: $0[1], bias: $0[2]) }
    }

    // MARK: - Normalisation

    func testGroupAndLayerNormalisation() throws {
        let channels = try golden().floats("instancenorm/x").shape[1]
        try checkCase("instancenorm", inputs: ["x", "weight", "bias"]) {
            $0[0].groupNorm(groups: channels, weight: $0[1], bias: $0[2])
        }
        try checkCase("groupnorm4", inputs: ["x", "weight", "bias"]) {
            $0[0].groupNorm(groups: 4, weight: $0[1], bias: $0[2])
        }
        try checkCase("layernorm", inputs: ["x", "weight", "bias"]) {
            $0[0].layerNorm(normalizedRank: 3, weight: $0[1], bias: $0[2])
        }
    }

    func testBatchNormalisationInTraining() throws {
        let golden = try golden()
        let initial = BatchNormStatistics(
            mean: try golden.floats("batchnorm_train/running_mean_in"),
            variance: try golden.floats("batchnorm_train/running_var_in"))
        var statistics = initial
        try checkCase("batchnorm_train", inputs: ["x", "weight", "bias"]) { v in
            statistics = initial
            return v[0].batchNorm(weight: v[1], bias: v[2], statistics: &statistics, training: true, momentum: 0.1)
        }
        try assertMatches(
            golden,
            [
                ("batchnorm_train/running_mean_out", statistics.mean),
                ("batchnorm_train/running_var_out", statistics.variance),
            ],
            "running statistics after one step")
    }

    func testBatchNormalisationInEvaluation() throws {
        let golden = try golden()
        let running = BatchNormStatistics(
            mean: try golden.floats("batchnorm_eval/running_mean"),
            variance: try golden.floats("batchnorm_eval/running_var"))
        let weight = Tensor(try golden.floats("batchnorm_eval/weight"))
        let bias = Tensor(try golden.floats("batchnorm_eval/bias"))
        var statistics = running
        try checkCase("batchnorm_eval", inputs: ["x"]) { v in
            v[0].batchNorm(weight: weight, bias: bias, statistics: &statistics, training: false)
        }
        XCTAssertEqual(statistics, running, "evaluation mode must not update the running statistics")
    }

    // MARK: - Losses

    /// Checks a loss case: the stored `loss` and the gradient `d<input>` of it.
    private func checkLoss(_ name: String, input: String, _ loss: (Tensor) -> Tensor) throws {
        let golden = try golden()
        for createGraph in [false, true] {
            let variable = Tensor(try golden.floats("\(name)/\(input)")).requiringGradient()
            let value = loss(variable)
            XCTAssertEqual(value.shape, [], "\(name): a loss is a scalar")
            let gradient = try gradients(of: value, withRespectTo: [variable], createGraph: createGraph)[0]
            try assertMatches(
                golden, [("\(name)/loss", value.array), ("\(name)/d\(input)", gradient.array)],
                "createGraph: \(createGraph)")
        }
    }

    func testCrossEntropy() throws {
        let labels = try golden().integers("cross_entropy/labels")
        try checkLoss("cross_entropy", input: "logits") { crossEntropy(logits: $0, labels: labels) }
    }

    /// L = α·τ²·KL(softmax(t/τ) ‖ softmax(s/τ)) + (1 − α)·CE(s, y), teacher constant.
    func testKnowledgeDistillationLoss() throws {
        let golden = try golden()
        for index in 0..<3 {
            let name = "kd\(index)"
            let settings = try golden.file.doubles("\(name)/tau_alpha").values
            let (tau, alpha) = (Float(settings[0]), Float(settings[1]))
            let teacher = Tensor(try golden.floats("\(name)/teacher"))
            let labels = try golden.integers("\(name)/labels")
            try checkLoss(name, input: "student") { student in
                let kl = klDivergence(
                    logInput: (student / tau).logSoftmax(axis: -1), target: (teacher / tau).softmax(axis: -1))
                return alpha * tau * tau * kl + (1 - alpha) * crossEntropy(logits: student, labels: labels)
            }
        }
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillTensor

/// Every case of `ops.safetensors`: each op on the stored Float32 inputs, its
/// output `y` and the gradients of ⟨y, gy⟩ (or of the loss) stored as
/// `d<input>`. Gradients are taken twice, without and with `createGraph`,
/// because ops back-propagate through fused kernels in the first case and
/// through differentiable `Tensor` ops (the second-order path of gradient
/// matching) in the second.
enum OpsCheck {
    static let cases: Set<String> = [
        "conv0", "conv1", "conv2", "conv3", "conv4", "conv5", "maxpool2", "avgpool2", "avgpool4",
        "relu", "leakyrelu", "sigmoid", "swish", "log_softmax", "instancenorm", "groupnorm4", "layernorm",
        "batchnorm_train", "batchnorm_eval", "linear", "cross_entropy", "kd0", "kd1", "kd2",
    ]

    static func run(_ golden: Golden) throws -> [GoldenComparison] {
        let present = Set(golden.file.names.map { String($0.prefix { $0 != "/" }) })
        guard present == cases else {
            throw SelfTestError.unexpectedCases(
                file: golden.name, unknown: present.subtracting(cases).sorted(), missing: cases.subtracting(present).sorted())
        }
        var results: [GoldenComparison] = []
        for index in 0..<6 {
            let name = "conv\(index)"
            let configuration = try convolutionSettings(golden, name)
            let hasBias = golden.file.contains("\(name)/b")
            results += try operation(golden, name, inputs: hasBias ? ["x", "w", "b"] : ["x", "w"]) { v in
                v[0].conv2d(weight: v[1], bias: hasBias ? v[2] : nil, stride: configuration[0], padding: configuration[1])
            }
        }
        for (name, kernel) in [("maxpool2", 2), ("avgpool2", 2), ("avgpool4", 4)] {
            let x = try golden.floats("\(name)/x", rank: 4).shape
            try golden.require(x[2] >= kernel && x[3] >= kernel, "\(name)/x", "has shape \(x), smaller than the \(kernel)×\(kernel) pool")
        }
        results += try operation(golden, "maxpool2", inputs: ["x"]) { $0[0].maxPool2d(kernel: 2, stride: 2) }
        results += try operation(golden, "avgpool2", inputs: ["x"]) { $0[0].avgPool2d(kernel: 2, stride: 2) }
        results += try operation(golden, "avgpool4", inputs: ["x"]) { $0[0].avgPool2d(kernel: 4, stride: 4) }
        results += try operation(golden, "relu", inputs: ["x"]) { $0[0].relu() }
        results += try operation(golden, "leakyrelu", inputs: ["x"]) { $0[0].leakyRelu(slope: 0.01) }
        results += try operation(golden, "sigmoid", inputs: ["x"]) { $0[0].sigmoid() }
        results += try operation(golden, "swish", inputs: ["x"]) { $0[0].swish() }
        _ = try golden.floats("log_softmax/x", rank: 2)
        results += try operation(golden, "log_softmax", inputs: ["x"]) { $0[0].logSoftmax(axis: -1) }
        let (x, w) = (try golden.floats("linear/x", rank: 2).shape, try golden.floats("linear/w", rank: 2).shape)
        try golden.require(w[1] == x[1], "linear/w", "has shape \(w) for an input of \(x[1]) features")
        _ = try golden.floats("linear/b", shape: [w[0]])
        results += try operation(golden, "linear", inputs: ["x", "w", "b"]) { $0[0].linear(weight: $0[1], bias: $0[2]) }
        results += try normalizations(golden)
        results += try losses(golden)
        return results
    }

    /// The op on the stored inputs: `y` and the gradients of ⟨y, gy⟩, without and with `createGraph`.
    private static func operation(
        _ golden: Golden, _ name: String, inputs: [String], _ op: ([Tensor]) -> Tensor
    ) throws -> [GoldenComparison] {
        let upstream = Tensor(try golden.floats("\(name)/gy"))
        var results: [GoldenComparison] = []
        for createGraph in [false, true] {
            let variables = try inputs.map { Tensor(try golden.floats("\(name)/\($0)")).requiringGradient() }
            let y = op(variables)
            try golden.require(upstream.shape == y.shape, "\(name)/gy", "has shape \(upstream.shape), the output \(y.shape)")
            let grads = try gradients(of: (y * upstream).sum(), withRespectTo: variables, createGraph: createGraph)
            results.append(try golden.compare(y.array, to: "\(name)/y"))
            for (input, gradient) in zip(inputs, grads) {
                results.append(try golden.compare(gradient.array, to: "\(name)/d\(input)"))
            }
        }
        return results
    }

    /// `[stride, padding]` of convolution `name`, checked against its `x`, `w` and `b`
    /// as `Conv2dGeometry` requires them: ranks, channels, and a kernel that fits the padded input.
    private static func convolutionSettings(_ golden: Golden, _ name: String) throws -> [Int] {
        let x = try golden.floats("\(name)/x", rank: 4).shape, w = try golden.floats("\(name)/w", rank: 4).shape
        try golden.require(w[1] == x[1], "\(name)/w", "has shape \(w) for an input of \(x[1]) channels")
        if golden.file.contains("\(name)/b") { _ = try golden.floats("\(name)/b", shape: [w[0]]) }
        let largest = max(x[2], x[3])
        let configuration = try golden.integers("\(name)/cfg", count: 2, in: 0...largest)
        try golden.require(configuration[0] >= 1, "\(name)/cfg", "has stride 0; a stride is at least 1")
        try golden.require(
            x[2] + 2 * configuration[1] >= w[2] && x[3] + 2 * configuration[1] >= w[3], "\(name)/cfg",
            "pads by \(configuration[1]), too little for kernel \(w) on input \(x)")
        return configuration
    }

    /// The input of normalisation `name` (rank 4), with each of `parameters` shaped as the op requires:
    /// one value per channel, or (`perSample`) the shape of one sample, as layer norm takes them.
    @discardableResult
    private static func normalizationInput(
        _ golden: Golden, _ name: String, parameters: [String], perSample: Bool = false, groups: Int? = nil
    ) throws -> [Int] {
        let x = try golden.floats("\(name)/x", rank: 4).shape
        if let groups { try golden.require(x[1] % groups == 0, "\(name)/x", "has \(x[1]) channels, not a multiple of \(groups) groups") }
        for parameter in parameters { _ = try golden.floats("\(name)/\(parameter)", shape: perSample ? Array(x.dropFirst()) : [x[1]]) }
        return x
    }

    private static func normalizations(_ golden: Golden) throws -> [GoldenComparison] {
        let channels = try normalizationInput(golden, "instancenorm", parameters: ["weight", "bias"])[1]
        try normalizationInput(golden, "groupnorm4", parameters: ["weight", "bias"], groups: 4)
        try normalizationInput(golden, "layernorm", parameters: ["weight", "bias"], perSample: true)
        try normalizationInput(golden, "batchnorm_train", parameters: ["weight", "bias", "running_mean_in", "running_var_in"])
        try normalizationInput(golden, "batchnorm_eval", parameters: ["weight", "bias", "running_mean", "running_var"])
        var results = try operation(golden, "instancenorm", inputs: ["x", "weight", "bias"]) {
            $0[0].groupNorm(groups: channels, weight: $0[1], bias: $0[2])
        }
        results += try operation(golden, "groupnorm4", inputs: ["x", "weight", "bias"]) {
            $0[0].groupNorm(groups: 4, weight: $0[1], bias: $0[2])
        }
        results += try operation(golden, "layernorm", inputs: ["x", "weight", "bias"]) {
            $0[0].layerNorm(normalizedRank: 3, weight: $0[1], bias: $0[2])
        }

        let initial = BatchNormStatistics(
            mean: try golden.floats("batchnorm_train/running_mean_in"),
            variance: try golden.floats("batchnorm_train/running_var_in"))
        var statistics = initial
        results += try operation(golden, "batchnorm_train", inputs: ["x", "weight", "bias"]) { v in
            statistics = initial
            return v[0].batchNorm(weight: v[1], bias: v[2], statistics: &statistics, training: true, momentum: 0.1)
        }
        results.append(try golden.compare(statistics.mean, to: "batchnorm_train/running_mean_out"))
        results.append(try golden.compare(statistics.variance, to: "batchnorm_train/running_var_out"))

        // Evaluation mode uses the running statistics and must leave them as they were.
        let running = BatchNormStatistics(
            mean: try golden.floats("batchnorm_eval/running_mean"), variance: try golden.floats("batchnorm_eval/running_var"))
        let weight = Tensor(try golden.floats("batchnorm_eval/weight"))
        let bias = Tensor(try golden.floats("batchnorm_eval/bias"))
        var evaluated = running
        results += try operation(golden, "batchnorm_eval", inputs: ["x"]) { v in
            v[0].batchNorm(weight: weight, bias: bias, statistics: &evaluated, training: false)
        }
        guard evaluated == running else {
            throw SelfTestError.structureMismatch(
                file: golden.name, network: "batchnorm_eval", reason: "evaluation mode changed the running statistics")
        }
        return results
    }

    /// Cross-entropy and L = α·τ²·KL(softmax(t/τ) ‖ softmax(s/τ)) + (1 − α)·CE(s, y), teacher constant.
    private static func losses(_ golden: Golden) throws -> [GoldenComparison] {
        let labels = try classLabels(golden, "cross_entropy", input: "logits")
        var results = try loss(golden, "cross_entropy", input: "logits") { crossEntropy(logits: $0, labels: labels) }
        for index in 0..<3 {
            let name = "kd\(index)"
            let settings = try golden.file.doubles("\(name)/tau_alpha").values
            try golden.require(settings.count == 2, "\(name)/tau_alpha", "holds \(settings.count) numbers, not 2 [τ, α]")
            let (tau, alpha) = (Float(settings[0]), Float(settings[1]))
            let labels = try classLabels(golden, name, input: "student")
            let teacher = Tensor(try golden.floats("\(name)/teacher", shape: try golden.floats("\(name)/student").shape))
            results += try loss(golden, name, input: "student") { student in
                let kl = klDivergence(
                    logInput: (student / tau).logSoftmax(axis: -1), target: (teacher / tau).softmax(axis: -1))
                return alpha * tau * tau * kl + (1 - alpha) * crossEntropy(logits: student, labels: labels)
            }
        }
        return results
    }

    /// The labels of loss case `name`, one in `0..<C` per row of its `[N, C]` input.
    private static func classLabels(_ golden: Golden, _ name: String, input: String) throws -> [Int] {
        let logits = try golden.floats("\(name)/\(input)", rank: 2).shape
        return try golden.labels("\(name)/labels", rows: logits[0], classes: logits[1])
    }

    /// A loss case: the stored `loss` and its gradient `d<input>`, without and with `createGraph`.
    private static func loss(
        _ golden: Golden, _ name: String, input: String, _ loss: (Tensor) -> Tensor
    ) throws -> [GoldenComparison] {
        var results: [GoldenComparison] = []
        for createGraph in [false, true] {
            let variable = Tensor(try golden.floats("\(name)/\(input)")).requiringGradient()
            let value = loss(variable)
            let gradient = try gradients(of: value, withRespectTo: [variable], createGraph: createGraph)[0]
            results.append(try golden.compare(value.array, to: "\(name)/loss"))
            results.append(try golden.compare(gradient.array, to: "\(name)/d\(input)"))
        }
        return results
    }
}

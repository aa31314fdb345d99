// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillNN
import DistillTensor
import DistillZoo

/// Every network of a `nets_*` file: parameter and running-statistic names,
/// shapes and order as PyTorch's state_dict; under the golden fill, the
/// train-mode logits, the loss and every parameter gradient, and the
/// eval-mode logits where BatchNorm is present.
enum NetworkCheck {
    static func run(_ golden: Golden, channels: Int, imageSize: Int) throws -> [GoldenComparison] {
        let manifest = try GoldenManifest(golden)
        var results: [GoldenComparison] = []
        for name in manifest.networks.keys.sorted() {
            results += try check(name, manifest.network(name), golden, channels: channels, imageSize: imageSize)
        }
        return results
    }

    private static func check(
        _ name: String, _ reference: GoldenNetwork, _ golden: Golden, channels: Int, imageSize: Int
    ) throws -> [GoldenComparison] {
        let classes = 10
        var generator = SeededGenerator(seed: 0)
        let net = try Zoo.make(name: name, channels: channels, imageSize: imageSize, classes: classes, using: &generator)
        try checkStructure(net, reference, name: name, file: golden.name)
        let filled = StateDict(
            (reference.filledParameters() + reference.filledBuffers()).map { ($0.name, .float($0.value)) })
        try net.load(stateDict: filled)

        let images = try golden.floats("\(name)/x", rank: 4)
        try golden.require(
            Array(images.shape.dropFirst()) == [channels, imageSize, imageSize], "\(name)/x",
            "has shape \(images.shape); the network takes [N, \(channels), \(imageSize), \(imageSize)]")
        let x = Tensor(images)
        let labels = try golden.labels("\(name)/y", rows: images.shape[0], classes: classes)
        net.train()
        let logits = net(x)
        let loss = crossEntropy(logits: logits, labels: labels)
        let grads = try gradients(of: loss, withRespectTo: net.parameters)
        var results = [
            try golden.compare(logits.array, to: "\(name)/logits_train"),
            try golden.compare(loss.array, to: "\(name)/loss_train"),
        ]
        // Null tolerances (zero in exact arithmetic) get the README's absolute bound.
        let largestGradient = try reference.params.map {
            try golden.file.doubles("\(name)/gradstat/\($0.name)").values[3]
        }.max() ?? 0
        let absoluteBound = 1e-3 * largestGradient
        for (spec, gradient) in zip(reference.params, grads) {
            let full = "\(name)/grad/\(spec.name)"
            results.append(
                golden.file.contains(full)
                    ? try golden.compare(gradient.array, to: full, absoluteBound: absoluteBound)
                    : try golden.compareGradientStatistics(
                        gradient.array, to: "\(name)/gradstat/\(spec.name)", absoluteBound: absoluteBound))
        }

        if golden.file.contains("\(name)/logits_eval") {
            try net.load(stateDict: filled)  // the training pass moved the running statistics
            net.eval()
            let evaluated = withoutGradients { net(x) }
            results.append(try golden.compare(evaluated.array, to: "\(name)/logits_eval"))
        } else if !reference.buffers.isEmpty {
            throw SelfTestError.structureMismatch(
                file: golden.name, network: name, reason: "has running statistics but no logits_eval to check them")
        }
        return results
    }

    /// Names, shapes and order of parameters and running statistics against the manifest.
    private static func checkStructure(_ net: Network, _ reference: GoldenNetwork, name: String, file: String) throws {
        let parameters = net.namedParameters()
        if parameters.map(\.name) != reference.params.map(\.name) {
            throw SelfTestError.structureMismatch(
                file: file, network: name,
                reason: "parameters \(parameters.map(\.name)) differ from the manifest's \(reference.params.map(\.name))")
        }
        for (parameter, spec) in zip(parameters, reference.params) where parameter.tensor.shape != spec.shape {
            throw SelfTestError.structureMismatch(
                file: file, network: name,
                reason: "'\(spec.name)' has shape \(parameter.tensor.shape), the manifest \(spec.shape)")
        }
        let buffers = net.stateDict().entries.filter {
            $0.key.hasSuffix(".running_mean") || $0.key.hasSuffix(".running_var")
        }
        if buffers.map(\.key) != reference.buffers.map(\.name) || buffers.map(\.value.shape) != reference.buffers.map(\.shape) {
            throw SelfTestError.structureMismatch(
                file: file, network: name,
                reason: "running statistics \(buffers.map(\.key)) differ from the manifest's \(reference.buffers.map(\.name))")
        }
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillMethods
import DistillNN
import DistillTensor
import DistillZoo

/// The DC and DM matching losses and their gradients with respect to the
/// synthetic images (`dc*.safetensors`, `dm.safetensors`), through the
/// second-order graph for DC.
enum MatchingCheck {
    /// Every case and distance of a gradient-matching file. Networks with
    /// BatchNorm first see `x_bn` in train mode once, then run in eval mode, as in DC.
    static func gradientMatching(_ golden: Golden) throws -> [GoldenComparison] {
        let manifest = try GoldenManifest(golden)
        var results: [GoldenComparison] = []
        for key in manifest.networks.keys.sorted() {
            let reference = try manifest.network(key)
            let network = try makeFilledNetwork(reference, name: key, file: golden.name)
            let calibration = golden.file.contains("\(key)/x_bn") ? "\(key)/x_bn" : "\(key)/x_real"
            let calibrated = GradientMatching.calibrateBatchNorm(
                of: network, with: Tensor(try images(golden, calibration, reference)))
            if calibrated != golden.file.contains("\(key)/x_bn") {
                throw SelfTestError.structureMismatch(
                    file: golden.name, network: key,
                    reason: calibrated ? "has BatchNorm but the file gives no x_bn" : "has no BatchNorm but the file gives x_bn")
            }
            if !calibrated { network.train() }
            let real = Tensor(try images(golden, "\(key)/x_real", reference))
            let classes = reference.params.last?.shape.first ?? 0
            let label = try golden.labels("\(key)/label", rows: 1, classes: classes)[0]
            for distance in MatchingDistance.allCases {
                let synthetic = Tensor(try images(golden, "\(key)/x_syn", reference)).requiringGradient()
                let loss = try GradientMatching.classLoss(
                    network: network, real: real, synthetic: synthetic, label: label, distance: distance)
                let dsyn = try gradients(of: loss, withRespectTo: [synthetic])[0]
                results.append(try golden.compare(loss.array, to: "\(key)/\(distance)/loss"))
                results.append(try golden.compare(dsyn.array, to: "\(key)/\(distance)/dsyn"))
            }
        }
        return results
    }

    /// Every case of a distribution-matching file: the real embedding, the loss and its dsyn.
    static func distributionMatching(_ golden: Golden) throws -> [GoldenComparison] {
        let manifest = try GoldenManifest(golden)
        var results: [GoldenComparison] = []
        for key in manifest.networks.keys.sorted() {
            let reference = try manifest.network(key)
            let network = try makeFilledNetwork(reference, name: key, file: golden.name)
            guard let embedding = network as? any Embedding else {
                throw SelfTestError.structureMismatch(file: golden.name, network: key, reason: "has no embedding")
            }
            network.train()
            let real = Tensor(try images(golden, "\(key)/x_real", reference))
            let synthetic = Tensor(try images(golden, "\(key)/x_syn", reference)).requiringGradient()
            results.append(try golden.compare(embedding.embed(real).array, to: "\(key)/embed_real"))
            let loss = DistributionMatching.classLoss(embedding: embedding, real: real, synthetic: synthetic)
            let dsyn = try gradients(of: loss, withRespectTo: [synthetic])[0]
            results.append(try golden.compare(loss.array, to: "\(key)/loss"))
            results.append(try golden.compare(dsyn.array, to: "\(key)/dsyn"))
        }
        return results
    }

    /// Images of `key`, `[N, channel, im, im]` as the manifest's network takes them.
    /// Called after `makeFilledNetwork`, which requires `channel` and `im`.
    private static func images(_ golden: Golden, _ key: String, _ reference: GoldenNetwork) throws -> NDArray {
        let images = try golden.floats(key, rank: 4)
        let expected = [reference.channel ?? 0, reference.im ?? 0, reference.im ?? 0]
        try golden.require(
            Array(images.shape.dropFirst()) == expected, key,
            "has shape \(images.shape); the network takes [N, \(expected.map(String.init).joined(separator: ", "))]")
        return images
    }

    /// The manifest's network (name plus ConvNet keyword arguments) with the golden parameter fill.
    private static func makeFilledNetwork(_ reference: GoldenNetwork, name key: String, file: String) throws -> Network {
        guard let name = reference.net, let channels = reference.channel, let imageSize = reference.im,
            let classes = reference.params.last?.shape.first
        else {
            throw SelfTestError.structureMismatch(
                file: file, network: key, reason: "the manifest lacks net, channel, im or a classifier")
        }
        // DC's ConvNet keyword `act_` is the spec key `act`.
        let arguments = (reference.kwargs ?? [:]).sorted { $0.key < $1.key }
            .map { "\($0.key == "act_" ? "act" : $0.key)=\($0.value)" }
        let architecture = arguments.isEmpty ? name : "\(name)(\(arguments.joined(separator: ",")))"
        var generator = SeededGenerator(seed: 0)
        let network = try Zoo.make(
            name: architecture, channels: channels, imageSize: imageSize, classes: classes, using: &generator)
        let filled = (reference.filledParameters() + reference.filledBuffers()).map {
            ($0.name, StateTensor.float($0.value))
        }
        try network.load(stateDict: StateDict(filled))
        return network
    }
}

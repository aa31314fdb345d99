// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillData
import DistillNN
import DistillTensor
import DistillZoo

extension GradientMatching {
    /// The matching loss of one class: the distance between the parameter
    /// gradients of the synthetic and of the real images.
    ///
    ///     g_real = ∇θ CE(network(real), label)          (constants)
    ///     g_syn  = ∇θ CE(network(synthetic), label)     (graph kept: second order)
    ///     loss   = D(g_syn, g_real)
    ///
    /// The network is used in its current mode (DC freezes BatchNorm first;
    /// see `calibrateBatchNorm(of:with:)`).
    ///
    /// - Parameters:
    ///   - network: the current network; its parameters must be leaf variables.
    ///   - real: real images of class `label`, `[N_r, C, H, W]`.
    ///   - synthetic: synthetic images of class `label`, `[N_s, C, H, W]`, usually with a graph to the learned images.
    ///   - label: the class of both batches.
    ///   - distance: the gradient distance D.
    /// - Returns: a rank-0 tensor differentiable with respect to `synthetic`.
    public static func classLoss(
        network: Network, real: Tensor, synthetic: Tensor, label: Int, distance: MatchingDistance
    ) throws -> Tensor {
        let parameters = network.parameters
        let realLoss = crossEntropy(logits: network(real), labels: Array(repeating: label, count: real.shape[0]))
        let realGradients = try gradients(of: realLoss, withRespectTo: parameters)
        let syntheticLoss = crossEntropy(
            logits: network(synthetic), labels: Array(repeating: label, count: synthetic.shape[0]))
        let syntheticGradients = try gradients(of: syntheticLoss, withRespectTo: parameters, createGraph: true)
        return distance(synthetic: syntheticGradients, real: realGradients)
    }

    /// Sets BatchNorm running statistics from `images` and freezes them, as DC
    /// does before every matching step: one forward pass in training mode
    /// (momentum 0.1 update), then every BatchNorm layer in evaluation mode
    /// while the rest of the network stays in training mode.
    ///
    /// - Parameters:
    ///   - network: any network; without BatchNorm layers nothing happens.
    ///   - images: `[N, C, H, W]`, 16 real images of every class in DC.
    /// - Returns: whether the network has BatchNorm layers.
    @discardableResult
    public static func calibrateBatchNorm(of network: Network, with images: Tensor) -> Bool {
        let layers = batchNormLayers(of: network)
        guard !layers.isEmpty else { return false }
        network.train()
        _ = withoutGradients { network(images) }
        for layer in layers { layer.eval() }
        return true
    }

    /// Trains `network` on the synthetic set (a detached copy) for `epochs`
    /// epochs: shuffled batches, cross-entropy, one optimiser step per batch,
    /// per-image DSA augmentation when given (DC's `epoch('train', …)`).
    ///
    /// - Parameters:
    ///   - network: trained in place, in its current mode.
    ///   - synthetic: the images and labels to train on.
    ///   - epochs: passes over the set, ≥ 0.
    ///   - batchSize: images per step, > 0.
    ///   - augmentation: a DSA strategy applied with fresh per-image draws, or nil.
    ///   - optimizer: the network's optimiser.
    ///   - generator: the source of the shuffles and augmentation draws.
    static func train(
        _ network: Network, on synthetic: SyntheticSet, epochs: Int, batchSize: Int, augmentation: DSAStrategy?,
        optimizer: inout SGD, using generator: inout SeededGenerator
    ) throws {
        let images = synthetic.images
        let labels = synthetic.labels
        for _ in 0..<epochs {
            let order = shuffledIndices(count: images.shape[0], using: &generator)
            for start in stride(from: 0, to: order.count, by: batchSize) {
                let batch = Array(order[start..<min(start + batchSize, order.count)])
                var x = Tensor(images.rows(batch))
                if let augmentation { x = withoutGradients { augmentation(x, using: &generator) } }
                let loss = crossEntropy(logits: network(x), labels: batch.map { labels[$0] })
                optimizer.step(network, gradients: try gradients(of: loss, withRespectTo: network.parameters))
            }
        }
    }
}

/// Every BatchNorm layer of `network`, depth first.
func batchNormLayers(of network: Module) -> [BatchNorm2d] {
    var found: [BatchNorm2d] = []
    func visit(_ module: Module) {
        if let layer = module as? BatchNorm2d { found.append(layer) }
        for child in module.children { visit(child.module) }
    }
    visit(network)
    return found
}

/// A uniformly random permutation of `0..<count` (Fisher–Yates with
/// Lemire's bounded draws), written out so the stream never depends on the
/// standard library's shuffle.
func shuffledIndices(count: Int, using generator: inout SeededGenerator) -> [Int] {
    var indices = Array(0..<count)
    guard count > 1 else { return indices }
    for position in stride(from: count - 1, to: 0, by: -1) {
        indices.swapAt(position, uniformIndex(below: position + 1, using: &generator))
    }
    return indices
}

/// A uniform integer in `0..<bound` by multiply-and-reject.
func uniformIndex(below bound: Int, using generator: inout SeededGenerator) -> Int {
    precondition(bound > 0, "uniformIndex: bound \(bound) must be positive")
    let range = UInt64(bound)
    var product = generator.next().multipliedFullWidth(by: range)
    if product.low < range {
        let threshold = (0 &- range) % range
        while product.low < threshold { product = generator.next().multipliedFullWidth(by: range) }
    }
    return Int(product.high)
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillData
import DistillNN
import DistillTensor
import Foundation

/// One line of training progress, reported after every batch.
public struct TrainingProgress: Sendable {
    /// The current pass (0 … epochs).
    public var epoch: Int
    public var epochs: Int
    /// Batches finished in the current pass, of `batchesPerEpoch`.
    public var batch: Int
    public var batchesPerEpoch: Int
    /// Mean training loss over the current pass so far.
    public var loss: Float
    /// Training throughput since the start.
    public var imagesPerSecond: Double
    /// Estimated seconds until training ends.
    public var secondsRemaining: Double
}

/// What happened while training one network.
public struct TrainingOutcome: Sendable, Codable, Equatable {
    /// Mean loss of the last pass (non-finite when training diverged).
    public var finalLoss: Float
    /// The loss became non-finite; training stopped there.
    public var lossDiverged: Bool
    /// Knowledge distillation fell back to cross-entropy (see `KnowledgeDistillation`).
    public var fellBackToCrossEntropy: Bool
    public var seconds: Double
}

/// Trains `network` from its current weights on a labelled set with the
/// evaluation protocol.
///
/// - Parameters:
///   - network: a freshly initialised network (put in train mode here).
///   - images: [N, C, H, W] in normalised space.
///   - labels: N class indices.
///   - trainingProtocol: optimiser, schedule, batch size and augmentation.
///   - distillation: a teacher for knowledge distillation, or nil for plain cross-entropy.
///   - generator: source of shuffles and augmentation draws.
///   - progress: called after every batch.
public func train(
    _ network: any UnaryLayer, images: NDArray, labels: [Int], protocol trainingProtocol: TrainingProtocol,
    distillation: KnowledgeDistillation? = nil, using generator: inout SeededGenerator,
    progress: ((TrainingProgress) -> Void)? = nil
) -> TrainingOutcome {
    precondition(images.rank == 4 && images.shape[0] == labels.count, "train: images \(images.shape) for \(labels.count) labels")
    let start = Date()
    var optimizer = SGD(
        learningRate: trainingProtocol.learningRate, momentum: trainingProtocol.momentum,
        weightDecay: trainingProtocol.weightDecay)
    var temperature = distillation?.temperature ?? 1
    var useDistillation = distillation != nil
    var fellBack = false
    var lastLoss: Float = .nan
    network.train()
    distillation?.teacher.eval()
    let count = labels.count
    let batchesPerEpoch = (count + trainingProtocol.batchSize - 1) / trainingProtocol.batchSize
    let totalBatches = batchesPerEpoch * (trainingProtocol.epochs + 1)
    var imagesSeen = 0
    for pass in 0...trainingProtocol.epochs {
        var order = Array(0..<count)
        order.shuffle(using: &generator)
        var lossSum = 0.0
        for batchStart in stride(from: 0, to: count, by: trainingProtocol.batchSize) {
            let batchIndices = Array(order[batchStart..<min(batchStart + trainingProtocol.batchSize, count)])
            let batchLabels = batchIndices.map { labels[$0] }
            let batch = augment(images.rows(batchIndices), trainingProtocol.augmentation, using: &generator)
            var loss = lossOf(network, batch, batchLabels, distillation: useDistillation ? distillation : nil, temperature: temperature)
            if !loss.scalar.isFinite, useDistillation, distillation?.fallsBackOnNonFiniteLoss == true {
                useDistillation = false
                fellBack = true
                loss = lossOf(network, batch, batchLabels, distillation: nil, temperature: temperature)
            }
            guard loss.scalar.isFinite else {
                return TrainingOutcome(
                    finalLoss: loss.scalar, lossDiverged: true, fellBackToCrossEntropy: fellBack,
                    seconds: Date().timeIntervalSince(start))
            }
            lossSum += Double(loss.scalar) * Double(batchIndices.count)
            let grads = try! gradients(of: loss, withRespectTo: network.parameters)
            optimizer.step(network, gradients: grads)
            imagesSeen += batchIndices.count
            if let progress {
                let elapsed = Date().timeIntervalSince(start)
                let batchesDone = pass * batchesPerEpoch + batchStart / trainingProtocol.batchSize + 1
                progress(
                    TrainingProgress(
                        epoch: pass, epochs: trainingProtocol.epochs, batch: batchesDone - pass * batchesPerEpoch,
                        batchesPerEpoch: batchesPerEpoch, loss: Float(lossSum / Double(batchStart + batchIndices.count)),
                        imagesPerSecond: Double(imagesSeen) / max(elapsed, 1e-9),
                        secondsRemaining: elapsed / Double(batchesDone) * Double(totalBatches - batchesDone)))
            }
        }
        lastLoss = Float(lossSum / Double(max(count, 1)))
        if pass == trainingProtocol.decayPass {
            // The reference code builds a new optimiser here, so momentum restarts.
            optimizer = SGD(
                learningRate: optimizer.learningRate * 0.1, momentum: trainingProtocol.momentum,
                weightDecay: trainingProtocol.weightDecay)
        }
        temperature *= distillation?.temperatureDecay ?? 1
    }
    return TrainingOutcome(
        finalLoss: lastLoss, lossDiverged: false, fellBackToCrossEntropy: fellBack,
        seconds: Date().timeIntervalSince(start))
}

private func lossOf(
    _ network: any UnaryLayer, _ batch: Tensor, _ labels: [Int], distillation: KnowledgeDistillation?,
    temperature: Float
) -> Tensor {
    let logits = network(batch)
    guard let distillation else { return crossEntropy(logits: logits, labels: labels) }
    let teacherLogits = withoutGradients { distillation.teacher(batch.detached()) }
    return knowledgeDistillationLoss(
        student: logits, teacher: teacherLogits, labels: labels, temperature: temperature, alpha: distillation.alpha)
}

private func augment(
    _ images: NDArray, _ augmentation: TrainingProtocol.Augmentation, using generator: inout SeededGenerator
) -> Tensor {
    switch augmentation {
    case .none: return Tensor(images)
    case .dc(let strategy): return Tensor(strategy(images, using: &generator))
    case .dsa(let strategy): return withoutGradients { strategy(Tensor(images), using: &generator) }
    }
}

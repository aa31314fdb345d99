// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillCluster
import DistillData
import DistillNN
import DistillTensor
import DistillZoo
import Foundation

/// Dataset condensation by distribution matching (DM: Zhao and Bilen, WACV
/// 2023), with networks drawn from a model pool.
///
/// One iteration:
///
///     ψ ← fresh network of an architecture drawn from the pool (train mode, parameters frozen)
///     L = Σ_c ‖mean ψ(A_c(R_c)) − mean ψ(A_c(S_c))‖²      ψ the embedding, R_c a real batch of class c
///     S ← S − lr_img · momentum-SGD(∂L/∂S)
///
/// with A_c one siamese DSA draw per class (the identity without augmentation).
/// Networks with BatchNorm embed all classes in one batch, real and synthetic
/// separately, as the reference code does (per-class batches of one
/// synthetic image would have degenerate batch statistics).
///
/// With `--pool-step main` the gradient of a member other than the main model
/// takes the size of the main model's latest one first (`PoolStepScaling`).
///
/// Departures from the reference code: per-iteration and per-class generators
/// derived from the run's seed (see `ClassStreams`) replace the global torch
/// RNG and DSA's time-based seeds.
public struct DistributionMatching: CondensationMethod {
    public let configuration: DistributionMatchingConfiguration
    /// The real training images (a rank reads only those of its own classes).
    public let data: any RealImageSource
    /// The processes sharing the classes; a single process owns them all.
    public let group: any ProcessGroup

    /// A distribution-matching run over `data`.
    /// - Throws: `PoolError.memberWithoutEmbedding`, `CondensationError` (non-square images,
    ///   an empty class), `ZooError.unsupportedInput`.
    public init(
        configuration: DistributionMatchingConfiguration, data: some RealImageSource,
        group: any ProcessGroup = SingleProcess()
    ) throws {
        try configuration.validate()
        try checkData(data)
        try configuration.pool.validate(
            channels: data.imageShape[0], imageSize: data.imageShape[1], classes: data.classCount,
            requiringEmbedding: true)
        self.configuration = configuration
        self.data = data
        self.group = group
    }

    public var iterations: Int { configuration.iterations }

    public var imageOptimizer: ImageOptimizer {
        ImageOptimizer(learningRate: configuration.learningRateImage, momentum: configuration.momentumImage)
    }

    /// The synthetic set initialised as configured, at iteration 0.
    /// - Throws: `CondensationError.imagesPerClassTooLarge` for `real` initialisation of a small class.
    public func initialState(seed: UInt64) throws -> CondensationState {
        try CondensationState(
            seed: seed, initialization: configuration.initialization, imagesPerClass: configuration.imagesPerClass,
            from: data, optimizer: imageOptimizer)
    }

    /// Performs iteration `state.iteration`: one network, one image update.
    /// - Throws: `CondensationError.stateMismatch`, `PoolError.memberWithoutEmbedding`, or a data error.
    public func step(_ state: inout CondensationState) throws -> IterationReport {
        let start = DispatchTime.now()
        try checkState(state, data: data, imagesPerClass: configuration.imagesPerClass)
        let c = configuration
        var generator = state.nextIterationGenerator
        let probabilities = c.pool.probabilities(adapted: state.poolAdaptation)
        var member = c.pool.sampleIndex(iteration: state.iteration, probabilities: probabilities, using: &generator)
        // Scaled steps need the main model's step size first (see `PoolStepScaling`).
        if c.pool.stepScaling != nil && state.mainStepNorms == nil { member = 0 }
        let architecture = c.pool.architectures[member]
        var initGenerator = generator.split()
        let shape = data.imageShape
        let network = try Zoo.make(
            name: architecture, channels: shape[0], imageSize: shape[1], classes: data.classCount,
            using: &initGenerator)
        guard let embedding = network as? any Embedding else { throw PoolError.memberWithoutEmbedding(architecture) }
        network.train()
        // Constants instead of leaf variables: the backward pass then skips every parameter gradient.
        network.setParameters(network.parameters.map { $0.detached() })

        let ownClasses = group.ownBlock(of: data.classCount)
        var streams = ClassStreams.of(0..<data.classCount, seed: state.seed, iteration: state.iteration)
        /// Class `label`'s real batch and a leaf of its synthetic images, both under the class's DSA draw.
        func batches(of label: Int, drawingReal: Bool) throws -> (real: Tensor?, leaf: Tensor, synthetic: Tensor) {
            var real = try drawingReal ? Tensor(
                data.sample(
                    count: min(c.batchReal, data.imageCount(ofClass: label)), ofClass: label,
                    using: &streams[label]!.real)) : nil
            let leaf = Tensor(state.synthetic.images(ofClass: label)).requiringGradient()
            var synthetic = leaf
            if let strategy = c.augmentation {
                let draw = strategy.draw(
                    using: &streams[label]!.augmentation, batch: 1, height: shape[1], width: shape[2], siamese: true)
                real = real.map { real in withoutGradients { draw.apply(to: real) } }
                synthetic = draw.apply(to: synthetic)
            }
            return (real, leaf, synthetic)
        }

        let lossTotal: Double
        var gradient: NDArray
        if batchNormLayers(of: network).isEmpty {
            // Classes are independent: each rank embeds its own and the gradients are gathered.
            var ownGradients: [Float] = []
            var ownLosses: [Double] = []
            for label in ownClasses {
                let batch = try batches(of: label, drawingReal: true)
                let loss = Self.classLoss(embedding: embedding, real: batch.real!, synthetic: batch.synthetic)
                ownLosses.append(Double(loss.scalar))
                ownGradients += try gradients(of: loss, withRespectTo: [batch.leaf])[0].array.scalars
            }
            // Class blocks follow rank order, so the gathered values are in class order.
            lossTotal = try group.allGather(ownLosses).reduce(0, +)
            gradient = NDArray(shape: state.synthetic.images.shape, scalars: try group.allGather(ownGradients))
        } else {
            // Batch statistics couple the classes: the real batches are gathered and
            // every rank computes the whole (identical) loss and gradient.
            let all = try (0..<data.classCount).map { try batches(of: $0, drawingReal: ownClasses.contains($0)) }
            let imageSize = shape.reduce(1, *)
            let realScalars = try group.allGather(ownClasses.flatMap { all[$0].real!.scalars })
            var offset = 0
            let reals = (0..<data.classCount).map { label in
                let count = min(c.batchReal, data.imageCount(ofClass: label))
                defer { offset += count * imageSize }
                return Tensor(
                    NDArray(shape: [count] + shape, scalars: Array(realScalars[offset..<(offset + count * imageSize)])))
            }
            let loss = Self.jointLoss(embedding: embedding, reals: reals, synthetics: all.map(\.synthetic))
            lossTotal = Double(loss.scalar)
            gradient = NDArray(
                shape: state.synthetic.images.shape,
                scalars: try gradients(of: loss, withRespectTo: all.map(\.leaf)).flatMap(\.array.scalars))
        }
        var mainStepNorms: [Double] = []
        var stepScales: [Double] = []
        if let scaling = c.pool.stepScaling {
            gradient = scaling.apply(
                to: gradient, member: member, outer: 0, reference: state.mainStepNorms,
                mainNorms: &mainStepNorms, factors: &stepScales)
        }
        state.synthetic.images = state.optimizer.step(state.synthetic.images, gradient: gradient)
        if !mainStepNorms.isEmpty { state.mainStepNorms = mainStepNorms }
        let loss = lossTotal / Double(data.classCount)
        if let adaptation = c.pool.adaptation {
            state.poolAdaptation = adaptation.record(
                member: member, loss: loss, in: state.poolAdaptation, memberCount: c.pool.members.count)
        }
        let report = IterationReport(
            iteration: state.iteration, architecture: architecture, loss: loss, seconds: secondsSince(start),
            poolProbabilities: c.pool.adaptation == nil ? nil : probabilities,
            imageStepScales: stepScales.isEmpty ? nil : stepScales)
        state.iteration += 1
        return report
    }

    /// The matching loss of one class: the squared distance between the mean embeddings.
    ///
    ///     loss = ‖mean_i ψ(real_i) − mean_j ψ(synthetic_j)‖²       (real embedding constant)
    ///
    /// - Parameters:
    ///   - embedding: the network ψ, used in its current mode.
    ///   - real: real images of one class, `[N_r, C, H, W]`.
    ///   - synthetic: synthetic images of the same class, `[N_s, C, H, W]`.
    /// - Returns: a rank-0 tensor differentiable with respect to `synthetic`.
    public static func classLoss(embedding: any Embedding, real: Tensor, synthetic: Tensor) -> Tensor {
        let realMean = withoutGradients { embedding.embed(real).mean(alongAxes: [0]) }
        return (realMean - embedding.embed(synthetic).mean(alongAxes: [0])).squared().sum()
    }

    /// The summed class losses with every class embedded in one real and one synthetic batch.
    static func jointLoss(embedding: any Embedding, reals: [Tensor], synthetics: [Tensor]) -> Tensor {
        let realFeatures = withoutGradients { embedding.embed(Tensor.concatenate(reals, axis: 0)) }
        let syntheticFeatures = embedding.embed(Tensor.concatenate(synthetics, axis: 0))
        var loss = Tensor(scalar: 0)
        var realStart = 0
        var syntheticStart = 0
        for (real, synthetic) in zip(reals, synthetics) {
            let realRows = realStart..<(realStart + real.shape[0])
            let syntheticRows = syntheticStart..<(syntheticStart + synthetic.shape[0])
            let realMean = realFeatures.sliced(axis: 0, range: realRows).mean(alongAxes: [0])
            let syntheticMean = syntheticFeatures.sliced(axis: 0, range: syntheticRows).mean(alongAxes: [0])
            loss = loss + (realMean - syntheticMean).squared().sum()
            realStart += real.shape[0]
            syntheticStart += synthetic.shape[0]
        }
        return loss
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillCluster
import DistillData
import DistillNN
import DistillTensor
import DistillZoo
import Foundation

/// Dataset condensation by gradient matching (DC: Zhao, Mopuri and Bilen,
/// ICLR 2021), and with an augmentation strategy its DSA variant (Zhao and
/// Bilen, ICML 2021), with networks drawn from a model pool.
///
/// One iteration:
///
///     θ ← fresh network of an architecture drawn from the pool
///     repeat outer_loop times:
///         if θ has BatchNorm: forward 16 real images per class in train mode, then freeze BatchNorm (eval)
///         L = Σ_c D(∇θ CE(θ(A_c(S_c)), c), ∇θ CE(θ(A_c(R_c)), c))     R_c a real batch of class c
///         S ← S − lr_img · momentum-SGD(∂L/∂S)       ∂L/∂S first scaled under `PoolStepScaling`
///         unless last: train θ on a detached copy of S for inner_loop epochs (CE, SGD lr_net)
///
/// with A_c one siamese DSA draw per class and outer step (the identity for
/// DC) and D a `MatchingDistance`.
///
/// Departures from the reference code: randomness comes from per-iteration
/// and per-class generators derived from the run's seed (so resumed runs are
/// exact and a run split by class over several processes gives the same set)
/// instead of the global torch RNG and DSA's time-based seeds; a class with fewer
/// real images than `batchReal` gives all of them, as `randperm(n)[:batch]` does.
public struct GradientMatching: CondensationMethod {
    public let configuration: GradientMatchingConfiguration
    /// The real training images (a rank reads only those of its own classes).
    public let data: any RealImageSource
    /// The processes sharing the classes; a single process owns them all.
    public let group: any ProcessGroup

    /// A gradient-matching run over `data`.
    ///
    /// Every pool member is built once here so that an architecture that
    /// cannot take the data fails before any work starts.
    /// - Throws: `CondensationError` (non-square images, an empty class),
    ///   `ZooError.unsupportedInput` for a pool member too deep for the images.
    public init(
        configuration: GradientMatchingConfiguration, data: some RealImageSource, group: any ProcessGroup = SingleProcess()
    ) throws {
        try configuration.validate()
        try checkData(data)
        try configuration.pool.validate(
            channels: data.imageShape[0], imageSize: data.imageShape[1], classes: data.classCount,
            requiringEmbedding: false)
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

    /// Performs iteration `state.iteration`: one network, `outerLoop` image updates.
    ///
    /// Each rank of `group` computes the matching gradients of its own block
    /// of classes; the gradients are gathered so that every rank applies the
    /// same update and repeats the same inner loop.
    /// - Throws: `CondensationError.stateMismatch`, a data or network error, `ProcessGroupError`.
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
        var trainGenerator = generator.split()
        let shape = data.imageShape
        let network = try Zoo.make(
            name: architecture, channels: shape[0], imageSize: shape[1], classes: data.classCount,
            using: &initGenerator)
        var networkOptimizer = SGD(learningRate: c.learningRateNetwork)
        let hasBatchNorm = !batchNormLayers(of: network).isEmpty
        let ownClasses = group.ownBlock(of: data.classCount)
        var streams = ClassStreams.of(ownClasses, seed: state.seed, iteration: state.iteration)

        var lossTotal = 0.0
        var mainStepNorms: [Double] = []
        var stepScales: [Double] = []
        for outer in 0..<c.outerLoop {
            if hasBatchNorm {
                let own = try ownClasses.flatMap { label in
                    try data.sample(
                        count: min(c.batchNormImagesPerClass, data.imageCount(ofClass: label)), ofClass: label,
                        using: &streams[label]!.batchNorm
                    ).scalars
                }
                let scalars = try group.allGather(own)
                let imageSize = shape.reduce(1, *)
                Self.calibrateBatchNorm(
                    of: network, with: Tensor(NDArray(shape: [scalars.count / imageSize] + shape, scalars: scalars)))
            }
            var ownGradients: [Float] = []
            var ownLosses: [Double] = []
            for label in ownClasses {
                var real = Tensor(
                    try data.sample(
                        count: min(c.batchReal, data.imageCount(ofClass: label)), ofClass: label,
                        using: &streams[label]!.real))
                let images = Tensor(state.synthetic.images(ofClass: label)).requiringGradient()
                var synthetic = images
                if let strategy = c.augmentation {
                    let draw = strategy.draw(
                        using: &streams[label]!.augmentation, batch: 1, height: shape[1], width: shape[2], siamese: true)
                    real = withoutGradients { draw.apply(to: real) }
                    synthetic = draw.apply(to: synthetic)
                }
                let loss = try Self.classLoss(
                    network: network, real: real, synthetic: synthetic, label: label, distance: c.distance)
                ownLosses.append(Double(loss.scalar))
                ownGradients += try gradients(of: loss, withRespectTo: [images])[0].array.scalars
            }
            // Class blocks follow rank order, so the gathered values are in class order.
            lossTotal += try group.allGather(ownLosses).reduce(0, +)
            var gradient = NDArray(shape: state.synthetic.images.shape, scalars: try group.allGather(ownGradients))
            if let scaling = c.pool.stepScaling {
                gradient = scaling.apply(
                    to: gradient, member: member, outer: outer, reference: state.mainStepNorms,
                    mainNorms: &mainStepNorms, factors: &stepScales)
            }
            state.synthetic.images = state.optimizer.step(state.synthetic.images, gradient: gradient)
            if outer == c.outerLoop - 1 { break }
            network.train()
            try Self.train(
                network, on: state.synthetic, epochs: c.innerLoop, batchSize: c.batchTrain,
                augmentation: c.augmentation, optimizer: &networkOptimizer, using: &trainGenerator)
        }
        let loss = lossTotal / Double(data.classCount * c.outerLoop)
        if !mainStepNorms.isEmpty { state.mainStepNorms = mainStepNorms }
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
}

/// Checks that the data suits the zoo networks and per-class sampling.
func checkData(_ data: some RealImageSource) throws {
    let shape = data.imageShape
    guard shape.count == 3, shape[1] == shape[2] else { throw CondensationError.nonSquareImages(shape: shape) }
    try require(data.classCount > 0, "class count", data.classCount, "the data needs at least one class")
    for label in 0..<data.classCount {
        try require(
            data.imageCount(ofClass: label) > 0, "class", label, "every class needs at least one real image")
    }
}

/// Checks that a (possibly restored) state fits the data and ipc of this run.
func checkState(_ state: CondensationState, data: some RealImageSource, imagesPerClass: Int) throws {
    let expected = [data.classCount * imagesPerClass] + data.imageShape
    guard state.synthetic.images.shape == expected, state.synthetic.imagesPerClass == imagesPerClass else {
        throw CondensationError.stateMismatch(
            expectedShape: expected, actualShape: state.synthetic.images.shape, expectedImagesPerClass: imagesPerClass,
            actualImagesPerClass: state.synthetic.imagesPerClass)
    }
}

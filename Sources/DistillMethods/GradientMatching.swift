// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
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
///         S ← S − lr_img · momentum-SGD(∂L/∂S)
///         unless last: train θ on a detached copy of S for inner_loop epochs (CE, SGD lr_net)
///
/// with A_c one siamese DSA draw per class and outer step (the identity for
/// DC) and D a `MatchingDistance`.
///
/// Departures from the reference code: randomness comes from per-iteration
/// generators derived from the run's seed (so resumed runs are exact) instead
/// of the global torch RNG and DSA's time-based seeds; a class with fewer
/// real images than `batchReal` gives all of them, as `randperm(n)[:batch]` does.
public struct GradientMatching: CondensationMethod {
    public let configuration: GradientMatchingConfiguration
    /// The real training images.
    public let data: any RealImageSource

    /// A gradient-matching run over `data`.
    ///
    /// Every pool member is built once here so that an architecture that
    /// cannot take the data fails before any work starts.
    /// - Throws: `CondensationError` (non-square images, an empty class),
    ///   `ZooError.unsupportedInput` for a pool member too deep for the images.
    public init(configuration: GradientMatchingConfiguration, data: some RealImageSource) throws {
        try configuration.validate()
        try checkData(data)
        try configuration.pool.validate(
            channels: data.imageShape[0], imageSize: data.imageShape[1], classes: data.classCount,
            requiringEmbedding: false)
        self.configuration = configuration
        self.data = data
    }

    public var iterations: Int { configuration.iterations }

    /// The synthetic set initialised as configured, at iteration 0.
    /// - Throws: `CondensationError.imagesPerClassTooLarge` for `real` initialisation of a small class.
    public func initialState(seed: UInt64) throws -> CondensationState {
        try CondensationState(
            seed: seed, initialization: configuration.initialization, imagesPerClass: configuration.imagesPerClass,
            from: data, optimizer: ImageOptimizer(
                learningRate: configuration.learningRateImage, momentum: configuration.momentumImage))
    }

    /// Performs iteration `state.iteration`: one network, `outerLoop` image updates.
    /// - Throws: `CondensationError.stateMismatch`, or a data or network error.
    public func step(_ state: inout CondensationState) throws -> IterationReport {
        let start = DispatchTime.now()
        try checkState(state, data: data, imagesPerClass: configuration.imagesPerClass)
        let c = configuration
        var generator = state.nextIterationGenerator
        let architecture = c.pool.sample(iteration: state.iteration, using: &generator)
        var initGenerator = generator.split()
        var dataGenerator = generator.split()
        var trainGenerator = generator.split()
        let shape = data.imageShape
        let network = try Zoo.make(
            name: architecture, channels: shape[0], imageSize: shape[1], classes: data.classCount,
            using: &initGenerator)
        var networkOptimizer = SGD(learningRate: c.learningRateNetwork)
        let hasBatchNorm = !batchNormLayers(of: network).isEmpty

        var lossTotal = 0.0
        for outer in 0..<c.outerLoop {
            if hasBatchNorm {
                let batch = try realBatch(perClass: c.batchNormImagesPerClass, using: &dataGenerator)
                Self.calibrateBatchNorm(of: network, with: Tensor(batch))
            }
            let images = Tensor(state.synthetic.images).requiringGradient()
            var loss = Tensor(scalar: 0)
            for label in 0..<data.classCount {
                var real = Tensor(
                    try data.sample(
                        count: min(c.batchReal, data.imageCount(ofClass: label)), ofClass: label,
                        using: &dataGenerator))
                var synthetic = images.sliced(axis: 0, range: state.synthetic.rows(ofClass: label))
                if let strategy = c.augmentation {
                    let draw = strategy.draw(
                        using: &dataGenerator, batch: 1, height: shape[1], width: shape[2], siamese: true)
                    real = withoutGradients { draw.apply(to: real) }
                    synthetic = draw.apply(to: synthetic)
                }
                let classLoss = try Self.classLoss(
                    network: network, real: real, synthetic: synthetic, label: label, distance: c.distance)
                loss = loss + classLoss
            }
            lossTotal += Double(loss.scalar)
            let gradient = try gradients(of: loss, withRespectTo: [images])[0]
            state.synthetic.images = state.optimizer.step(state.synthetic.images, gradient: gradient.array)
            if outer == c.outerLoop - 1 { break }
            network.train()
            try Self.train(
                network, on: state.synthetic, epochs: c.innerLoop, batchSize: c.batchTrain,
                augmentation: c.augmentation, optimizer: &networkOptimizer, using: &trainGenerator)
        }
        let report = IterationReport(
            iteration: state.iteration, architecture: architecture,
            loss: lossTotal / Double(data.classCount * c.outerLoop), seconds: secondsSince(start))
        state.iteration += 1
        return report
    }

    /// Up to `perClass` random real images of every class, class by class: `[Σ_c n_c, C, H, W]`.
    private func realBatch(perClass: Int, using generator: inout SeededGenerator) throws -> NDArray {
        var scalars: [Float] = []
        var count = 0
        for label in 0..<data.classCount {
            let n = min(perClass, data.imageCount(ofClass: label))
            scalars += try data.sample(count: n, ofClass: label, using: &generator).scalars
            count += n
        }
        return NDArray(shape: [count] + data.imageShape, scalars: scalars)
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
        throw CondensationError.stateMismatch(expectedShape: expected, actualShape: state.synthetic.images.shape)
    }
}

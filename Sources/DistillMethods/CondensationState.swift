// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor
import Foundation

/// SGD with momentum on the synthetic images, PyTorch's `torch.optim.SGD`
/// semantics (no dampening, no weight decay), with its state exposed so it
/// can be checkpointed.
///
///     b = g                     on the first step
///     b = momentum · b + g      afterwards
///     x ← x − learningRate · b
///
/// `DistillNN.SGD` keeps its buffers private; a run that resumes bit for bit
/// needs the buffer saved, hence this small value type.
public struct ImageOptimizer: Sendable, Equatable, Codable {
    public let learningRate: Float
    public let momentum: Float
    /// The momentum buffer b, nil before the first step; shaped like the images.
    public private(set) var momentumBuffer: NDArray?

    /// - Parameters:
    ///   - learningRate: > 0.
    ///   - momentum: in [0, 1).
    public init(learningRate: Float, momentum: Float) {
        precondition(
            learningRate > 0 && momentum >= 0 && momentum < 1,
            "ImageOptimizer: learning rate \(learningRate) must be > 0 and momentum \(momentum) in [0, 1)")
        self.learningRate = learningRate
        self.momentum = momentum
    }

    /// The images after one step along `gradient`.
    /// - Parameters:
    ///   - images: x, any shape.
    ///   - gradient: ∂L/∂x, shaped like `images`.
    public mutating func step(_ images: NDArray, gradient: NDArray) -> NDArray {
        precondition(
            images.shape == gradient.shape,
            "ImageOptimizer.step: images \(images.shape) but gradient \(gradient.shape)")
        var direction = gradient
        if momentum != 0 {
            if let buffer = momentumBuffer {
                precondition(
                    buffer.shape == images.shape,
                    "ImageOptimizer.step: state \(buffer.shape) for images \(images.shape)")
                direction = buffer.zipMap(gradient) { [momentum] b, g in momentum * b + g }
            }
            momentumBuffer = direction
        }
        return images.zipMap(direction) { [learningRate] x, d in x - learningRate * d }
    }

    private enum CodingKeys: String, CodingKey {
        case learningRate, momentum, momentumBuffer
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        learningRate = try container.decode(Float.self, forKey: .learningRate)
        momentum = try container.decode(Float.self, forKey: .momentum)
        momentumBuffer = try container.decodeIfPresent(StoredArray.self, forKey: .momentumBuffer)?
            .array(codingPath: decoder.codingPath)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(learningRate, forKey: .learningRate)
        try container.encode(momentum, forKey: .momentum)
        try container.encodeIfPresent(momentumBuffer.map(StoredArray.init), forKey: .momentumBuffer)
    }
}

/// Everything a condensation run needs to continue exactly where it stopped.
///
/// Each iteration's random draws come from a generator derived from `seed`
/// and the iteration number alone (see `iterationGenerator(_:)`), so no
/// generator state is stored: a run resumed from a saved state ends
/// bit-identical to one that never stopped.
public struct CondensationState: Sendable, Equatable, Codable {
    /// The run's master seed.
    public let seed: UInt64
    /// Iterations completed; the next `step` performs iteration `iteration` (0-based).
    public internal(set) var iteration: Int
    /// The synthetic images and labels as they are now.
    public internal(set) var synthetic: SyntheticSet
    /// The image optimiser, one for the whole run.
    public internal(set) var optimizer: ImageOptimizer
    /// What an adaptive pool has learned; nil for a fixed pool or before the first iteration.
    public internal(set) var poolAdaptation: PoolAdaptationState?
    /// ν_t of `PoolStepScaling.main`: the main model's image-gradient norm at each outer step of its
    /// latest draw; nil without step scaling or before the main model is first drawn.
    public internal(set) var mainStepNorms: [Double]?

    /// A state at iteration 0 (or a restored one).
    /// The state at iteration 0: synthetic images initialised from `data`
    /// with the run's initialisation stream, and a fresh image optimiser.
    /// - Throws: `CondensationError.imagesPerClassTooLarge` for `real` initialisation of a small class.
    public init(
        seed: UInt64, initialization: SyntheticInitialization, imagesPerClass: Int, from data: some RealImageSource,
        optimizer: ImageOptimizer
    ) throws {
        var generator = Self.initializationGenerator(seed: seed)
        let synthetic = try SyntheticSet(initialization, imagesPerClass: imagesPerClass, from: data, using: &generator)
        self.init(seed: seed, synthetic: synthetic, optimizer: optimizer)
    }

    public init(seed: UInt64, iteration: Int = 0, synthetic: SyntheticSet, optimizer: ImageOptimizer) {
        precondition(iteration >= 0, "CondensationState: iteration \(iteration) is negative")
        self.seed = seed
        self.iteration = iteration
        self.synthetic = synthetic
        self.optimizer = optimizer
    }

    /// The generator for the synthetic set's initialisation.
    public static func initializationGenerator(seed: UInt64) -> SeededGenerator {
        SeededGenerator(seed: mix(mix(seed ^ 0x696E_6974) &+ 0x5EED))
    }

    /// The generator for iteration `iteration` of a run with master seed `seed`.
    ///
    ///     seed' = splitmix64(splitmix64(seed) + iteration + 1)
    public static func iterationGenerator(seed: UInt64, iteration: Int) -> SeededGenerator {
        SeededGenerator(seed: mix(mix(seed) &+ UInt64(iteration) &+ 1))
    }

    /// The generator for this state's next iteration.
    public var nextIterationGenerator: SeededGenerator {
        Self.iterationGenerator(seed: seed, iteration: iteration)
    }

    /// SplitMix64's finaliser: a bijective mix of 64 bits.
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// What one iteration did, as the reference code logs it.
public struct IterationReport: Sendable, Equatable, Codable {
    /// The 0-based number of the iteration just performed.
    public let iteration: Int
    /// The architecture drawn from the pool (name or spec string).
    public let architecture: String
    /// The matching loss per class and outer step (DC: Σ loss / (classes · outer_loop); DM: Σ loss / classes).
    public let loss: Double
    /// Wall-clock seconds the iteration took.
    public let seconds: Double
    /// The probabilities the architecture was drawn with, one per pool member, for an adaptive pool.
    public var poolProbabilities: [Double]? = nil
    /// The factors `PoolStepScaling` applied to the image gradients, one per outer step (another member than the main model).
    public var imageStepScales: [Double]? = nil
}

/// A distillation method that learns a synthetic set one iteration at a time.
///
/// The CLI drives every method the same way:
///
///     var state = try method.initialState(seed: seed)        // or a decoded checkpoint
///     while state.iteration < method.iterations {
///         let report = try method.step(&state)               // show progress, checkpoint `state`
///     }
public protocol CondensationMethod {
    /// Total iterations of a full run.
    var iterations: Int { get }
    /// The images' optimizer as a fresh run starts it (its buffer empty); a resumed state's must have its rate and momentum.
    var imageOptimizer: ImageOptimizer { get }
    /// A fresh state: the initialised synthetic set at iteration 0.
    /// - Throws: `CondensationError.imagesPerClassTooLarge` for a real initialisation.
    func initialState(seed: UInt64) throws -> CondensationState
    /// Performs iteration `state.iteration` and advances the state.
    /// - Throws: `CondensationError.stateMismatch` for a state of another shape, or a data error.
    func step(_ state: inout CondensationState) throws -> IterationReport
}

extension CondensationMethod {
    /// Runs the remaining iterations, calling `progress` after each.
    public func run(
        _ state: inout CondensationState, progress: (IterationReport, CondensationState) throws -> Void = { _, _ in }
    ) throws {
        while state.iteration < iterations {
            let report = try step(&state)
            try progress(report, state)
        }
    }
}

/// Seconds elapsed since `start`, from the monotonic clock.
func secondsSince(_ start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
}

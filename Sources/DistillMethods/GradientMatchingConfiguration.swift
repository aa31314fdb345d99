// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData

/// The settings of gradient matching (DC) and its DSA variant; defaults are the published ones.
public struct GradientMatchingConfiguration: Sendable, Equatable, Codable {
    /// DC's `get_loops`: (outer_loop, inner_loop) by images per class.
    public static let publishedLoops: [Int: (outer: Int, inner: Int)] = [
        1: (1, 1), 10: (10, 50), 20: (20, 25), 30: (30, 20), 40: (40, 15), 50: (50, 10),
    ]

    /// Synthetic images per class (ipc), > 0.
    public var imagesPerClass: Int
    /// Iterations of a full run (each draws a fresh network), > 0.
    public var iterations: Int
    /// Image updates per network, > 0.
    public var outerLoop: Int
    /// Epochs of network training on the synthetic set between image updates, ≥ 0.
    public var innerLoop: Int
    /// Image learning rate (lr_img), > 0.
    public var learningRateImage: Float
    /// Image momentum, in [0, 1).
    public var momentumImage: Float
    /// Network learning rate of the inner loop (lr_net), > 0.
    public var learningRateNetwork: Float
    /// Real images per class per outer step (batch_real), > 0; a smaller class gives all its images.
    public var batchReal: Int
    /// Batch size of the inner-loop training (batch_train), > 0.
    public var batchTrain: Int
    /// Real images per class that set BatchNorm running statistics before each matching step, > 0.
    public var batchNormImagesPerClass: Int
    /// The gradient distance.
    public var distance: MatchingDistance
    /// The architectures networks are drawn from.
    public var pool: ModelPool
    /// DSA augmentation (siamese in matching, per image in the inner loop); nil is plain DC.
    public var augmentation: DSAStrategy?
    /// How the synthetic images start.
    public var initialization: SyntheticInitialization

    /// A configuration with the published defaults.
    ///
    /// - Parameters:
    ///   - outerLoop, innerLoop: nil takes DC's published value for `imagesPerClass`
    ///     (1 → (1, 1), 10 → (10, 50), 20 → (20, 25), 30 → (30, 20), 40 → (40, 15), 50 → (50, 10)).
    ///     Like DC's `get_loops`, other ipc values have no default: give both loops.
    ///   - pool: nil is a ConvNet alone.
    ///   - augmentation: a DSA strategy for DSA, nil for DC.
    ///   - initialization: nil is `noise` for DC and `real` for DSA, as in the reference code.
    /// - Throws: `CondensationError.unpublishedLoops` for an ipc without defaults and no loops given,
    ///   `.invalidSetting` for a value out of range.
    public init(
        imagesPerClass: Int, iterations: Int = 1000, outerLoop: Int? = nil, innerLoop: Int? = nil,
        learningRateImage: Float = 0.1, momentumImage: Float = 0.5, learningRateNetwork: Float = 0.01,
        batchReal: Int = 256, batchTrain: Int = 256, batchNormImagesPerClass: Int = 16,
        distance: MatchingDistance = .ours, pool: ModelPool? = nil, augmentation: DSAStrategy? = nil,
        initialization: SyntheticInitialization? = nil
    ) throws {
        let published = Self.publishedLoops[imagesPerClass]
        guard let outer = outerLoop ?? published?.outer, let inner = innerLoop ?? published?.inner else {
            throw CondensationError.unpublishedLoops(imagesPerClass: imagesPerClass)
        }
        self.imagesPerClass = imagesPerClass
        self.iterations = iterations
        self.outerLoop = outer
        self.innerLoop = inner
        self.learningRateImage = learningRateImage
        self.momentumImage = momentumImage
        self.learningRateNetwork = learningRateNetwork
        self.batchReal = batchReal
        self.batchTrain = batchTrain
        self.batchNormImagesPerClass = batchNormImagesPerClass
        self.distance = distance
        self.pool = try pool ?? ModelPool(preset: .none)
        self.augmentation = augmentation
        self.initialization = initialization ?? (augmentation == nil ? .noise : .real)
        try validate()
    }

    /// Checks every range; the initialiser calls it, call it again after editing fields.
    /// - Throws: `CondensationError.invalidSetting` naming the first bad setting.
    public func validate() throws {
        try require(imagesPerClass > 0, "ipc", imagesPerClass, "must be positive")
        try require(iterations > 0, "iterations", iterations, "must be positive")
        try require(outerLoop > 0, "outer loop", outerLoop, "must be positive")
        try require(innerLoop >= 0, "inner loop", innerLoop, "must be 0 or more")
        try require(
            learningRateImage.isFinite && learningRateImage > 0, "image learning rate", learningRateImage,
            "must be a finite positive number")
        try require(momentumImage >= 0 && momentumImage < 1, "image momentum", momentumImage, "must be in [0, 1)")
        try require(
            learningRateNetwork.isFinite && learningRateNetwork > 0, "network learning rate", learningRateNetwork,
            "must be a finite positive number")
        try require(batchReal > 0, "real batch", batchReal, "must be positive")
        try require(batchTrain > 0, "training batch", batchTrain, "must be positive")
        try require(
            batchNormImagesPerClass > 0, "BatchNorm images per class", batchNormImagesPerClass, "must be positive")
    }

    // MARK: - Codable

    private enum CodingKeys: String, CodingKey {
        case imagesPerClass, iterations, outerLoop, innerLoop, learningRateImage, momentumImage
        case learningRateNetwork, batchReal, batchTrain, batchNormImagesPerClass, distance, pool
        case augmentation, initialization
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        imagesPerClass = try c.decode(Int.self, forKey: .imagesPerClass)
        iterations = try c.decode(Int.self, forKey: .iterations)
        outerLoop = try c.decode(Int.self, forKey: .outerLoop)
        innerLoop = try c.decode(Int.self, forKey: .innerLoop)
        learningRateImage = try c.decode(Float.self, forKey: .learningRateImage)
        momentumImage = try c.decode(Float.self, forKey: .momentumImage)
        learningRateNetwork = try c.decode(Float.self, forKey: .learningRateNetwork)
        batchReal = try c.decode(Int.self, forKey: .batchReal)
        batchTrain = try c.decode(Int.self, forKey: .batchTrain)
        batchNormImagesPerClass = try c.decode(Int.self, forKey: .batchNormImagesPerClass)
        distance = try c.decode(MatchingDistance.self, forKey: .distance)
        pool = try c.decode(ModelPool.self, forKey: .pool)
        augmentation = try c.decodeIfPresent(StoredStrategy.self, forKey: .augmentation)?.decoded()
        initialization = try c.decode(SyntheticInitialization.self, forKey: .initialization)
        try validate()
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(imagesPerClass, forKey: .imagesPerClass)
        try c.encode(iterations, forKey: .iterations)
        try c.encode(outerLoop, forKey: .outerLoop)
        try c.encode(innerLoop, forKey: .innerLoop)
        try c.encode(learningRateImage, forKey: .learningRateImage)
        try c.encode(momentumImage, forKey: .momentumImage)
        try c.encode(learningRateNetwork, forKey: .learningRateNetwork)
        try c.encode(batchReal, forKey: .batchReal)
        try c.encode(batchTrain, forKey: .batchTrain)
        try c.encode(batchNormImagesPerClass, forKey: .batchNormImagesPerClass)
        try c.encode(distance, forKey: .distance)
        try c.encode(pool, forKey: .pool)
        try c.encodeIfPresent(augmentation.map(StoredStrategy.init), forKey: .augmentation)
        try c.encode(initialization, forKey: .initialization)
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.imagesPerClass == rhs.imagesPerClass && lhs.iterations == rhs.iterations
            && lhs.outerLoop == rhs.outerLoop && lhs.innerLoop == rhs.innerLoop
            && lhs.learningRateImage == rhs.learningRateImage && lhs.momentumImage == rhs.momentumImage
            && lhs.learningRateNetwork == rhs.learningRateNetwork && lhs.batchReal == rhs.batchReal
            && lhs.batchTrain == rhs.batchTrain && lhs.batchNormImagesPerClass == rhs.batchNormImagesPerClass
            && lhs.distance == rhs.distance && lhs.pool == rhs.pool && lhs.augmentation == rhs.augmentation
            && lhs.initialization == rhs.initialization
    }
}

/// Throws `CondensationError.invalidSetting` unless `condition` holds.
func require(_ condition: Bool, _ name: String, _ value: some CustomStringConvertible, _ requirement: String) throws {
    guard condition else {
        throw CondensationError.invalidSetting(name: name, value: value.description, requirement: requirement)
    }
}

/// A DSA strategy as a Codable value: its string and mode.
struct StoredStrategy: Codable {
    var strategy: String
    var mode: String

    init(_ strategy: DSAStrategy) {
        self.strategy = strategy.description
        self.mode = strategy.mode == .single ? "single" : "all"
    }

    func decoded() throws -> DSAStrategy {
        try DSAStrategy(strategy, mode: mode == "all" ? .all : .single)
    }
}

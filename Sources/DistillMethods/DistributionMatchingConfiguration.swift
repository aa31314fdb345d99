// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData

/// The settings of distribution matching (DM); defaults are the published ones.
public struct DistributionMatchingConfiguration: Sendable, Equatable, Codable {
    /// Synthetic images per class (ipc), > 0.
    public var imagesPerClass: Int
    /// Iterations of a full run (each draws a fresh network), > 0.
    public var iterations: Int
    /// Image learning rate (lr_img), > 0.
    public var learningRateImage: Float
    /// Image momentum, in [0, 1).
    public var momentumImage: Float
    /// Real images per class per iteration (batch_real), > 0; a smaller class gives all its images.
    public var batchReal: Int
    /// The architectures networks are drawn from; every member needs an embedding.
    public var pool: ModelPool
    /// DSA augmentation, one siamese draw per class for the real and synthetic batch; nil for none.
    public var augmentation: DSAStrategy?
    /// How the synthetic images start.
    public var initialization: SyntheticInitialization

    /// A configuration with the published defaults.
    /// - Parameter pool: nil is a ConvNet alone.
    /// - Throws: `CondensationError.invalidSetting` for a value out of range.
    public init(
        imagesPerClass: Int, iterations: Int = 20_000, learningRateImage: Float = 1, momentumImage: Float = 0.5,
        batchReal: Int = 256, pool: ModelPool? = nil, augmentation: DSAStrategy? = .standard,
        initialization: SyntheticInitialization = .real
    ) throws {
        self.imagesPerClass = imagesPerClass
        self.iterations = iterations
        self.learningRateImage = learningRateImage
        self.momentumImage = momentumImage
        self.batchReal = batchReal
        self.pool = try pool ?? ModelPool(preset: .none)
        self.augmentation = augmentation
        self.initialization = initialization
        try validate()
    }

    /// Checks every range; the initialiser calls it, call it again after editing fields.
    /// - Throws: `CondensationError.invalidSetting` naming the first bad setting.
    public func validate() throws {
        try require(imagesPerClass > 0, "ipc", imagesPerClass, "must be positive")
        try require(iterations > 0, "iterations", iterations, "must be positive")
        try require(
            learningRateImage.isFinite && learningRateImage > 0, "image learning rate", learningRateImage,
            "must be a finite positive number")
        try require(momentumImage >= 0 && momentumImage < 1, "image momentum", momentumImage, "must be in [0, 1)")
        try require(batchReal > 0, "real batch", batchReal, "must be positive")
    }

    private enum CodingKeys: String, CodingKey {
        case imagesPerClass, iterations, learningRateImage, momentumImage, batchReal, pool, augmentation
        case initialization
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        imagesPerClass = try c.decode(Int.self, forKey: .imagesPerClass)
        iterations = try c.decode(Int.self, forKey: .iterations)
        learningRateImage = try c.decode(Float.self, forKey: .learningRateImage)
        momentumImage = try c.decode(Float.self, forKey: .momentumImage)
        batchReal = try c.decode(Int.self, forKey: .batchReal)
        pool = try c.decode(ModelPool.self, forKey: .pool)
        augmentation = try c.decodeIfPresent(StoredStrategy.self, forKey: .augmentation)?.decoded()
        initialization = try c.decode(SyntheticInitialization.self, forKey: .initialization)
        try validate()
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(imagesPerClass, forKey: .imagesPerClass)
        try c.encode(iterations, forKey: .iterations)
        try c.encode(learningRateImage, forKey: .learningRateImage)
        try c.encode(momentumImage, forKey: .momentumImage)
        try c.encode(batchReal, forKey: .batchReal)
        try c.encode(pool, forKey: .pool)
        try c.encodeIfPresent(augmentation.map(StoredStrategy.init), forKey: .augmentation)
        try c.encode(initialization, forKey: .initialization)
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData

/// How a fresh network is trained on a (synthetic or real) training set
/// before its test accuracy is measured: the evaluation protocol of DC, DSA
/// and DM (Zhao et al.).
///
///     SGD(lr, momentum 0.9, weight decay 5e-4), batch 256, shuffled
///     passes 0 … epochs (epochs + 1 in all); after pass epochs/2 + 1 the
///     learning rate drops ×0.1 with a fresh optimiser (momentum restarts)
public struct TrainingProtocol: Sendable, Equatable, Codable {
    /// The augmentation applied to every training batch.
    public enum Augmentation: Sendable, Equatable {
        case none
        /// DC's per-image augmentation (MNIST `crop_scale_rotate`, ConvNetBN `crop_noise`).
        case dc(DCAugmentation)
        /// DSA's differentiable augmentation with fresh per-image draws.
        case dsa(DSAStrategy)
    }

    public var epochs: Int
    public var learningRate: Float
    public var momentum: Float
    public var weightDecay: Float
    public var batchSize: Int
    public var augmentation: Augmentation

    /// The published protocol: 300 epochs without augmentation, 1000 with.
    public init(
        epochs: Int? = nil, learningRate: Float = 0.01, momentum: Float = 0.9, weightDecay: Float = 5e-4,
        batchSize: Int = 256, augmentation: Augmentation = .none
    ) {
        self.epochs = epochs ?? (augmentation == .none ? 300 : 1000)
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.batchSize = batchSize
        self.augmentation = augmentation
    }

    /// The pass after which the learning rate drops ×0.1.
    public var decayPass: Int { epochs / 2 + 1 }

    /// The evaluation augmentation the papers use for a method, dataset and
    /// architecture: DSA augmentation for DSA and DM; for DC none, except
    /// `crop_scale_rotate` on MNIST and `crop_noise` for ConvNetBN.
    public static func defaultAugmentation(
        dsa: DSAStrategy?, dataset: DatasetKind, architecture: String
    ) -> Augmentation {
        if let dsa { return .dsa(dsa) }
        if architecture == "ConvNetBN" { return .dc(.convNetBN) }
        if dataset == .mnist { return .dc(.mnist) }
        return .none
    }

    private enum CodingKeys: String, CodingKey {
        case epochs, learningRate, momentum, weightDecay, batchSize, augmentation
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let augmentation = try container.decode(String.self, forKey: .augmentation)
        self.init(
            epochs: try container.decode(Int.self, forKey: .epochs),
            learningRate: try container.decode(Float.self, forKey: .learningRate),
            momentum: try container.decode(Float.self, forKey: .momentum),
            weightDecay: try container.decode(Float.self, forKey: .weightDecay),
            batchSize: try container.decode(Int.self, forKey: .batchSize),
            augmentation: try Self.parseAugmentation(augmentation))
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(epochs, forKey: .epochs)
        try container.encode(learningRate, forKey: .learningRate)
        try container.encode(momentum, forKey: .momentum)
        try container.encode(weightDecay, forKey: .weightDecay)
        try container.encode(batchSize, forKey: .batchSize)
        try container.encode(augmentationName, forKey: .augmentation)
    }

    /// `none`, `dc:<strategy>` or `dsa:<strategy>`.
    public var augmentationName: String {
        switch augmentation {
        case .none: return "none"
        case .dc(let strategy): return "dc:\(strategy)"
        case .dsa(let strategy): return "dsa:\(strategy)"
        }
    }

    static func parseAugmentation(_ text: String) throws -> Augmentation {
        if text == "none" { return .none }
        if text.hasPrefix("dc:") { return .dc(try DCAugmentation(strategy: String(text.dropFirst(3)))) }
        if text.hasPrefix("dsa:") { return .dsa(try DSAStrategy(String(text.dropFirst(4)))) }
        throw AugmentationError.unknownToken(token: text, strategy: text, valid: ["none", "dc:<strategy>", "dsa:<strategy>"])
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData

/// Which method's published evaluation protocol trains the networks: DC's
/// (no augmentation, except MNIST and ConvNetBN; 300 epochs) or DSA's (DSA
/// augmentation with fresh draws; 1000 epochs), which DSA and DM sets use.
///
/// The papers evaluate each set with its own method's protocol; naming one
/// explicitly evaluates, say, a DC set under DSA's, which separates what the
/// set contributes from what the protocol does.
public enum EvaluationProtocol: String, Sendable, Codable, CaseIterable {
    case dc, dsa

    /// The methods a set to evaluate may record: condense's, `real` for a random
    /// real subset, `external` for a set imported from `.npz`.
    public static let setMethods = ["dc", "dsa", "dm", "real", "external"]

    /// The protocol the papers use for a set made by `method` (`dc`, `dsa`, `dm`, or `real`, which uses DC's).
    public init(forSetMadeBy method: String) { self = method == "dsa" || method == "dm" ? .dsa : .dc }

    /// The augmentation of one architecture's trainings on `dataset`.
    public func augmentation(dataset: DatasetKind, architecture: String) -> TrainingProtocol.Augmentation {
        let dsa: DSAStrategy? = self == .dsa ? (dataset == .mnist ? .digits : .standard) : nil
        return TrainingProtocol.defaultAugmentation(dsa: dsa, dataset: dataset, architecture: architecture)
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor

/// The random streams of one class in one iteration, derived from the run's
/// seed, the iteration and the class alone:
///
///     class seed = splitmix64(splitmix64(splitmix64(seed) + iteration + 1) + class + 1) ⊕ "class"
///
/// so a class's draws are the same whichever process of a job holds it, and
/// a run split over any number of ranks gives the single-process result.
struct ClassStreams {
    /// The class's real matching batches.
    var real: SeededGenerator
    /// The siamese DSA draws its real and synthetic batches share.
    var augmentation: SeededGenerator
    /// The images that calibrate BatchNorm (DC, networks with BatchNorm).
    var batchNorm: SeededGenerator

    init(seed: UInt64, iteration: Int, label: Int) {
        let iterationSeed = CondensationState.mix(CondensationState.mix(seed) &+ UInt64(iteration) &+ 1)
        var root = SeededGenerator(seed: CondensationState.mix(iterationSeed &+ UInt64(label) &+ 1) ^ 0x636C_6173_73)
        real = root.split()
        augmentation = root.split()
        batchNorm = root.split()
    }

    /// The streams of every class in `labels`, keyed by class.
    static func of(_ labels: Range<Int>, seed: UInt64, iteration: Int) -> [Int: ClassStreams] {
        Dictionary(uniqueKeysWithValues: labels.map { ($0, ClassStreams(seed: seed, iteration: iteration, label: $0)) })
    }
}

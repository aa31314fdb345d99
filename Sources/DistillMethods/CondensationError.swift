// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation

/// Why a condensation run cannot start or continue.
public enum CondensationError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// DC publishes (outer_loop, inner_loop) only for some ipc values, and none was given.
    case unpublishedLoops(imagesPerClass: Int)
    /// Real initialisation needs more images than a class holds.
    case imagesPerClassTooLarge(imagesPerClass: Int, classIndex: Int, available: Int)
    /// A setting outside its valid range; `requirement` says what is allowed.
    case invalidSetting(name: String, value: String, requirement: String)
    /// The real images are not square, which the zoo networks require.
    case nonSquareImages(shape: [Int])
    /// A checkpointed state does not fit this run's data or settings.
    case stateMismatch(expectedShape: [Int], actualShape: [Int])
    /// `--resume` was asked for but the run directory holds no checkpoint.
    case missingCheckpoint(path: String)

    public var description: String {
        switch self {
        case .unpublishedLoops(let ipc):
            let known = GradientMatchingConfiguration.publishedLoops.keys.sorted().map(String.init)
            return "gradient matching has no published (outer loop, inner loop) for ipc \(ipc) "
                + "(only for \(known.joined(separator: ", "))); set both loops explicitly"
        case .imagesPerClassTooLarge(let ipc, let classIndex, let available):
            return "ipc \(ipc) is more than the \(available) real images of class \(classIndex); "
                + "use ipc ≤ \(available) or noise initialisation"
        case .invalidSetting(let name, let value, let requirement):
            return "invalid \(name) \(value): \(requirement)"
        case .nonSquareImages(let shape):
            return "images of shape \(shape) are not square; the networks take C×S×S images"
        case .stateMismatch(let expected, let actual):
            return "the saved synthetic images have shape \(actual) but this run needs \(expected); "
                + "resume with the same dataset and ipc"
        case .missingCheckpoint(let path):
            return "no checkpoint at \(path) to resume from; run without --resume to start afresh"
        }
    }

    public var errorDescription: String? { description }
}

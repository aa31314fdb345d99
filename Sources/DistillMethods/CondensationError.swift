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
    case stateMismatch(expectedShape: [Int], actualShape: [Int], expectedImagesPerClass: Int, actualImagesPerClass: Int)
    /// `--resume` was asked for but the run directory holds no checkpoint.
    case missingCheckpoint(path: String)
    /// The checkpoint file cannot be read as one, or holds values no run can have.
    case invalidCheckpoint(path: String, reason: String)
    /// `--resume` with settings other than the checkpoint's; each entry names one difference.
    case resumeMismatch(path: String, differences: [String])
    /// The directory holds a run, and neither `--resume` nor `--force` was given.
    case runExists(directory: String, iteration: Int?)
    /// The loss or the images went non-finite; `lastCheckpoint` is the last iteration saved, nil if none.
    case diverged(iteration: Int, loss: Double, lastCheckpoint: Int?, directory: String)

    public var description: String {
        switch self {
        case .unpublishedLoops(let ipc):
            let known = GradientMatchingConfiguration.publishedLoops.keys.sorted().map(String.init)
            return "gradient matching has no published (outer loop, inner loop) for ipc \(ipc) "
                + "(only for \(known.joined(separator: ", "))); set both loops explicitly with --outer-loop and --inner-loop"
        case .imagesPerClassTooLarge(let ipc, let classIndex, let available):
            return "ipc \(ipc) is more than the \(available) real images of class \(classIndex); "
                + "use ipc ≤ \(available) or noise initialisation"
        case .invalidSetting(let name, let value, let requirement):
            return "invalid \(name) \(value): \(requirement)"
        case .nonSquareImages(let shape):
            return "images of shape \(shape) are not square; the networks take C×S×S images"
        case .stateMismatch(let expected, let actual, let expectedIPC, let actualIPC):
            return "the saved synthetic images have shape \(actual) at ipc \(actualIPC) but this run needs \(expected) at ipc \(expectedIPC); "
                + "resume with the same dataset and ipc"
        case .missingCheckpoint(let path):
            return "no checkpoint at \(path) to resume from; run without --resume to start afresh"
        case .invalidCheckpoint(let path, let reason):
            return "\(path) is not a usable checkpoint: \(reason); delete it and start afresh with --force"
        case .resumeMismatch(let path, let differences):
            return "cannot resume from \(path) with other settings: \(differences.joined(separator: "; ")); "
                + "resume with the checkpoint's settings, or start afresh with --force"
        case .runExists(let directory, let iteration):
            return "\(directory) already holds a condensation run"
                + (iteration.map { " (checkpoint at iteration \($0))" } ?? "")
                + "; pass --resume to continue it or --force to start afresh (its files are replaced at the first checkpoint)"
        case .diverged(let iteration, let loss, let lastCheckpoint, let directory):
            let lossText = loss.isNaN ? "nan" : loss.isFinite ? String(format: "%.4g, images not finite", loss) : "\(loss)"
            return "diverged at iteration \(iteration) (loss \(lossText)); "
                + (lastCheckpoint.map { "last good checkpoint at iteration \($0) in \(directory)" }
                    ?? "no checkpoint was written, \(directory) is as it was")
                + "; try a smaller --lr-img"
        }
    }

    public var errorDescription: String? { description }
}

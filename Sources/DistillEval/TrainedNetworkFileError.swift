// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData
import DistillIO
import Foundation

/// Why a file of trained weights cannot serve as a teacher; every message
/// names the file.
public enum TrainedNetworkFileError: Error, CustomStringConvertible, LocalizedError, Equatable {
    /// The metadata lacks a key that `distill train --save` writes.
    case missingMetadata(file: String, key: String)
    /// A metadata value that does not parse as what the key holds.
    case malformedMetadata(file: String, key: String, value: String, expected: String)
    /// The recorded model cannot be built for the recorded input and class count.
    case unbuildableModel(file: String, model: String, reason: String)
    /// The saved tensors are not those of the recorded model.
    case weightsDoNotFit(file: String, model: String, reason: String)
    /// The network was trained on images of another shape than the data's.
    case imageShapeMismatch(file: String, data: String, trained: [Int], expected: [Int])
    /// The network predicts another number of classes than the data has.
    case classCountMismatch(file: String, data: String, trained: Int, expected: Int)
    /// The network was trained on inputs normalised otherwise than the data,
    /// so it would see differently scaled inputs.
    case normalizationMismatch(file: String, data: String, trained: PixelNormalization, expected: PixelNormalization)
    /// The file's bytes differ from those recorded when the evaluation was set up.
    case changed(file: String, recorded: FileFingerprint, found: FileFingerprint)
    /// The teacher was trained on another dataset than the one evaluated on.
    case datasetMismatch(file: String, data: String, trained: String)
    /// A file where a network is to be saved that holds something else, which saving would replace.
    case notReplaceable(file: String)

    private static let retrain = "train a teacher on that data with `distill train --save FILE`"

    public var description: String {
        switch self {
        case let .missingMetadata(file, key):
            return "\(file) has no '\(key)' metadata, so it does not say what the network was trained on; "
                + "use a file written by `distill train --save`"
        case let .malformedMetadata(file, key, value, expected):
            return "\(file) has '\(key)' metadata '\(value)'; expected \(expected)"
        case let .unbuildableModel(file, model, reason):
            return "\(file) records model '\(model)', which cannot be built here: \(reason)"
        case let .weightsDoNotFit(file, model, reason):
            return "\(file) does not hold the weights of its recorded model '\(model)': \(reason)"
        case let .imageShapeMismatch(file, data, trained, expected):
            return "\(file) was trained on images of shape \(trained), but \(data) images are \(expected); \(Self.retrain)"
        case let .classCountMismatch(file, data, trained, expected):
            return "\(file) predicts \(trained) classes, but \(data) has \(expected); \(Self.retrain)"
        case let .normalizationMismatch(file, data, trained, expected):
            return "\(file) was trained on inputs normalised with mean \(trained.mean) and std \(trained.std), "
                + "but \(data) is normalised with mean \(expected.mean) and std \(expected.std), so the teacher "
                + "would see differently scaled inputs; \(Self.retrain)"
        case let .changed(file, recorded, found):
            return "\(file) changed since the evaluation was set up (it was \(recorded), now \(found)); set it up again"
        case let .datasetMismatch(file, data, trained):
            return "\(file) was trained on \(trained), not \(data); \(Self.retrain)"
        case let .notReplaceable(file):
            return "\(file) exists and is not a network `distill train --save` wrote, which saving would replace; "
                + "remove it or choose another --save"
        }
    }

    public var errorDescription: String? { description }
}

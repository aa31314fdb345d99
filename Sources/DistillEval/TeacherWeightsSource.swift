// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO

/// A knowledge-distillation teacher read from a file that `distill train --save`
/// wrote: a network trained on the dataset's whole real training set, used in
/// place of a teacher trained on the evaluated set.
///
/// Students trained under it learn from the real training set through the
/// teacher's soft labels (the protocol many recent distillation papers use),
/// so their results measure more than the evaluated set alone; reports mark
/// them (`EvaluationReport.teacherTrainedOnRealData`).
public struct TeacherWeightsSource: Sendable, Codable, Equatable {
    /// The file as the user named it.
    public var path: String
    /// The file's bytes when the evaluation was set up, so settings (and any
    /// cache keyed on them) change when the file does, and a file replaced
    /// meanwhile is refused rather than silently used.
    public var fingerprint: FileFingerprint

    public init(path: String, fingerprint: FileFingerprint) {
        self.path = path
        self.fingerprint = fingerprint
    }

    /// Reads the file and checks that it is the one recorded.
    /// - Throws: `SafeTensorsError` for a missing or garbled file, `TrainedNetworkFileError`
    ///   for metadata that is not a trained network's or a file that changed.
    public func load() throws -> TrainedNetworkFile {
        let file = try TrainedNetworkFile(contentsOf: path)
        guard file.fingerprint == fingerprint else {
            throw TrainedNetworkFileError.changed(file: path, recorded: fingerprint, found: file.fingerprint)
        }
        return file
    }
}

extension DistillationSettings {
    /// Settings whose teacher is the network saved at `path` (its recorded
    /// model becomes `teacher`), fingerprinted now.
    /// - Throws: `SafeTensorsError` for a missing or garbled file, `TrainedNetworkFileError`
    ///   for metadata that does not describe a trained network.
    public init(
        teacherWeightsAt path: String, temperature: Float = 1.5, alpha: Float = 0.5, temperatureDecay: Float = 1.0,
        fallsBackOnNonFiniteLoss: Bool = false
    ) throws {
        let file = try TrainedNetworkFile(contentsOf: path)
        self.init(
            teacher: file.info.model, temperature: temperature, alpha: alpha, temperatureDecay: temperatureDecay,
            fallsBackOnNonFiniteLoss: fallsBackOnNonFiniteLoss,
            teacherWeights: TeacherWeightsSource(path: path, fingerprint: file.fingerprint))
    }

    /// Whether the teacher was trained on the real training set (read from a file)
    /// rather than on the evaluated set.
    public var teacherTrainedOnRealData: Bool { teacherWeights != nil }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

extension EvaluationReport: Codable {
    private enum CodingKeys: String, CodingKey {
        case results, seed, runsPerArchitecture, distillation, realDataTeacher, teacherTrainedOnRealData, source
    }

    /// Reads reports written before `realDataTeacher` existed too (their teachers
    /// were all trained on the evaluated set); `teacherTrainedOnRealData` is
    /// derived from `distillation`, so its stored copy is not read back.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            results: try container.decode([ArchitectureResult].self, forKey: .results),
            seed: try container.decode(UInt64.self, forKey: .seed),
            runsPerArchitecture: try container.decode(Int.self, forKey: .runsPerArchitecture),
            distillation: try container.decodeIfPresent(DistillationSettings.self, forKey: .distillation),
            realDataTeacher: try container.decodeIfPresent(TrainedNetworkInfo.self, forKey: .realDataTeacher))
        source = try container.decodeIfPresent(EvaluatedSource.self, forKey: .source)
    }

    /// Writes `teacherTrainedOnRealData` explicitly, so a reader of the JSON sees
    /// which KD results drew on the real training set without knowing the settings' fields.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(results, forKey: .results)
        try container.encode(seed, forKey: .seed)
        try container.encode(runsPerArchitecture, forKey: .runsPerArchitecture)
        try container.encodeIfPresent(distillation, forKey: .distillation)
        try container.encodeIfPresent(realDataTeacher, forKey: .realDataTeacher)
        try container.encode(teacherTrainedOnRealData, forKey: .teacherTrainedOnRealData)
        try container.encodeIfPresent(source, forKey: .source)
    }
}

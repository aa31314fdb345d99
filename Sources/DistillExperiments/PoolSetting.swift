// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

/// One way of drawing networks during condensation, as the model-pool
/// paper's experiments name them.
public enum PoolSetting: String, CaseIterable, Sendable, Codable, Comparable {
    /// The single-architecture method: ConvNet only (pool `none`).
    case baseline
    /// The paper's pool: ConvNet plus similar ConvNet variants (pool `paper`, "main + similar").
    case modelPool = "model-pool"
    /// ConvNet 0.9 with LeNet, AlexNet and VGG11 (pool `main-model`).
    case mainModel = "main-model"
    /// ConvNet, LeNet, AlexNet and VGG11 at 0.25 each (pool `total-random`).
    case totalRandom = "total-random"

    /// The `--pool` value the condensation runs with.
    public var pool: String {
        switch self {
        case .baseline: return "none"
        case .modelPool: return "paper"
        case .mainModel: return "main-model"
        case .totalRandom: return "total-random"
        }
    }

    /// The name in the pool-setting ablation table.
    public var ablationLabel: String {
        switch self {
        case .baseline: return "main model only"
        case .modelPool: return "main + similar"
        case .mainModel: return "main model"
        case .totalRandom: return "total random"
        }
    }

    /// The run directory of this setting at `imagesPerClass`, relative to the experiment directory.
    public func directoryName(imagesPerClass: Int) -> String { "ipc\(imagesPerClass)-\(rawValue)" }

    /// The settings the pool-setting ablation compares, in the paper's order.
    public static let ablation: [PoolSetting] = [.totalRandom, .mainModel, .modelPool]

    public static func < (lhs: PoolSetting, rhs: PoolSetting) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// A row of the paper's main table: a pool setting evaluated with or without
/// knowledge distillation.
public enum TableMethod: String, CaseIterable, Sendable, Codable {
    case baseline
    case modelPool = "model pool"
    case knowledgeDistillation = "KD"
    case poolAndKnowledgeDistillation = "pool + KD"

    /// The condensed set the row evaluates.
    public var setting: PoolSetting {
        switch self {
        case .baseline, .knowledgeDistillation: return .baseline
        case .modelPool, .poolAndKnowledgeDistillation: return .modelPool
        }
    }

    /// Whether the students learn from a teacher.
    public var distilled: Bool { self == .knowledgeDistillation || self == .poolAndKnowledgeDistillation }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData

/// The numbers the papers report, for the tables' comparison rows.
///
/// Model-pool paper: CIFAR-10, DC with ConvNet as the main model, test
/// accuracy (%) at iteration 1000. A nil entry is a cell the paper leaves
/// empty ("–": ConvNet is the KD teacher and the main model).
public enum PublishedResults {
    /// The columns of the paper's table.
    public static let architectures = ModelPoolExperiment.paperArchitectures

    public struct Row: Sendable {
        public var imagesPerClass: Int
        public var label: String
        /// One accuracy per entry of `architectures`, nil where the paper has none.
        public var accuracies: [Double?]
    }

    /// Baseline, model pool, KD and pool + KD at ipc 1 and 10.
    public static let modelPool: [Row] = [
        Row(imagesPerClass: 1, label: TableMethod.baseline.rawValue, accuracies: [28.49, 26.59, 20.97, 21.83, 26.53, 14.30]),
        Row(imagesPerClass: 1, label: TableMethod.modelPool.rawValue, accuracies: [nil, 27.88, 20.75, 21.61, 26.51, 15.17]),
        Row(imagesPerClass: 1, label: TableMethod.knowledgeDistillation.rawValue, accuracies: [nil, 26.52, 20.87, 22.07, 25.25, 18.69]),
        Row(imagesPerClass: 1, label: TableMethod.poolAndKnowledgeDistillation.rawValue, accuracies: [nil, 28.17, 21.22, 22.54, 27.15, 22.03]),
        Row(imagesPerClass: 10, label: TableMethod.baseline.rawValue, accuracies: [44.60, 27.35, 22.16, 20.64, 30.38, 15.60]),
        Row(imagesPerClass: 10, label: TableMethod.modelPool.rawValue, accuracies: [nil, 29.29, 23.81, 23.40, 30.40, 14.94]),
        Row(imagesPerClass: 10, label: TableMethod.knowledgeDistillation.rawValue, accuracies: [nil, 27.93, 23.63, 21.55, 35.65, 19.43]),
        Row(imagesPerClass: 10, label: TableMethod.poolAndKnowledgeDistillation.rawValue, accuracies: [nil, 30.02, 24.91, 25.38, 33.85, 21.51]),
    ]

    /// The pool-setting ablation at ipc 10 (the paper gives no ConvNet column).
    public static let ablation: [Row] = [
        Row(imagesPerClass: 10, label: PoolSetting.totalRandom.ablationLabel, accuracies: [nil, 24.05, 16.36, 16.10, 23.15, 10.91]),
        Row(imagesPerClass: 10, label: PoolSetting.mainModel.ablationLabel, accuracies: [nil, 27.63, 19.75, 20.12, 30.29, 12.86]),
        Row(imagesPerClass: 10, label: PoolSetting.modelPool.ablationLabel, accuracies: [nil, 29.37, 25.82, 23.70, 34.97, 18.34]),
    ]

    /// The published accuracy of `architecture` in `row`, nil where there is none.
    public static func accuracy(_ row: Row, architecture: String) -> Double? {
        architectures.firstIndex(of: architecture).flatMap { row.accuracies[$0] }
    }

    /// DC with ConvNet (Zhao, Mopuri, Bilen, ICLR 2021), by dataset and images per class.
    public static let gradientMatchingConvNet: [DatasetKind: [Int: Double]] = [
        .mnist: [1: 91.7, 10: 97.4, 50: 98.8],
        .fashionMNIST: [1: 70.5, 10: 82.3, 50: 83.6],
        .svhn: [1: 31.2, 10: 76.1, 50: 82.3],
        .cifar10: [1: 28.3, 10: 44.9, 50: 53.9],
        .cifar100: [1: 12.8, 10: 25.2],
    ]
}

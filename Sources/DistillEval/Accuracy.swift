// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillData
import DistillNN
import DistillTensor

/// Percentage of `dataset` that `network` classifies correctly, in eval mode,
/// in batches, without recording gradients.
///
/// - Parameters:
///   - network: a trained network for the dataset's image shape and classes.
///   - dataset: usually the real test split.
///   - batchSize: images per forward pass.
/// - Returns: accuracy in percent, 0…100.
public func testAccuracy(of network: any UnaryLayer, on dataset: Dataset, batchSize: Int = 256) -> Double {
    network.eval()
    defer { network.train() }
    var correct = 0
    withoutGradients {
        for start in stride(from: 0, to: dataset.count, by: batchSize) {
            let range = start..<min(start + batchSize, dataset.count)
            let logits = network(Tensor(dataset.images(in: range))).array
            let classes = logits.shape[1]
            logits.withUnsafeBufferPointer { values in
                for (row, label) in dataset.labels[range].enumerated() {
                    // The first maximum wins, as in PyTorch's argmax.
                    var predicted = 0
                    for k in 1..<classes where values[row * classes + k] > values[row * classes + predicted] {
                        predicted = k
                    }
                    if predicted == label { correct += 1 }
                }
            }
        }
    }
    return 100 * Double(correct) / Double(max(dataset.count, 1))
}

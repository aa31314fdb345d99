// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor

/// Mean cross-entropy of logits against integer class labels (PyTorch
/// `F.cross_entropy` with `reduction='mean'`).
///
///     CE = −(1/N) Σₙ logSoftmax(logits)[n, labels[n]]
///
/// Built from `logSoftmax` and a product with a constant one-hot matrix, so
/// it can be differentiated any number of times (gradient matching
/// differentiates ∇θ CE).
///
/// - Parameters:
///   - logits: `[N, C]` unnormalised class scores, N ≥ 1.
///   - labels: N class indices, each in `0..<C`.
/// - Returns: a rank-0 tensor.
public func crossEntropy(logits: Tensor, labels: [Int]) -> Tensor {
    precondition(
        logits.rank == 2 && logits.shape[0] > 0,
        "crossEntropy: logits must be [N, C] with N ≥ 1, got shape \(logits.shape)")
    let (n, classes) = (logits.shape[0], logits.shape[1])
    precondition(
        labels.count == n, "crossEntropy: \(labels.count) labels for logits of shape \(logits.shape)")
    if let bad = labels.firstIndex(where: { $0 < 0 || $0 >= classes }) {
        preconditionFailure(
            "crossEntropy: label \(labels[bad]) at index \(bad) is outside 0..<\(classes) "
                + "(logits shape \(logits.shape))")
    }
    var oneHot = [Float](repeating: 0, count: n * classes)
    for (row, label) in labels.enumerated() { oneHot[row * classes + label] = 1 }
    let picked = logits.logSoftmax(axis: 1) * Tensor(shape: [n, classes], scalars: oneHot)
    return picked.sum() * (-1 / Float(n))
}

/// Kullback–Leibler divergence averaged over the batch, with the input given
/// as log-probabilities (PyTorch `F.kl_div(logInput, target, reduction='batchmean')`).
///
///     KL = (1/N) Σ target · (log target − logInput),  with 0 · log 0 = 0
///
/// Differentiable in both arguments (in `target` wherever `target > 0`; the
/// gradient there is `(log target + 1 − logInput) / N`, and 0 where `target = 0`).
///
/// - Parameters:
///   - logInput: `[N, …]` log-probabilities, e.g. `logSoftmax` of student logits.
///   - target: probabilities of the same shape, e.g. `softmax` of teacher logits.
/// - Returns: a rank-0 tensor.
public func klDivergence(logInput: Tensor, target: Tensor) -> Tensor {
    precondition(
        logInput.shape == target.shape && logInput.rank >= 1 && logInput.shape[0] > 0,
        "klDivergence: logInput \(logInput.shape) and target \(target.shape) must have one shape [N, …] with N ≥ 1")
    // Where target is 0, adding 1 turns log 0 into log 1 = 0 (no 0 · (−∞)),
    // and the constant mask zeroes the target's gradient there, as in PyTorch.
    let isZero = Tensor(target.array.map { $0 == 0 ? 1 : 0 })
    let isPositive = Tensor(target.array.map { $0 == 0 ? 0 : 1 })
    let terms = (target * isPositive) * ((target + isZero).log() - logInput)
    return terms.sum() / Float(logInput.shape[0])
}

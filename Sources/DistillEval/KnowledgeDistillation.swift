// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillNN

/// Knowledge distillation at evaluation (Hinton, Vinyals, Dean 2015), as the
/// model-pool paper uses it: a teacher trained on the same synthetic set
/// guides each student. Many later papers use instead a teacher trained on
/// the real training set (`DistillationSettings.teacherWeights`), whose soft
/// labels carry that set into the students' training.
///
///     L = α · τ² · KL(softmax(t/τ) ‖ softmax(s/τ)) + (1 − α) · CE(s, y)
///
/// with KL averaged over the batch, t and s the teacher's and student's
/// logits on the same augmented batch, and the teacher in eval mode.
///
/// Departures from the paper's code, on purpose: its KL term had its
/// arguments swapped (KL(student ‖ teacher)), and its final runs used τ = 0,
/// which removes the KL term entirely. This implements the formula above.
public struct KnowledgeDistillation {
    /// The teacher network (already trained); used in eval mode, never updated.
    public let teacher: any UnaryLayer
    /// Softmax temperature τ > 0 at the first epoch.
    public var temperature: Float
    /// Weight α of the KL term, in [0, 1].
    public var alpha: Float
    /// Factor applied to τ after every epoch (1 = constant; the paper's code used 0.9).
    public var temperatureDecay: Float
    /// Fall back to plain cross-entropy for a student whose KD loss becomes non-finite.
    public var fallsBackOnNonFiniteLoss: Bool

    public init(
        teacher: any UnaryLayer, temperature: Float = 1.5, alpha: Float = 0.5, temperatureDecay: Float = 1.0,
        fallsBackOnNonFiniteLoss: Bool = false
    ) {
        precondition(temperature > 0 && (0...1).contains(alpha), "KnowledgeDistillation: τ \(temperature), α \(alpha)")
        self.teacher = teacher
        self.temperature = temperature
        self.alpha = alpha
        self.temperatureDecay = temperatureDecay
        self.fallsBackOnNonFiniteLoss = fallsBackOnNonFiniteLoss
    }
}

/// The knowledge-distillation loss of `KnowledgeDistillation`.
///
/// - Parameters:
///   - student: student logits [N, classes].
///   - teacher: teacher logits [N, classes] (treated as constants).
///   - labels: N class indices.
///   - temperature: τ > 0.
///   - alpha: α in [0, 1].
/// - Returns: the rank-0 loss, differentiable with respect to `student`.
public func knowledgeDistillationLoss(
    student: Tensor, teacher: Tensor, labels: [Int], temperature: Float, alpha: Float
) -> Tensor {
    precondition(student.shape == teacher.shape, "knowledgeDistillationLoss: student \(student.shape) vs teacher \(teacher.shape)")
    let target = (teacher.detached() / temperature).softmax(axis: -1)
    let logInput = (student / temperature).logSoftmax(axis: -1)
    let kl = klDivergence(logInput: logInput, target: target)
    return kl * (alpha * temperature * temperature) + crossEntropy(logits: student, labels: labels) * (1 - alpha)
}

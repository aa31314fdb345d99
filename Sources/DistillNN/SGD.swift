// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillTensor

/// Stochastic gradient descent with momentum and weight decay, as PyTorch's
/// `torch.optim.SGD` (no dampening, no Nesterov).
///
///     d = g + weightDecay · p
///     b = d                      on the first step
///     b = momentum · b + d       afterwards
///     p ← p − learningRate · b   (b = d when momentum is 0)
///
/// The momentum buffers are per tensor and belong to this value; a copy of
/// the optimiser continues independently. Updates are plain array arithmetic,
/// outside any graph, and yield fresh leaf variables.
public struct SGD: Sendable {
    public var learningRate: Float
    public var momentum: Float
    public var weightDecay: Float
    /// One momentum buffer per tensor once a step has been taken with momentum.
    private var buffers: [NDArray] = []

    /// An optimiser with PyTorch's SGD semantics.
    ///
    /// - Parameters:
    ///   - learningRate: step size, > 0.
    ///   - momentum: momentum factor in [0, 1).
    ///   - weightDecay: L2 coefficient, ≥ 0.
    public init(learningRate: Float, momentum: Float = 0, weightDecay: Float = 0) {
        precondition(
            learningRate > 0 && momentum >= 0 && momentum < 1 && weightDecay >= 0,
            "SGD: invalid learning rate \(learningRate), momentum \(momentum) or weight decay \(weightDecay)")
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
    }

    /// Forgets the momentum buffers: the next step starts afresh (PyTorch's new optimiser).
    public mutating func resetState() {
        buffers = []
    }

    /// Updates every parameter of `module` in place with one step.
    ///
    /// - Parameters:
    ///   - module: the network; its `parameters` are replaced by new leaf variables.
    ///   - gradients: ∂L/∂p for each tensor of `module.parameters`, same order and shapes.
    public mutating func step(_ module: Module, gradients: [Tensor]) {
        module.setParameters(update(module.parameters, gradients: gradients))
    }

    /// One step for a list of tensors (for example synthetic images).
    ///
    /// - Parameters:
    ///   - values: the current tensors p; the same list (order and shapes) every call.
    ///   - gradients: ∂L/∂p, one per tensor, same shapes.
    /// - Returns: the updated tensors as new leaf variables.
    public mutating func update(_ values: [Tensor], gradients: [Tensor]) -> [Tensor] {
        precondition(
            values.count == gradients.count, "SGD.update: \(values.count) tensors but \(gradients.count) gradients")
        precondition(
            buffers.isEmpty || buffers.count == values.count,
            "SGD.update: state for \(buffers.count) tensors, called with \(values.count)")
        let firstStep = buffers.isEmpty
        var result: [Tensor] = []
        result.reserveCapacity(values.count)
        for index in values.indices {
            let value = values[index].array, gradient = gradients[index].array
            precondition(
                value.shape == gradient.shape,
                "SGD.update: tensor \(index) has shape \(value.shape) but its gradient \(gradient.shape)")
            let previous: NDArray?
            if momentum != 0 && !firstStep {
                precondition(
                    buffers[index].shape == value.shape,
                    "SGD.update: tensor \(index) has shape \(value.shape), its state \(buffers[index].shape)")
                previous = buffers[index]
            } else {
                previous = nil
            }
            let (updated, buffer) = value.sgdStep(
                gradient: gradient, previousBuffer: previous, learningRate: learningRate, momentum: momentum,
                weightDecay: weightDecay)
            if momentum != 0 {
                if firstStep { buffers.append(buffer) } else { buffers[index] = buffer }
            }
            result.append(Tensor(updated).requiringGradient())
        }
        return result
    }
}

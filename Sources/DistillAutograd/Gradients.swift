// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor

/// What `gradients(of:withRespectTo:)` returns for a requested tensor that the
/// output does not depend on.
public enum UnreachableGradient: Sendable {
    /// A zero tensor of the input's shape (PyTorch's `allow_unused` + zeros).
    case zeros
    /// Throw `GradientError.unreachable`.
    case error
}

public enum GradientError: Error, CustomStringConvertible, Equatable {
    /// The requested input at `index` (with its shape) does not influence the output.
    case unreachable(index: Int, shape: [Int])
    /// The seed gradient's shape differs from the output's.
    case seedShape(expected: [Int], actual: [Int])

    public var description: String {
        switch self {
        case let .unreachable(index, shape):
            return "gradients: input \(index) (shape \(shape)) does not influence the output; "
                + "pass unreachable: .zeros to get zeros instead"
        case let .seedShape(expected, actual):
            return "gradients: seed has shape \(actual) but the output has shape \(expected)"
        }
    }
}

/// Reverse-mode gradients of `output` with respect to each of `inputs`.
///
///     result[i] = ∂⟨seed, output⟩ / ∂inputs[i]
///
/// Gradients of a value used several times accumulate. Only the part of the
/// graph between `output` and `inputs` is visited, and rules are asked only
/// for the input gradients that lead somewhere.
///
/// - Parameters:
///   - output: the tensor to differentiate (usually a scalar loss).
///   - inputs: leaf variables or intermediate results of the same graph.
///   - seed: ∂L/∂output; ones when nil (shape of `output`).
///   - createGraph: when true, the returned gradients are themselves recorded
///     and can be differentiated again (second order); when false they are
///     constants and computing them records nothing.
///   - unreachable: what to return for an input the output does not depend on.
/// - Returns: one gradient per input, shaped like that input.
/// - Throws: `GradientError.unreachable` (with `unreachable: .error`),
///   `GradientError.seedShape`.
public func gradients(
    of output: Tensor, withRespectTo inputs: [Tensor], seed: Tensor? = nil,
    createGraph: Bool = false, unreachable: UnreachableGradient = .zeros
) throws -> [Tensor] {
    if let seed, seed.shape != output.shape {
        throw GradientError.seedShape(expected: output.shape, actual: seed.shape)
    }
    let run = {
        try backpropagate(
            output: output, inputs: inputs, seed: seed ?? Tensor.ones(output.shape), unreachable: unreachable)
    }
    return createGraph ? try withGradients(run) : try withoutGradients(run)
}

private func backpropagate(
    output: Tensor, inputs: [Tensor], seed: Tensor, unreachable: UnreachableGradient
) throws -> [Tensor] {
    let targets = Set(inputs.compactMap { $0.node.map(ObjectIdentifier.init) })
    var accumulated: [ObjectIdentifier: Tensor] = [:]
    if let root = output.node {
        let order = topologicalOrder(from: root)
        // A node needs a gradient when it is a target or feeds one.
        var leadsToTarget = Set<ObjectIdentifier>()
        for node in order {
            let id = ObjectIdentifier(node)
            if targets.contains(id)
                || node.inputs.contains(where: { $0.map { leadsToTarget.contains(ObjectIdentifier($0)) } ?? false })
            {
                leadsToTarget.insert(id)
            }
        }
        accumulated[ObjectIdentifier(root)] = seed
        for node in order.reversed() {
            let id = ObjectIdentifier(node)
            guard leadsToTarget.contains(id), let gradient = accumulated[id], let rule = node.backward else {
                continue
            }
            let needs = node.inputs.map { $0.map { leadsToTarget.contains(ObjectIdentifier($0)) } ?? false }
            guard needs.contains(true) else { continue }
            let inputGradients = rule(gradient, needs)
            precondition(
                inputGradients.count == node.inputs.count,
                "\(node.operation) backward: returned \(inputGradients.count) gradients for \(node.inputs.count) inputs")
            if !targets.contains(id) { accumulated[id] = nil }  // free intermediate gradients early
            for (input, inputGradient) in zip(node.inputs, inputGradients) {
                guard let input, let inputGradient, leadsToTarget.contains(ObjectIdentifier(input)) else { continue }
                precondition(
                    inputGradient.shape == input.shape,
                    "\(node.operation) backward: gradient shape \(inputGradient.shape) for an input of shape \(input.shape)")
                let key = ObjectIdentifier(input)
                accumulated[key] = accumulated[key].map { $0 + inputGradient } ?? inputGradient
            }
        }
    }
    return try inputs.enumerated().map { index, input in
        if let node = input.node, let gradient = accumulated[ObjectIdentifier(node)] {
            return gradient
        }
        if unreachable == .error { throw GradientError.unreachable(index: index, shape: input.shape) }
        return Tensor.zeros(input.shape)
    }
}

/// Nodes reachable from `root`, each after all of its inputs.
private func topologicalOrder(from root: GraphNode) -> [GraphNode] {
    var order: [GraphNode] = []
    var visited = Set<ObjectIdentifier>()
    // Iterative post-order walk: deep graphs must not overflow the stack.
    var stack: [(GraphNode, Int)] = [(root, 0)]
    visited.insert(ObjectIdentifier(root))
    while let (node, next) = stack.popLast() {
        if next < node.inputs.count {
            stack.append((node, next + 1))
            if let input = node.inputs[next], visited.insert(ObjectIdentifier(input)).inserted {
                stack.append((input, 0))
            }
        } else {
            order.append(node)
        }
    }
    return order
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor

/// The rule that turns the gradient of an op's output into gradients of its
/// inputs. It is written in differentiable `Tensor` ops, so when gradients
/// are taken with `createGraph: true` the results can be differentiated again.
///
/// - Parameters:
///   - gradient: ∂L/∂output, shaped like the output.
///   - needsGradient: one flag per input; a rule may return nil for an input
///     whose flag is false (nobody asked for it), and must for constants.
/// - Returns: ∂L/∂input per input, shaped like that input, or nil.
public typealias BackwardRule = (_ gradient: Tensor, _ needsGradient: [Bool]) -> [Tensor?]

/// One recorded operation (or a leaf variable) in the computation graph.
final class GraphNode {
    let operation: String
    /// Nodes of the op's inputs, nil for constant inputs.
    let inputs: [GraphNode?]
    let backward: BackwardRule?
    let shape: [Int]

    init(leafOfShape shape: [Int]) {
        self.operation = "leaf"
        self.inputs = []
        self.backward = nil
        self.shape = shape
    }

    init(operation: String, inputs: [GraphNode?], shape: [Int], backward: @escaping BackwardRule) {
        self.operation = operation
        self.inputs = inputs
        self.shape = shape
        self.backward = backward
    }
}

extension Tensor {
    /// Records an op's result. When gradients are being recorded and some
    /// input is not a constant, the result remembers `backward`; otherwise it
    /// is a constant and `backward` is dropped.
    ///
    /// - Parameters:
    ///   - operation: the op's name, used in error messages.
    ///   - value: the forward result.
    ///   - inputs: the differentiable inputs, in the order `backward` answers.
    public static func record(
        _ operation: String, _ value: NDArray, inputs: [Tensor], backward: @escaping BackwardRule
    ) -> Tensor {
        guard GradientMode.isRecording, inputs.contains(where: { $0.node != nil }) else {
            return Tensor(value)
        }
        let node = GraphNode(
            operation: operation, inputs: inputs.map(\.node), shape: value.shape, backward: backward)
        return Tensor(value, node: node)
    }
}

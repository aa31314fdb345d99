// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor

/// A differentiable Float32 tensor: an `NDArray` value plus, when it takes
/// part in a recorded computation, the graph node that produced it.
///
/// Tensors are values. A tensor made with `Tensor(_:)` is a constant; one
/// made with `requiringGradient()` is a leaf variable that gradients can be
/// taken with respect to; the result of an op on at least one non-constant
/// input (outside a no-grad scope) records how to differentiate it.
public struct Tensor {
    /// The tensor's value.
    public let array: NDArray
    /// The node that records how this tensor was computed; nil for constants.
    let node: GraphNode?

    /// A constant tensor (never differentiated).
    public init(_ array: NDArray) {
        self.array = array
        self.node = nil
    }

    init(_ array: NDArray, node: GraphNode?) {
        self.array = array
        self.node = node
    }

    /// A constant tensor from a shape and row-major scalars.
    public init(shape: [Int], scalars: [Float]) {
        self.init(NDArray(shape: shape, scalars: scalars))
    }

    /// A constant rank-0 tensor.
    public init(scalar: Float) {
        self.init(NDArray(scalar: scalar))
    }

    /// A constant tensor of zeros.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(NDArray(zeros: shape)) }

    /// A constant tensor of ones.
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(NDArray(repeating: 1, shape: shape)) }

    /// A new leaf variable with this tensor's value: gradients can be taken
    /// with respect to it, and it starts a fresh history.
    public func requiringGradient() -> Tensor {
        Tensor(array, node: GraphNode(leafOfShape: array.shape))
    }

    /// The same value with no history (a constant).
    public func detached() -> Tensor { Tensor(array) }

    /// Whether the tensor is a variable or depends on one.
    public var requiresGradient: Bool { node != nil }

    public var shape: [Int] { array.shape }
    public var rank: Int { array.rank }
    public var count: Int { array.count }
    public var scalars: [Float] { array.scalars }
    /// The single element of a one-element tensor.
    public var scalar: Float { array.scalar }

    /// Whether `self` and `other` are the same variable (share a graph node).
    public func isIdentical(to other: Tensor) -> Bool {
        guard let a = node, let b = other.node else { return false }
        return a === b
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview = scalars.prefix(8).map { String($0) }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(preview)\(count > 8 ? ", …" : "")])"
    }
}

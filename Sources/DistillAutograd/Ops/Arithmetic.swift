// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor

// MARK: - Broadcasting primitives

extension Tensor {
    /// Copies the tensor to a shape it broadcasts to.
    ///
    /// Gradient: `grad.sum(toShape: shape)`.
    public func broadcast(to target: [Int]) -> Tensor {
        if shape == target { return self }
        let source = shape
        return Tensor.record("broadcast", array.broadcast(to: target), inputs: [self]) { g, _ in
            [g.sum(toShape: source)]
        }
    }

    /// Sums a broadcast tensor back to `target`, the shape it was stretched from.
    ///
    /// Gradient: `grad.broadcast(to: shape)`.
    public func sum(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        let axes = Broadcast.stretchedAxes(of: target, in: shape)
        let source = shape
        let value = array.sum(alongAxes: axes).reshaped(target)
        return Tensor.record("sumToShape", value, inputs: [self]) { g, _ in
            [g.broadcast(to: source)]
        }
    }
}

// MARK: - Arithmetic

extension Tensor {
    /// Elementwise sum with broadcasting. Gradient: `grad` summed to each shape.
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
        let (ls, rs) = (lhs.shape, rhs.shape)
        return record("add", lhs.array.elementwise(.add, rhs.array), inputs: [lhs, rhs]) { g, needs in
            [needs[0] ? g.sum(toShape: ls) : nil, needs[1] ? g.sum(toShape: rs) : nil]
        }
    }

    /// Elementwise difference with broadcasting. Gradient: `grad`, `−grad`.
    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor {
        let (ls, rs) = (lhs.shape, rhs.shape)
        return record("subtract", lhs.array.elementwise(.subtract, rhs.array), inputs: [lhs, rhs]) { g, needs in
            [needs[0] ? g.sum(toShape: ls) : nil, needs[1] ? (-g).sum(toShape: rs) : nil]
        }
    }

    /// Elementwise product with broadcasting. Gradient: `grad·rhs`, `grad·lhs`.
    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor {
        let (ls, rs) = (lhs.shape, rhs.shape)
        return record("multiply", lhs.array.elementwise(.multiply, rhs.array), inputs: [lhs, rhs]) { g, needs in
            [needs[0] ? (g * rhs).sum(toShape: ls) : nil, needs[1] ? (g * lhs).sum(toShape: rs) : nil]
        }
    }

    /// Elementwise quotient with broadcasting.
    /// Gradient: `grad/rhs`, `−grad·lhs/rhs²`.
    public static func / (lhs: Tensor, rhs: Tensor) -> Tensor {
        let (ls, rs) = (lhs.shape, rhs.shape)
        return record("divide", lhs.array.elementwise(.divide, rhs.array), inputs: [lhs, rhs]) { g, needs in
            [
                needs[0] ? (g / rhs).sum(toShape: ls) : nil,
                needs[1] ? (-(g * lhs) / (rhs * rhs)).sum(toShape: rs) : nil,
            ]
        }
    }

    /// Negation. Gradient: `−grad`.
    public static prefix func - (x: Tensor) -> Tensor {
        x * -1
    }

    /// Adds a constant. Gradient: `grad`.
    public static func + (lhs: Tensor, rhs: Float) -> Tensor {
        record("addScalar", lhs.array.map { $0 + rhs }, inputs: [lhs]) { g, _ in [g] }
    }

    public static func + (lhs: Float, rhs: Tensor) -> Tensor { rhs + lhs }

    public static func - (lhs: Tensor, rhs: Float) -> Tensor { lhs + (-rhs) }

    public static func - (lhs: Float, rhs: Tensor) -> Tensor { (rhs * -1) + lhs }

    /// Multiplies by a constant. Gradient: `grad·rhs`.
    public static func * (lhs: Tensor, rhs: Float) -> Tensor {
        record("scale", lhs.array.scaled(by: rhs), inputs: [lhs]) { g, _ in [g * rhs] }
    }

    public static func * (lhs: Float, rhs: Tensor) -> Tensor { rhs * lhs }

    public static func / (lhs: Tensor, rhs: Float) -> Tensor { lhs * (1 / rhs) }
}

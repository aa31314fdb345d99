// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor

extension Tensor {
    /// The same elements viewed with another shape of equal element count.
    /// One extent may be -1 and is then inferred.
    ///
    /// Gradient: `grad.reshaped(shape)`.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var resolved = newShape
        if let hole = newShape.firstIndex(of: -1) {
            let known = newShape.filter { $0 != -1 }.reduce(1, *)
            precondition(known > 0 && count % known == 0, "reshape: cannot view shape \(shape) as \(newShape)")
            resolved[hole] = count / known
        }
        if resolved == shape { return self }
        let source = shape
        return Tensor.record("reshape", array.reshaped(resolved), inputs: [self]) { g, _ in [g.reshaped(source)] }
    }

    /// Flattens every dimension after the first: `[N, …] → [N, rest]`.
    public func flattened() -> Tensor {
        reshaped([shape[0], -1])
    }
}

// MARK: - Movement

extension Tensor {
    /// Reorders the dimensions: dimension `i` of the result is dimension
    /// `axes[i]` of `self` (negative axes count from the end).
    ///
    /// Gradient: `grad` permuted by the inverse permutation.
    public func permuted(_ axes: [Int]) -> Tensor {
        let resolved = axes.map { $0 < 0 ? $0 + rank : $0 }
        if resolved == Array(0..<rank) { return self }
        let value = array.permuted(resolved)
        var inverse = [Int](repeating: 0, count: rank)
        for (position, axis) in resolved.enumerated() { inverse[axis] = position }
        return Tensor.record("permute", value, inputs: [self]) { g, _ in [g.permuted(inverse)] }
    }

    /// Reverses the order of elements along each of `axes` (negative axes
    /// count from the end). Gradient: `grad` flipped along the same axes.
    public func flipped(axes: [Int]) -> Tensor {
        if axes.isEmpty { return self }
        let resolved = axes.map { $0 < 0 ? $0 + rank : $0 }
        return Tensor.record("flip", array.flipped(axes: resolved), inputs: [self]) { g, _ in
            [g.flipped(axes: resolved)]
        }
    }

    /// The elements at positions `range` along `axis` (negative counts from the end).
    ///
    /// Gradient: `grad` padded with zeros back to the input's extent.
    public func sliced(axis: Int, range: Range<Int>) -> Tensor {
        let resolved = resolvedAxis(axis, op: "sliced")
        precondition(
            range.lowerBound >= 0 && range.upperBound <= shape[resolved],
            "sliced: range \(range) out of bounds for axis \(resolved) of shape \(shape)")
        var box = shape.map { 0..<$0 }
        box[resolved] = range
        return cropped(to: box)
    }

    /// Adds `before` and `after` elements equal to `value` around each dimension.
    ///
    /// Gradient: the interior of `grad` (the padding receives none).
    /// - Parameter padding: one non-negative pair per dimension.
    public func padded(_ padding: [(before: Int, after: Int)], value: Float = 0) -> Tensor {
        if padding.count == rank && padding.allSatisfy({ $0.before == 0 && $0.after == 0 }) { return self }
        let interior = zip(padding, shape).map { $0.before..<($0.before + $1) }
        return Tensor.record("pad", array.padded(padding, value: value), inputs: [self]) { g, _ in
            [g.cropped(to: interior)]
        }
    }

    /// The elements inside a box, one range per dimension.
    ///
    /// Gradient: `grad` padded with zeros around the box.
    func cropped(to box: [Range<Int>]) -> Tensor {
        if box.count == rank && zip(box, shape).allSatisfy({ $0 == 0..<$1 }) { return self }
        let margins = zip(box, shape).map { (before: $0.lowerBound, after: $1 - $0.upperBound) }
        return Tensor.record("crop", array.cropped(to: box), inputs: [self]) { g, _ in
            [g.padded(margins)]
        }
    }

    /// Joins tensors along `axis` (negative counts from the end); all other
    /// extents must agree.
    ///
    /// Gradient: the slice of `grad` that each input occupies.
    public static func concatenate(_ tensors: [Tensor], axis: Int) -> Tensor {
        precondition(!tensors.isEmpty, "concatenate: needs at least one tensor")
        if tensors.count == 1 { return tensors[0] }
        let resolved = tensors[0].resolvedAxis(axis, op: "concatenate")
        let value = NDArray.concatenate(tensors.map(\.array), axis: resolved)
        var starts = [0]
        for tensor in tensors { starts.append(starts.last! + tensor.shape[resolved]) }
        return record("concatenate", value, inputs: tensors) { g, needs in
            needs.indices.map { i in
                needs[i] ? g.sliced(axis: resolved, range: starts[i]..<starts[i + 1]) : nil
            }
        }
    }
}

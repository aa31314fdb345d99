// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

// Every op here is one strided copy: permute and flip read the input through
// permuted or negated strides, slice and concatenate copy boxes between
// arrays, and pad copies the input into the interior of a filled array.

extension NDArray {
    /// Reorders the dimensions: dimension `i` of the result is dimension
    /// `axes[i]` of `self` (negative axes count from the end).
    ///
    ///     result[i₀, …, iₖ] = self[j] with j[axes[d]] = i_d
    public func permuted(_ axes: [Int]) -> NDArray {
        let resolved = axes.map { $0 < 0 ? $0 + rank : $0 }
        precondition(
            resolved.sorted() == Array(0..<rank),
            "permuted: axes \(axes) are not a permutation of the dimensions of shape \(shape)")
        let strides = shape.rowMajorStrides
        let outShape = resolved.map { shape[$0] }
        return copy(extent: outShape, offset: 0, sourceStrides: resolved.map { strides[$0] })
    }

    /// Reverses the order of elements along each of `axes` (negative axes
    /// count from the end).
    public func flipped(axes: [Int]) -> NDArray {
        let resolved = axes.map { $0 < 0 ? $0 + rank : $0 }
        precondition(
            resolved.allSatisfy { $0 >= 0 && $0 < rank } && Set(resolved).count == resolved.count,
            "flipped: axes \(axes) must be distinct dimensions of shape \(shape)")
        var strides = shape.rowMajorStrides
        var offset = 0
        for axis in resolved {
            offset += max(shape[axis] - 1, 0) * strides[axis]
            strides[axis] = -strides[axis]
        }
        return copy(extent: shape, offset: offset, sourceStrides: strides)
    }

    /// The elements inside a box, one range per dimension.
    ///
    /// - Parameter box: `box.count == rank`, each range within `0...shape[d]`.
    public func cropped(to box: [Range<Int>]) -> NDArray {
        precondition(
            box.count == rank && zip(box, shape).allSatisfy { $0.lowerBound >= 0 && $0.upperBound <= $1 },
            "cropped: box \(box) does not fit in shape \(shape)")
        let strides = shape.rowMajorStrides
        let offset = zip(box, strides).reduce(0) { $0 + $1.0.lowerBound * $1.1 }
        return copy(extent: box.map(\.count), offset: offset, sourceStrides: strides)
    }

    /// The elements at positions `range` along `axis` (negative counts from the end).
    public func sliced(axis: Int, range: Range<Int>) -> NDArray {
        let resolved = axis < 0 ? axis + rank : axis
        precondition(resolved >= 0 && resolved < rank, "sliced: axis \(axis) out of range for shape \(shape)")
        precondition(
            range.lowerBound >= 0 && range.upperBound <= shape[resolved],
            "sliced: range \(range) out of bounds for axis \(resolved) of shape \(shape)")
        var box = shape.map { 0..<$0 }
        box[resolved] = range
        return cropped(to: box)
    }

    /// Adds `before` and `after` elements equal to `value` around each dimension.
    ///
    /// - Parameter padding: one non-negative pair per dimension.
    public func padded(_ padding: [(before: Int, after: Int)], value: Float = 0) -> NDArray {
        precondition(
            padding.count == rank && padding.allSatisfy { $0.before >= 0 && $0.after >= 0 },
            "padded: padding \(padding.map { [$0.before, $0.after] }) needs one non-negative pair per "
                + "dimension of \(shape)")
        let outShape = zip(shape, padding).map { $0 + $1.before + $1.after }
        let outStrides = outShape.rowMajorStrides
        let offset = zip(padding, outStrides).reduce(0) { $0 + $1.0.before * $1.1 }
        return NDArray(shape: outShape) { out in
            guard let y = out.baseAddress else { return }
            y.initialize(repeating: value, count: out.count)
            withUnsafeBufferPointer { input in
                guard let x = input.baseAddress else { return }
                StridedCopy.run(
                    extent: shape, source: x, sourceStrides: shape.rowMajorStrides,
                    destination: y + offset, destinationStrides: outStrides)
            }
        }
    }

    /// Joins arrays along `axis` (negative counts from the end); all other
    /// extents must agree.
    public static func concatenate(_ arrays: [NDArray], axis: Int) -> NDArray {
        precondition(!arrays.isEmpty, "concatenate: needs at least one array")
        let first = arrays[0].shape
        let resolved = axis < 0 ? axis + first.count : axis
        precondition(
            resolved >= 0 && resolved < first.count, "concatenate: axis \(axis) out of range for shape \(first)")
        let agrees = { (shape: [Int]) in
            shape.count == first.count && shape.indices.allSatisfy { $0 == resolved || shape[$0] == first[$0] }
        }
        precondition(
            arrays.allSatisfy { agrees($0.shape) },
            "concatenate: shapes \(arrays.map(\.shape)) differ outside axis \(resolved)")
        var outShape = first
        outShape[resolved] = arrays.reduce(0) { $0 + $1.shape[resolved] }
        let outStrides = outShape.rowMajorStrides
        return NDArray(shape: outShape) { out in
            guard let y = out.baseAddress else { return }
            var start = 0
            for array in arrays {
                array.withUnsafeBufferPointer { input in
                    guard let x = input.baseAddress else { return }
                    StridedCopy.run(
                        extent: array.shape, source: x, sourceStrides: array.shape.rowMajorStrides,
                        destination: y + start * outStrides[resolved], destinationStrides: outStrides)
                }
                start += array.shape[resolved]
            }
        }
    }

    /// A new row-major array of shape `extent` read from `self` at `offset` with `sourceStrides`.
    private func copy(extent: [Int], offset: Int, sourceStrides: [Int]) -> NDArray {
        NDArray(shape: extent) { out in
            withUnsafeBufferPointer { input in
                guard let x = input.baseAddress, let y = out.baseAddress else { return }
                StridedCopy.run(
                    extent: extent, source: x + offset, sourceStrides: sourceStrides,
                    destination: y, destinationStrides: extent.rowMajorStrides)
            }
        }
    }
}

/// Copies a box of `extent` between two strided layouts.
enum StridedCopy {
    /// Copies `source[Σ iₐ·sourceStridesₐ]` to `destination[Σ iₐ·destinationStridesₐ]`
    /// for every index `i` in `extent`. Strides may be negative.
    ///
    /// Dimensions that are contiguous in both layouts are merged first, so the
    /// inner loop is as long as possible (often a plain memory copy).
    static func run(
        extent: [Int], source: UnsafePointer<Float>, sourceStrides: [Int],
        destination: UnsafeMutablePointer<Float>, destinationStrides: [Int]
    ) {
        if extent.contains(0) { return }
        var dims: [(count: Int, source: Int, destination: Int)] = []
        for axis in extent.indices where extent[axis] != 1 {
            let (n, s, d) = (extent[axis], sourceStrides[axis], destinationStrides[axis])
            if let last = dims.last, last.source == s * n, last.destination == d * n {
                dims[dims.count - 1] = (last.count * n, s, d)
            } else {
                dims.append((n, s, d))
            }
        }
        guard let inner = dims.popLast() else {
            destination.pointee = source.pointee
            return
        }
        let rows = dims.reduce(1) { $0 * $1.count }
        Parallel.forEachRange(rows, grain: max(1, (1 << 15) / inner.count)) { range in
            var index = [Int](repeating: 0, count: dims.count)
            var remainder = range.lowerBound
            var sourceOffset = 0, destinationOffset = 0
            for axis in dims.indices.reversed() {
                index[axis] = remainder % dims[axis].count
                remainder /= dims[axis].count
                sourceOffset += index[axis] * dims[axis].source
                destinationOffset += index[axis] * dims[axis].destination
            }
            for _ in range {
                let x = source + sourceOffset, y = destination + destinationOffset
                if inner.source == 1 && inner.destination == 1 {
                    y.update(from: x, count: inner.count)
                } else {
                    for j in 0..<inner.count { y[j * inner.destination] = x[j * inner.source] }
                }
                var axis = dims.count - 1
                while axis >= 0 {
                    index[axis] += 1
                    sourceOffset += dims[axis].source
                    destinationOffset += dims[axis].destination
                    if index[axis] < dims[axis].count { break }
                    sourceOffset -= dims[axis].source * dims[axis].count
                    destinationOffset -= dims[axis].destination * dims[axis].count
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
    }
}

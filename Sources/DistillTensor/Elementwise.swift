// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

/// Binary arithmetic applied elementwise with broadcasting.
public enum BinaryOperation: Sendable {
    case add, subtract, multiply, divide

    @inline(__always)
    func apply(_ a: Float, _ b: Float) -> Float {
        switch self {
        case .add: return a + b
        case .subtract: return a - b
        case .multiply: return a * b
        case .divide: return a / b
        }
    }
}

extension NDArray {
    /// `op(self, other)` elementwise after broadcasting both to a common shape.
    public func elementwise(_ op: BinaryOperation, _ other: NDArray) -> NDArray {
        if shape == other.shape {
            return NDArray(shape: shape) { out in
                withUnsafeBufferPointer { a in
                    other.withUnsafeBufferPointer { b in
                        Self.applySameShape(op, a, b, out)
                    }
                }
            }
        }
        guard let target = Broadcast.shape(shape, other.shape) else {
            preconditionFailure("\(op): shapes \(shape) and \(other.shape) do not broadcast")
        }
        let aStrides = Broadcast.strides(of: shape, broadcastTo: target)
        let bStrides = Broadcast.strides(of: other.shape, broadcastTo: target)
        return NDArray(shape: target) { out in
            withUnsafeBufferPointer { a in
                other.withUnsafeBufferPointer { b in
                    Self.applyStrided(
                        op, a.baseAddress!, aStrides, b.baseAddress!, bStrides, out.baseAddress!, target)
                }
            }
        }
    }

    private static func applySameShape(
        _ op: BinaryOperation, _ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>,
        _ out: UnsafeMutableBufferPointer<Float>
    ) {
        let n = out.count
        Parallel.forEachRange(n, grain: 1 << 16) { range in
            switch op {
            case .add: for i in range { out[i] = a[i] + b[i] }
            case .subtract: for i in range { out[i] = a[i] - b[i] }
            case .multiply: for i in range { out[i] = a[i] * b[i] }
            case .divide: for i in range { out[i] = a[i] / b[i] }
            }
        }
    }

    /// Walks the output in row-major order; the innermost dimension is a
    /// tight loop with fixed input strides (0 for a stretched operand).
    private static func applyStrided(
        _ op: BinaryOperation, _ a: UnsafePointer<Float>, _ aStrides: [Int],
        _ b: UnsafePointer<Float>, _ bStrides: [Int], _ out: UnsafeMutablePointer<Float>, _ shape: [Int]
    ) {
        let rank = shape.count
        let inner = rank == 0 ? 1 : shape[rank - 1]
        let aInner = rank == 0 ? 0 : aStrides[rank - 1]
        let bInner = rank == 0 ? 0 : bStrides[rank - 1]
        let rows = inner == 0 ? 0 : shape.elementCount / inner
        let outerShape = Array(shape.dropLast())
        Parallel.forEachRange(rows, grain: max(1, (1 << 15) / max(inner, 1))) { range in
            var index = [Int](repeating: 0, count: max(rank - 1, 0))
            var remainder = range.lowerBound
            for axis in stride(from: rank - 2, through: 0, by: -1) {
                index[axis] = remainder % outerShape[axis]
                remainder /= outerShape[axis]
            }
            for row in range {
                var aOffset = 0, bOffset = 0
                for axis in 0..<(rank - 1 > 0 ? rank - 1 : 0) {
                    aOffset += index[axis] * aStrides[axis]
                    bOffset += index[axis] * bStrides[axis]
                }
                let o = out + row * inner
                let pa = a + aOffset, pb = b + bOffset
                switch op {
                case .add: for j in 0..<inner { o[j] = pa[j * aInner] + pb[j * bInner] }
                case .subtract: for j in 0..<inner { o[j] = pa[j * aInner] - pb[j * bInner] }
                case .multiply: for j in 0..<inner { o[j] = pa[j * aInner] * pb[j * bInner] }
                case .divide: for j in 0..<inner { o[j] = pa[j * aInner] / pb[j * bInner] }
                }
                // Advance the multi-index of the outer dimensions.
                var axis = rank - 2
                while axis >= 0 {
                    index[axis] += 1
                    if index[axis] < outerShape[axis] { break }
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
    }

    /// Applies `transform` to every element.
    @inlinable
    public func map(_ transform: (Float) -> Float) -> NDArray {
        NDArray(shape: shape) { out in
            withUnsafeBufferPointer { input in
                for i in 0..<input.count { out[i] = transform(input[i]) }
            }
        }
    }

    /// Combines two arrays of identical shape elementwise.
    @inlinable
    public func zipMap(_ other: NDArray, _ transform: (Float, Float) -> Float) -> NDArray {
        precondition(shape == other.shape, "zipMap: shapes \(shape) and \(other.shape) differ")
        return NDArray(shape: shape) { out in
            withUnsafeBufferPointer { a in
                other.withUnsafeBufferPointer { b in
                    for i in 0..<a.count { out[i] = transform(a[i], b[i]) }
                }
            }
        }
    }

    /// `self * factor`.
    public func scaled(by factor: Float) -> NDArray { map { $0 * factor } }
}

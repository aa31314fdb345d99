// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

extension NDArray {
    /// Sum over `axes`, keeping them as dimensions of extent 1.
    ///
    /// Accumulates in Double in a fixed order, so the result does not depend
    /// on the thread count and stays accurate for sums over whole batches.
    /// `Σ x[0..<count]`: 16 Float lanes over blocks of 256 values, each
    /// block's sum added in Double (a serial Double sum is latency-bound).
    @inline(__always)
    static func contiguousSum(_ x: UnsafePointer<Float>, count: Int) -> Double {
        var total = 0.0
        var start = 0
        while start < count {
            let end = Swift.min(start + 256, count)
            var lanes = SIMD16<Float>()
            var i = start
            while i + 16 <= end {
                lanes += UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
                i += 16
            }
            var block = Double(lanes.sum())
            while i < end {
                block += Double(x[i])
                i += 1
            }
            total += block
            start = end
        }
        return total
    }

    public func sum(alongAxes axes: [Int]) -> NDArray {
        let axisSet = Set(axes.map { $0 < 0 ? $0 + rank : $0 })
        precondition(axisSet.allSatisfy { $0 >= 0 && $0 < rank }, "sum: axes \(axes) out of range for shape \(shape)")
        var outShape = shape
        for axis in axisSet { outShape[axis] = 1 }
        if axisSet.isEmpty { return self }
        // Collapse to [outer, reduced, inner] when the reduced axes are contiguous.
        let sorted = axisSet.sorted()
        if sorted.last! - sorted.first! + 1 == sorted.count {
            let outer = shape[..<sorted.first!].reduce(1, *)
            let reduced = sorted.map { shape[$0] }.reduce(1, *)
            let inner = shape[(sorted.last! + 1)...].reduce(1, *)
            return NDArray(shape: outShape) { out in
                withUnsafeBufferPointer { x in
                    Parallel.forEachRange(outer, grain: max(1, 4096 / max(reduced * inner, 1))) { range in
                        var acc = [Double](repeating: 0, count: inner)
                        for o in range {
                            for i in 0..<inner { acc[i] = 0 }
                            let base = o * reduced * inner
                            if inner == 1 {
                                acc[0] = Self.contiguousSum(x.baseAddress! + base, count: reduced)
                            } else {
                                for r in 0..<reduced {
                                    let row = base + r * inner
                                    for i in 0..<inner { acc[i] += Double(x[row + i]) }
                                }
                            }
                            for i in 0..<inner { out[o * inner + i] = Float(acc[i]) }
                        }
                    }
                }
            }
        }
        // General case: accumulate each input element into its output slot.
        let outStrides = outShape.rowMajorStrides
        let gather = (0..<rank).map { axisSet.contains($0) ? 0 : outStrides[$0] }
        var acc = [Double](repeating: 0, count: outShape.elementCount)
        withUnsafeBufferPointer { x in
            var index = [Int](repeating: 0, count: rank)
            for flat in 0..<count {
                var offset = 0
                for axis in 0..<rank { offset += index[axis] * gather[axis] }
                acc[offset] += Double(x[flat])
                var axis = rank - 1
                while axis >= 0 {
                    index[axis] += 1
                    if index[axis] < shape[axis] { break }
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
        return NDArray(shape: outShape, scalars: acc.map { Float($0) })
    }

    /// Sum of all elements, accumulated in Double.
    public func sumAll() -> Float {
        withUnsafeBufferPointer { x in
            var s = 0.0
            for v in x { s += Double(v) }
            return Float(s)
        }
    }

    /// Broadcasts to `target` (a shape `self` broadcasts to) by copying.
    public func broadcast(to target: [Int]) -> NDArray {
        if shape == target { return self }
        precondition(
            Broadcast.shape(shape, target) == target,
            "broadcast: shape \(shape) does not broadcast to \(target)")
        return NDArray(zeros: target).elementwise(.add, self)
    }
}

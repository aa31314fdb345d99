// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

/// A dense Float32 array of any rank, contiguous and row-major.
///
/// Images are NCHW, convolution weights `[C_out, C_in, kH, kW]`, linear
/// weights `[out, in]`. `NDArray` is a value type: copies share storage until
/// one of them is mutated (Swift's copy-on-write `Array`).
public struct NDArray: Sendable, Equatable {
    /// Extent of each dimension; `[]` is a scalar.
    public private(set) var shape: [Int]
    /// The elements in row-major order; `scalars.count == shape.product`.
    public var scalars: [Float]

    /// Wraps `scalars` as an array of the given shape.
    /// - Precondition: `scalars.count` equals the product of `shape`.
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "NDArray: negative extent in shape \(shape)")
        precondition(
            shape.elementCount == scalars.count,
            "NDArray: shape \(shape) needs \(shape.elementCount) scalars, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    /// An array of the given shape with every element equal to `value`.
    public init(repeating value: Float, shape: [Int]) {
        self.init(shape: shape, scalars: [Float](repeating: value, count: shape.elementCount))
    }

    /// An array of zeros.
    public init(zeros shape: [Int]) {
        self.init(repeating: 0, shape: shape)
    }

    /// A rank-0 array holding `value`.
    public init(scalar value: Float) {
        self.init(shape: [], scalars: [value])
    }

    /// Creates an array whose elements `fill` writes. `fill` must initialise
    /// every element; the buffer starts uninitialised to avoid a zero pass.
    @inlinable
    public init(shape: [Int], unsafeUninitialized fill: (UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows {
        let count = shape.elementCount
        let scalars = try [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            try fill(buffer)
            initialized = count
        }
        self.init(shape: shape, scalars: scalars)
    }

    public var count: Int { scalars.count }
    public var rank: Int { shape.count }

    /// The single element of a one-element array.
    public var scalar: Float {
        precondition(scalars.count == 1, "NDArray.scalar: shape \(shape) has \(scalars.count) elements")
        return scalars[0]
    }

    /// The same elements viewed with another shape of equal element count.
    public func reshaped(_ newShape: [Int]) -> NDArray {
        precondition(
            newShape.elementCount == count,
            "reshape: cannot view shape \(shape) (\(count) elements) as \(newShape)")
        return NDArray(shape: newShape, scalars: scalars)
    }

    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try scalars.withUnsafeBufferPointer(body)
    }

    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        try scalars.withUnsafeMutableBufferPointer(body)
    }
}

extension Array where Element == Int {
    /// Number of elements of an array with this shape (1 for a scalar).
    @inlinable
    public var elementCount: Int { reduce(1, *) }

    /// Row-major strides of an array with this shape.
    public var rowMajorStrides: [Int] {
        var strides = [Int](repeating: 1, count: count)
        var running = 1
        for axis in indices.reversed() {
            strides[axis] = running
            running *= self[axis]
        }
        return strides
    }
}

extension NDArray {
    /// Copies the rows (first-axis slices) at `indices`, in that order.
    /// - Returns: `[indices.count] + shape.dropFirst()`.
    public func rows(_ indices: [Int]) -> NDArray {
        let rowSize = shape.dropFirst().reduce(1, *)
        return withUnsafeBufferPointer { source in
            NDArray(shape: [indices.count] + shape.dropFirst()) { out in
                for (row, index) in indices.enumerated() {
                    precondition(
                        (0..<shape[0]).contains(index), "NDArray.rows: index \(index) outside 0..<\(shape[0])")
                    (out.baseAddress! + row * rowSize).update(
                        from: source.baseAddress! + index * rowSize, count: rowSize)
                }
            }
        }
    }
}

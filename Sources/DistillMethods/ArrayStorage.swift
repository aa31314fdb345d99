// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor

/// An `NDArray` as a Codable value (shape and row-major scalars), for checkpoints.
///
/// Float32 values survive JSON and property-list round trips exactly
/// (Swift writes the shortest representation that reads back to the same bits);
/// non-finite values do not fit JSON, which the encoder reports.
struct StoredArray: Codable, Equatable {
    var shape: [Int]
    var scalars: [Float]

    init(_ array: NDArray) {
        shape = array.shape
        scalars = array.scalars
    }

    /// The array, after checking that the scalars fill the shape.
    func array(codingPath: [CodingKey]) throws -> NDArray {
        // A hand-edited or corrupt file can hold extents whose product overflows `Int`.
        let count = shape.reduce((value: 1, overflow: false)) { running, extent in
            let product = running.value.multipliedReportingOverflow(by: extent)
            return (product.partialValue, running.overflow || product.overflow)
        }
        guard shape.allSatisfy({ $0 >= 0 }), !count.overflow, count.value == scalars.count else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: codingPath, debugDescription: "\(scalars.count) values do not fill shape \(shape)"))
        }
        return NDArray(shape: shape, scalars: scalars)
    }
}

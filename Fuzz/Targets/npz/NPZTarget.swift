// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import Foundation

/// Any bytes as a NumPy `.npz`: the zip directory, each member's CRC and
/// inflation, and each `.npy` header must be validated (or refused) so that
/// every array admitted holds as many values as its shape says, without a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let arrays = try? NPZ.read(Data(bytes: data, count: size), file: "fuzz.npz") else { return 0 }
    for array in arrays.values {
        let count = array.shape.reduce(1, *)
        let stored: Int
        switch array {
        case .float32(_, let values): stored = values.count
        case .int64(_, let values): stored = values.count
        case .bool(_, let values): stored = values.count
        case .strings(_, let values): stored = values.count
        }
        precondition(stored == count, "an array of shape \(array.shape) holds \(stored) values")
    }
    return 0
}

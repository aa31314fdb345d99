// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import Foundation

/// Any bytes as a safetensors file: the header must be validated (or refused)
/// so that every tensor it admits reads back without a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let file = try? SafeTensorsFile(data: Data(bytes: data, count: size)) else { return 0 }
    for name in file.names {
        _ = try? file.floats(name)
        _ = try? file.doubles(name)
        _ = try? file.integers(name)
    }
    return 0
}

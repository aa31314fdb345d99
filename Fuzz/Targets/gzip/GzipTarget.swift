// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData

/// Any bytes as gzip data: decompressed or refused, never a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? Gzip.decompress(Array(UnsafeBufferPointer(start: data, count: size)), source: "fuzz")
    return 0
}

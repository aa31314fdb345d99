// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData

/// Any bytes as an IDX image file and as an IDX label file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for content in [IDXFile.Content.images, .labels] {
        if let file = try? IDXFile.parse(bytes, expecting: content, source: "fuzz") {
            // What parses must encode back to the same bytes.
            precondition(file.encoded(as: content) == bytes, "IDX round trip changed the bytes")
        }
    }
    return 0
}

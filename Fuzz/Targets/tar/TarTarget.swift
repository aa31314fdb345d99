// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData

/// Any bytes as a tar archive, whole and fed in two pieces: both must give
/// the same entries or both refuse, since a .tar.gz arrives in chunks.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let whole = try? TarReader.entries(in: bytes, source: "fuzz")
    // The split point comes from the input so the fuzzer explores it too.
    let split = size == 0 ? 0 : Int(bytes[0]) * 7 % (size + 1)
    var reader = TarReader(source: "fuzz")
    let pieces: [TarEntry]? = try? {
        try bytes[..<split].withUnsafeBytes { try reader.consume($0) }
        try bytes[split...].withUnsafeBytes { try reader.consume($0) }
        try reader.finish()
        return reader.entries
    }()
    precondition(whole == pieces, "tar entries depend on how the bytes were split")
    return 0
}

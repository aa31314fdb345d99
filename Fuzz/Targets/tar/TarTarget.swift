// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData

/// Any bytes as a tar archive (plain or with any compression libarchive
/// recognises), read through libarchive as CIFAR's `.tar.gz` is: entries or
/// a `DatasetError`, never a crash; and reading twice gives the same entries.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let first = try? TarArchive.entries(in: bytes, source: "fuzz")
    let second = try? TarArchive.entries(in: bytes, source: "fuzz")
    precondition(first == second, "tar entries differ between two reads of the same bytes")
    return 0
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillZoo

/// Any text as a ConvNet spec: parsed or refused; what parses writes a
/// description that parses back to the same spec, and its size can be
/// estimated without a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let spec = try? ConvNetSpec(parsing: text) else { return 0 }
    precondition((try? ConvNetSpec(parsing: spec.description)) == spec, "'\(text)' does not round-trip")
    for (channels, side) in [(1, 28), (3, 32)] {
        _ = try? Zoo.footprint(name: spec.description, channels: channels, imageSize: side, classes: 10)
    }
    return 0
}

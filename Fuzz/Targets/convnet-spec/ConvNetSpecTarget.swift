// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor
import DistillZoo

/// Any text as a ConvNet spec: parsed or refused; what parses writes a
/// description that parses back to the same spec, its size can be estimated
/// without a trap, and a small one builds on 8×8 images without reaching a
/// layer's precondition (as `ConvNet(width=6,norm=groupnorm)` once did).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let spec = try? ConvNetSpec(parsing: text) else { return 0 }
    precondition((try? ConvNetSpec(parsing: spec.description)) == spec, "'\(text)' does not round-trip")
    for (channels, side) in [(1, 28), (3, 32)] {
        _ = try? Zoo.footprint(name: spec.description, channels: channels, imageSize: side, classes: 10)
    }
    // Only small networks are built, so that every input stays fast.
    for channels in [1, 3] {
        guard let footprint = try? Zoo.footprint(name: spec.description, channels: channels, imageSize: 8, classes: 2),
            footprint.parameters <= 100_000, footprint.activationsPerImage <= 100_000
        else { continue }
        var generator = SeededGenerator(seed: 0)
        _ = try? Zoo.make(name: spec.description, channels: channels, imageSize: 8, classes: 2, using: &generator)
    }
    return 0
}

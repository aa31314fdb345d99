// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillMethods
import DistillTensor

/// Any text as a `--pool` value: parsed or refused, and what parses has
/// probabilities that sum to 1 and draws one of its members.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let pool = try? ModelPool(parsing: text) else { return 0 }
    var generator = SeededGenerator(seed: UInt64(size))
    let drawn = pool.sample(iteration: 0, using: &generator)
    precondition(pool.architectures.contains(drawn), "pool drew '\(drawn)', which is not a member")
    return 0
}

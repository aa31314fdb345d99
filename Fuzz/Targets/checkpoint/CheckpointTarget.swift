// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillMethods
import Foundation

/// Any bytes as `checkpoint.json`: decoded or refused, and what decodes
/// encodes and decodes again to the same state.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let state = try? JSONDecoder().decode(CondensationState.self, from: Data(bytes: data, count: size)) else {
        return 0
    }
    // Non-finite values cannot be written as JSON; the encoder refuses them.
    guard let encoded = try? JSONEncoder().encode(state) else { return 0 }
    let decoded = try? JSONDecoder().decode(CondensationState.self, from: encoded)
    precondition(decoded == state, "checkpoint did not survive a JSON round trip")
    return 0
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation
import XCTest
import _DistillTestSupport

/// Commands check where they will write before any work; one refused after
/// that check (for a network that cannot be built, say) leaves no folder the check made.
final class RefusedOutputTests: BinaryTestCase {
    func testACommandRefusedAfterCheckingItsOutputLeavesNoFolder() throws {
        let set = try binary.writeSet("set.safetensors")
        let weights = binary.path("w.safetensors")
        try binary.run(["train", "--model", "MLP", "--epochs", "0", "--save", weights]).expectSuccess()
        for (arguments, refusal) in [
            (["evaluate", set, "--models", "ConvNet(depth=6)", "--num-eval", "1", "--epochs", "1", "--out", binary.path("nd/a/b")],
             "cannot take 1×28×28 inputs"),
            (["train", "--model", "ConvNet(depth=6)", "--epochs", "0", "--save", binary.path("nd/x/w.safetensors")], "cannot take 1×28×28 inputs"),
            (["forward", "--model", "LeNet", "--weights", weights, "--input", set, "--out", binary.path("nd/y.safetensors")], "has no tensor 'x'"),
        ] {
            try binary.run(arguments).expectFailure(mentioning: refusal)
            XCTAssertFalse(FileManager.default.fileExists(atPath: binary.path("nd")), "\(arguments[0]) left nd/")
        }
    }
}

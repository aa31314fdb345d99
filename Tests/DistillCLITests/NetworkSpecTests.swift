// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation
import XCTest
import _DistillTestSupport

/// Network names and ConvNet specs as every command reads them: a spec whose
/// layers cannot be built together is refused in one line before anything is
/// made, spaces around a name do not matter, and a pool names each network once.
final class NetworkSpecTests: BinaryTestCase {
    func testGroupNormWithAWidthNotAMultipleOfFourIsRefusedByEveryCommand() throws {
        let spec = "ConvNet(width=6,norm=groupnorm)"
        let refusal = "invalid ConvNet spec '\(spec)': norm=groupnorm splits the width into 4 groups, "
            + "so width must be a multiple of 4 (got 6)"
        let set = try binary.writeSet("set.safetensors")
        let out = binary.path("nd/out")
        for arguments in [
            ["train", "--model", spec, "--epochs", "1", "--save", binary.path("nd/w.safetensors")],
            ["evaluate", set, "--models", "ConvNet,\(spec)", "--num-eval", "1", "--epochs", "1", "--out", out],
            ["evaluate", set, "--kd", "--teacher", spec, "--num-eval", "1", "--epochs", "1", "--out", out],
            ["condense", "--model", spec, "--iterations", "1", "--out", out],
            ["condense", "--pool", "ConvNet:0.5,\(spec):0.5", "--iterations", "1", "--out", out],
            ["forward", "--model", spec, "--weights", set, "--input", set, "--out", binary.path("nd/y.safetensors")],
            ["experiment", "model-pool", "--models", spec, "--out", out],
            ["experiment", "generalization", "--settings", "dc", "--models", spec, "--out", out],
        ] {
            try assertRefused(arguments, refusal)
            XCTAssertFalse(FileManager.default.fileExists(atPath: binary.path("nd")), "\(arguments[0]) left nd/")
        }
    }

    func testSpacesAroundANameAndBeforeTheParenthesisAreAccepted() throws {
        try binary.run(["train", "--model", "ConvNet (width=4,depth=1)", "--epochs", "0", "--batch", "8"]).expectSuccess()
        try binary.run(["train", "--model", " LeNet", "--epochs", "0", "--batch", "8"]).expectSuccess()
    }

    func testAPoolNamingOneNetworkTwiceUnderTwoSpellingsIsRefused() throws {
        let condense = ["condense", "--iterations", "1", "--out", binary.path("c")]
        try assertRefused(
            condense + ["--pool", "ConvNet:0.5,ConvNet(width=128):0.5"],
            "pool architectures 'ConvNet' and 'ConvNet(width=128)' are the same network "
                + "(ConvNet(width=128,depth=3,act=relu,norm=instancenorm,pool=avgpooling))")
        try assertRefused(condense + ["--pool", "ConvNetIN:0.5,ConvNet():0.5"], "'ConvNetIN' and 'ConvNet()' are the same network")
        XCTAssertFalse(FileManager.default.fileExists(atPath: binary.path("c")), "refused before its directory is made")
    }

    func testAnOutOfRangePoolProbabilityIsQuotedAsTyped() throws {
        let condense = ["condense", "--iterations", "1", "--out", binary.path("c")]
        try assertRefused(condense + ["--pool", "ConvNet:1.0000005"], "pool probability 1.0000005 of 'ConvNet' is outside (0, 1]")
        try assertRefused(condense + ["--pool", "ConvNet:0.5,ConvNetBN:0.500002"], "pool probabilities sum to 1.000002;")
    }
}

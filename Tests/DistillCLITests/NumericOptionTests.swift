// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import XCTest
import _DistillTestSupport

/// Numbers given to options: a negative one is named as such (not read as a
/// missing value), and `--max-memory` is bounded before its byte count is taken.
final class NumericOptionTests: BinaryTestCase {
    func testMaxMemoryMustBeFiniteAndFitInBytes() throws {
        let folder = ["train", "--dataset", "folder:/nonexistent", "--max-memory"]
        for value in ["inf", "1e20", "8589934592", "nan", "0"] {
            try binary.expectRefused(folder + [value], "--max-memory must be a finite number of GiB above 0 and below 8589934592 (got ")
        }
        try binary.expectRefused(folder + ["inf"], "(got inf)")
        let export = ["export", "--random-real", "1", "--dataset", "folder:/tmp", "--format", "npz", "--out", binary.path("q.npz")]
        try binary.expectRefused(export + ["--max-memory", "9e18"], "--max-memory must be a finite number of GiB")
        try binary.expectRefused(
            ["experiment", "model-pool", "--quick", "--dataset", "folder:/tmp", "--max-memory", "inf", "--out", binary.path("e")],
            "--max-memory must be a finite number of GiB")
    }

    func testNegativeNumbersAreRefusedByNameNotAsMissingValues() throws {
        let random = ["evaluate", "--random-real", "1", "--dataset", "folder:/tmp", "--models", "ConvNet"]
        try binary.expectRefused(random + ["--image-size", "-1"], "--image-size must be positive (got -1)")
        try binary.expectRefused(random + ["--max-memory", "-1"], "--max-memory must be a finite number of GiB above 0")
        let export = ["export", "--format", "npz", "--out", binary.path("q.npz")]
        try binary.expectRefused(export + ["--random-real", "-1"], "--random-real must be positive (got -1)")
        try binary.expectRefused(export + ["--random-real", "1", "--split", "test", "--seed", "-4"], "the seed must be 0 or more")
        try binary.expectRefused(["condense", "--seed", "-4", "--out", binary.path("c")], "the seed must be 0 or more")
        try binary.expectRefused(["train", "--seed", "x"], "the seed must be a whole number from 0 to 18446744073709551615")
        XCTAssertFalse(FileManager.default.fileExists(atPath: binary.path("q.npz")))
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor

/// Inputs read from a golden file and checked against what the engine
/// function they feed requires, so a damaged file fails naming the key
/// (`GoldenError.invalidInput`) instead of reaching a precondition.
extension Golden {
    /// Throws `GoldenError.invalidInput` for `key` unless `condition` holds.
    func require(_ condition: Bool, _ key: String, _ reason: @autoclosure () -> String) throws {
        if !condition { throw GoldenError.invalidInput(key: "\(name):\(key)", reason: reason()) }
    }

    /// The integers of `key` (exactly `count` of them where given), each in `range`.
    func integers(_ key: String, count: Int? = nil, in range: ClosedRange<Int>) throws -> [Int] {
        let values = try integers(key)
        if let count { try require(values.count == count, key, "holds \(values.count) numbers, not \(count)") }
        if let bad = values.first(where: { !range.contains($0) }) {
            try require(false, key, "holds \(bad), outside \(range.lowerBound)...\(range.upperBound)")
        }
        return values
    }

    /// One class label in `0..<classes` per row of `logits`.
    func labels(_ key: String, rows: Int, classes: Int) throws -> [Int] {
        let labels = try integers(key)
        try require(labels.count == rows, key, "holds \(labels.count) labels for \(rows) rows")
        if let bad = labels.first(where: { !(0..<classes).contains($0) }) {
            try require(false, key, "holds \(bad), outside 0..<\(classes)")
        }
        return labels
    }

    /// Floats of `key` with exactly `shape`.
    func floats(_ key: String, shape: [Int]) throws -> NDArray {
        let values = try floats(key)
        try require(values.shape == shape, key, "has shape \(values.shape), not \(shape)")
        return values
    }

    /// Floats of `key` of rank `rank` with at least one element per axis.
    func floats(_ key: String, rank: Int) throws -> NDArray {
        let values = try floats(key)
        try require(
            values.shape.count == rank && values.shape.allSatisfy { $0 > 0 }, key,
            "has shape \(values.shape), not \(rank) positive extents")
        return values
    }
}

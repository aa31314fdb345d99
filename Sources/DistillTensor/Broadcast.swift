// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

/// NumPy broadcasting rules: shapes are aligned at their trailing dimensions,
/// and a dimension of extent 1 stretches to match the other.
public enum Broadcast {
    /// The broadcast shape of `a` and `b`, or nil when they are incompatible.
    public static func shape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if da == db || db == 1 {
                result[i] = da
            } else if da == 1 {
                result[i] = db
            } else {
                return nil
            }
        }
        return result
    }

    /// Strides that read an array of `shape` as if it had `target` shape:
    /// stride 0 along stretched (or missing leading) dimensions.
    public static func strides(of shape: [Int], broadcastTo target: [Int]) -> [Int] {
        let own = shape.rowMajorStrides
        let offset = target.count - shape.count
        return (0..<target.count).map { i in
            i < offset || shape[i - offset] == 1 ? 0 : own[i - offset]
        }
    }

    /// Axes of `target` along which an array of `shape` was stretched; summing
    /// over them (keeping dimensions) recovers `shape` up to leading ones.
    public static func stretchedAxes(of shape: [Int], in target: [Int]) -> [Int] {
        let offset = target.count - shape.count
        return (0..<target.count).filter { i in
            i < offset || (shape[i - offset] == 1 && target[i] != 1)
        }
    }
}

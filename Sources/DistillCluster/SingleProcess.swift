// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

/// The group of a plain run: one process that owns every class and every piece of work.
public final class SingleProcess: ProcessGroup, @unchecked Sendable {
    public init() {}

    public var rank: Int { 0 }
    public var size: Int { 1 }

    public func allGather(_ bytes: [UInt8]) throws -> [[UInt8]] { [bytes] }

    public func workQueue(count: Int) throws -> any WorkQueue { LocalQueue(count: count) }

    /// Hands out `0..<count` in order.
    private final class LocalQueue: WorkQueue {
        private var nextIndex = 0
        private let count: Int

        init(count: Int) { self.count = count }

        func next() throws -> Int? {
            guard nextIndex < count else { return nil }
            defer { nextIndex += 1 }
            return nextIndex
        }
    }
}

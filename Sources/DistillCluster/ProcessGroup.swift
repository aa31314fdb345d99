// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

/// The processes that run one command together: a single process for a
/// plain run, every rank of the job under an MPI launcher.
///
/// Collective calls (`allGather`, `workQueue`) must be made by every rank
/// in the same order; ranks that diverge from that order hang, so the
/// methods that use a group keep their control flow identical on all ranks.
public protocol ProcessGroup: AnyObject, Sendable {
    /// This process's index, `0..<size`; rank 0 alone writes files and prints results.
    var rank: Int { get }
    /// The number of processes in the job, ≥ 1.
    var size: Int { get }
    /// Every rank's buffer, in rank order (buffers may differ in length).
    /// - Throws: `ProcessGroupError` when the transport fails.
    func allGather(_ bytes: [UInt8]) throws -> [[UInt8]]
    /// A queue that hands each index of `0..<count` to exactly one rank, to
    /// whichever asks first, so free ranks take the next piece of work.
    /// Collective: every rank creates it with the same `count`.
    /// - Throws: `ProcessGroupError` when the transport fails.
    func workQueue(count: Int) throws -> any WorkQueue
}

/// Indices handed out across a `ProcessGroup`.
public protocol WorkQueue: AnyObject {
    /// The next index for this rank, or nil when every index has been taken.
    /// - Throws: `ProcessGroupError` when the transport fails.
    func next() throws -> Int?
}

/// A failure of the transport between ranks.
public struct ProcessGroupError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension ProcessGroup {
    /// Whether this process is the one that writes files and prints results.
    public var isLeader: Bool { rank == 0 }

    /// The contiguous block of `0..<count` that `rank` owns: the first
    /// `count % size` ranks take one item more, so 10 classes over 3 ranks
    /// are 0..<4, 4..<7 and 7..<10. A rank may own nothing when `size > count`.
    public func block(of count: Int, rank: Int) -> Range<Int> {
        let base = count / size
        let extra = count % size
        let start = rank * base + min(rank, extra)
        return start..<(start + base + (rank < extra ? 1 : 0))
    }

    /// The block of `0..<count` this rank owns.
    public func ownBlock(of count: Int) -> Range<Int> { block(of: count, rank: rank) }

    /// Every rank's floats, concatenated in rank order.
    public func allGather(_ values: [Float]) throws -> [Float] {
        try allGather(values.withUnsafeBytes { Array($0) }).flatMap(Self.floats(in:))
    }

    /// Every rank's doubles, concatenated in rank order.
    public func allGather(_ values: [Double]) throws -> [Double] {
        try allGather(values.withUnsafeBytes { Array($0) }).flatMap(Self.doubles(in:))
    }

    private static func floats(in bytes: [UInt8]) -> [Float] {
        bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    private static func doubles(in bytes: [UInt8]) -> [Double] {
        bytes.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
    }
}

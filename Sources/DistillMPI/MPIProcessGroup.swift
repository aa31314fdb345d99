// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import CMPI
import DistillCluster

/// The ranks of an MPI job (`MPI_COMM_WORLD`), through Open MPI's C API.
///
/// MPI is started by `start()` and stopped by `finish()` (every rank, after
/// its last collective) or `abort(code:)` (one rank, which stops them all).
/// Calls are serialised: the command calls the group from one thread at a time.
public final class MPIProcessGroup: ProcessGroup, @unchecked Sendable {
    public let rank: Int
    public let size: Int
    /// Bumped by every `workQueue(count:)`, so a queue used after a newer one exists is refused.
    private var queueGeneration = 0

    private init(rank: Int, size: Int) {
        self.rank = rank
        self.size = size
    }

    /// Initialises MPI (`MPI_Init_thread`, serialised threads) and joins the job.
    /// - Throws: `ProcessGroupError` when MPI cannot start or cannot provide the thread level.
    public static func start() throws -> MPIProcessGroup {
        var rank: Int32 = 0
        var size: Int32 = 0
        var serialized: Int32 = 0
        try check(cmpi_init(&rank, &size, &serialized), "MPI_Init_thread")
        guard serialized != 0 else {
            throw ProcessGroupError("this MPI library does not provide MPI_THREAD_SERIALIZED, which distill needs")
        }
        return MPIProcessGroup(rank: Int(rank), size: Int(size))
    }

    /// Leaves the job normally (`MPI_Finalize`). Collective.
    public func finish() throws {
        try Self.check(cmpi_finalize(), "MPI_Finalize")
    }

    /// Whether every rank of the job has failed as well: true when all of them call this
    /// within `seconds` of this rank's call, so none is left in a collective of the
    /// command's work and the job can end with `finish()`. A rank that fails alone
    /// gets false after `seconds` and should `abort(code:)`.
    public func everyRankFailed(within seconds: Double) -> Bool {
        cmpi_every_rank_failed(seconds) != 0
    }

    /// Stops every rank of the job (`MPI_Abort`) with exit status `code`; does not return.
    public func abort(code: Int32) -> Never {
        cmpi_abort(code)
        // MPI_Abort does not return; this is for the type checker and a library that does.
        fatalError("MPI_Abort returned")
    }

    public func allGather(_ bytes: [UInt8]) throws -> [[UInt8]] {
        guard bytes.count <= Int(Int32.max) else {
            throw ProcessGroupError("cannot gather \(bytes.count) bytes from one rank: MPI counts stop at \(Int32.max)")
        }
        var lengths = [Int64](repeating: 0, count: size)
        try Self.check(cmpi_allgather_lengths(Int64(bytes.count), &lengths), "MPI_Allgather")
        let total = lengths.reduce(0, +)
        guard total <= Int64(Int32.max) else {
            throw ProcessGroupError("cannot gather \(total) bytes in all: MPI displacements stop at \(Int32.max)")
        }
        let counts = lengths.map { Int32($0) }
        var displacements = [Int32](repeating: 0, count: size)
        for index in counts.indices.dropFirst() { displacements[index] = displacements[index - 1] + counts[index - 1] }
        var received = [UInt8](repeating: 0, count: Int(total))
        let status = bytes.withUnsafeBytes { sent in
            received.withUnsafeMutableBytes { receivedBytes in
                cmpi_allgatherv_bytes(
                    sent.baseAddress, Int32(bytes.count), receivedBytes.baseAddress, counts, displacements)
            }
        }
        try Self.check(status, "MPI_Allgatherv")
        return counts.indices.map { index in
            let start = Int(displacements[index])
            return Array(received[start..<(start + Int(counts[index]))])
        }
    }

    public func workQueue(count: Int) throws -> any WorkQueue {
        try Self.check(cmpi_counter_reset(), "the work-queue reset")
        queueGeneration += 1
        return CounterQueue(group: self, generation: queueGeneration, count: count)
    }

    /// Indices drawn from the shared counter at rank 0: each `next()` is one
    /// atomic fetch-and-increment, so a rank that finishes early simply draws again.
    private final class CounterQueue: WorkQueue {
        private let group: MPIProcessGroup
        private let generation: Int
        private let count: Int
        private var exhausted = false

        init(group: MPIProcessGroup, generation: Int, count: Int) {
            self.group = group
            self.generation = generation
            self.count = count
        }

        func next() throws -> Int? {
            guard !exhausted else { return nil }
            guard generation == group.queueGeneration else {
                throw ProcessGroupError("a work queue was used after a newer one was made (they share one counter)")
            }
            var previous: Int64 = 0
            try MPIProcessGroup.check(cmpi_counter_fetch_increment(&previous), "MPI_Fetch_and_op")
            guard previous < Int64(count) else {
                exhausted = true
                return nil
            }
            return Int(previous)
        }
    }

    fileprivate static func check(_ status: Int32, _ call: String) throws {
        guard status != 0 else { return }
        var buffer = [CChar](repeating: 0, count: 512)
        cmpi_error_string(status, &buffer, Int32(buffer.count))
        throw ProcessGroupError("\(call) failed: \(String(cString: buffer))")
    }
}

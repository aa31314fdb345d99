// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillCluster
import DistillIO
import Foundation

extension ProcessGroup {
    /// What rank 0 computes with `decide`, on every rank.
    ///
    /// Decisions that read the experiment directory (is this set kept, is this
    /// evaluation cached) must come out the same on every rank, or their
    /// collective calls diverge and hang; rank 0 alone reads, and shares the
    /// answer. Collective, so it also orders every rank after whatever rank 0
    /// wrote before it: a rank reads a file only after rank 0 finished writing it.
    func leaderDecides<Decision: Codable>(_ decide: () throws -> Decision) throws -> Decision {
        let mine = isLeader ? Array(try JSONEncoder().encode(Wrapped(value: try decide()))) : []
        let shared = try allGather(mine)[0]
        return try JSONDecoder().decode(Wrapped<Decision>.self, from: Data(shared)).value
    }

    /// Rank 0 locks an experiment directory for this run (one experiment at a
    /// time; its condensations lock their own run directories), clears temporary
    /// files of killed writers and checks that it can write there. Other ranks
    /// take nothing and get nil.
    /// - Parameter experiment: the experiment that claims it; a directory whose
    ///   results another experiment wrote is refused, since this one would replace them.
    /// - Throws: `RunDirectoryInUseError`, `ExperimentError.otherExperiment`, `FileSystemError`.
    func claimExperimentDirectory(_ directory: String, for experiment: ExperimentKind) throws -> RunDirectoryLock? {
        guard isLeader else { return nil }
        let lock = try RunDirectoryLock(directory: directory)
        AtomicWrite.removeStaleTemporaries(in: directory)
        do {
            try experiment.checkNoOtherResults(in: directory)
            try AtomicWrite.probeDirectory(directory)
        } catch {
            lock.release()
            throw error
        }
        return lock
    }

    /// Waits until every rank reaches this point (after rank 0's writes, say).
    func synchronize() throws { _ = try allGather([]) }
}

/// A top-level container, so that a bare value (an optional, a number) encodes as JSON.
private struct Wrapped<Value: Codable>: Codable {
    var value: Value
}

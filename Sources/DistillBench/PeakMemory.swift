// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's peak resident memory (high-water mark), resettable on Linux
/// so that one workload's peak can be told apart from earlier ones'.
enum PeakMemory {
    /// Lowers the high-water mark to the current resident size, where the
    /// system allows it (Linux ≥ 4.0: writing 5 to `/proc/self/clear_refs`).
    /// - Returns: whether the mark was reset; if not, `megabytes` is the peak since start.
    @discardableResult
    static func reset() -> Bool {
        #if os(Linux)
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        return (try? handle.write(contentsOf: Data("5".utf8))) != nil
        #else
        return false
        #endif
    }

    /// Peak resident memory in MiB since the start or the last `reset()`.
    static var megabytes: Double {
        #if os(Linux)
        // VmHWM is the resettable high-water mark, in kB.
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
        {
            return kilobytes / 1024
        }
        return .nan
        #else
        var usage = rusage()
        getrusage(RUSAGE_SELF, &usage)
        return Double(usage.ru_maxrss) / (1024 * 1024)  // bytes on Darwin
        #endif
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation

#if canImport(Darwin)
import Darwin
#endif

/// A request that would need more memory than the machine has.
public struct MemoryBudgetError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// What was asked for, e.g. "the synthetic set of 10 classes × 1000000000 images of 1×28×28".
    public let work: String
    /// The estimated bytes; `Int.max` when the estimate itself overflows.
    public let neededBytes: Int
    public let availableBytes: Int
    /// What to change, e.g. "use a smaller --scale".
    public let fix: String

    public var description: String {
        "\(work) needs \(MemoryBudget.format(neededBytes)) of memory but \(MemoryBudget.format(availableBytes)) "
            + "is available; \(fix)"
    }

    public var errorDescription: String? { description }
}

/// Refuses work whose memory would not fit before anything is allocated, so
/// that an absurd size ends in one line instead of an allocation failure.
///
/// Estimates are computed with `product` and `sum`, which saturate at
/// `Int.max` instead of trapping, so that sizes such as 0xFFFFFFFF³ stay
/// representable as "more than the machine has".
public enum MemoryBudget {
    /// The bytes this process can still allocate: the kernel's `MemAvailable`
    /// on Linux (lowered to a cgroup's remaining `memory.max` when one is set),
    /// the physical memory (`hw.memsize`) on macOS; nil when neither can be read.
    public static func availableBytes() -> Int? {
        #if os(Linux)
            guard let available = meminfoAvailable() else { return nil }
            return min(available, cgroupRemaining() ?? .max)
        #elseif canImport(Darwin)
            var size: UInt64 = 0
            var length = MemoryLayout<UInt64>.size
            guard sysctlbyname("hw.memsize", &size, &length, nil, 0) == 0 else { return nil }
            return Int(clamping: size)
        #else
            return nil
        #endif
    }

    /// Throws when `bytes` exceed the available memory; does nothing when that is unknown.
    /// - Parameters:
    ///   - bytes: the estimate, from `product` and `sum`.
    ///   - work: what needs it, for the message.
    ///   - fix: what the user can change.
    /// - Throws: `MemoryBudgetError`.
    public static func check(_ bytes: Int, for work: @autoclosure () -> String, fix: @autoclosure () -> String) throws {
        guard let available = availableBytes(), bytes > available else { return }
        throw MemoryBudgetError(work: work(), neededBytes: bytes, availableBytes: available, fix: fix())
    }

    /// The product of non-negative `factors`, or `Int.max` when it does not fit.
    public static func product(_ factors: Int...) -> Int { product(factors) }

    /// The product of non-negative `factors`, or `Int.max` when it does not fit.
    public static func product(_ factors: [Int]) -> Int {
        if factors.contains(0) { return 0 }
        var result = 1
        for factor in factors {
            let (value, overflow) = result.multipliedReportingOverflow(by: max(factor, 0))
            if overflow { return .max }
            result = value
        }
        return result
    }

    /// The sum of non-negative `terms`, or `Int.max` when it does not fit.
    public static func sum(_ terms: Int...) -> Int {
        var result = 0
        for term in terms {
            let (value, overflow) = result.addingReportingOverflow(max(term, 0))
            if overflow { return .max }
            result = value
        }
        return result
    }

    /// `bytes` in decimal units with three significant figures ("31.4 TB"); "more than 9.22 EB" for `Int.max`.
    public static func format(_ bytes: Int) -> String {
        if bytes == .max { return "more than 9.22 EB" }
        let units = ["bytes", "kB", "MB", "GB", "TB", "PB", "EB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        if unit == 0 { return "\(bytes) bytes" }
        let digits = value >= 100 ? 0 : value >= 10 ? 1 : 2
        return String(format: "%.\(digits)f %@", value, units[unit])
    }

    #if os(Linux)
        /// `MemAvailable` from /proc/meminfo, in bytes.
        private static func meminfoAvailable() -> Int? {
            guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
            for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
                let fields = line.split(separator: " ")
                guard fields.count >= 2, let kilobytes = Int(fields[1]) else { return nil }
                return product(kilobytes, 1024)
            }
            return nil
        }

        /// What a cgroup v2 memory limit leaves (`memory.max` − `memory.current`), nil without a limit.
        private static func cgroupRemaining() -> Int? {
            func read(_ name: String) -> Int? {
                let path = "/sys/fs/cgroup/" + name
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
                return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            guard let limit = read("memory.max") else { return nil }  // "max" means no limit.
            return max(limit - (read("memory.current") ?? 0), 0)
        }
    #endif
}

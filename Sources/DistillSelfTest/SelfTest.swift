// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor
import Foundation

/// Checks this build on this CPU against float64 golden references: every
/// op, network (logits, loss, every parameter gradient), augmentation and
/// DC/DM matching case, each with its own tolerance from `tolerances.json`
/// and nothing widened.
public enum SelfTest {
    /// The golden files this build knows how to check, in the order they run.
    /// Gradient-matching files are named `dc` or `dc_*`, networks `nets_c<C>_<S>`.
    public static let standardFiles = ["ops", "dsa", "nets_c1_28", "nets_c3_32", "dc", "dm"]

    /// The checkable golden files in `directory`: the standard ones first,
    /// then any further `dc_*.safetensors`, each named by its stem.
    /// - Throws: `SelfTestError.missingFiles` when a standard file is absent, which
    ///   would otherwise leave its checks out of a passing run; the listing error.
    public static func files(in directory: String) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".safetensors") }
            .map { String($0.dropLast(".safetensors".count)) }
        let missing = standardFiles.filter { !names.contains($0) }
        guard missing.isEmpty else { throw SelfTestError.missingFiles(directory: directory, names: missing) }
        let extras = names.filter { !standardFiles.contains($0) && kind(of: $0) != nil }.sorted()
        return standardFiles + extras
    }

    /// Refuses a name no check reads, before any directory is looked at.
    /// - Throws: `SelfTestError.unknownFile`.
    public static func checkNames(_ names: [String]) throws {
        if let unknown = names.first(where: { kind(of: $0) == nil }) { throw SelfTestError.unknownFile(unknown, known: standardFiles) }
    }

    /// The golden files `names` of `directory`, for a check of some of them.
    /// - Throws: `SelfTestError.unknownFile` for a name no check reads, `.missingFiles` for those absent.
    public static func files(named names: [String], in directory: String) throws -> [String] {
        try checkNames(names)
        let missing = names.filter {
            !FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent("\($0).safetensors"))
        }
        guard missing.isEmpty else { throw SelfTestError.missingFiles(directory: directory, names: missing) }
        return names
    }

    /// Every comparison of golden file `name` in `directory`, with the kernel set now active.
    /// - Throws: `SelfTestError`, `GoldenError`, or the reading error.
    public static func check(_ name: String, directory: String = Golden.fixturesDirectory) throws -> [GoldenComparison] {
        guard let kind = kind(of: name) else { throw SelfTestError.unknownFile(name, known: standardFiles) }
        let golden = try Golden(name, directory: directory)
        switch kind {
        case .ops: return try OpsCheck.run(golden)
        case .augmentation: return try AugmentationCheck.run(golden)
        case let .networks(channels, imageSize):
            return try NetworkCheck.run(golden, channels: channels, imageSize: imageSize)
        case .gradientMatching: return try MatchingCheck.gradientMatching(golden)
        case .distributionMatching: return try MatchingCheck.distributionMatching(golden)
        }
    }

    /// Checks `name` under each of `kernelSets`, one report each.
    public static func run(_ name: String, directory: String, kernelSets: [VectorKernels]) -> [SelfTestReport] {
        kernelSets.map { kernels in
            VectorKernels.using(kernels) {
                do {
                    return SelfTestReport(file: name, kernels: kernels, comparisons: try check(name, directory: directory))
                } catch {
                    return SelfTestReport(file: name, kernels: kernels, problem: "\(error)")
                }
            }
        }
    }

    private enum Kind {
        case ops, augmentation, gradientMatching, distributionMatching
        case networks(channels: Int, imageSize: Int)
    }

    private static func kind(of name: String) -> Kind? {
        switch name {
        case "ops": return .ops
        case "dsa": return .augmentation
        case "dm": return .distributionMatching
        case "dc": return .gradientMatching
        case _ where name.hasPrefix("dc_"): return .gradientMatching
        case _ where name.hasPrefix("nets_c"):
            let parts = name.dropFirst("nets_c".count).split(separator: "_")
            guard parts.count == 2, let channels = Int(parts[0]), let size = Int(parts[1]), channels > 0, size > 0
            else { return nil }
            return .networks(channels: channels, imageSize: size)
        default: return nil
        }
    }
}

/// The outcome of checking one golden file under one kernel set.
public struct SelfTestReport: Sendable {
    public let file: String
    public let kernels: VectorKernels
    public let comparisons: [GoldenComparison]
    /// Why the file could not be checked at all (unreadable, unknown cases, a network built differently).
    public let problem: String?

    init(file: String, kernels: VectorKernels, comparisons: [GoldenComparison]) {
        (self.file, self.kernels, self.comparisons, self.problem) = (file, kernels, comparisons, nil)
    }

    init(file: String, kernels: VectorKernels, problem: String) {
        (self.file, self.kernels, self.comparisons, self.problem) = (file, kernels, [], problem)
    }

    public var failures: [GoldenComparison] { comparisons.filter { !$0.passed } }
    public var passed: Bool { problem == nil && failures.isEmpty && !comparisons.isEmpty }
    /// The comparison with the largest error/bound ratio.
    public var worst: GoldenComparison? { comparisons.max { $0.ratio < $1.ratio } }

    /// One line: file, kernel set, verdict, worst ratio and the failing keys.
    public var summary: String {
        let head = "\(file) [\(kernels.variableValue)]"
        if let problem { return "\(head): FAIL: \(problem)" }
        guard let worst else { return "\(head): FAIL: no values compared" }
        let ratio = String(format: "%.3g", worst.ratio)
        if failures.isEmpty {
            return "\(head): ok, \(comparisons.count) values, worst error/tolerance \(ratio) (\(worst.key))"
        }
        // A value checked twice (with and without createGraph) is named once, at its worst.
        var named = Set<String>()
        let keys = failures.sorted { $0.ratio > $1.ratio }.filter { named.insert($0.key).inserted }
            .map { "\($0.key) (\(String(format: "%.3g", $0.ratio))×)" }
        return "\(head): FAIL, \(failures.count) of \(comparisons.count) values out of tolerance, "
            + "worst \(ratio)×: \(keys.joined(separator: ", "))"
    }
}

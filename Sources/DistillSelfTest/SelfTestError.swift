// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation

/// A golden file that cannot be checked at all, as opposed to one whose
/// values are out of tolerance (`GoldenComparison`).
public enum SelfTestError: Error, CustomStringConvertible, Equatable {
    /// The file holds cases this build has no check for, or lacks ones it expects.
    case unexpectedCases(file: String, unknown: [String], missing: [String])
    /// A network of the manifest is built differently here (names, shapes, order).
    case structureMismatch(file: String, network: String, reason: String)
    /// No golden file of that name is known.
    case unknownFile(String, known: [String])
    /// Golden files absent from the directory checked: standard ones, or ones named to be checked.
    case missingFiles(directory: String, names: [String])

    public var description: String {
        switch self {
        case let .unexpectedCases(file, unknown, missing):
            var parts: [String] = []
            if !unknown.isEmpty { parts.append("cases with no check here: \(unknown.joined(separator: ", "))") }
            if !missing.isEmpty { parts.append("expected cases missing: \(missing.joined(separator: ", "))") }
            return "\(file): \(parts.joined(separator: "; "))"
        case let .structureMismatch(file, network, reason):
            return "\(file) \(network): \(reason)"
        case let .unknownFile(name, known):
            return "no golden file '\(name)'; known: \(known.joined(separator: ", "))"
        case let .missingFiles(directory, names):
            let files = names.map { (directory as NSString).appendingPathComponent("\($0).safetensors") }
            return "golden file\(files.count == 1 ? "" : "s") \(files.joined(separator: ", ")) missing; "
                + "copy \(files.count == 1 ? "it" : "them") from Tests/Fixtures, or name the files to check with --only"
        }
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import ArgumentParser
import DistillData
import DistillIO
import DistillZoo
import Foundation

// Numeric options are declared with `parsing: .unconditional`: by default
// ArgumentParser reads `--scale -1` as `--scale` followed by a flag `-1` and
// reports a missing value; taking the next word as the value lets these checks
// name the real problem.

/// Refuses a count below 1.
func requirePositive(_ value: Int?, _ option: String) throws {
    if let value, value < 1 { throw ValidationError("\(option) must be positive (got \(value))") }
}

/// Refuses a negative count.
func requireNonNegative(_ value: Int?, _ option: String) throws {
    if let value, value < 0 { throw ValidationError("\(option) must be 0 or more (got \(value))") }
}

/// `--seed`'s value, for `@Option(transform:)`: a negative seed is refused as
/// such rather than as an invalid value of an unsigned type. (ArgumentParser
/// shows no default for a transformed option, so the help text states it.)
func seedArgument(_ text: String) throws -> UInt64 {
    if let seed = UInt64(text) { return seed }
    if text.hasPrefix("-"), text.dropFirst().allSatisfy(\.isNumber) {
        throw ValidationError("the seed must be 0 or more")
    }
    throw ValidationError("the seed must be a whole number from 0 to \(UInt64.max)")
}

/// Refuses a name that is neither a zoo network nor a ConvNet spec, listing the known names.
func requireNetwork(_ name: String, _ option: String) throws {
    do {
        try Zoo.checkName(name)
    } catch let error as ZooError {
        throw ValidationError("\(option): \(error)")
    }
}

/// Refuses a rate or factor that is not finite and positive (NaN, ±inf, 0, negative).
func requirePositive<Value: BinaryFloatingPoint>(_ value: Value?, _ option: String) throws {
    if let value, !(value.isFinite && value > 0) {
        throw ValidationError("\(option) must be a finite number above 0 (got \(value))")
    }
}

/// The networks of a comma-separated `--models` list, split only at commas
/// outside parentheses so that ConvNet specs keep theirs; an empty entry stays
/// (as "") for validation to refuse.
func networkNames(in list: String) -> [String] {
    var names = [""]
    var depth = 0
    for character in list {
        switch character {
        case "(": depth += 1
        case ")": depth -= 1
        case "," where depth == 0:
            names.append("")
            continue
        default: break
        }
        names[names.count - 1].append(character)
    }
    return names.map { $0.trimmingCharacters(in: .whitespaces) }
}

/// Refuses a count above `limit`. Counts whose products the engine computes
/// (epochs × batches, runs × architectures, iterations × steps) are bounded
/// so those products, progress and time estimates stay in range.
func requireAtMost(_ value: Int?, _ limit: Int, _ option: String) throws {
    if let value, value > limit { throw ValidationError("\(option) must be at most \(limit) (got \(value))") }
}

/// Upper bounds far beyond any real run: a day of training is a few thousand
/// epochs, the papers' longest condensation is 20,000 iterations and their
/// longest loops 50 steps.
enum CountLimit {
    static let epochs = 1_000_000
    static let iterations = 10_000_000
    static let runs = 10_000
    static let loopSteps = 10_000
}

/// Refuses an empty or blank path: `--out ''` would otherwise mean the current
/// or root directory, and `--save ''` would fail only after the training.
func requirePath(_ path: String?, _ option: String) throws {
    if let path, path.trimmingCharacters(in: .whitespaces).isEmpty {
        throw ValidationError("\(option) is empty; give a path")
    }
}

/// Refuses a results directory that is the file system's root, as `--out "$DIR/"`
/// gives with DIR unset: the run's files and its lock would land among the system's.
func requireResultsDirectory(_ path: String?, _ option: String) throws {
    try requirePath(path, option)
    guard let path, URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path == "/" else { return }
    throw ValidationError("\(option) is the file system's root (\(path)); name a directory of its own for the results")
}

/// Refuses a results path (`--out`, `--save`) inside the directory of `dataset` when it is a
/// folder:PATH dataset: what is written there would be read as part of the dataset (a class
/// folder without images, an image), breaking it for this and every later command. Both paths
/// are compared with symbolic links and `..` resolved.
func requireOutsideFolderDataset(_ path: String?, _ option: String, dataset: String?) throws {
    guard let path, let dataset, dataset.hasPrefix(ImageFolder.namePrefix) else { return }
    let root = resolvedPath(String(dataset.dropFirst(ImageFolder.namePrefix.count)))
    let resolved = resolvedPath(path)
    guard resolved == root || resolved.hasPrefix(root == "/" ? "/" : root + "/") else { return }
    throw ValidationError("\(option) \(path) lies inside the image-folder dataset \(dataset); write results elsewhere")
}

/// `path` made absolute, with `~` expanded and symbolic links and `..` resolved as far as it
/// exists; the part that does not exist yet (a results directory to be made) is only standardised.
func resolvedPath(_ path: String) -> String {
    var existing = URL(fileURLWithPath: (path as NSString).expandingTildeInPath).path
    var missing: [String] = []
    while true {
        if let real = realpath(existing, nil) {
            defer { free(real) }
            var components = String(cString: real).split(separator: "/").map(String.init)
            for component in missing.reversed() {
                switch component {
                case "", ".": continue
                case "..": components = components.dropLast()
                default: components.append(component)
                }
            }
            return "/" + components.joined(separator: "/")
        }
        // The root always resolves, so this ends.
        missing.append((existing as NSString).lastPathComponent)
        existing = AtomicWrite.directoryOf(existing)
    }
}

/// Refuses a `--dataset` value that names no dataset, in one line: an empty folder:PATH would
/// otherwise be read as the current directory, and ArgumentParser's refusal lists every value.
func requireDatasetName(_ name: String) throws {
    let known = "\(DatasetKind.allValueStrings.joined(separator: ", ")) or folder:PATH"
    if name.hasPrefix(ImageFolder.namePrefix) {
        guard name.dropFirst(ImageFolder.namePrefix.count).trimmingCharacters(in: .whitespaces).isEmpty else { return }
        throw ValidationError("--dataset \(name) names no folder; give folder:PATH")
    }
    guard DatasetKind(name: name) == nil else { return }
    if name.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--dataset is empty; give one of \(known)") }
    throw ValidationError("--dataset \(name): unknown dataset; give one of \(known)")
}

/// The networks of a `--models` list, each a zoo network or ConvNet spec named
/// once: a repeated name would train twice and be reported as one.
func checkedNetworkNames(in list: String, _ option: String = "--models") throws -> [String] {
    let names = networkNames(in: list)
    var seen = Set<String>()
    for name in names {
        guard !name.isEmpty else {
            throw ValidationError("\(option) is empty or lists an empty name; give comma-separated networks such as ConvNet,MLP")
        }
        guard seen.insert(name).inserted else { throw ValidationError("\(option) lists \(name) twice") }
        try requireNetwork(name, option)
    }
    return names
}

/// The first item that also appears earlier in `items`, if any: a list option
/// naming an item twice would only run or draw it more often than the others.
func firstRepeated<Item: Equatable>(in items: [Item]) -> Item? {
    items.enumerated().first { items[..<$0.offset].contains($0.element) }?.element
}

/// Refuses an option the user gave where it would be ignored, e.g.
/// `requireApplies("--kd-tau", given: kdTau != nil, when: kd, "with --kd")`.
func requireApplies(_ option: String, given: Bool, when applies: Bool, _ condition: String) throws {
    if given, !applies { throw ValidationError("\(option) only applies \(condition)") }
}

/// The entries of a comma-separated option such as `--only`, trimmed, with
/// empty ones kept for validation to refuse.
func commaSeparated(_ list: String?) -> [String]? {
    list.map { $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }
}

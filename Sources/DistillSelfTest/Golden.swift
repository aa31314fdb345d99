// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import DistillTensor
import Foundation

/// Problems with golden fixtures or with a comparison requested of them.
public enum GoldenError: Error, CustomStringConvertible, Equatable {
    case missingTolerance(key: String)
    case malformedTolerances(file: String, reason: String)
    case invalidTolerance(file: String, key: String, value: Double)
    case absoluteBoundRequired(key: String)
    case shapeMismatch(key: String, expected: [Int], actual: [Int])
    case malformedGradientStatistics(key: String, count: Int)
    case malformedManifest(file: String, reason: String)
    case missingNetwork(file: String, name: String, available: [String])
    /// An input the checks feed to the engine (labels, a convolution's settings) that it cannot take.
    case invalidInput(key: String, reason: String)

    public var description: String {
        switch self {
        case let .missingTolerance(key):
            return "tolerances.json has no entry '\(key)'; regenerate the fixtures or fix the key"
        case let .malformedTolerances(file, reason):
            return "\(file): \(reason); it must map each key to a tolerance (a number ≥ 0, or null)"
        case let .invalidTolerance(file, key, value):
            return "\(file): the tolerance of '\(key)' is \(value); a tolerance is a number from 0 up to but not "
                + "including 1 (or null): a relative error of 1 passes a result of all zeros"
        case let .absoluteBoundRequired(key):
            return "'\(key)' has a null tolerance (exactly zero); pass absoluteBound: 1e-3 × the network's largest gradient"
        case let .shapeMismatch(key, expected, actual):
            return "'\(key)': the result has shape \(actual) but the reference has shape \(expected)"
        case let .malformedGradientStatistics(key, count):
            return "'\(key)' holds \(count) numbers; a gradstat entry holds 4 [Σg, Σg², Σg·r, max|g|]"
        case let .malformedManifest(file, reason):
            return "the manifest of '\(file)' is not valid: \(reason)"
        case let .missingNetwork(file, name, available):
            return "the manifest of '\(file)' has no network '\(name)'; it has \(available.joined(separator: ", "))"
        case let .invalidInput(key, reason):
            return "\(key) \(reason)"
        }
    }
}

/// The tolerances of every golden value, keyed `"<file>:<key>"` (`"ops:conv0/y"`).
public struct GoldenTolerances: Sendable {
    /// The largest tolerances.json read; the real one is a few KiB.
    public static let maximumByteCount = 16 << 20

    public let values: [String: Double?]

    /// Reads `tolerances.json`.
    /// - Throws: `GoldenError.malformedTolerances`, `.invalidTolerance` for one that is
    ///   negative or not finite (no error would pass it) or 1 or more (all zeros would pass
    ///   it), or the file-system error (also for a file over `maximumByteCount`, refused unread).
    public init(contentsOf path: String) throws {
        let data = try RegularFile.contents(atPath: path, limit: Self.maximumByteCount)
        do {
            values = try JSONDecoder().decode([String: Double?].self, from: data)
        } catch let error as DecodingError {
            throw GoldenError.malformedTolerances(file: path, reason: error.plainReason(json: data))
        }
        if let (key, value) = values.compactMapValues({ $0 }).sorted(by: { $0.key < $1.key })
            .first(where: { !$0.value.isFinite || $0.value < 0 || $0.value >= 1 }) {
            throw GoldenError.invalidTolerance(file: path, key: key, value: value)
        }
    }

    /// The relative-error tolerance of `key`, or nil where the reference is zero
    /// in exact arithmetic (a `null` entry).
    /// - Throws: `GoldenError.missingTolerance` when the key is absent.
    public func tolerance(for key: String) throws -> Double? {
        guard let entry = values[key] else { throw GoldenError.missingTolerance(key: key) }
        return entry
    }
}

/// The outcome of comparing one result with its golden reference.
public struct GoldenComparison: CustomStringConvertible, Sendable {
    public let key: String
    /// ‖a − r‖ / ‖r‖, or for an absolute check the largest |a − r|.
    public let error: Double
    public let bound: Double
    public let isAbsolute: Bool

    /// Whether the error is within its bound (NaN never is).
    public var passed: Bool { error <= bound }

    /// error / bound: at most 1 when passed; infinite for NaN or a zero bound.
    public var ratio: Double { error.isNaN ? .infinity : error / bound }

    public var description: String {
        let kind = isAbsolute ? "max |a − r|" : "relative error"
        return "\(key): \(kind) \(error) \(passed ? "≤" : ">") bound \(bound)"
    }
}

/// One golden fixture file with its tolerances and the README's comparison rules.
///
/// A result `a` matches a reference `r` when
///
///     ‖a − r‖₂ / ‖r‖₂ ≤ tolerance            (tolerance from tolerances.json)
///     max_i |a_i − r_i| ≤ absoluteBound       (null tolerance: r is exactly zero)
///
/// with the absolute bound chosen by the caller as 1e-3 × the largest gradient of the network.
public struct Golden: Sendable {
    /// `Tests/Fixtures` of the checkout this was built from, found from this
    /// source file's path, so tests need no bundled resources and a built
    /// `distill selftest` finds the shipped copies.
    public static var fixturesDirectory: String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // DistillSelfTest
            .deletingLastPathComponent()  // Sources
            .deletingLastPathComponent()  // repository root
            .appendingPathComponent("Tests/Fixtures").path
    }

    /// The path of a file in `Tests/Fixtures`.
    public static func fixturePath(_ fileName: String) -> String {
        (fixturesDirectory as NSString).appendingPathComponent(fileName)
    }

    /// The file's stem, which prefixes its tolerance keys (`ops`, `nets_c1_28`).
    public let name: String
    public let file: SafeTensorsFile
    public let tolerances: GoldenTolerances

    /// Opens `<directory>/<name>.safetensors` with `<directory>/tolerances.json`
    /// (by default the test fixtures).
    /// - Throws: `SafeTensorsError`, `GoldenError.malformedTolerances`, or the file-system error.
    public init(_ name: String, directory: String = Golden.fixturesDirectory) throws {
        self.init(
            name, file: try SafeTensorsFile(contentsOf: (directory as NSString).appendingPathComponent("\(name).safetensors")),
            tolerances: try GoldenTolerances(contentsOf: (directory as NSString).appendingPathComponent("tolerances.json")))
    }

    /// A golden file already read, with its tolerances.
    public init(_ name: String, file: SafeTensorsFile, tolerances: GoldenTolerances) {
        self.name = name
        self.file = file
        self.tolerances = tolerances
    }

    /// An input (F32) or reference (F64, rounded) as an `NDArray`.
    public func floats(_ key: String) throws -> NDArray { try file.floats(key) }

    /// I64 settings or labels as `Int`s.
    public func integers(_ key: String) throws -> [Int] { try file.integers(key).values.map { Int($0) } }

    /// The tolerance of `key` in this file (`"conv0/y"` looks up `"ops:conv0/y"`).
    public func tolerance(for key: String) throws -> Double? {
        try tolerances.tolerance(for: "\(name):\(key)")
    }

    /// Compares `actual` with the reference `key` by the README's rule.
    ///
    /// Shapes must agree, except that a one-element result (a rank-0 loss)
    /// matches a one-element reference of any rank.
    /// - Parameters:
    ///   - absoluteBound: the bound for a null tolerance; required only there.
    /// - Throws: `GoldenError.shapeMismatch`, `.absoluteBoundRequired`, `.missingTolerance`, `SafeTensorsError`.
    public func compare(_ actual: NDArray, to key: String, absoluteBound: Double? = nil) throws -> GoldenComparison {
        let reference = try file.doubles(key)
        guard actual.shape == reference.shape || (actual.count == 1 && reference.values.count == 1) else {
            throw GoldenError.shapeMismatch(key: key, expected: reference.shape, actual: actual.shape)
        }
        let values = actual.scalars.map(Double.init)
        if let tolerance = try tolerance(for: key) {
            return GoldenComparison(
                key: "\(name):\(key)", error: Self.relativeL2Error(values, reference.values), bound: tolerance,
                isAbsolute: false)
        }
        guard let absoluteBound else { throw GoldenError.absoluteBoundRequired(key: "\(name):\(key)") }
        let largest = zip(values, reference.values).map { abs($0 - $1) }.max() ?? 0
        return GoldenComparison(key: "\(name):\(key)", error: largest, bound: absoluteBound, isAbsolute: true)
    }

    /// Compares a full parameter gradient with its `gradstat` reference:
    /// the largest per-component error of `gradientStatisticErrors`, or, for a
    /// null tolerance, |max|a| − max|r|| against `absoluteBound`.
    /// - Throws: `GoldenError.malformedGradientStatistics`, `.absoluteBoundRequired`, `.missingTolerance`.
    public func compareGradientStatistics(
        _ gradient: NDArray, to key: String, absoluteBound: Double? = nil
    ) throws -> GoldenComparison {
        let reference = try file.doubles(key).values
        guard reference.count == 4 else {
            throw GoldenError.malformedGradientStatistics(key: "\(name):\(key)", count: reference.count)
        }
        if let tolerance = try tolerance(for: key) {
            let errors = Self.gradientStatisticErrors(of: gradient, reference: reference)
            return GoldenComparison(
                key: "\(name):\(key)", error: errors.max()!, bound: tolerance, isAbsolute: false)
        }
        guard let absoluteBound else { throw GoldenError.absoluteBoundRequired(key: "\(name):\(key)") }
        let largest = abs(Self.gradientStatistics(of: gradient)[3] - reference[3])
        return GoldenComparison(key: "\(name):\(key)", error: largest, bound: absoluteBound, isAbsolute: true)
    }

    // MARK: - Rules

    /// ‖a − r‖₂ / ‖r‖₂ in Double; ‖a − r‖₂ when r is zero.
    public static func relativeL2Error(_ actual: [Double], _ reference: [Double]) -> Double {
        precondition(actual.count == reference.count, "relativeL2Error: \(actual.count) vs \(reference.count) elements")
        var difference = 0.0, norm = 0.0
        for (a, r) in zip(actual, reference) {
            difference += (a - r) * (a - r)
            norm += r * r
        }
        return norm == 0 ? difference.squareRoot() : (difference / norm).squareRoot()
    }

    /// The four summary numbers of a gradient `g` of n elements:
    ///
    ///     [Σg, Σg², Σ g_i·r_i, max|g|],   r_i = sin(0.71·i + 0.29), i = 0…n−1
    public static func gradientStatistics(of gradient: NDArray) -> [Double] {
        var sum = 0.0, sumOfSquares = 0.0, projection = 0.0, largest = 0.0
        for (i, value) in gradient.scalars.enumerated() {
            let g = Double(value)
            sum += g
            sumOfSquares += g * g
            projection += g * sin(0.71 * Double(i) + 0.29)
            largest = max(largest, abs(g))
        }
        return [sum, sumOfSquares, projection, largest]
    }

    /// Per-component errors of a gradient's statistics against a `gradstat` reference r:
    ///
    ///     error_k = |a_k − r_k| / scale_k,   scale = [√r₁, r₁, 10·√r₁, r₃]
    ///
    /// The scales come from the reference, so a zero reference gradient gives
    /// infinite or NaN errors; such entries have null tolerances and are
    /// checked absolutely instead.
    /// - Precondition: `reference` holds 4 numbers.
    public static func gradientStatisticErrors(of gradient: NDArray, reference: [Double]) -> [Double] {
        precondition(reference.count == 4, "gradientStatisticErrors: reference has \(reference.count) numbers, needs 4")
        let actual = gradientStatistics(of: gradient)
        let norm = reference[1].squareRoot()
        let scales = [norm, reference[1], 10 * norm, reference[3]]
        return (0..<4).map { abs(actual[$0] - reference[$0]) / scales[$0] }
    }
}

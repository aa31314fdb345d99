// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

/// The configuration of a DC ConvNet, with a readable string form.
///
///     ConvNet(width=128,depth=3,act=relu,norm=instancenorm,pool=avgpooling)
///
/// `description` always writes every key in that order; parsing accepts any
/// subset in any order (missing keys take the defaults above), spaces around
/// separators (`ConvNet (width=64)` included), and the bare name `ConvNet`.
/// Parsing also refuses values that cannot be built together (`groupnorm`
/// with a width that is not a multiple of 4).
public struct ConvNetSpec: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Channels of every convolution, > 0.
    public var width: Int
    /// Number of conv–norm–act–pool blocks, > 0.
    public var depth: Int
    public var activation: Activation
    public var normalization: Normalization
    public var pooling: Pooling

    /// The spec's keys in their written order.
    public static let keys = ["width", "depth", "act", "norm", "pool"]

    /// The largest width and depth a spec string may give: far beyond any
    /// published network, yet small enough that sizes derived from them stay
    /// meaningful (65,536² · 9 weights per layer already need 155 GB).
    public static let maximumWidth = 65_536
    public static let maximumDepth = 1_000

    /// A spec; the defaults are DC's ConvNet.
    public init(
        width: Int = 128, depth: Int = 3, activation: Activation = .relu,
        normalization: Normalization = .instancenorm, pooling: Pooling = .avgpooling
    ) {
        precondition(width > 0 && depth > 0, "ConvNetSpec: width \(width) and depth \(depth) must be positive")
        self.width = width
        self.depth = depth
        self.activation = activation
        self.normalization = normalization
        self.pooling = pooling
    }

    public var description: String {
        "ConvNet(width=\(width),depth=\(depth),act=\(activation.rawValue),"
            + "norm=\(normalization.rawValue),pool=\(pooling.rawValue))"
    }

    /// Parses the string form.
    ///
    /// - Parameter text: `ConvNet` or `ConvNet(key=value,…)` with keys from `keys`.
    /// - Throws: `ZooError.malformedSpec` (wrong shape, repeated key),
    ///   `.unknownSpecKey`, `.invalidSpecValue` (each naming the allowed values),
    ///   `.invalidSpec` (values that cannot be built together).
    public init(parsing text: String) throws {
        self.init()
        let trimmed = text.trimmingSpaces
        guard trimmed.hasPrefix("ConvNet") else {
            throw ZooError.malformedSpec(text: text, reason: "it must start with 'ConvNet'")
        }
        let rest = trimmed.dropFirst("ConvNet".count).trimmingSpaces
        if rest.isEmpty { return }
        guard rest.hasPrefix("("), rest.hasSuffix(")") else {
            throw ZooError.malformedSpec(text: text, reason: "expected '(' after 'ConvNet' and ')' at the end")
        }
        let body = rest.dropFirst().dropLast().trimmingSpaces
        if body.isEmpty { return }
        var seen = Set<String>()
        for item in body.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: "=", omittingEmptySubsequences: false).map { $0.trimmingSpaces }
            guard parts.count == 2, !parts[0].isEmpty else {
                throw ZooError.malformedSpec(text: text, reason: "'\(item.trimmingSpaces)' is not key=value")
            }
            let (key, value) = (parts[0], parts[1])
            guard seen.insert(key).inserted || !Self.keys.contains(key) else {
                throw ZooError.malformedSpec(text: text, reason: "key '\(key)' appears twice")
            }
            try set(key, to: value)
        }
        try checkLayers(text: text)
    }

    /// Refuses a spec whose values are each allowed but whose layers cannot be
    /// built together, so that no caller reaches a layer's precondition.
    ///
    /// - Parameter text: the spec as the user wrote it, for the message.
    /// - Throws: `ZooError.invalidSpec` when `groupnorm`'s groups do not divide the width.
    public func checkLayers(text: String) throws {
        let groups = Normalization.groupNormGroups
        if normalization == .groupnorm, width % groups != 0 {
            throw ZooError.invalidSpec(
                text: text,
                reason: "norm=groupnorm splits the width into \(groups) groups, so width must be a multiple of "
                    + "\(groups) (got \(width))")
        }
    }

    private mutating func set(_ key: String, to value: String) throws {
        func choice<E: RawRepresentable & CaseIterable>(_: E.Type) throws -> E where E.RawValue == String {
            guard let parsed = E(rawValue: value) else {
                throw ZooError.invalidSpecValue(key: key, value: value, allowed: E.allCases.map(\.rawValue))
            }
            return parsed
        }
        func integer(upTo maximum: Int) throws -> Int {
            guard let parsed = Int(value), (1...maximum).contains(parsed) else {
                throw ZooError.invalidSpecValue(key: key, value: value, allowed: ["an integer from 1 to \(maximum)"])
            }
            return parsed
        }
        switch key {
        case "width": width = try integer(upTo: Self.maximumWidth)
        case "depth": depth = try integer(upTo: Self.maximumDepth)
        case "act": activation = try choice(Activation.self)
        case "norm": normalization = try choice(Normalization.self)
        case "pool": pooling = try choice(Pooling.self)
        default: throw ZooError.unknownSpecKey(key: key, allowed: Self.keys)
        }
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}

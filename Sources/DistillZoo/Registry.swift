// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import DistillNN
import DistillTensor

/// Builds the networks of `networks.md` by name.
///
/// Names are the ones the DC / DSA / DM code and the model-pool paper use
/// (`ConvNet`, `ConvNetBN`, `VGG11`, `ResNet18BN_AP`, …); a ConvNet spec
/// string (`ConvNet(width=64,depth=4,act=swish,norm=groupnorm,pool=maxpooling)`)
/// is accepted wherever a name is.
public enum Zoo {
    /// Every named network, in a fixed order (the ConvNet family first).
    public static let names: [String] = convNetVariants.map(\.name) + [
        "MLP", "LeNet", "AlexNet", "AlexNetBN", "VGG11", "VGG11BN", "ResNet18", "ResNet18BN", "ResNet18BN_AP",
    ]

    /// The named ConvNet variants and their specs.
    public static let convNetVariants: [(name: String, spec: ConvNetSpec)] = {
        var variants: [(String, ConvNetSpec)] = [("ConvNet", ConvNetSpec())]
        variants += (1...5).map { ("ConvNetD\($0)", ConvNetSpec(depth: $0)) }
        variants += [32, 64, 128, 256].map { ("ConvNetW\($0)", ConvNetSpec(width: $0)) }
        variants += [
            ("ConvNetAS", ConvNetSpec(activation: .sigmoid)),
            ("ConvNetAR", ConvNetSpec(activation: .relu)),
            ("ConvNetAL", ConvNetSpec(activation: .leakyrelu)),
            ("ConvNetASwish", ConvNetSpec(activation: .swish)),
            ("ConvNetASwishBN", ConvNetSpec(activation: .swish, normalization: .batchnorm)),
            ("ConvNetNN", ConvNetSpec(normalization: .none)),
            ("ConvNetBN", ConvNetSpec(normalization: .batchnorm)),
            ("ConvNetLN", ConvNetSpec(normalization: .layernorm)),
            ("ConvNetIN", ConvNetSpec(normalization: .instancenorm)),
            ("ConvNetGN", ConvNetSpec(normalization: .groupnorm)),
            ("ConvNetNP", ConvNetSpec(pooling: .none)),
            ("ConvNetMP", ConvNetSpec(pooling: .maxpooling)),
            ("ConvNetAP", ConvNetSpec(pooling: .avgpooling)),
        ]
        return variants
    }()

    /// The ConvNet spec of a named ConvNet variant or of a spec string, nil for other networks.
    /// Spaces around the name and before a spec's `(` are ignored, as everywhere a name is read.
    /// - Throws: `ZooError` for a spec string that does not parse or cannot be built.
    public static func convNetSpec(for name: String) throws -> ConvNetSpec? {
        let name = name.trimmingSpaces
        if let variant = convNetVariants.first(where: { $0.name == name }) { return variant.spec }
        if name.hasPrefix("ConvNet"), name.dropFirst("ConvNet".count).trimmingSpaces.hasPrefix("(") {
            return try ConvNetSpec(parsing: name)
        }
        return nil
    }

    /// Checks that `name` is one of `names` or a ConvNet spec that parses, without building anything.
    /// - Throws: `ZooError.unknownNetwork` listing close names, or the spec's error.
    public static func checkName(_ name: String) throws {
        if try names.contains(name.trimmingSpaces) || convNetSpec(for: name) != nil { return }
        throw ZooError.unknownNetwork(name: name, suggestions: suggestions(for: name))
    }

    /// What `name` builds, written one way only: the full spec of a ConvNet
    /// (`ConvNet`, `ConvNetIN` and `ConvNet(width=128)` are all
    /// `ConvNet(width=128,depth=3,act=relu,norm=instancenorm,pool=avgpooling)`), the name of any other network.
    /// Two names build the same architecture exactly when their canonical names are equal.
    /// - Throws: what `checkName` throws.
    public static func canonicalName(_ name: String) throws -> String {
        try checkName(name)
        return try convNetSpec(for: name)?.description ?? name.trimmingSpaces
    }

    /// A freshly initialised network.
    ///
    /// - Parameters:
    ///   - name: one of `names`, or a ConvNet spec string (spaces around it are ignored).
    ///   - channels: input channels (1 for MNIST-like data, 3 for CIFAR/SVHN).
    ///   - imageSize: input side (28 or 32 in the published settings).
    ///   - classes: number of logits.
    ///   - generator: the source of the initial weights.
    /// - Returns: the network in training mode.
    /// - Throws: `ZooError.unknownNetwork` (listing close names), a spec error,
    ///   `ZooError.unsupportedInput` when the input is too small for the architecture, or
    ///   `MemoryBudgetError` when its parameters would not fit in the available memory.
    public static func make(
        name: String, channels: Int, imageSize: Int, classes: Int, using generator: inout SeededGenerator
    ) throws -> Network {
        let name = name.trimmingSpaces
        // The constructors refuse an input too small for the network themselves.
        let footprint = try self.footprint(name: name, channels: channels, imageSize: imageSize, classes: classes)
        try checkMemory(footprint, name: name, channels: channels, imageSize: imageSize, classes: classes)
        if let spec = try convNetSpec(for: name) {
            return try ConvNet(spec, channels: channels, imageSize: imageSize, classes: classes, using: &generator)
        }
        switch name {
        case "MLP":
            return try MLP(channels: channels, imageSize: imageSize, classes: classes, using: &generator)
        case "LeNet":
            return try LeNet(channels: channels, imageSize: imageSize, classes: classes, using: &generator)
        case "AlexNet", "AlexNetBN":
            return try AlexNet(
                batchNorm: name == "AlexNetBN", channels: channels, imageSize: imageSize, classes: classes,
                using: &generator)
        case "VGG11", "VGG11BN":
            return try VGG11(
                normalization: name == "VGG11BN" ? .batchnorm : .instancenorm, channels: channels,
                imageSize: imageSize, classes: classes, using: &generator)
        case "ResNet18", "ResNet18BN", "ResNet18BN_AP":
            return try ResNet18(
                normalization: name == "ResNet18" ? .instancenorm : .batchnorm,
                averagePoolDownsampling: name == "ResNet18BN_AP", channels: channels, imageSize: imageSize,
                classes: classes, using: &generator)
        default:
            throw ZooError.unknownNetwork(name: name, suggestions: suggestions(for: name))
        }
    }

    /// Known names closest to `name` (a case-insensitive prefix match or a
    /// small edit distance), best first; empty when none is close.
    public static func suggestions(for name: String, limit: Int = 5) -> [String] {
        let query = Array(name.lowercased())
        let ranked = names.map { candidate -> (String, Int) in
            let lowered = Array(candidate.lowercased())
            let distance = lowered.starts(with: query) && !query.isEmpty ? 0 : editDistance(query, lowered)
            return (candidate, distance)
        }
        let threshold = max(2, query.count / 3)
        let close = ranked.filter { $0.1 <= threshold }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.map(\.0)
        return Array(close.prefix(limit))
    }

    /// Levenshtein distance between two character sequences.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}

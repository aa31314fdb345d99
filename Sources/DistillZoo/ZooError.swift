// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

/// Why a network cannot be built from a name, a ConvNet spec or an input shape.
public enum ZooError: Error, CustomStringConvertible, Equatable {
    /// No network of that name; `suggestions` lists the closest known names (empty when none is close).
    case unknownNetwork(name: String, suggestions: [String])
    /// A ConvNet spec string that is not of the form `ConvNet(key=value,…)`.
    case malformedSpec(text: String, reason: String)
    /// A ConvNet spec key other than `width`, `depth`, `act`, `norm`, `pool`.
    case unknownSpecKey(key: String, allowed: [String])
    /// A ConvNet spec value outside its allowed set.
    case invalidSpecValue(key: String, value: String, allowed: [String])
    /// A ConvNet spec whose values are each allowed but whose layers cannot be built together.
    case invalidSpec(text: String, reason: String)
    /// The input shape or class count does not fit the network (a feature map would vanish).
    case unsupportedInput(network: String, channels: Int, imageSize: Int, classes: Int, reason: String)

    public var description: String {
        switch self {
        case let .unknownNetwork(name, suggestions):
            let hint = suggestions.isEmpty
                ? "known networks: \(Zoo.names.joined(separator: ", "))"
                : "did you mean \(suggestions.joined(separator: ", "))?"
            return "unknown network '\(name)'; \(hint) (or give a spec like \(ConvNetSpec()))"
        case let .malformedSpec(text, reason):
            return "cannot read ConvNet spec '\(text)': \(reason); write it like \(ConvNetSpec())"
        case let .unknownSpecKey(key, allowed):
            return "unknown ConvNet spec key '\(key)'; allowed keys: \(allowed.joined(separator: ", "))"
        case let .invalidSpecValue(key, value, allowed):
            return "invalid ConvNet \(key) '\(value)'; allowed: \(allowed.joined(separator: ", "))"
        case let .invalidSpec(text, reason):
            return "invalid ConvNet spec '\(text)': \(reason)"
        case let .unsupportedInput(network, channels, imageSize, classes, reason):
            return "\(network) cannot take \(channels)×\(imageSize)×\(imageSize) inputs with \(classes) classes: "
                + "\(reason)"
        }
    }
}

/// Tracks the side of a square feature map while a network is assembled, so
/// that an input too small for the architecture is refused with a clear error
/// instead of failing inside a kernel.
struct FeatureMapSize {
    let network: String
    let channels: Int
    let imageSize: Int
    let classes: Int
    private(set) var side: Int

    init(network: String, channels: Int, imageSize: Int, classes: Int) throws {
        (self.network, self.channels, self.imageSize, self.classes, self.side) =
            (network, channels, imageSize, classes, imageSize)
        guard channels > 0, imageSize > 0, classes > 0 else {
            throw failure("channels, image size and classes must be positive")
        }
    }

    /// After a convolution with kernel `kernel`, `padding` and `stride`.
    mutating func convolve(kernel: Int, padding: Int = 0, stride: Int = 1) throws {
        try shrink(
            to: (side + 2 * padding - kernel) / stride + 1, by: "a \(kernel)×\(kernel) convolution",
            kernel: kernel - 2 * padding)
    }

    /// After a pooling window `kernel` with `stride` (no padding).
    mutating func pool(kernel: Int, stride: Int) throws {
        try shrink(to: (side - kernel) / stride + 1, by: "a \(kernel)×\(kernel) pool", kernel: kernel)
    }

    private mutating func shrink(to newSide: Int, by layer: String, kernel: Int) throws {
        guard side >= kernel, newSide >= 1 else {
            throw failure("its feature map is \(side)×\(side) before \(layer); use larger images")
        }
        side = newSide
    }

    private func failure(_ reason: String) -> ZooError {
        .unsupportedInput(network: network, channels: channels, imageSize: imageSize, classes: classes, reason: reason)
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO

/// How much a network holds and computes, found from its architecture
/// without building it, so that a size the machine cannot hold is refused
/// before anything is allocated.
///
/// Counts saturate at `Int.max` instead of overflowing.
public struct NetworkFootprint: Sendable, Equatable {
    /// Learned parameters: what the built network's `parameterCount` gives.
    public var parameters: Int
    /// Floats of every layer's output for one image (the input not counted):
    /// what a forward pass keeps for its backward pass.
    public var activationsPerImage: Int

    public init(parameters: Int, activationsPerImage: Int) {
        (self.parameters, self.activationsPerImage) = (parameters, activationsPerImage)
    }

    /// A lower bound on the bytes of training with `batchSize` images per step:
    /// parameters, their gradients and momentum, and each layer's output and its gradient.
    public func trainingBytes(batchSize: Int) -> Int {
        MemoryBudget.product(
            MemoryLayout<Float>.size,
            MemoryBudget.sum(
                MemoryBudget.product(3, parameters), MemoryBudget.product(2, batchSize, activationsPerImage)))
    }
}

extension Zoo {
    /// The footprint of the network `make` would build, without building it.
    /// - Throws: `ZooError.unknownNetwork` or a spec error for a name `make` refuses.
    public static func footprint(name: String, channels: Int, imageSize: Int, classes: Int) throws -> NetworkFootprint {
        try layerWalk(name: name, channels: channels, imageSize: imageSize, classes: classes).footprint
    }

    /// The footprint of the network `make` would build, once checked that `make` would build it:
    /// refused for the same reasons, with the same errors, but without allocating anything.
    /// - Throws: what `make` throws: `ZooError` for an unknown name, a spec error or an input too
    ///   small for the network, `MemoryBudgetError` when its parameters would not fit in memory.
    public static func checkedFootprint(name: String, channels: Int, imageSize: Int, classes: Int) throws -> NetworkFootprint {
        let walk = try layerWalk(name: name, channels: channels, imageSize: imageSize, classes: classes)
        try checkMemory(walk.footprint, name: name, channels: channels, imageSize: imageSize, classes: classes)
        if let unsupported = walk.unsupportedInput { throw unsupported }
        return walk.footprint
    }

    /// Refuses a network whose parameters would not fit in the available memory.
    /// - Throws: `MemoryBudgetError`.
    static func checkMemory(_ footprint: NetworkFootprint, name: String, channels: Int, imageSize: Int, classes: Int) throws {
        try MemoryBudget.check(
            MemoryBudget.product(footprint.parameters, MemoryLayout<Float>.size),
            for: "\(name) with \(channels)×\(imageSize)×\(imageSize) inputs and \(classes) classes "
                + "(\(footprint.parameters == .max ? "too many" : String(footprint.parameters)) parameters)",
            fix: "use a smaller network, input or class count")
    }

    /// The network's layers walked on a C×S×S input, tracking its feature map as the constructors do.
    private static func layerWalk(name: String, channels: Int, imageSize: Int, classes: Int) throws -> FootprintWalk {
        let name = name.trimmingSpaces
        var walk = FootprintWalk(channels: channels, side: imageSize)
        if let spec = try convNetSpec(for: name) {
            walk.track(network: spec.description, classes: classes)
            for block in 0..<spec.depth {
                walk.convolution(spec.width, kernel: 3, padding: channels == 1 && block == 0 ? 3 : 1)
                walk.normalization(spec.normalization)
                walk.elementwise()
                if spec.pooling != .none { walk.pool(kernel: 2, stride: 2) }
            }
            walk.linear(classes)
            return walk
        }
        walk.track(network: name, classes: classes)
        switch name {
        case "MLP":
            for width in [128, 128] {
                walk.linear(width)
                walk.elementwise()
            }
        case "LeNet":
            walk.convolution(6, kernel: 5, padding: channels == 1 ? 2 : 0)
            walk.elementwise()
            walk.pool(kernel: 2, stride: 2)
            walk.convolution(16, kernel: 5)
            walk.elementwise()
            walk.pool(kernel: 2, stride: 2)
            for width in [120, 84] {
                walk.linear(width)
                walk.elementwise()
            }
        case "AlexNet", "AlexNetBN":
            let stages = [
                (128, 5, channels == 1 ? 4 : 2, true), (192, 5, 2, true), (256, 3, 1, false), (192, 3, 1, false),
                (192, 3, 1, true),
            ]
            for (width, kernel, padding, pooled) in stages {
                walk.convolution(width, kernel: kernel, padding: padding)
                if name == "AlexNetBN" { walk.normalization(.batchnorm) }
                walk.elementwise()
                if pooled { walk.pool(kernel: 2, stride: 2) }
            }
        case "VGG11", "VGG11BN":
            for (index, width) in VGG11.configuration.enumerated() {
                if width == 0 {
                    walk.pool(kernel: 2, stride: 2)
                    continue
                }
                walk.convolution(width, kernel: 3, padding: channels == 1 && index == 0 ? 3 : 1)
                walk.normalization(name == "VGG11BN" ? .batchnorm : .instancenorm)
                walk.elementwise()
            }
        case "ResNet18", "ResNet18BN", "ResNet18BN_AP":
            residualNetwork(
                &walk, normalization: name == "ResNet18" ? .instancenorm : .batchnorm,
                averagePoolDownsampling: name == "ResNet18BN_AP")
        default:
            throw ZooError.unknownNetwork(name: name, suggestions: suggestions(for: name))
        }
        walk.linear(classes)
        return walk
    }

    /// ResNet18's layers up to its classifier, as `ResNet18` and `BasicBlock` build them.
    private static func residualNetwork(
        _ walk: inout FootprintWalk, normalization: Normalization, averagePoolDownsampling: Bool
    ) {
        walk.convolution(64, kernel: 3, padding: 1, bias: false)
        walk.normalization(normalization)
        walk.elementwise()
        for (planes, firstStride) in [(64, 1), (128, 2), (256, 2), (512, 2)] {
            for stride in [firstStride, 1] {
                let input = walk
                let convolutionStride = averagePoolDownsampling ? 1 : stride
                walk.convolution(planes, kernel: 3, padding: 1, stride: convolutionStride, bias: false)
                walk.normalization(normalization)
                walk.elementwise()
                if averagePoolDownsampling && stride != 1 { walk.pool(kernel: 2, stride: 2) }
                walk.convolution(planes, kernel: 3, padding: 1, bias: false)
                walk.normalization(normalization)
                if stride != 1 || input.channels != planes {
                    var shortcut = FootprintWalk(channels: input.channels, side: input.side)
                    shortcut.convolution(planes, kernel: 1, stride: convolutionStride, bias: false)
                    if averagePoolDownsampling && stride != 1 { shortcut.pool(kernel: 2, stride: 2) }
                    shortcut.normalization(normalization)
                    walk.add(shortcut.footprint)
                }
                walk.elementwise()  // The sum with the shortcut, then its relu.
                walk.elementwise()
            }
        }
        if !averagePoolDownsampling { walk.pool(kernel: 4, stride: 4) }
    }
}

/// Follows a C×S×S feature map through a chain of layers, counting parameters
/// and output floats as the layers of DistillNN hold them.
///
/// A side that would fall below 1 is kept at 1, so the estimate never traps; a
/// tracked walk (`track(network:classes:)`) also keeps, as the constructors do,
/// the first reason the network cannot take the input.
struct FootprintWalk {
    private(set) var channels: Int
    private(set) var side: Int
    private var parameters = 0
    private var activations = 0
    /// The feature map as the network's constructor tracks it, while it can take the input.
    private var tracked: FeatureMapSize?
    /// Why the network's constructor would refuse the input, once known.
    private(set) var unsupportedInput: ZooError?

    init(channels: Int, side: Int) {
        (self.channels, self.side) = (channels, side)
    }

    var footprint: NetworkFootprint { NetworkFootprint(parameters: parameters, activationsPerImage: activations) }

    private var mapSize: Int { MemoryBudget.product(channels, side, side) }

    /// Tracks the feature map from here on as `network`'s constructor does.
    mutating func track(network: String, classes: Int) {
        // The constructors' side arithmetic would overflow on a side this large; such an input
        // is refused for its memory (`checkMemory`) before its feature map matters.
        guard side < Int.max / 4 else { return }
        do {
            tracked = try FeatureMapSize(network: network, channels: channels, imageSize: side, classes: classes)
        } catch {
            unsupportedInput = error as? ZooError
        }
    }

    /// Runs `step` on the tracked feature map, keeping the first reason it gives for refusing the input.
    private mutating func followTracked(_ step: (inout FeatureMapSize?) throws -> Void) {
        guard unsupportedInput == nil else { return }
        do {
            try step(&tracked)
        } catch {
            unsupportedInput = error as? ZooError
            tracked = nil
        }
    }

    /// Conv2d(channels → `outChannels`, kernel × kernel) with an optional bias.
    mutating func convolution(_ outChannels: Int, kernel: Int, padding: Int = 0, stride: Int = 1, bias: Bool = true) {
        followTracked { try $0?.convolve(kernel: kernel, padding: padding, stride: stride) }
        let weights = MemoryBudget.product(channels, outChannels, kernel, kernel)
        parameters = MemoryBudget.sum(parameters, weights, bias ? outChannels : 0)
        channels = outChannels
        side = max((MemoryBudget.sum(side, 2 * padding) - kernel) / stride + 1, 1)
        record()
    }

    /// A normalisation layer: LayerNorm's affine map covers C×S×S, the others' C.
    mutating func normalization(_ normalization: Normalization) {
        switch normalization {
        case .none: return
        case .layernorm: parameters = MemoryBudget.sum(parameters, MemoryBudget.product(2, mapSize))
        case .batchnorm, .instancenorm, .groupnorm:
            parameters = MemoryBudget.sum(parameters, MemoryBudget.product(2, channels))
        }
        record()
    }

    /// An activation or any other layer that keeps the shape.
    mutating func elementwise() { record() }

    mutating func pool(kernel: Int, stride: Int) {
        followTracked { try $0?.pool(kernel: kernel, stride: stride) }
        side = max((side - kernel) / stride + 1, 1)
        record()
    }

    /// Linear(C·S·S → `outFeatures`) on the flattened map.
    mutating func linear(_ outFeatures: Int) {
        parameters = MemoryBudget.sum(parameters, MemoryBudget.product(mapSize, outFeatures), outFeatures)
        (channels, side) = (outFeatures, 1)
        record()
    }

    /// Adds a side branch's counts (a residual shortcut).
    mutating func add(_ branch: NetworkFootprint) {
        parameters = MemoryBudget.sum(parameters, branch.parameters)
        activations = MemoryBudget.sum(activations, branch.activationsPerImage)
    }

    private mutating func record() { activations = MemoryBudget.sum(activations, mapSize) }
}

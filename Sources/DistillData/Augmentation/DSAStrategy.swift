// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillTensor
import Foundation

/// An augmentation strategy string that cannot be parsed.
public enum AugmentationError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// `token` of `strategy` names no transform; `valid` lists those that do.
    case unknownToken(token: String, strategy: String, valid: [String])

    public var description: String {
        switch self {
        case .unknownToken(let token, let strategy, let valid):
            return "unknown augmentation '\(token)' in strategy '\(strategy)'; "
                + "join tokens from \(valid.joined(separator: ", ")) with '_', or use 'none'"
        }
    }

    public var errorDescription: String? { description }
}

/// Splits `strategy` at '_' into known tokens; "" and "none" mean no augmentation.
func parseStrategy<Token: RawRepresentable & CaseIterable>(_ strategy: String) throws -> [Token]
where Token.RawValue == String {
    let trimmed = strategy.trimmingCharacters(in: .whitespaces).lowercased()
    if trimmed.isEmpty || trimmed == "none" { return [] }
    return try trimmed.split(separator: "_", omittingEmptySubsequences: false).map { token in
        guard let parsed = Token(rawValue: String(token)) else {
            throw AugmentationError.unknownToken(
                token: String(token), strategy: strategy, valid: Token.allCases.map(\.rawValue))
        }
        return parsed
    }
}

/// One transform of differentiable siamese augmentation with its draws.
public enum DSATransform: Sendable, Equatable {
    case brightness(DSABrightness)
    case saturation(DSASaturation)
    case contrast(DSAContrast)
    case crop(DSACrop)
    case cutout(DSACutout)
    case flip(DSAFlip)
    case scale(DSAScale)
    case rotate(DSARotate)

    /// Applies the transform to `x` `[N, C, H, W]`; differentiable with respect to `x`.
    public func apply(to x: Tensor) -> Tensor {
        switch self {
        case .brightness(let t): return t.apply(to: x)
        case .saturation(let t): return t.apply(to: x)
        case .contrast(let t): return t.apply(to: x)
        case .crop(let t): return t.apply(to: x)
        case .cutout(let t): return t.apply(to: x)
        case .flip(let t): return t.apply(to: x)
        case .scale(let t): return t.apply(to: x)
        case .rotate(let t): return t.apply(to: x)
        }
    }
}

/// The transforms of one augmentation call, in the order they apply.
///
/// A siamese draw (every value shared by the batch) applies unchanged to
/// batches of any size: DSA applies one to a class's real batch and to its
/// synthetic images so both see the same augmentation.
public struct DSADraw: Sendable, Equatable {
    public var transforms: [DSATransform]

    public init(transforms: [DSATransform]) {
        self.transforms = transforms
    }

    /// Applies every transform in order to `x` `[N, C, H, W]`; differentiable with respect to `x`.
    public func apply(to x: Tensor) -> Tensor {
        transforms.reduce(x) { $1.apply(to: $0) }
    }
}

/// Differentiable siamese augmentation (Zhao & Bilen, ICML 2021): a strategy
/// such as `color_crop_cutout_flip_scale_rotate` and how to apply its groups.
public struct DSAStrategy: Sendable, Equatable, CustomStringConvertible {
    /// A strategy token; `color` is brightness, saturation, contrast in that order.
    public enum Group: String, CaseIterable, Sendable {
        case color, crop, cutout, flip, scale, rotate
    }

    public enum Mode: Sendable, Equatable {
        /// One group per call, chosen uniformly (the reference's `aug_mode` 'S', used by DSA and DM).
        case single
        /// Every group per call, in strategy order (`aug_mode` 'M').
        case all
    }

    /// The default for Fashion-MNIST, CIFAR and most datasets.
    public static let standard = DSAStrategy(groups: [.color, .crop, .cutout, .flip, .scale, .rotate])
    /// The default for digits (MNIST, SVHN): flipping changes what a digit means.
    public static let digits = DSAStrategy(groups: [.color, .crop, .cutout, .scale, .rotate])

    /// The groups in strategy order; empty for no augmentation.
    public let groups: [Group]
    public let mode: Mode

    public init(groups: [Group], mode: Mode = .single) {
        self.groups = groups
        self.mode = mode
    }

    /// Parses a strategy string of '_'-joined groups; "none" or "" is no augmentation.
    /// - Throws: `AugmentationError.unknownToken` for a token that names no group.
    public init(_ strategy: String, mode: Mode = .single) throws {
        self.init(groups: try parseStrategy(strategy), mode: mode)
    }

    /// The strategy string ("none" when empty).
    public var description: String {
        groups.isEmpty ? "none" : groups.map(\.rawValue).joined(separator: "_")
    }

    /// Draws one call's transforms for a batch of `height × width` images.
    ///
    /// - Parameter siamese: draw one value per transform shared by the whole
    ///   batch (apply the result to the real and the synthetic batch of a
    ///   class); otherwise one value per image for `batch` images.
    public func draw(
        using generator: inout SeededGenerator, batch: Int, height: Int, width: Int, siamese: Bool
    ) -> DSADraw {
        let chosen: [Group]
        switch mode {
        case .all: chosen = groups
        case .single: chosen = groups.isEmpty ? [] : [groups[Int.random(in: 0..<groups.count, using: &generator)]]
        }
        var transforms: [DSATransform] = []
        for group in chosen {
            switch group {
            case .color:
                transforms.append(.brightness(.draw(using: &generator, batch: batch, siamese: siamese)))
                transforms.append(.saturation(.draw(using: &generator, batch: batch, siamese: siamese)))
                transforms.append(.contrast(.draw(using: &generator, batch: batch, siamese: siamese)))
            case .crop:
                transforms.append(
                    .crop(.draw(using: &generator, batch: batch, height: height, width: width, siamese: siamese)))
            case .cutout:
                transforms.append(
                    .cutout(.draw(using: &generator, batch: batch, height: height, width: width, siamese: siamese)))
            case .flip: transforms.append(.flip(.draw(using: &generator, batch: batch, siamese: siamese)))
            case .scale: transforms.append(.scale(.draw(using: &generator, batch: batch, siamese: siamese)))
            case .rotate: transforms.append(.rotate(.draw(using: &generator, batch: batch, siamese: siamese)))
            }
        }
        return DSADraw(transforms: transforms)
    }

    /// Augments `x` `[N, C, H, W]` with fresh per-image draws (the
    /// non-siamese use: network training on synthetic data, evaluation).
    public func callAsFunction(_ x: Tensor, using generator: inout SeededGenerator) -> Tensor {
        precondition(x.rank == 4, "DSAStrategy: images must be [N, C, H, W], got \(x.shape)")
        return draw(using: &generator, batch: x.shape[0], height: x.shape[2], width: x.shape[3], siamese: false)
            .apply(to: x)
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor

/// How the image step of a pool run depends on the member drawn (`--pool-step`).
///
/// DC and DM use one image learning rate for every pool member, but the
/// members' image gradients differ by orders of magnitude: DC's VGG11
/// (instance norm down to 2×2 planes) gives image gradients about 400×
/// ConvNet's at initialisation, so one VGG11 draw moves the set further than
/// hundreds of ConvNet draws, and a pool that includes it diverges. DM's
/// gradients grow with the drawn network's embedding, and the paper pool's
/// variants spread the set's pixels to twice DM's own.
///
/// Rule `main`: every member moves the set as far as the main model does.
/// With G_t the gathered image gradient of outer step t:
///
///     drawn member is the main model:  ν_t ← ‖G_t‖                 (kept until its next draw)
///     any other member:                G_t ← G_t · ν_t / ‖G_t‖     (unchanged when ‖G_t‖ = 0)
///
/// before the image optimiser's momentum step, so the direction is the
/// member's own and the size the main model's at the same outer step of its
/// latest draw. Until the main model has been drawn once there is no ν: an
/// iteration that draws another member then uses the main model instead.
/// DM makes one image step per iteration, so its ν is one size.
public enum PoolStepScaling: String, Sendable, Equatable, Codable, CaseIterable, CustomStringConvertible {
    case main

    /// Parses a `--pool-step` value.
    /// - Throws: `PoolError.malformedStepScaling`.
    public init(parsing text: String) throws {
        guard let rule = Self(rawValue: text) else {
            throw PoolError.malformedStepScaling(
                text, reason: "the rule must be one of \(Self.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = rule
    }

    public var description: String { rawValue }

    /// The factor that brings a gradient of norm `norm` to the reference `reference`: 1 for a zero gradient.
    static func factor(norm: Double, reference: Double) -> Double {
        norm > 0 ? reference / norm : 1
    }

    /// The rule applied to the image gradient of outer step `outer` of an iteration that drew `member`.
    ///
    /// The main model's gradient (member 0) is returned unchanged and its size appended to
    /// `mainNorms`; another member's is scaled to `reference[outer]`, the factor appended to `factors`.
    func apply(
        to gradient: NDArray, member: Int, outer: Int, reference: [Double]?,
        mainNorms: inout [Double], factors: inout [Double]
    ) -> NDArray {
        let norm = Self.norm(of: gradient)
        if member == 0 {
            mainNorms.append(norm)
            return gradient
        }
        guard let reference else { return gradient }
        let scale = Self.factor(norm: norm, reference: reference[outer])
        factors.append(scale)
        return gradient.scaled(by: Float(scale))
    }

    /// ‖G‖₂, summed in Double in a fixed order, so every rank and run gets the same value.
    static func norm(of gradient: NDArray) -> Double {
        gradient.scalars.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
    }
}

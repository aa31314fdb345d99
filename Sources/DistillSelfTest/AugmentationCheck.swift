// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillData

/// Every transform of `dsa.safetensors`, built from the file's explicit
/// random draws: the output `y` and `dx` = ∂⟨gy, y⟩/∂x.
enum AugmentationCheck {
    static func run(_ golden: Golden) throws -> [GoldenComparison] {
        let x = try golden.floats("x"), upstream = Tensor(try golden.floats("gy"))
        var results: [GoldenComparison] = []
        for (name, transform) in try transforms(golden) {
            let variable = Tensor(x).requiringGradient()
            let y = transform.apply(to: variable)
            let dx = try gradients(of: (y * upstream).sum(), withRespectTo: [variable])[0]
            results.append(try golden.compare(y.array, to: "\(name)/y"))
            results.append(try golden.compare(dx.array, to: "\(name)/dx"))
        }
        return results
    }

    /// The golden transforms built from the file's draws.
    static func transforms(_ golden: Golden) throws -> [(String, DSATransform)] {
        let floats = { (key: String) in try golden.floats(key).scalars }
        return [
            ("scale", .scale(DSAScale(sx: try floats("scale/sx"), sy: try floats("scale/sy")))),
            ("rotate", .rotate(DSARotate(radians: try floats("rotate/radians")))),
            // The file stores the decision: 1 for flipped.
            ("flip", .flip(DSAFlip(flipped: try floats("flip/flip").map { $0 > 0.5 }))),
            ("brightness", .brightness(DSABrightness(r: try floats("brightness/r")))),
            ("saturation", .saturation(DSASaturation(r: try floats("saturation/r")))),
            ("contrast", .contrast(DSAContrast(r: try floats("contrast/r")))),
            ("crop", .crop(DSACrop(tx: try golden.integers("crop/tx"), ty: try golden.integers("crop/ty")))),
            ("cutout", .cutout(DSACutout(ox: try golden.integers("cutout/ox"), oy: try golden.integers("cutout/oy")))),
        ]
    }
}

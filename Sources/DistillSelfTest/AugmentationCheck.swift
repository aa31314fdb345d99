// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillData

/// Every transform of `dsa.safetensors`, built from the file's explicit
/// random draws: the output `y` and `dx` = ∂⟨gy, y⟩/∂x.
enum AugmentationCheck {
    static func run(_ golden: Golden) throws -> [GoldenComparison] {
        let x = try golden.floats("x", rank: 4), upstream = Tensor(try golden.floats("gy", shape: x.shape))
        var results: [GoldenComparison] = []
        for (name, transform) in try transforms(golden, images: x.shape) {
            let variable = Tensor(x).requiringGradient()
            let y = transform.apply(to: variable)
            let dx = try gradients(of: (y * upstream).sum(), withRespectTo: [variable])[0]
            results.append(try golden.compare(y.array, to: "\(name)/y"))
            results.append(try golden.compare(dx.array, to: "\(name)/dx"))
        }
        return results
    }

    /// The golden transforms of `images` `[N, C, H, W]` built from the file's draws.
    static func transforms(_ golden: Golden, images: [Int]) throws -> [(String, DSATransform)] {
        // Each draw is shared by the batch or made per image; a pair of draws comes in equal numbers.
        func draws<Value>(_ key: String, as read: (String) throws -> [Value], count: Int? = nil) throws -> [Value] {
            let values = try read(key)
            if let count {
                try golden.require(values.count == count, key, "holds \(values.count) draws, its pair \(count)")
            } else {
                try golden.require(
                    values.count == 1 || values.count == images[0], key,
                    "holds \(values.count) draws for a batch of \(images[0]); it needs 1 or \(images[0])")
            }
            return values
        }
        let floats = { (key: String) -> [Float] in
            let values = try golden.floats(key).scalars
            try golden.require(values.allSatisfy(\.isFinite), key, "holds a number that is not finite")
            return values
        }
        // Shifts and centres beyond the image size would only overflow the pixel arithmetic.
        let size = max(images[2], images[3])
        let pixels = { (key: String) in try golden.integers(key, in: -size...size) }
        let sx = try draws("scale/sx", as: floats), tx = try draws("crop/tx", as: pixels)
        let ox = try draws("cutout/ox", as: pixels)
        return [
            ("scale", .scale(DSAScale(sx: sx, sy: try draws("scale/sy", as: floats, count: sx.count)))),
            ("rotate", .rotate(DSARotate(radians: try draws("rotate/radians", as: floats)))),
            // The file stores the decision: 1 for flipped.
            ("flip", .flip(DSAFlip(flipped: try draws("flip/flip", as: floats).map { $0 > 0.5 }))),
            ("brightness", .brightness(DSABrightness(r: try draws("brightness/r", as: floats)))),
            ("saturation", .saturation(DSASaturation(r: try draws("saturation/r", as: floats)))),
            ("contrast", .contrast(DSAContrast(r: try draws("contrast/r", as: floats)))),
            ("crop", .crop(DSACrop(tx: tx, ty: try draws("crop/ty", as: pixels, count: tx.count)))),
            ("cutout", .cutout(DSACutout(ox: ox, oy: try draws("cutout/oy", as: pixels, count: ox.count)))),
        ]
    }
}

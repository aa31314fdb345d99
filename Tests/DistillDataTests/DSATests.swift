// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillData
import DistillTensor
import XCTest
import _DistillTestSupport

final class DSATests: XCTestCase {
    func testGatherTransformsAreTwiceDifferentiable() {
        var generator = SeededGenerator(seed: 5)
        let x = NDArray.normal(shape: [2, 2, 6, 6], using: &generator)
        let transforms: [DSATransform] = [
            .crop(DSACrop(tx: [2, -1], ty: [-3, 1])), .flip(DSAFlip(flipped: [true, false])),
            .rotate(DSARotate(radians: [0.2, -0.1])), .saturation(DSASaturation(r: [0.3, 0.8])),
        ]
        for transform in transforms {
            let errors = GradientCheck.secondOrder(at: [x]) {
                let y = transform.apply(to: $0[0])
                return y * y
            }
            XCTAssertLessThan(errors[0], 2e-3, "\(transform)")
        }
    }

    func testDrawsAreDeterministicPerSeed() throws {
        let x = Tensor(NDArray.normal(shape: [4, 3, 8, 8], using: &generator))
        for mode in [DSAStrategy.Mode.single, .all] {
            let strategy = DSAStrategy(groups: DSAStrategy.standard.groups, mode: mode)
            var first = SeededGenerator(seed: 42), second = SeededGenerator(seed: 42), other = SeededGenerator(seed: 43)
            let a = strategy(x, using: &first), b = strategy(x, using: &second)
            XCTAssertEqual(a.array, b.array)
            let drawA = strategy.draw(using: &first, batch: 4, height: 8, width: 8, siamese: false)
            let drawB = strategy.draw(using: &second, batch: 4, height: 8, width: 8, siamese: false)
            let drawC = strategy.draw(using: &other, batch: 4, height: 8, width: 8, siamese: false)
            XCTAssertEqual(drawA, drawB)
            XCTAssertNotEqual(drawA, drawC)
        }
    }

    func testSiameseDrawAppliesTheSameParametersToBatchesOfAnySize() {
        let strategy = DSAStrategy(groups: DSAStrategy.standard.groups, mode: .all)
        let image = NDArray.normal(shape: [1, 3, 8, 8], using: &generator)
        let real = Tensor(image.broadcast(to: [5, 3, 8, 8])), synthetic = Tensor(image)
        var random = SeededGenerator(seed: 9)
        let draw = strategy.draw(using: &random, batch: 5, height: 8, width: 8, siamese: true)
        XCTAssertEqual(draw.transforms.count, 8)
        let realOut = draw.apply(to: real).array.scalars, syntheticOut = draw.apply(to: synthetic).array.scalars
        for n in 0..<5 {
            XCTAssertEqual(Array(realOut[(n * 192)..<((n + 1) * 192)]), syntheticOut, "image \(n)")
        }
        // Per-image draws make identical images differ.
        let perImage = strategy.draw(using: &random, batch: 5, height: 8, width: 8, siamese: false).apply(to: real)
        XCTAssertNotEqual(Array(perImage.scalars[0..<192]), Array(perImage.scalars[192..<384]))
    }

    func testSingleModePicksOneGroupUniformlyAndAllModeKeepsOrder() {
        var random = SeededGenerator(seed: 1)
        var counts: [String: Int] = [:]
        for _ in 0..<1200 {
            let draw = DSAStrategy.standard.draw(using: &random, batch: 2, height: 8, width: 8, siamese: true)
            counts[Self.group(of: draw), default: 0] += 1
        }
        XCTAssertEqual(Set(counts.keys), ["color", "crop", "cutout", "flip", "scale", "rotate"])
        for (group, count) in counts { XCTAssertEqual(Double(count), 200, accuracy: 50, group) }
        let all = DSAStrategy(groups: [.rotate, .color, .crop], mode: .all)
            .draw(using: &random, batch: 2, height: 8, width: 8, siamese: false)
        XCTAssertEqual(all.transforms.map(Self.name(of:)), ["rotate", "brightness", "saturation", "contrast", "crop"])
    }

    func testStrategyParsing() throws {
        XCTAssertEqual(try DSAStrategy("color_crop_cutout_flip_scale_rotate"), DSAStrategy.standard)
        XCTAssertEqual(try DSAStrategy("color_crop_cutout_scale_rotate").groups, DSAStrategy.digits.groups)
        XCTAssertEqual(DSAStrategy.digits.description, "color_crop_cutout_scale_rotate")
        XCTAssertEqual(try DSAStrategy("none").groups, [])
        let x = Tensor(NDArray.normal(shape: [2, 1, 4, 4], using: &generator))
        var random = SeededGenerator(seed: 3)
        XCTAssertEqual(try DSAStrategy("none")(x, using: &random).array, x.array)
        XCTAssertThrowsError(try DSAStrategy("color_blur")) { error in
            let expected = AugmentationError.unknownToken(
                token: "blur", strategy: "color_blur", valid: ["color", "crop", "cutout", "flip", "scale", "rotate"])
            XCTAssertEqual(error as? AugmentationError, expected)
            XCTAssertTrue("\(error)".contains("color, crop, cutout, flip, scale, rotate"))
        }
    }

    func testDrawRangesFollowTheReference() {
        var random = SeededGenerator(seed: 11)
        let scale = DSAScale.draw(using: &random, batch: 500, siamese: false)
        XCTAssertTrue((scale.sx + scale.sy).allSatisfy { $0 >= 1 / 1.2 && $0 < 1.2 })
        let rotate = DSARotate.draw(using: &random, batch: 500, siamese: false)
        XCTAssertTrue(rotate.radians.allSatisfy { abs($0) <= 15 * Float.pi / 180 })
        XCTAssertGreaterThan(rotate.radians.max()!, 0.25)
        let crop = DSACrop.draw(using: &random, batch: 500, height: 32, width: 28, siamese: false)
        XCTAssertEqual(Set(crop.tx), Set(-4...4))
        XCTAssertEqual(Set(crop.ty), Set(-4...4))
        let cutout = DSACutout.draw(using: &random, batch: 500, height: 32, width: 28, siamese: false)
        XCTAssertEqual(Set(cutout.ox), Set(0...32))  // side 16 is even, so the range has one extra offset
        XCTAssertEqual(Set(cutout.oy), Set(0...28))
        XCTAssertEqual(DSAFlip.draw(using: &random, batch: 1, siamese: true).flipped.count, 1)
    }

    var generator = SeededGenerator(seed: 2)

    static func name(of transform: DSATransform) -> String {
        switch transform {
        case .brightness: return "brightness"
        case .saturation: return "saturation"
        case .contrast: return "contrast"
        case .crop: return "crop"
        case .cutout: return "cutout"
        case .flip: return "flip"
        case .scale: return "scale"
        case .rotate: return "rotate"
        }
    }

    static func group(of draw: DSADraw) -> String {
        draw.transforms.count == 3 ? "color" : name(of: draw.transforms[0])
    }
}

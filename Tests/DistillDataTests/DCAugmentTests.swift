// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData
import DistillTensor
import XCTest

final class DCAugmentTests: XCTestCase {
    var generator = SeededGenerator(seed: 4)

    func pixel(_ a: NDArray, _ n: Int, _ c: Int, _ i: Int, _ j: Int) -> Float {
        a.scalars[((n * a.shape[1] + c) * a.shape[2] + i) * a.shape[3] + j]
    }

    func testStrategiesParseAndKeepShapes() throws {
        XCTAssertEqual(try DCAugmentation(strategy: "crop_scale_rotate"), .mnist)
        XCTAssertEqual(try DCAugmentation(strategy: "crop_noise"), .convNetBN)
        XCTAssertEqual(DCAugmentation.mnist.description, "crop_scale_rotate")
        XCTAssertThrowsError(try DCAugmentation(strategy: "crop_flip")) { error in
            XCTAssertEqual(
                error as? AugmentationError,
                .unknownToken(token: "flip", strategy: "crop_flip", valid: ["crop", "scale", "rotate", "noise"]))
        }
        let images = NDArray.normal(shape: [6, 3, 10, 12], using: &generator)
        for strategy in [DCAugmentation.mnist, .convNetBN] {
            XCTAssertEqual(strategy(images, using: &generator).shape, images.shape)
        }
        XCTAssertEqual(try DCAugmentation(strategy: "none")(images, using: &generator), images)
    }

    func testSameSeedGivesSameAugmentation() {
        let images = NDArray.normal(shape: [8, 1, 12, 12], using: &generator)
        let strategy = DCAugmentation(operations: [.crop, .scale, .rotate, .noise])
        var a = SeededGenerator(seed: 7), b = SeededGenerator(seed: 7), c = SeededGenerator(seed: 8)
        let first = strategy(images, using: &a)
        XCTAssertEqual(first, strategy(images, using: &b))
        XCTAssertNotEqual(first, strategy(images, using: &c))
    }

    func testCropShiftsContentByTheDrawnOffset() {
        let images = NDArray.normal(shape: [16, 2, 9, 9], using: &generator)
        var means: [Float] = [0, 0]
        for (index, value) in images.scalars.enumerated() { means[(index / 81) % 2] += value / Float(16 * 81) }
        var random = SeededGenerator(seed: 21)
        let steps = DCAugmentation(operations: [.crop]).draw(using: &random, batch: 16, height: 9, width: 9)
        let out = DCAugmentation(operations: [.crop]).apply(steps, to: images)
        var offsets = Set<Int>()
        for (n, step) in steps.enumerated() {
            guard case .crop(let row, let column) = step else { return XCTFail("drew \(step) for crop_only") }
            offsets.formUnion([row, column])
            for c in 0..<2 {
                for i in 0..<9 {
                    for j in 0..<9 {
                        let (y, x) = (i + row - 4, j + column - 4)
                        let inside = (0..<9).contains(y) && (0..<9).contains(x)
                        let expected = inside ? pixel(images, n, c, y, x) : means[c]
                        XCTAssertEqual(pixel(out, n, c, i, j), expected, accuracy: 1e-5)
                    }
                }
            }
        }
        XCTAssertTrue(offsets.isSubset(of: Set(0..<8)))
        XCTAssertGreaterThan(offsets.count, 4)
    }

    func testNoiseHasTheReferenceMagnitude() {
        let images = NDArray.normal(shape: [32, 3, 16, 16], using: &generator)
        var random = SeededGenerator(seed: 5)
        let out = DCAugmentation(operations: [.noise])(images, using: &random)
        let differences = zip(out.scalars, images.scalars).map { Double($0 - $1) }
        let mean = differences.reduce(0, +) / Double(differences.count)
        let deviation = (differences.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(differences.count)).squareRoot()
        XCTAssertEqual(deviation, 0.001, accuracy: 0.00005)
        XCTAssertEqual(mean, 0, accuracy: 0.00005)
    }

    func testScaleResizesAboutTheCentreWithZeroBackground() {
        let images = NDArray(shape: [1, 1, 8, 8], scalars: (0..<64).map { Float($0 + 1) })
        let strategy = DCAugmentation(operations: [.scale])
        XCTAssertEqual(strategy.apply([.scale(height: 8, width: 8)], to: images), images)
        // Halving: nearest sampling takes every second pixel, centred with 2 zero pixels around.
        let half = strategy.apply([.scale(height: 4, width: 4)], to: images)
        for i in 0..<8 {
            for j in 0..<8 {
                let inside = (2..<6).contains(i) && (2..<6).contains(j)
                XCTAssertEqual(pixel(half, 0, 0, i, j), inside ? pixel(images, 0, 0, 2 * (i - 2), 2 * (j - 2)) : 0)
            }
        }
        // Doubling: the centre 8 × 8 of the 16 × 16 nearest upsampling.
        let double = strategy.apply([.scale(height: 16, width: 16)], to: images)
        XCTAssertEqual(pixel(double, 0, 0, 0, 0), pixel(images, 0, 0, 2, 2))
        XCTAssertEqual(pixel(double, 0, 0, 7, 7), pixel(images, 0, 0, 5, 5))
        var random = SeededGenerator(seed: 2)
        for step in strategy.draw(using: &random, batch: 200, height: 28, width: 28) {
            guard case .scale(let h, let w) = step else { return XCTFail("drew \(step) for scale only") }
            XCTAssertTrue((22...33).contains(h) && (22...33).contains(w), "\(step)")
        }
    }

    func testRotateTurnsAboutTheCentreAndFillsWithTheMean() {
        let images = NDArray.normal(shape: [2, 2, 7, 7], using: &generator)
        let strategy = DCAugmentation(operations: [.rotate])
        let same = strategy.apply([.rotate(degrees: 0), .rotate(degrees: 0)], to: images)
        XCTAssertLessThan(relativeError(same, images), 1e-6)
        // 90° is scipy's rot90 (anticlockwise): out[i, j] = in[j, W − 1 − i].
        let turned = strategy.apply([.rotate(degrees: 90), .rotate(degrees: 0)], to: images)
        for c in 0..<2 {
            for i in 0..<7 {
                for j in 0..<7 {
                    XCTAssertEqual(pixel(turned, 0, c, i, j), pixel(images, 0, c, j, 6 - i), accuracy: 1e-5)
                }
            }
        }
        // At 45° the corners come from outside the image: the mean of the channel means.
        let diagonal = strategy.apply([.rotate(degrees: 45), .rotate(degrees: 0)], to: images)
        let fill = images.scalars.reduce(0, +) / Float(images.count)
        XCTAssertEqual(pixel(diagonal, 0, 1, 0, 0), fill, accuracy: 1e-5)
        var random = SeededGenerator(seed: 6)
        let angles = strategy.draw(using: &random, batch: 2000, height: 7, width: 7).map { step -> Int in
            guard case .rotate(let degrees) = step else { return .max }
            return degrees
        }
        XCTAssertEqual(Set(angles), Set(-45..<45))
    }

    func relativeError(_ a: NDArray, _ b: NDArray) -> Float {
        let difference = zip(a.scalars, b.scalars).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
        return (difference / b.scalars.map { $0 * $0 }.reduce(0, +)).squareRoot()
    }
}

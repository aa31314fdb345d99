// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillTensor
import XCTest
import _DistillTestSupport

final class GridSampleTests: XCTestCase {
    var generator = SeededGenerator(seed: 3)

    /// A grid of random points in [−1.3, 1.3]², so some fall outside the image.
    func randomGrid(_ n: Int, _ height: Int, _ width: Int) -> NDArray {
        .uniform(shape: [n, height, width, 2], lower: -1.3, upper: 1.3, using: &generator)
    }

    /// PyTorch's grid_sample (bilinear, zeros, align_corners=False) written
    /// point by point in Double, as an independent reference.
    func naiveGridSample(_ x: NDArray, _ grid: NDArray) -> [Double] {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (outH, outW) = (grid.shape[1], grid.shape[2])
        var out = [Double](repeating: 0, count: n * c * outH * outW)
        for image in 0..<n {
            for i in 0..<outH {
                for j in 0..<outW {
                    let g = ((image * outH + i) * outW + j) * 2
                    let ix = ((Double(grid.scalars[g]) + 1) * Double(w) - 1) / 2
                    let iy = ((Double(grid.scalars[g + 1]) + 1) * Double(h) - 1) / 2
                    let (x0, y0) = (Int(ix.rounded(.down)), Int(iy.rounded(.down)))
                    for (yy, xx) in [(y0, x0), (y0, x0 + 1), (y0 + 1, x0), (y0 + 1, x0 + 1)]
                    where yy >= 0 && yy < h && xx >= 0 && xx < w {
                        let weight = (1 - abs(ix - Double(xx))) * (1 - abs(iy - Double(yy)))
                        for channel in 0..<c {
                            let source = ((image * c + channel) * h + yy) * w + xx
                            out[((image * c + channel) * outH + i) * outW + j] += weight * Double(x.scalars[source])
                        }
                    }
                }
            }
        }
        return out
    }

    func testForwardMatchesNaiveReference() {
        let x = NDArray.normal(shape: [3, 2, 5, 7], using: &generator)
        let grid = randomGrid(3, 4, 6)
        let y = Tensor(x).gridSample(grid: Tensor(grid))
        XCTAssertEqual(y.shape, [3, 2, 4, 6])
        XCTAssertLessThan(relativeError(y.scalars.map(Double.init), naiveGridSample(x, grid)), 1e-6)
    }

    func testIdentityAffineGridReproducesTheImage() {
        let x = NDArray.normal(shape: [2, 3, 6, 5], using: &generator)
        let identity = NDArray(shape: [2, 2, 3], scalars: [1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0])
        let grid = Tensor.affineGrid(theta: Tensor(identity), size: x.shape)
        XCTAssertEqual(grid.shape, [2, 6, 5, 2])
        // Pixel centres: x_j = (2j + 1)/W − 1.
        XCTAssertEqual(grid.scalars[0], -0.8, accuracy: 1e-6)
        XCTAssertEqual(grid.scalars[1], -5.0 / 6.0, accuracy: 1e-6)
        let y = Tensor(x).gridSample(grid: grid)
        XCTAssertLessThan(relativeError(y.array, x), 1e-6)
    }

    func testAffineGridAppliesTheMatrixToPixelCentres() {
        let theta = NDArray(shape: [1, 2, 3], scalars: [0.5, -0.2, 0.1, 0.3, 1.5, -0.4])
        let grid = Tensor.affineGrid(theta: Tensor(theta), size: [1, 1, 3, 4]).array
        for i in 0..<3 {
            for j in 0..<4 {
                let (x, y) = (Float(2 * j + 1) / 4 - 1, Float(2 * i + 1) / 3 - 1)
                let offset = (i * 4 + j) * 2
                XCTAssertEqual(grid.scalars[offset], 0.5 * x - 0.2 * y + 0.1, accuracy: 1e-6)
                XCTAssertEqual(grid.scalars[offset + 1], 0.3 * x + 1.5 * y - 0.4, accuracy: 1e-6)
            }
        }
    }

    func testFirstOrderGradientMatchesFiniteDifferences() {
        let x = NDArray.normal(shape: [2, 3, 5, 4], using: &generator)
        let grid = Tensor(randomGrid(2, 6, 3))
        let errors = GradientCheck.firstOrder(at: [x]) { $0[0].gridSample(grid: grid) }
        XCTAssertLessThan(errors[0], 1e-3)
    }

    func testSecondOrderGradientMatchesFiniteDifferences() {
        // The sample is linear in x, so squaring it makes the second derivative non-zero.
        let x = NDArray.normal(shape: [2, 2, 4, 5], using: &generator)
        let grid = Tensor(randomGrid(2, 3, 4))
        let errors = GradientCheck.secondOrder(at: [x]) {
            let y = $0[0].gridSample(grid: grid)
            return y * y
        }
        XCTAssertLessThan(errors[0], 2e-3)
    }

    func testAdjointSatisfiesTheInnerProductIdentity() throws {
        // ⟨gridSample(x), g⟩ = ⟨x, adjoint(g)⟩ for every x, g.
        let x = NDArray.normal(shape: [2, 3, 6, 6], using: &generator)
        let upstream = NDArray.normal(shape: [2, 3, 5, 7], using: &generator)
        let grid = Tensor(randomGrid(2, 5, 7))
        let variable = Tensor(x).requiringGradient()
        let y = variable.gridSample(grid: grid)
        let adjoint = try gradients(of: (y * Tensor(upstream)).sum(), withRespectTo: [variable])[0]
        let lhs = zip(y.scalars, upstream.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let rhs = zip(x.scalars, adjoint.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        XCTAssertEqual(lhs, rhs, accuracy: 1e-4 * max(abs(lhs), 1))
    }
}

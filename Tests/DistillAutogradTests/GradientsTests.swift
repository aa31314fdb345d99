// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillTensor
import XCTest

final class GradientsTests: XCTestCase {
    func testGradientsAccumulateWhenAValueIsUsedTwice() throws {
        let x = Tensor(shape: [3], scalars: [1, 2, 3]).requiringGradient()
        let y = (x * x + x * 3).sum()  // dy/dx = 2x + 3
        let g = try gradients(of: y, withRespectTo: [x])[0]
        XCTAssertEqual(g.scalars, [5, 7, 9])
    }

    func testUnreachableInputGivesZerosOrAnError() throws {
        let x = Tensor(shape: [2], scalars: [1, 2]).requiringGradient()
        let unused = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]).requiringGradient()
        let y = (x * x).sum()
        let zeros = try gradients(of: y, withRespectTo: [x, unused], unreachable: .zeros)
        XCTAssertEqual(zeros[1].shape, [2, 2])
        XCTAssertEqual(zeros[1].scalars, [0, 0, 0, 0])
        XCTAssertThrowsError(try gradients(of: y, withRespectTo: [x, unused], unreachable: .error)) { error in
            XCTAssertEqual(error as? GradientError, .unreachable(index: 1, shape: [2, 2]))
        }
        let constant = Tensor(shape: [1], scalars: [1])
        XCTAssertThrowsError(try gradients(of: y, withRespectTo: [constant], unreachable: .error))
    }

    func testNoGradScopeRecordsNothing() {
        let x = Tensor(shape: [2], scalars: [1, 2]).requiringGradient()
        let inside = withoutGradients { (x * x).sum() }
        XCTAssertFalse(inside.requiresGradient)
        XCTAssertTrue((x * x).sum().requiresGradient)
    }

    func testCreateGraphControlsWhetherGradientsAreDifferentiable() throws {
        let x = Tensor(shape: [2], scalars: [1, 2]).requiringGradient()
        let y = (x * x * x).sum()
        let plain = try gradients(of: y, withRespectTo: [x])[0]
        XCTAssertFalse(plain.requiresGradient)
        let graph = try gradients(of: y, withRespectTo: [x], createGraph: true)[0]
        XCTAssertEqual(graph.scalars, [3, 12])
        let second = try gradients(of: graph.sum(), withRespectTo: [x])[0]  // d/dx Σ 3x² = 6x
        XCTAssertEqual(second.scalars, [6, 12])
    }

    func testSeedShapeIsChecked() {
        let x = Tensor(shape: [2], scalars: [1, 2]).requiringGradient()
        XCTAssertThrowsError(try gradients(of: x * 2, withRespectTo: [x], seed: Tensor.ones([3])))
    }
}

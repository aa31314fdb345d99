// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillMethods
import DistillTensor
import XCTest
import _DistillTestSupport

/// The three gradient distances against hand computations, and their
/// gradients against finite differences.
final class MatchingDistanceTests: XCTestCase {
    // A conv-shaped, a linear-shaped and a bias gradient, synthetic and real.
    private let syntheticArrays = [
        NDArray(shape: [2, 1, 2, 2], scalars: [1, 2, 0, -1, 0.5, 0, 3, 1]),
        NDArray(shape: [2, 3], scalars: [0, 1, 0, 2, -1, 1]),
        NDArray(shape: [2], scalars: [5, -7]),
    ]
    private let realArrays = [
        NDArray(shape: [2, 1, 2, 2], scalars: [1, 1, 1, 1, -0.5, 2, 1, 0]),
        NDArray(shape: [2, 3], scalars: [1, 1, 0, 2, 0, 1]),
        NDArray(shape: [2], scalars: [1, 1]),
    ]

    private func rows(_ array: NDArray) -> [[Double]] {
        let width = array.count / array.shape[0]
        return (0..<array.shape[0]).map { r in (0..<width).map { Double(array.scalars[r * width + $0]) } }
    }

    private func cosineDistance(_ a: [Double], _ b: [Double]) -> Double {
        let dot = zip(a, b).map(*).reduce(0, +)
        let norms = a.map { $0 * $0 }.reduce(0, +).squareRoot() * b.map { $0 * $0 }.reduce(0, +).squareRoot()
        return 1 - dot / (norms + 1e-6)
    }

    private func distance(_ metric: MatchingDistance) -> Double {
        Double(metric(synthetic: syntheticArrays.map(Tensor.init), real: realArrays.map(Tensor.init)).scalar)
    }

    func testOursSumsRowCosinesOfMatricesAndIgnoresVectors() {
        var expected = 0.0
        for (s, r) in zip(syntheticArrays, realArrays) where s.rank > 1 {
            for (a, b) in zip(rows(s), rows(r)) { expected += cosineDistance(a, b) }
        }
        XCTAssertEqual(distance(.ours), expected, accuracy: 1e-5)
        // Only the bias differs: 'ours' must not see it.
        let shiftedBias = realArrays[0..<2] + [NDArray(shape: [2], scalars: [-3, 9])]
        let other = MatchingDistance.ours(
            synthetic: syntheticArrays.map(Tensor.init), real: shiftedBias.map(Tensor.init))
        XCTAssertEqual(Double(other.scalar), expected, accuracy: 1e-5)
    }

    func testMSESumsSquaredDifferencesOfEveryTensor() {
        let expected = zip(syntheticArrays, realArrays).map { s, r in
            zip(s.scalars, r.scalars).map { Double($0 - $1) * Double($0 - $1) }.reduce(0, +)
        }.reduce(0, +)
        XCTAssertEqual(distance(.mse), expected, accuracy: 1e-4)
    }

    func testCosIsOneCosineOverTheConcatenation() {
        let a = syntheticArrays.flatMap(\.scalars).map(Double.init)
        let b = realArrays.flatMap(\.scalars).map(Double.init)
        XCTAssertEqual(distance(.cos), cosineDistance(a, b), accuracy: 1e-6)
    }

    func testIdenticalGradientsAreAtDistanceZero() {
        let tensors = syntheticArrays.map(Tensor.init)
        XCTAssertEqual(MatchingDistance.ours(synthetic: tensors, real: tensors).scalar, 0, accuracy: 1e-5)
        XCTAssertEqual(MatchingDistance.mse(synthetic: tensors, real: tensors).scalar, 0)
        XCTAssertEqual(MatchingDistance.cos(synthetic: tensors, real: tensors).scalar, 0, accuracy: 1e-6)
    }

    func testGradientsMatchFiniteDifferences() {
        let real = realArrays.map(Tensor.init)
        for metric in MatchingDistance.allCases {
            let errors = GradientCheck.firstOrder(at: syntheticArrays, epsilon: 1e-2) { synthetic in
                metric(synthetic: synthetic, real: real)
            }
            for (index, error) in errors.enumerated() where !(metric == .ours && index == 2) {
                XCTAssertLessThan(error, 5e-3, "\(metric) tensor \(index)")
            }
        }
    }

    func testZeroSyntheticRowHasAFiniteGradient() throws {
        let synthetic = Tensor(NDArray(shape: [2, 2], scalars: [0, 0, 1, 2])).requiringGradient()
        let real = Tensor(NDArray(shape: [2, 2], scalars: [1, 1, 1, 0]))
        for metric in MatchingDistance.allCases {
            let loss = metric(synthetic: [synthetic], real: [real])
            let gradient = try gradients(of: loss, withRespectTo: [synthetic])[0]
            XCTAssertTrue(gradient.scalars.allSatisfy(\.isFinite), "\(metric): \(gradient.scalars)")
        }
    }
}

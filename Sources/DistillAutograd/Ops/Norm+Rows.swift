// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor

/// Per-row statistics of a matrix x [R, L] that group norm (rows = one
/// sample's group) and layer norm normalise, and the fused kernels built on them.
///
/// Rows are processed as segments of `segmentLength` elements so that a few
/// long rows still spread over the cores. The statistics belong to one fixed
/// x: every op below takes that x as its recorded input.
struct RowNormalization {
    let rows: Int
    let rowLength: Int
    let segmentLength: Int
    /// Per row.
    let mean: [Float]
    /// Per row: `1/√(variance + ε)`.
    let inverseStd: [Double]

    var segmentsPerRow: Int { rowLength / segmentLength }
    var segments: Int { rows * segmentsPerRow }

    /// A per-row value repeated for each of the row's segments.
    func perSegment<T>(_ value: (Int) -> T) -> [T] {
        (0..<segments).map { value($0 / segmentsPerRow) }
    }

    /// `x̂ = (x − mean) · rstd`.
    func normalized(_ x: NDArray) -> NDArray {
        x.segmentAffine(
            segmentLength: segmentLength, center: perSegment { mean[$0] },
            scale: perSegment { Float(inverseStd[$0]) }, shift: [Float](repeating: 0, count: segments))
    }

    /// `J·v`, J = ∂x̂/∂x (symmetric within each row), in two passes:
    ///
    /// ```
    /// J·v = rstd · (v − mean(v) − x̂ · mean(v · x̂))   (means along the row)
    /// ```
    func jacobianProduct(_ x: NDArray, _ v: NDArray) -> NDArray {
        let centers = perSegment { mean[$0] }
        let (sums, dots) = x.segmentGradientSums(v, segmentLength: segmentLength, center: centers)
        var meanV = [Double](repeating: 0, count: rows)
        var meanProjection = [Double](repeating: 0, count: rows)
        for segment in 0..<segments {
            meanV[segment / segmentsPerRow] += sums[segment] / Double(rowLength)
            meanProjection[segment / segmentsPerRow] += dots[segment] / Double(rowLength)
        }
        return NDArray.segmentCombination(
            gradient: v, input: x, segmentLength: segmentLength, center: centers,
            gradientScale: perSegment { Float(inverseStd[$0]) },
            inputScale: perSegment { Float(-inverseStd[$0] * inverseStd[$0] * inverseStd[$0] * meanProjection[$0]) },
            offset: perSegment { Float(-inverseStd[$0] * meanV[$0]) })
    }

    /// `Σ_l a[r, l] · b[r, l]`, shaped [R, 1].
    func rowDot(_ a: NDArray, _ b: NDArray) -> NDArray {
        let (_, dots) = b.segmentGradientSums(
            a, segmentLength: segmentLength, center: [Float](repeating: 0, count: segments))
        var result = [Double](repeating: 0, count: rows)
        for segment in 0..<segments { result[segment / segmentsPerRow] += dots[segment] }
        return NDArray(shape: [rows, 1], scalars: result.map { Float($0) })
    }
}

// MARK: - Differentiable row-normalisation ops (x [R, L])

extension Tensor {
    /// `x̂ = (x − mean) · rstd` per row. Gradient: `J·grad`.
    func rowNormalized(_ rows: RowNormalization) -> Tensor {
        Tensor.record("rowNormalized", rows.normalized(array), inputs: [self]) { [self] g, _ in
            [rowNormalizationJacobianProduct(g, rows)]
        }
    }

    /// rstd per row, shaped [R, 1].
    ///
    /// Gradient: `∂rstd/∂x = −rstd² · x̂ / L`.
    func rowInverseStd(_ rows: RowNormalization) -> Tensor {
        let value = NDArray(shape: [rows.rows, 1], scalars: rows.inverseStd.map { Float($0) })
        return Tensor.record("rowInverseStd", value, inputs: [self]) { [self] g, _ in
            let inverseStd = rowInverseStd(rows)
            return [rowNormalized(rows) * (g * inverseStd * inverseStd * (-1 / Float(rows.rowLength)))]
        }
    }

    /// `J·v` with `J = ∂x̂/∂x`, x being `self`: the input gradient of a row
    /// normalisation whose output gradient (times the affine weight) is v.
    ///
    /// Gradient, for an upstream h and per-row sums S = Σ h·Jv, B_v = Σ v·x̂, B_h = Σ h·x̂:
    ///
    /// ```
    /// d/dv = J·h                                       (J is symmetric)
    /// d/dx = −(rstd / L) · (x̂·S + (J·h)·B_v + (J·v)·B_h)
    /// ```
    func rowNormalizationJacobianProduct(_ v: Tensor, _ rows: RowNormalization) -> Tensor {
        let value = rows.jacobianProduct(array, v.array)
        return Tensor.record("rowNormalizationJacobianProduct", value, inputs: [self, v]) { [self] h, needs in
            let jh = rowNormalizationJacobianProduct(h, rows)
            guard needs[0] else { return [nil, jh] }
            let normalized = rowNormalized(rows)
            let jv = rowNormalizationJacobianProduct(v, rows)
            let combined = normalized * Tensor.rowDot(h, jv, rows) + jh * Tensor.rowDot(v, normalized, rows)
                + jv * Tensor.rowDot(h, normalized, rows)
            let dx = combined * (rowInverseStd(rows) * (-1 / Float(rows.rowLength)))
            return [dx, needs[1] ? jh : nil]
        }
    }

    /// Row sums of `a · b`, shaped [R, 1], without materialising the product.
    ///
    /// Gradient: `grad·b`, `grad·a` (grad broadcast along the row).
    static func rowDot(_ a: Tensor, _ b: Tensor, _ rows: RowNormalization) -> Tensor {
        Tensor.record("rowDot", rows.rowDot(a.array, b.array), inputs: [a, b]) { g, needs in
            [needs[0] ? g * b : nil, needs[1] ? g * a : nil]
        }
    }
}

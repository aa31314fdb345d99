// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor

extension Tensor {
    /// Layer normalisation over the trailing `normalizedRank` dimensions, with
    /// an elementwise affine map.
    ///
    /// ```
    /// y = (x − mean) / √(var + ε) · weight + bias
    /// ```
    /// with the mean and biased variance over each row, a row being the
    /// trailing dimensions `D = shape.suffix(normalizedRank)`.
    ///
    /// - Parameters:
    ///   - self: x, shaped [leading…, D…].
    ///   - normalizedRank: number of trailing dimensions normalised (1…rank).
    ///   - weight: elementwise scale shaped D, or nil for 1.
    ///   - bias: elementwise shift shaped D, or nil for 0.
    /// - Returns: y, shaped like x.
    public func layerNorm(normalizedRank: Int, weight: Tensor?, bias: Tensor?, epsilon: Float = 1e-5) -> Tensor {
        precondition(
            normalizedRank >= 1 && normalizedRank <= rank,
            "layerNorm: cannot normalise the last \(normalizedRank) dimensions of input shape \(shape)")
        precondition(count > 0, "layerNorm: input shape \(shape) is empty")
        let normalizedShape = Array(shape.suffix(normalizedRank))
        Tensor.checkAffine(weight, bias, shape: normalizedShape, op: "layerNorm", input: shape)
        let rowLength = normalizedShape.elementCount
        // Segments are the planes below the first normalised dimension.
        let segmentLength = max(1, normalizedShape.dropFirst().reduce(1, *))
        let segmentsPerRow = rowLength / segmentLength
        let statistics = array.groupStatistics(
            segmentLength: segmentLength, groupCount: count / rowLength, groupOfSegment: { $0 / segmentsPerRow })
        let rows = RowNormalization(
            rows: count / rowLength, rowLength: rowLength, segmentLength: segmentLength,
            mean: statistics.mean.map { Float($0) }, inverseStd: statistics.inverseStandardDeviation(epsilon: epsilon))
        let value = array.normalizedRows(
            rowLength: rowLength, center: rows.mean, scale: rows.inverseStd.map { Float($0) },
            weight: weight?.scalars, bias: bias?.scalars)
        let x = self
        let inputs = [x, weight ?? Tensor.ones(normalizedShape), bias ?? Tensor.zeros(normalizedShape)]
        return Tensor.record("layerNorm", value, inputs: inputs) { g, needs in
            let matrix = [rows.rows, rowLength]
            guard Tensor.backwardBuildsGraph(g, x, weight) else {
                return rows.layerNormGradients(
                    input: x.array, gradient: g.array, weight: weight?.array, shape: normalizedShape, needs: needs)
            }
            let x2 = x.reshaped(matrix), g2 = g.reshaped(matrix)
            var result: [Tensor?] = [nil, nil, nil]
            if needs[0] {
                let scaled = weight.map { g2 * $0.reshaped([1, rowLength]) } ?? g2
                result[0] = x2.rowNormalizationJacobianProduct(scaled, rows).reshaped(x.shape)
            }
            if needs[1] { result[1] = (g2 * x2.rowNormalized(rows)).sum(alongAxes: [0]).reshaped(normalizedShape) }
            if needs[2] { result[2] = g2.sum(alongAxes: [0]).reshaped(normalizedShape) }
            return result
        }
    }
}

extension RowNormalization {
    /// The graph-free backward of `layerNorm`. With x̂ = (x − mean) · rstd:
    ///
    /// ```
    /// dx = J·(g · weight),   dweight = Σ_rows g · x̂,   dbias = Σ_rows g
    /// ```
    /// - Parameter shape: the normalised shape D (weight and bias).
    fileprivate func layerNormGradients(
        input x: NDArray, gradient g: NDArray, weight: NDArray?, shape: [Int], needs: [Bool]
    ) -> [Tensor?] {
        let matrix = [rows, rowLength]
        let g2 = g.reshaped(matrix)
        var result: [Tensor?] = [nil, nil, nil]
        if needs[0] {
            let scaled = weight.map { g2.elementwise(.multiply, $0.reshaped([1, rowLength])) } ?? g2
            result[0] = Tensor(jacobianProduct(x, scaled.reshaped(x.shape)))
        }
        if needs[1] {
            let product = g2.elementwise(.multiply, normalized(x).reshaped(matrix))
            result[1] = Tensor(product.sum(alongAxes: [0]).reshaped(shape))
        }
        if needs[2] { result[2] = Tensor(g2.sum(alongAxes: [0]).reshaped(shape)) }
        return result
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

/// Mean and biased variance of each normalisation group, in Double.
///
/// A group is a set of equal-length segments of an array (for NCHW group
/// norm: the planes of one sample's channels in the group; for batch norm:
/// one channel's planes across the batch).
public struct NormalizationStatistics: Sendable, Equatable {
    /// Mean of each group.
    public var mean: [Double]
    /// Biased variance (divided by the element count) of each group.
    public var variance: [Double]
    /// Number of elements in each group.
    public var count: Int

    /// `1 / √(variance + epsilon)` per group.
    public func inverseStandardDeviation(epsilon: Float) -> [Double] {
        variance.map { 1 / ($0 + Double(epsilon)).squareRoot() }
    }
}

/// Segment kernels shared by the normalisation layers.
///
/// The array is read as consecutive segments of `segmentLength` elements (one
/// (n, c) plane of an NCHW tensor, or a slice of a layer-norm row). Work is
/// split across cores by whole segments, so every per-segment result is
/// computed by one thread in a fixed order and is the same on every run.
extension NDArray {
    /// Mean and biased variance of each group of segments.
    ///
    /// Each segment's mean and sum of squared deviations are accumulated in
    /// Double around its first element (no cancellation for data far from 0),
    /// then merged per group with Chan's pairwise formula:
    ///
    /// ```
    /// M2 = Σₛ (M2ₛ + L·(meanₛ − mean)²),   variance = M2 / (L·segments)
    /// ```
    ///
    /// - Parameters:
    ///   - segmentLength: elements per segment; must divide `count`.
    ///   - groupCount: number of groups; every group must hold the same number of segments.
    ///   - groupOfSegment: the group that segment `s` belongs to.
    public func groupStatistics(
        segmentLength: Int, groupCount: Int, groupOfSegment: (Int) -> Int
    ) -> NormalizationStatistics {
        let segments = segmentCount(segmentLength, op: "groupStatistics")
        var segmentMean = [Double](repeating: 0, count: segments)
        var segmentM2 = [Double](repeating: 0, count: segments)
        withUnsafeBufferPointer { x in
            segmentMean.withUnsafeMutableBufferPointer { means in
                segmentM2.withUnsafeMutableBufferPointer { m2s in
                    Parallel.forEachRange(segments, grain: Self.segmentGrain(segmentLength)) { range in
                        for segment in range {
                            let base = x.baseAddress! + segment * segmentLength
                            let (sum, squares) = Self.shiftedMoments(base, segmentLength, shift: base[0])
                            let length = Double(segmentLength)
                            means[segment] = Double(base[0]) + sum / length
                            m2s[segment] = max(0, squares - sum * sum / length)
                        }
                    }
                }
            }
        }
        precondition(
            segments % max(groupCount, 1) == 0,
            "groupStatistics: \(segments) segments do not split into \(groupCount) equal groups")
        let perGroup = segments / groupCount
        var mean = [Double](repeating: 0, count: groupCount)
        for segment in 0..<segments { mean[groupOfSegment(segment)] += segmentMean[segment] }
        for group in 0..<groupCount { mean[group] /= Double(perGroup) }
        var m2 = [Double](repeating: 0, count: groupCount)
        for segment in 0..<segments {
            let group = groupOfSegment(segment)
            let offset = segmentMean[segment] - mean[group]
            m2[group] += segmentM2[segment] + Double(segmentLength) * offset * offset
        }
        let count = perGroup * segmentLength
        return NormalizationStatistics(mean: mean, variance: m2.map { $0 / Double(count) }, count: count)
    }

    /// Normalises and applies an affine map per segment in one pass.
    ///
    /// ```
    /// y[s, i] = (x[s, i] − center[s]) · scale[s] + shift[s]
    /// ```
    ///
    /// - Parameters: `center`, `scale`, `shift` hold one value per segment.
    public func segmentAffine(segmentLength: Int, center: [Float], scale: [Float], shift: [Float]) -> NDArray {
        let segments = segmentCount(segmentLength, op: "segmentAffine")
        precondition(
            center.count == segments && scale.count == segments && shift.count == segments,
            "segmentAffine: \(segments) segments of shape \(shape) need as many coefficients, got "
                + "\(center.count), \(scale.count), \(shift.count)")
        return NDArray(shape: shape) { out in
            withUnsafeBufferPointer { x in
                Parallel.forEachRange(segments, grain: Self.segmentGrain(segmentLength)) { range in
                    for segment in range {
                        let (c, a, b) = (center[segment], scale[segment], shift[segment])
                        let start = segment * segmentLength
                        for i in start..<(start + segmentLength) { out[i] = (x[i] - c) * a + b }
                    }
                }
            }
        }
    }

    /// The sums a normalisation backward pass needs, per segment, with
    /// `self` the layer's input x and `gradient` the upstream gradient g:
    ///
    /// ```
    /// sum[s] = Σᵢ g[s, i],   centeredDot[s] = Σᵢ g[s, i] · (x[s, i] − center[s])
    /// ```
    public func segmentGradientSums(
        _ gradient: NDArray, segmentLength: Int, center: [Float]
    ) -> (sum: [Double], centeredDot: [Double]) {
        let segments = segmentCount(segmentLength, op: "segmentGradientSums")
        precondition(
            gradient.shape == shape && center.count == segments,
            "segmentGradientSums: gradient \(gradient.shape) and \(center.count) centers for input \(shape)")
        var sums = [Double](repeating: 0, count: segments)
        var dots = [Double](repeating: 0, count: segments)
        withUnsafeBufferPointer { x in
            gradient.withUnsafeBufferPointer { g in
                sums.withUnsafeMutableBufferPointer { sumOut in
                    dots.withUnsafeMutableBufferPointer { dotOut in
                        Parallel.forEachRange(segments, grain: Self.segmentGrain(segmentLength)) { range in
                            for segment in range {
                                let offset = segment * segmentLength
                                (sumOut[segment], dotOut[segment]) = Self.gradientMoments(
                                    g.baseAddress! + offset, x.baseAddress! + offset, segmentLength,
                                    center: center[segment])
                            }
                        }
                    }
                }
            }
        }
        return (sums, dots)
    }

    /// Combines an upstream gradient and the centred input per segment, the
    /// form every normalisation input-gradient takes:
    ///
    /// ```
    /// dx[s, i] = g[s, i] · α[s] + (x[s, i] − center[s]) · β[s] + γ[s]
    /// ```
    public static func segmentCombination(
        gradient: NDArray, input: NDArray, segmentLength: Int,
        center: [Float], gradientScale: [Float], inputScale: [Float], offset: [Float]
    ) -> NDArray {
        let segments = input.segmentCount(segmentLength, op: "segmentCombination")
        precondition(
            gradient.shape == input.shape
                && [center, gradientScale, inputScale, offset].allSatisfy { $0.count == segments },
            "segmentCombination: gradient \(gradient.shape), input \(input.shape), \(segments) segments")
        return NDArray(shape: input.shape) { out in
            input.withUnsafeBufferPointer { x in
                gradient.withUnsafeBufferPointer { g in
                    Parallel.forEachRange(segments, grain: segmentGrain(segmentLength)) { range in
                        for segment in range {
                            let c = center[segment], alpha = gradientScale[segment]
                            let beta = inputScale[segment], gamma = offset[segment]
                            let start = segment * segmentLength
                            for i in start..<(start + segmentLength) {
                                out[i] = g[i] * alpha + (x[i] - c) * beta + gamma
                            }
                        }
                    }
                }
            }
        }
    }

    /// Normalises rows and applies an elementwise affine map (layer norm).
    ///
    /// ```
    /// y[r, l] = (x[r, l] − center[r]) · scale[r] · weight[l] + bias[l]
    /// ```
    ///
    /// Rows are split into column blocks so that even one long row uses every core.
    /// - Parameters: `center`, `scale` hold one value per row; `weight`, `bias`
    ///   one per column (nil: 1 and 0).
    public func normalizedRows(
        rowLength: Int, center: [Float], scale: [Float], weight: [Float]?, bias: [Float]?
    ) -> NDArray {
        let rows = segmentCount(rowLength, op: "normalizedRows")
        precondition(
            center.count == rows && scale.count == rows && (weight?.count ?? rowLength) == rowLength
                && (bias?.count ?? rowLength) == rowLength,
            "normalizedRows: \(rows) rows of \(rowLength) in shape \(shape) get \(center.count) centers, "
                + "\(scale.count) scales, \(weight?.count ?? rowLength) weights, \(bias?.count ?? rowLength) biases")
        let w = weight ?? [Float](repeating: 1, count: rowLength)
        let b = bias ?? [Float](repeating: 0, count: rowLength)
        let block = 4096
        let blocksPerRow = (rowLength + block - 1) / block
        return NDArray(shape: shape) { out in
            withUnsafeBufferPointer { x in
                Parallel.forEachRange(rows * blocksPerRow, grain: Self.segmentGrain(min(block, rowLength))) { range in
                    for item in range {
                        let row = item / blocksPerRow
                        let start = (item % blocksPerRow) * block
                        let (c, a) = (center[row], scale[row])
                        let base = row * rowLength
                        for l in start..<min(start + block, rowLength) {
                            out[base + l] = (x[base + l] - c) * a * w[l] + b[l]
                        }
                    }
                }
            }
        }
    }

    /// Number of segments, checking that they tile the array.
    private func segmentCount(_ segmentLength: Int, op: String) -> Int {
        precondition(
            segmentLength > 0 && count % segmentLength == 0,
            "\(op): segment length \(segmentLength) does not divide shape \(shape)")
        return count / segmentLength
    }

    /// Segments per thread chunk: about 16K elements, so small planes are
    /// batched together and large ones still spread over the cores.
    private static func segmentGrain(_ segmentLength: Int) -> Int {
        max(1, 16384 / segmentLength)
    }

    /// Σ(x − shift) and Σ(x − shift)² in Double with four independent
    /// accumulators, so the adds pipeline instead of waiting on each other.
    private static func shiftedMoments(
        _ x: UnsafePointer<Float>, _ n: Int, shift: Float
    ) -> (sum: Double, squares: Double) {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var q0 = 0.0, q1 = 0.0, q2 = 0.0, q3 = 0.0
        var i = 0
        while i + 4 <= n {
            let d0 = Double(x[i] - shift), d1 = Double(x[i + 1] - shift)
            let d2 = Double(x[i + 2] - shift), d3 = Double(x[i + 3] - shift)
            s0 += d0; s1 += d1; s2 += d2; s3 += d3
            q0 += d0 * d0; q1 += d1 * d1; q2 += d2 * d2; q3 += d3 * d3
            i += 4
        }
        while i < n {
            let d = Double(x[i] - shift)
            s0 += d
            q0 += d * d
            i += 1
        }
        return ((s0 + s1) + (s2 + s3), (q0 + q1) + (q2 + q3))
    }

    /// Σg and Σg·(x − center) in Double with four accumulators each.
    private static func gradientMoments(
        _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int, center: Float
    ) -> (sum: Double, dot: Double) {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var p0 = 0.0, p1 = 0.0, p2 = 0.0, p3 = 0.0
        var i = 0
        while i + 4 <= n {
            let g0 = Double(g[i]), g1 = Double(g[i + 1]), g2 = Double(g[i + 2]), g3 = Double(g[i + 3])
            s0 += g0; s1 += g1; s2 += g2; s3 += g3
            p0 += g0 * Double(x[i] - center)
            p1 += g1 * Double(x[i + 1] - center)
            p2 += g2 * Double(x[i + 2] - center)
            p3 += g3 * Double(x[i + 3] - center)
            i += 4
        }
        while i < n {
            s0 += Double(g[i])
            p0 += Double(g[i]) * Double(x[i] - center)
            i += 1
        }
        return ((s0 + s1) + (s2 + s3), (p0 + p1) + (p2 + p3))
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor

/// The fused forward and graph-free backward of a normalisation with a
/// per-channel affine map, for x viewed as [N, C, S] planes.
///
/// Each (n, c) plane is a segment (index `n·C + c`) and belongs to one group
/// with its own mean and inverse std: group norm groups a sample's channels,
/// batch norm groups one channel across the batch.
struct ChannelNormalization {
    let batch: Int
    let channels: Int
    let spatial: Int
    let groupCount: Int
    let groupOfSegment: (Int) -> Int
    /// Per group.
    let mean: [Double]
    /// Per group: `1/√(variance + ε)`.
    let inverseStd: [Double]
    /// Per channel; nil for 1.
    let weight: [Float]?

    var segments: Int { batch * channels }

    /// Each segment's group mean, the centre of its planes.
    var segmentCenters: [Float] { (0..<segments).map { Float(mean[groupOfSegment($0)]) } }

    /// ```
    /// y[n, c, s] = (x[n, c, s] − mean_g) · rstd_g · weight[c] + bias[c]
    /// ```
    func forward(_ x: NDArray, bias: [Float]?) -> NDArray {
        let scale = (0..<segments).map { segment in
            Float(inverseStd[groupOfSegment(segment)] * Double(weight?[segment % channels] ?? 1))
        }
        let shift = (0..<segments).map { bias?[$0 % channels] ?? 0 }
        return x.segmentAffine(segmentLength: spatial, center: segmentCenters, scale: scale, shift: shift)
    }

    /// Gradients for x, weight and bias (nil where `needs` is false), from
    /// one reduction pass and one combination pass over x and g.
    ///
    /// With ĝ = g · weight, x̂ = (x − mean) · rstd and means over a group's
    /// `count` elements:
    ///
    /// ```
    /// dx      = rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ · x̂))   (statistics from the input)
    /// dx      = rstd · ĝ                                 (fixed statistics, e.g. running ones)
    /// dweight = Σ g · x̂,   dbias = Σ g                   (over every plane of the channel)
    /// ```
    func gradients(input x: NDArray, gradient g: NDArray, statisticsFromInput: Bool, needs: [Bool]) -> [Tensor?] {
        var result: [Tensor?] = [nil, nil, nil]
        let centers = segmentCenters
        var meanScaled = [Double](repeating: 0, count: groupCount)
        var meanProjection = [Double](repeating: 0, count: groupCount)
        if statisticsFromInput || needs[1] || needs[2] {
            let (sums, dots) = x.segmentGradientSums(g, segmentLength: spatial, center: centers)
            var weightGradient = [Double](repeating: 0, count: channels)
            var biasGradient = [Double](repeating: 0, count: channels)
            for segment in 0..<segments {
                let group = groupOfSegment(segment), channel = segment % channels
                let w = Double(weight?[channel] ?? 1)
                let normalizedDot = inverseStd[group] * dots[segment]
                meanScaled[group] += w * sums[segment]
                meanProjection[group] += w * normalizedDot
                weightGradient[channel] += normalizedDot
                biasGradient[channel] += sums[segment]
            }
            if needs[1] { result[1] = Tensor(shape: [channels], scalars: weightGradient.map { Float($0) }) }
            if needs[2] { result[2] = Tensor(shape: [channels], scalars: biasGradient.map { Float($0) }) }
        }
        if needs[0] {
            let count = Double(segments * spatial / groupCount)
            var alpha = [Float](repeating: 0, count: segments)
            var beta = [Float](repeating: 0, count: segments)
            var gamma = [Float](repeating: 0, count: segments)
            for segment in 0..<segments {
                let group = groupOfSegment(segment)
                let rstd = inverseStd[group]
                alpha[segment] = Float(rstd * Double(weight?[segment % channels] ?? 1))
                if statisticsFromInput {
                    beta[segment] = Float(-rstd * rstd * meanProjection[group] / count)
                    gamma[segment] = Float(-rstd * meanScaled[group] / count)
                }
            }
            result[0] = Tensor(
                NDArray.segmentCombination(
                    gradient: g, input: x, segmentLength: spatial, center: centers,
                    gradientScale: alpha, inputScale: beta, offset: gamma))
        }
        return result
    }
}

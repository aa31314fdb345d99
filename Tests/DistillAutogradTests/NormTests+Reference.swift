// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor

extension NormTests {
    /// Naive Double-precision normalisations over NCHW (or [rows, …]) arrays.
    enum Reference {
        static let epsilon = 1e-5

        static func meanAndVariance(_ values: [Double]) -> (mean: Double, variance: Double) {
            let mean = values.reduce(0, +) / Double(values.count)
            return (mean, values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count))
        }

        static func groupNorm(_ x: NDArray, groups: Int, weight: [Float]?, bias: [Float]?) -> [Double] {
            let (batch, channels) = (x.shape[0], x.shape[1])
            let spatial = x.count / (batch * channels), perGroup = channels / groups
            var y = [Double](repeating: 0, count: x.count)
            for n in 0..<batch {
                for group in 0..<groups {
                    let start = (n * channels + group * perGroup) * spatial
                    let values = (start..<(start + perGroup * spatial)).map { Double(x.scalars[$0]) }
                    let (mean, variance) = meanAndVariance(values)
                    for (k, value) in values.enumerated() {
                        let channel = group * perGroup + k / spatial
                        y[start + k] = (value - mean) / (variance + epsilon).squareRoot()
                            * Double(weight?[channel] ?? 1) + Double(bias?[channel] ?? 0)
                    }
                }
            }
            return y
        }

        static func layerNorm(_ x: NDArray, rowLength: Int, weight: [Float]?, bias: [Float]?) -> [Double] {
            var y = [Double](repeating: 0, count: x.count)
            for row in 0..<(x.count / rowLength) {
                let values = (0..<rowLength).map { Double(x.scalars[row * rowLength + $0]) }
                let (mean, variance) = meanAndVariance(values)
                for (k, value) in values.enumerated() {
                    y[row * rowLength + k] = (value - mean) / (variance + epsilon).squareRoot()
                        * Double(weight?[k] ?? 1) + Double(bias?[k] ?? 0)
                }
            }
            return y
        }

        /// Per-channel mean and biased variance over the batch and every position.
        static func channelStatistics(_ x: NDArray) -> (mean: [Double], biasedVariance: [Double], count: Int) {
            let (batch, channels) = (x.shape[0], x.shape[1])
            let spatial = x.count / (batch * channels)
            let perChannel = (0..<channels).map { channel in
                meanAndVariance(
                    (0..<batch).flatMap { n in
                        (0..<spatial).map { Double(x.scalars[(n * channels + channel) * spatial + $0]) }
                    })
            }
            return (perChannel.map(\.mean), perChannel.map(\.variance), batch * spatial)
        }

        /// `(x − mean[c]) / √(variance[c] + ε) · weight[c] + bias[c]`.
        static func affine(
            _ x: NDArray, mean: [Double], variance: [Double], weight: [Float], bias: [Float]
        ) -> [Double] {
            let (batch, channels) = (x.shape[0], x.shape[1])
            let spatial = x.count / (batch * channels)
            return x.scalars.enumerated().map { index, value in
                let channel = (index / spatial) % channels
                return (Double(value) - mean[channel]) / (variance[channel] + epsilon).squareRoot()
                    * Double(weight[channel]) + Double(bias[channel])
            }
        }
    }
}

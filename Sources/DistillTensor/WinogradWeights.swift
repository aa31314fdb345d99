// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

/// A convolution's weights transformed for its Winograd kernels,
/// `U[ξ][o][c] = (G g_{o,c} Gᵀ)[ξ]`, to share between a forward pass and
/// the backward pass of the same weights: without it each transforms them
/// again. For DC's ConvNet on ten images (a training step of the evaluation
/// protocol) the filter transforms took about 6 % of the time.
///
/// Positions ξ lie `Winograd.positionStride(outChannels · inChannels)`
/// floats apart, each from a cache line on.
public final class WinogradWeights: @unchecked Sendable {
    let outChannels: Int
    let inChannels: Int
    let transformed: UnsafePointer<Float>

    /// The transformed `weight` when a convolution of `inputShape` with it
    /// takes the Winograd path (`Winograd.applies(to:)`), else nil.
    ///
    /// - Parameters:
    ///   - weight: `[C_out, C_in, 3, 3]`.
    ///   - inputShape: `[N, C_in, H, W]`.
    public convenience init?(weight: NDArray, inputShape: [Int], stride: Int, padding: Int) {
        let g = Conv2dGeometry(inputShape: inputShape, weightShape: weight.shape, stride: stride, padding: padding)
        guard Winograd.applies(to: g) else { return nil }
        self.init(weight)
    }

    /// The transform of `[C_out, C_in, 3, 3]` weights whose channel counts are multiples of 8.
    init(_ weight: NDArray) {
        outChannels = weight.shape[0]
        inChannels = weight.shape[1]
        let pairs = outChannels * inChannels
        let step = Winograd.positionStride(pairs)
        let u = Parallel.allocateCacheLines(floats: Winograd.positions * step)
        for xi in 0..<Winograd.positions { (u + xi * step + pairs).initialize(repeating: 0, count: step - pairs) }
        weight.withUnsafeBufferPointer { w in
            let w = w.baseAddress!
            Parallel.forEachRange(pairs / 8, grain: 256) { range in
                for group in range {
                    WinogradFilters.transform(w + group * 72, into: u + group * 8, stride: step)
                }
            }
        }
        transformed = UnsafePointer(u)
    }

    /// Bytes the transformed weights of `[C_out, C_in, 3, 3]` weights take.
    public static func byteCount(weightShape: [Int]) -> Int {
        Winograd.positions * Winograd.positionStride(weightShape[0] * weightShape[1]) * MemoryLayout<Float>.size
    }

    deinit { UnsafeMutableRawPointer(mutating: transformed).deallocate() }

    /// These, or a fresh transform of `weight` when nil; checked against `weight`'s channel counts.
    static func of(_ weight: NDArray, given: WinogradWeights?) -> WinogradWeights {
        guard let given else { return WinogradWeights(weight) }
        precondition(
            given.outChannels == weight.shape[0] && given.inChannels == weight.shape[1],
            "conv2d: transformed weights of \(given.outChannels)×\(given.inChannels) channels "
                + "for weight \(weight.shape)")
        return given
    }
}

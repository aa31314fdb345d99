// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import CCBLAS

/// A network's first convolution (3×3, stride 1, one to four input channels)
/// computed directly by the kernels of direct_conv.c, where im2col would
/// make a GEMM only 9·C_in deep. Every output element and every weight
/// gradient is summed by one thread in a fixed order (images in order for
/// the weight gradient), so results do not depend on the core count.
enum DirectConvolution {
    /// Whether `g` takes this path: a 3×3 kernel with stride 1, 1 … 4 input
    /// channels, output channels in multiples of 4, on a CPU with the kernels
    /// (AVX2 or AVX-512).
    static func applies(to g: Conv2dGeometry) -> Bool {
        g.kernelHeight == 3 && g.kernelWidth == 3 && g.stride == 1 && (1...4).contains(g.inChannels)
            && g.outChannels % 4 == 0 && VectorKernels.active >= .avx2
    }

    /// `y = conv3×3(x) + bias` for the NCHW batch `x`, with the CPU's best
    /// `kernels` unless told another set it has (tests run each).
    static func forward(
        _ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, geometry g: Conv2dGeometry,
        into y: UnsafeMutablePointer<Float>, kernels: VectorKernels = .active
    ) {
        precondition(kernels >= .avx2 && kernels <= .cpu, "DirectConvolution: no \(kernels.name) kernels here")
        let input = PaddedBatch(x, geometry: g)
        defer { input.deallocate() }
        let groups = g.outChannels / 4, plane = g.outputPlane
        Parallel.forEachRange(g.batch * groups, grain: 4) { range in
            for item in range {
                let (image, group) = (item / groups, item % groups)
                distill_direct_conv3x3_forward4(
                    kernels.rawValue, input.image(image), Int32(input.rows), Int32(input.pitch), Int32(g.inChannels),
                    Int32(g.outputHeight), Int32(g.outputWidth), weight + group * 4 * g.inChannels * 9,
                    bias.map { $0 + group * 4 }, y + (image * g.outChannels + group * 4) * plane)
            }
        }
    }

    /// `∂L/∂w` `[C_out, C_in, 3, 3]` of the convolution of `x` whose output gradient is `dy`.
    static func weightGradient(
        _ x: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>, geometry g: Conv2dGeometry,
        into dw: UnsafeMutablePointer<Float>, kernels: VectorKernels = .active
    ) {
        precondition(kernels >= .avx2 && kernels <= .cpu, "DirectConvolution: no \(kernels.name) kernels here")
        let input = PaddedBatch(x, geometry: g)
        defer { input.deallocate() }
        let plane = g.outputPlane
        Parallel.forEachRange(g.outChannels / 2, grain: 2) { range in
            for pair in range {
                distill_direct_conv3x3_weight_gradient2(
                    kernels.rawValue, input.image(0), input.imageStride, Int32(input.rows), Int32(input.pitch),
                    Int32(g.inChannels), dy + pair * 2 * plane, g.outChannels * plane, Int32(g.batch),
                    Int32(g.outputHeight), Int32(g.outputWidth), dw + pair * 2 * g.inChannels * 9)
            }
        }
    }
}

/// A batch copied with the convolution's zero padding on every side and 16
/// spare zero columns on the right, where the kernels' last vectors of a row read.
struct PaddedBatch {
    let rows, pitch, imageStride: Int
    let storage: UnsafeMutablePointer<Float>

    init(_ x: UnsafePointer<Float>, geometry g: Conv2dGeometry) {
        rows = g.height + 2 * g.padding
        pitch = g.width + 2 * g.padding + 16
        imageStride = g.inChannels * rows * pitch
        let (storage, rows, pitch) = (UnsafeMutablePointer<Float>.allocate(capacity: g.batch * imageStride), rows, pitch)
        self.storage = storage
        Parallel.forEachRange(g.batch * g.inChannels, grain: 16) { range in
            for item in range {
                let target = storage + item * rows * pitch, source = x + item * g.height * g.width
                target.initialize(repeating: 0, count: rows * pitch)
                for r in 0..<g.height {
                    (target + (r + g.padding) * pitch + g.padding).update(from: source + r * g.width, count: g.width)
                }
            }
        }
    }

    func image(_ index: Int) -> UnsafePointer<Float> { UnsafePointer(storage + index * imageStride) }

    func deallocate() { storage.deallocate() }
}

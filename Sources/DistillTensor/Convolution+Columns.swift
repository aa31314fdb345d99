// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

/// Moves image patches to and from column matrices (im2col / col2im) for a
/// chunk of images, so that a convolution becomes one GEMM per chunk.
///
/// A column matrix for `images` images is `[C_in·kH·kW, images·H_out·W_out]`,
/// row-major: row `(c·kH + a)·kW + b` holds, for each image and output pixel
/// `(i, j)`, the input value `x[n, c, i·s + a − p, j·s + b − p]` (zero outside).
/// Work is split across cores by (image, channel) pairs; each pair owns its
/// rows of the matrix (unfold) or its input plane (fold), so no two threads
/// write the same element and every sum runs in a fixed order. Patches are
/// read from a zero-bordered copy of each plane, which keeps the inner loops
/// free of bounds tests.
enum Conv2dColumns {
    /// Writes the column matrix of `images` of the NCHW batch `x` into `columns`
    /// (every element, padding zeros included, so `columns` may start uninitialised).
    static func unfold(
        _ x: UnsafePointer<Float>, images: Range<Int>, into columns: UnsafeMutablePointer<Float>,
        geometry g: Conv2dGeometry
    ) {
        let plane = g.height * g.width, rowLength = images.count * g.outputPlane
        forEachPlane(of: images, geometry: g) { local, channel, padded in
            // Copying the plane into a zero-bordered buffer first leaves every
            // patch row a plain strided read with no bounds tests.
            let source = x + ((images.lowerBound + local) * g.inChannels + channel) * plane
            for r in 0..<g.height {
                copy(source + r * g.width, to: padded.interior + r * padded.width, count: g.width)
            }
            for a in 0..<g.kernelHeight {
                for b in 0..<g.kernelWidth {
                    let row = (channel * g.kernelHeight + a) * g.kernelWidth + b
                    let target = columns + row * rowLength + local * g.outputPlane
                    forEachOutputRow(geometry: g, padded: padded, a: a, b: b) { i, input in
                        let line = target + i * g.outputWidth
                        if g.stride == 1 {
                            copy(input, to: line, count: g.outputWidth)
                        } else {
                            for j in 0..<g.outputWidth { line[j] = input[j * g.stride] }
                        }
                    }
                }
            }
        }
    }

    /// Sums the column matrix `columns` of `images` back into their NCHW input
    /// planes in `dx` (col2im), overwriting those planes.
    static func fold(
        _ columns: UnsafePointer<Float>, images: Range<Int>, into dx: UnsafeMutablePointer<Float>,
        geometry g: Conv2dGeometry
    ) {
        let plane = g.height * g.width, rowLength = images.count * g.outputPlane
        forEachPlane(of: images, geometry: g) { local, channel, padded in
            // Sum into a zero-bordered buffer (no bounds tests), then keep its interior.
            padded.base.update(repeating: 0, count: padded.count)
            for a in 0..<g.kernelHeight {
                for b in 0..<g.kernelWidth {
                    let row = (channel * g.kernelHeight + a) * g.kernelWidth + b
                    let source = columns + row * rowLength + local * g.outputPlane
                    forEachOutputRow(geometry: g, padded: padded, a: a, b: b) { i, output in
                        let line = source + i * g.outputWidth
                        if g.stride == 1 {
                            add(line, to: output, count: g.outputWidth)
                        } else {
                            for j in 0..<g.outputWidth { output[j * g.stride] += line[j] }
                        }
                    }
                }
            }
            let target = dx + ((images.lowerBound + local) * g.inChannels + channel) * plane
            for r in 0..<g.height {
                copy(padded.interior + r * padded.width, to: target + r * g.width, count: g.width)
            }
        }
    }

    // Rows are short (often 8–32 floats), so the per-call cost of memcpy or of
    // an auto-vectorised loop's alias checks would dominate; these inline
    // fixed-width vector loops do not pay it.

    /// `target[0..<count] = source[0..<count]` for non-overlapping ranges.
    @inline(__always)
    static func copy(_ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
        var j = 0
        while j + 4 <= count {
            let v = UnsafeRawPointer(source + j).loadUnaligned(as: SIMD4<Float>.self)
            UnsafeMutableRawPointer(target + j).storeBytes(of: v, as: SIMD4<Float>.self)
            j += 4
        }
        // At most three left: straight-line code, which LLVM cannot turn into a memcpy call.
        if j < count { target[j] = source[j] }
        if j + 1 < count { target[j + 1] = source[j + 1] }
        if j + 2 < count { target[j + 2] = source[j + 2] }
    }

    /// `target[0..<count] += source[0..<count]` for non-overlapping ranges.
    @inline(__always)
    static func add(_ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
        var j = 0
        while j + 4 <= count {
            let v = UnsafeRawPointer(source + j).loadUnaligned(as: SIMD4<Float>.self)
            let sum = UnsafeRawPointer(target + j).loadUnaligned(as: SIMD4<Float>.self) + v
            UnsafeMutableRawPointer(target + j).storeBytes(of: sum, as: SIMD4<Float>.self)
            j += 4
        }
        if j < count { target[j] += source[j] }
        if j + 1 < count { target[j + 1] += source[j + 1] }
        if j + 2 < count { target[j + 2] += source[j + 2] }
    }

    /// An input plane with `padding` zeros on every side.
    struct PaddedPlane {
        let base: UnsafeMutablePointer<Float>
        let width: Int
        let count: Int
        /// The first element inside the border.
        let interior: UnsafeMutablePointer<Float>
    }

    /// Calls `body(image, channel, padded)` for every (image, input channel)
    /// pair, in parallel, with a per-thread padded plane whose border is zero.
    @inline(__always)
    private static func forEachPlane(
        of images: Range<Int>, geometry g: Conv2dGeometry, _ body: (Int, Int, PaddedPlane) -> Void
    ) {
        let width = g.width + 2 * g.padding, count = width * (g.height + 2 * g.padding)
        Parallel.forEachRange(images.count * g.inChannels, grain: max(1, 2048 / max(g.height * g.width, 1))) { range in
            let base = UnsafeMutablePointer<Float>.allocate(capacity: count)
            defer { base.deallocate() }
            base.initialize(repeating: 0, count: count)
            let padded = PaddedPlane(
                base: base, width: width, count: count, interior: base + g.padding * width + g.padding)
            for item in range { body(item / g.inChannels, item % g.inChannels, padded) }
        }
    }

    /// Calls `body(i, start)` for each output row `i`, where `start` points at
    /// the padded input element under kernel tap `(a, b)` of output `(i, 0)`;
    /// output `(i, j)` reads `start[j · stride]`.
    @inline(__always)
    private static func forEachOutputRow(
        geometry g: Conv2dGeometry, padded: PaddedPlane, a: Int, b: Int,
        _ body: (Int, UnsafeMutablePointer<Float>) -> Void
    ) {
        let corner = padded.base + a * padded.width + b
        for i in 0..<g.outputHeight { body(i, corner + i * g.stride * padded.width) }
    }

    /// Copies the output-gradient planes of `images` from the NCHW batch `dy`
    /// into a `[C_out, images·H_out·W_out]` matrix, the GEMM operand layout.
    static func gatherOutputs(
        _ dy: UnsafePointer<Float>, images: Range<Int>, into matrix: UnsafeMutablePointer<Float>,
        geometry g: Conv2dGeometry
    ) {
        let outPlane = g.outputPlane, rowLength = images.count * outPlane
        Parallel.forEachRange(images.count * g.outChannels, grain: max(1, 8192 / max(outPlane, 1))) { range in
            for item in range {
                let local = item / g.outChannels, channel = item % g.outChannels
                let source = dy + ((images.lowerBound + local) * g.outChannels + channel) * outPlane
                (matrix + channel * rowLength + local * outPlane).update(from: source, count: outPlane)
            }
        }
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

/// Winograd's minimal filtering F(4×4, 3×3) (Lavin and Gray, CVPR 2016) for
/// 3×3 convolutions with stride 1 and padding 1: every 4×4 output tile is
///
///     Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A
///
/// for its 6×6 input patch d and each 3×3 filter g (interpolation points
/// 0, ±1, ±2 and ∞), so that summing over input channels becomes 36
/// independent GEMMs (one per position ξ of the 6×6 transformed tile) with
/// 4× fewer multiplications than direct convolution on whole tiles. The
/// weight gradient is the exact adjoint of that forward,
///
///     ∂L/∂g = Gᵀ [ Σ_tiles (A ∂L/∂Y Aᵀ) ⊙ (Bᵀ d B) ] G,
///
/// and so is the input gradient, summed over the tiles whose patches read each input:
///
///     ∂L/∂d = B [ Σ_o (G g Gᵀ) ⊙ (A ∂L/∂Y Aᵀ) ] Bᵀ.
///
/// Both take the output gradient's transform A ∂L/∂Y Aᵀ, so a backward pass
/// that wants both computes it once (`weightGradient(…, inputGradient:)`).
/// Against the input gradient as a forward convolution of ∂L/∂Y with
/// flipped filters, which this replaced: no second filter transform, and
/// per layer one tile transform fewer.
///
/// Against F(2×2, 3×3) (16 positions, 2.25× fewer multiplications), which
/// this replaced: 44 % fewer GEMM flops on 16×16 and 8×8 maps, 9–12 % less
/// time per training or test step of the ConvNet on 28×28 images. The
/// price is precision: its transforms multiply by up to 8 and by 1/6 and
/// 1/24, and results differ from direct convolution by about 2e-6
/// (relative, 128 channels, 16×16) instead of 4e-7.
///
/// Transformed tiles are stored `[ξ][channel][tile]`, tiles numbered image by
/// image in row-major tile order, so each GEMM reads contiguous rows; the 36
/// positions ξ lie `positionStride` floats apart.
enum Winograd {
    /// Positions ξ of a transformed tile.
    static let positions = 36

    /// Whether a convolution of geometry `g` takes the Winograd path: 3×3,
    /// stride 1, padding 1, at least 16 input and output channels (with
    /// fewer the GEMMs are too thin to gain) in multiples of 8 (filters are
    /// transformed eight at a time), and a map of at least 3×3 (on smaller
    /// ones a whole tile costs more than direct convolution).
    /// Only when chosen (`ConvolutionAlgorithm.winograd4`).
    static func applies(to g: Conv2dGeometry) -> Bool {
        ConvolutionAlgorithm.active == .winograd4 && g.kernelHeight == 3 && g.kernelWidth == 3 && g.stride == 1 && g.padding == 1
            && g.inChannels >= 16 && g.outChannels >= 16 && g.inChannels % 8 == 0 && g.outChannels % 8 == 0
            && g.height >= 3 && g.width >= 3
    }

    /// Floats from one tile position ξ to the next in a transformed array of
    /// `count` floats per position: one cache line more than `count`. At the
    /// usual sizes `count` floats are a multiple of 4 KiB, and positions
    /// exactly that far apart fall into one set of the L1 and L2 caches and
    /// evict each other while a transform reads or writes all of them at once.
    static func positionStride(_ count: Int) -> Int { count + 16 }

    // MARK: - Convolution

    /// `output = conv3×3(input, weights) + bias` for a batch, where `u` are
    /// the transformed weights (`WinogradWeights`), `[36][outChannels][inChannels]`.
    static func convolve(
        _ input: UnsafePointer<Float>, batch: Int, inChannels: Int, outChannels: Int, tiling: WinogradTiling,
        transformedWeights u: UnsafePointer<Float>, bias: [Float]?, into output: UnsafeMutablePointer<Float>
    ) {
        let plane = tiling.height * tiling.width
        forEachChunk(batch: batch, tiling: tiling, buffers: [inChannels, outChannels]) { images, buffers in
            let tiles = images.count * tiling.tilesPerImage
            let (inStride, outStride) = (positionStride(inChannels * tiles), positionStride(outChannels * tiles))
            let filterStride = positionStride(outChannels * inChannels)
            tiling.transformInput(
                input + images.lowerBound * inChannels * plane, images: images.count, channels: inChannels,
                into: buffers[0])
            forEachPosition { xi in
                BLAS.sgemmSmall(
                    m: outChannels, n: tiles, k: inChannels, a: u + xi * filterStride, lda: inChannels,
                    b: buffers[0] + xi * inStride, ldb: tiles, c: buffers[1] + xi * outStride, ldc: tiles)
            }
            tiling.transformOutput(
                buffers[1], images: images.count, channels: outChannels, bias: bias,
                into: output + images.lowerBound * outChannels * plane)
        }
    }

    // MARK: - Input gradient

    /// `∂L/∂x` `[batch, inChannels, H, W]` of the convolution with transformed
    /// weights `u` (`WinogradWeights`) whose output gradient is `dy`.
    static func inputGradient(
        _ dy: UnsafePointer<Float>, batch: Int, inChannels: Int, outChannels: Int, tiling: WinogradTiling,
        transformedWeights u: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>
    ) {
        let plane = tiling.height * tiling.width
        forEachChunk(batch: batch, tiling: tiling, buffers: [outChannels, inChannels]) { images, buffers in
            tiling.transformOutputGradient(
                dy + images.lowerBound * outChannels * plane, images: images.count, channels: outChannels,
                into: buffers[0])
            let tiles = images.count * tiling.tilesPerImage
            forEachPosition { xi in
                inputGradientProducts(
                    xi, tiles: tiles, inChannels: inChannels, outChannels: outChannels, transformedWeights: u,
                    outputGradient: buffers[0], into: buffers[1])
            }
            tiling.transformInputGradient(
                buffers[1], images: images.count, channels: inChannels,
                into: dx + images.lowerBound * inChannels * plane)
        }
    }

    /// `E[ξ] = U[ξ]ᵀ D[ξ]` at position ξ of a chunk of `tiles` tiles, from
    /// their output gradients' transform `d`, into `e`.
    @inline(__always)
    private static func inputGradientProducts(
        _ xi: Int, tiles: Int, inChannels: Int, outChannels: Int, transformedWeights u: UnsafePointer<Float>,
        outputGradient d: UnsafePointer<Float>, into e: UnsafeMutablePointer<Float>
    ) {
        let (inStride, outStride) = (positionStride(inChannels * tiles), positionStride(outChannels * tiles))
        BLAS.sgemmSmall(
            transposeA: true, m: inChannels, n: tiles, k: outChannels,
            a: u + xi * positionStride(outChannels * inChannels), lda: inChannels, b: d + xi * outStride, ldb: tiles,
            c: e + xi * inStride, ldc: tiles)
    }

    // MARK: - Weight gradient

    /// `∂L/∂w` `[outChannels, inChannels, 3, 3]` of the convolution of `input`
    /// whose output gradient is `dy`, and with `inputGradient`, also `∂L/∂x`
    /// as `inputGradient(_:…)` computes it (the same values), from the same
    /// transform of `dy`; `u` are the transformed weights.
    static func weightGradient(
        _ input: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>, batch: Int, inChannels: Int,
        outChannels: Int, tiling: WinogradTiling, into dw: UnsafeMutablePointer<Float>,
        inputGradient: (u: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>)? = nil
    ) {
        let plane = tiling.height * tiling.width
        let pairs = outChannels * inChannels, filterStride = positionStride(pairs)
        // Σ over chunks of D · Vᵀ per tile position, one accumulator per worker;
        // workers' sums are added in worker order.
        let workers = chunkWorkers(batch: batch, tiling: tiling, channels: inChannels + outChannels)
        let accumulators = Parallel.allocateCacheLines(floats: workers * positions * filterStride)
        defer { UnsafeMutableRawPointer(accumulators).deallocate() }
        var started = [Bool](repeating: false, count: workers)
        started.withUnsafeMutableBufferPointer { started in
            forEachWorkerChunk(
                batch: batch, tiling: tiling, buffers: [inChannels, outChannels]
            ) { images, buffers, worker in
                let tiles = images.count * tiling.tilesPerImage
                let (inStride, outStride) = (positionStride(inChannels * tiles), positionStride(outChannels * tiles))
                tiling.transformInput(
                    input + images.lowerBound * inChannels * plane, images: images.count, channels: inChannels,
                    into: buffers[0])
                tiling.transformOutputGradient(
                    dy + images.lowerBound * outChannels * plane, images: images.count, channels: outChannels,
                    into: buffers[1])
                let accumulator = accumulators + worker * positions * filterStride
                let beta: Float = started[worker] ? 1 : 0
                forEachPosition { xi in
                    BLAS.sgemmSmall(
                        transposeB: true, m: outChannels, n: inChannels, k: tiles,
                        a: buffers[1] + xi * outStride, lda: tiles, b: buffers[0] + xi * inStride, ldb: tiles,
                        beta: beta, c: accumulator + xi * filterStride, ldc: inChannels)
                    // V[ξ] is spent: its place takes the input gradient's products.
                    if let (u, _) = inputGradient {
                        inputGradientProducts(
                            xi, tiles: tiles, inChannels: inChannels, outChannels: outChannels, transformedWeights: u,
                            outputGradient: buffers[1], into: buffers[0])
                    }
                }
                started[worker] = true
                if let (_, dx) = inputGradient {
                    tiling.transformInputGradient(
                        buffers[0], images: images.count, channels: inChannels,
                        into: dx + images.lowerBound * inChannels * plane)
                }
            }
        }
        // Workers' sums added in worker order, the positions split over the cores.
        if workers > 1 {
            Parallel.forEachRange(positions) { range in
                for worker in 1..<workers {
                    let partial = accumulators + worker * positions * filterStride
                    for xi in range {
                        for i in (xi * filterStride)..<(xi * filterStride + pairs) { accumulators[i] += partial[i] }
                    }
                }
            }
        }
        Parallel.forEachRange(pairs / 8, grain: 256) { range in
            for group in range {
                WinogradFilters.gradients(accumulators + group * 8, stride: filterStride, into: dw + group * 72)
            }
        }
    }

    // MARK: - Scheduling

    /// Tiles per chunk when a chunk's transformed input and output hold
    /// `channels` rows in all (positions · channels · tiles floats): as many as fit
    /// in twice the core's L2 cache, 32 … 256. Wide enough for the GEMMs to
    /// run at full rate, and small enough that the transforms and the GEMMs
    /// pass their data through L2 rather than L3. Measured on a 512 KiB L2
    /// (AMD Zen 3), 128 → 128 channels: 64 tiles (1 MiB) took 17–25 % less
    /// time per forward-backward step than 256 (4 MiB); 32 did as well as 64.
    static func tilesPerChunk(channels: Int) -> Int {
        let budget = 2 * Parallel.l2CacheBytes / (positions * MemoryLayout<Float>.size * max(channels, 1))
        return min(256, max(32, budget))
    }

    /// Workers `forEachWorkerChunk` uses: one per core when the batch has a
    /// chunk for each, else one (whose chunks then spread their own work).
    static func chunkWorkers(batch: Int, tiling: WinogradTiling, channels: Int) -> Int {
        let workers = Parallel.rangeCount(batch)
        return batch * tiling.tilesPerImage >= workers * tilesPerChunk(channels: channels) ? workers : 1
    }

    /// Runs `body(images, buffers)` on consecutive chunks of images, each
    /// with the buffers of the core that runs it: 36 positions of
    /// `rows · tiles` floats per entry of `rows` (uninitialised). What a
    /// chunk computes depends only on its images, so the cores may share
    /// the chunks out as they go: a small batch is cut into about
    /// `Parallel.rangesPerCore` chunks per core, and a core that runs faster
    /// (on a virtual machine the two often do not run alike) takes over the
    /// last chunks of a slower one instead of waiting for it. A batch too
    /// small for a chunk per core runs its chunks one by one, each spread
    /// over the cores (transforms by plane, GEMMs by tile position).
    private static func forEachChunk(
        batch: Int, tiling: WinogradTiling, buffers rows: [Int],
        _ body: (Range<Int>, [UnsafeMutablePointer<Float>]) -> Void
    ) {
        let channels = rows.reduce(0, +)
        let workers = chunkWorkers(batch: batch, tiling: tiling, channels: channels)
        // None over `tilesPerChunk` tiles unless one image is; run serially,
        // as few as that allows, of near-equal size.
        let most = max(1, tilesPerChunk(channels: channels) / tiling.tilesPerImage)
        let fewest = (batch + most - 1) / most
        let chunk = workers == 1
            ? (batch + fewest - 1) / fewest
            : max(1, min(most, batch / (Parallel.rangesPerCore * workers)))
        let chunks = (batch + chunk - 1) / chunk
        let sizes = rows.map { positions * positionStride($0 * chunk * tiling.tilesPerImage) }
        Parallel.forEachSplit(chunks, into: workers == 1 ? 1 : chunks, threadScratch: sizes) { _, range, buffers in
            for index in range {
                body(index * chunk..<min((index + 1) * chunk, batch), buffers)
            }
        }
    }

    /// `forEachChunk` with a fixed share of the batch per worker, for
    /// callers that keep per-worker partial sums: `body` also receives the
    /// worker's index, and each worker's chunks run in order on one core.
    private static func forEachWorkerChunk(
        batch: Int, tiling: WinogradTiling, buffers rows: [Int],
        _ body: (Range<Int>, [UnsafeMutablePointer<Float>], Int) -> Void
    ) {
        let channels = rows.reduce(0, +)
        let workers = chunkWorkers(batch: batch, tiling: tiling, channels: channels)
        let imagesPerWorker = (batch + workers - 1) / workers
        // Chunks of near-equal size, none over `tilesPerChunk` tiles unless one image is.
        let most = max(1, tilesPerChunk(channels: channels) / tiling.tilesPerImage)
        let chunksPerWorker = (imagesPerWorker + most - 1) / most
        let chunk = (imagesPerWorker + chunksPerWorker - 1) / chunksPerWorker
        let sizes = rows.map { positions * positionStride($0 * chunk * tiling.tilesPerImage) }
        Parallel.forEachSplit(batch, into: workers, scratch: sizes) { worker, share, buffers in
            for first in stride(from: share.lowerBound, to: share.upperBound, by: chunk) {
                body(first..<min(first + chunk, share.upperBound), buffers, worker)
            }
        }
    }

    /// Runs `gemm(ξ)` for the tile positions, across the cores unless already inside a parallel region.
    private static func forEachPosition(_ gemm: (Int) -> Void) {
        Parallel.forEachRange(positions) { range in
            for xi in range { gemm(xi) }
        }
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import CCBLAS

/// The tile transforms of `Winograd` for one map size: 4×4 output tiles,
/// `tileColumns` per tile row, row-major; tiles past the bottom or right
/// edge of the map read zeros and drop their outputs. Each transform runs in
/// C (`winograd_input.c`, `winograd_input_gradient.c`, `winograd_output.c`)
/// over a run of planes of one channel, eight tiles at a time in vector lanes.
struct WinogradTiling {
    let height, width: Int

    var tileColumns: Int { (width + 3) / 4 }
    var tilesPerImage: Int { (height + 3) / 4 * tileColumns }

    /// Planes of one channel (in consecutive images) per kernel call: enough
    /// for eight tiles, so that maps of fewer (8×8 has four) still fill the
    /// kernels' eight lanes.
    private var planesPerCall: Int { max(1, 8 / tilesPerImage) }

    /// `body(images, channel)` for every channel and run of `planesPerCall`
    /// images, across the cores, about 4096 floats of map per parallel
    /// range; consecutive calls take consecutive channels.
    private func forEachPlaneRun(images: Int, channels: Int, _ body: (Range<Int>, Int) -> Void) {
        let run = planesPerCall, runs = (images + run - 1) / run
        Parallel.forEachRange(runs * channels, grain: max(1, 4096 / (run * height * width))) { range in
            for item in range {
                let first = item / channels * run
                body(first..<min(first + run, images), item % channels)
            }
        }
    }

    /// `V[ξ][c][t] = (Bᵀ d B)[ξ]` for every tile t of `images` NCHW images with `channels` channels.
    func transformInput(
        _ x: UnsafePointer<Float>, images: Int, channels: Int, into v: UnsafeMutablePointer<Float>
    ) {
        let tiles = images * tilesPerImage, step = Winograd.positionStride(channels * tiles), plane = height * width
        forEachPlaneRun(images: images, channels: channels) { run, channel in
            distill_winograd_input_planes(
                VectorKernels.active.rawValue, x + (run.lowerBound * channels + channel) * plane, channels * plane,
                Int32(run.count), Int32(height), Int32(width), v + channel * tiles + run.lowerBound * tilesPerImage,
                step)
        }
    }

    /// `Y = Aᵀ M A` (+ bias) of every tile, from `M[ξ][o][t]` into `images` NCHW images.
    func transformOutput(
        _ m: UnsafePointer<Float>, images: Int, channels: Int, bias: [Float]?, into y: UnsafeMutablePointer<Float>
    ) {
        let tiles = images * tilesPerImage, step = Winograd.positionStride(channels * tiles), plane = height * width
        forEachPlaneRun(images: images, channels: channels) { run, channel in
            distill_winograd_output_planes(
                m + channel * tiles + run.lowerBound * tilesPerImage, step, Int32(run.count), Int32(height),
                Int32(width), bias?[channel] ?? 0, y + (run.lowerBound * channels + channel) * plane, channels * plane)
        }
    }

    /// `∂L/∂x = Σ_t B E_t Bᵀ` (each tile's patch added where the input
    /// transform read it) into `images` NCHW images, from `E[ξ][c][t]`.
    func transformInputGradient(
        _ e: UnsafePointer<Float>, images: Int, channels: Int, into dx: UnsafeMutablePointer<Float>
    ) {
        let tiles = images * tilesPerImage, step = Winograd.positionStride(channels * tiles), plane = height * width
        forEachPlaneRun(images: images, channels: channels) { run, channel in
            distill_winograd_input_gradient_planes(
                e + channel * tiles + run.lowerBound * tilesPerImage, step, Int32(run.count), Int32(height),
                Int32(width), dx + (run.lowerBound * channels + channel) * plane, channels * plane)
        }
    }

    /// `D[ξ][o][t] = (A ∂L/∂Y Aᵀ)[ξ]` of every tile of `images` NCHW output gradients.
    func transformOutputGradient(
        _ dy: UnsafePointer<Float>, images: Int, channels: Int, into d: UnsafeMutablePointer<Float>
    ) {
        let tiles = images * tilesPerImage, step = Winograd.positionStride(channels * tiles), plane = height * width
        forEachPlaneRun(images: images, channels: channels) { run, channel in
            distill_winograd_output_gradient_planes(
                dy + (run.lowerBound * channels + channel) * plane, channels * plane, Int32(run.count),
                Int32(height), Int32(width), d + channel * tiles + run.lowerBound * tilesPerImage, step)
        }
    }
}

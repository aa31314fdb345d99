// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import CCBLAS

/// The tile transforms of `Winograd` for one map size, eight tiles at a time
/// in vector lanes: tiles `8k … 8k + 7` of an image, whose two halves of four
/// tiles each lie in one tile row (rows hold a multiple of four tiles).
///
///     Bᵀ = [[1, 0, −1, 0], [0, 1, 1, 0], [0, −1, 1, 0], [0, 1, 0, −1]]
///     Aᵀ = [[1, 1, 1, 0], [0, 1, −1, −1]]
struct WinogradTiling {
    typealias Lanes = SIMD8<Float>

    let height, width: Int

    var tileColumns: Int { width / 2 }
    var tilesPerImage: Int { height / 2 * tileColumns }

    /// Whether the kernels take an `height × width` map: the width a multiple
    /// of 8 (rows of whole four-tile halves) and an even height with a
    /// multiple of eight tiles per image.
    static func supports(height: Int, width: Int) -> Bool {
        height > 0 && height % 2 == 0 && width % 8 == 0 && (height / 2 * width / 2) % 8 == 0
    }

    /// The top-left pixel of tile `tile` of an image: its output pixel, and
    /// the first pixel of its 4×4 patch in the map padded by 1.
    @inline(__always)
    private func origin(ofTile tile: Int) -> (row: Int, column: Int) {
        (2 * (tile / tileColumns), 2 * (tile % tileColumns))
    }

    // MARK: - Input: V = Bᵀ d B

    /// `V[ξ][c][t] = (Bᵀ d B)[ξ]` for every tile t of `images` NCHW images with
    /// `channels` channels, plane by plane in C (`winograd_input.c`).
    func transformInput(
        _ x: UnsafePointer<Float>, images: Int, channels: Int, into v: UnsafeMutablePointer<Float>
    ) {
        let tiles = images * tilesPerImage, step = Winograd.positionStride(channels * tiles)
        Parallel.forEachRange(images * channels, grain: max(1, 4096 / (height * width))) { range in
            for item in range {
                let (image, channel) = (item / channels, item % channels)
                distill_winograd_input_plane(
                    x + item * height * width, Int32(height), Int32(width),
                    v + channel * tiles + image * tilesPerImage, step)
            }
        }
    }

    // MARK: - Output: Y = Aᵀ M A

    /// `Y = Aᵀ M A` (+ bias) of every tile, from `M[ξ][o][t]` into `images`
    /// NCHW images, plane by plane in C (`winograd_output.c`).
    func transformOutput(
        _ m: UnsafePointer<Float>, images: Int, channels: Int, bias: [Float]?, into y: UnsafeMutablePointer<Float>
    ) {
        let tiles = images * tilesPerImage, step = Winograd.positionStride(channels * tiles)
        Parallel.forEachRange(images * channels, grain: max(1, 4096 / (height * width))) { range in
            for item in range {
                let (image, channel) = (item / channels, item % channels)
                distill_winograd_output_plane(
                    m + channel * tiles + image * tilesPerImage, step, Int32(height), Int32(width),
                    bias?[channel] ?? 0, y + item * height * width)
            }
        }
    }

    // MARK: - Output gradient: D = A ∂L/∂Y Aᵀ

    /// `D[ξ][o][t] = (A ∂L/∂Y Aᵀ)[ξ]` of every 2×2 tile of `images` NCHW output gradients.
    func transformOutputGradient(
        _ dy: UnsafePointer<Float>, images: Int, channels: Int, into d: UnsafeMutablePointer<Float>
    ) {
        let tiles = images * tilesPerImage, step = Winograd.positionStride(channels * tiles)
        Parallel.forEachRange(images * channels, grain: max(1, 4096 / (height * width))) { range in
            for item in range {
                let (image, channel) = (item / channels, item % channels)
                let source = dy + item * height * width
                let target = d + channel * tiles + image * tilesPerImage
                for first in stride(from: 0, to: tilesPerImage, by: 8) {
                    let (a, b) = (origin(ofTile: first), origin(ofTile: first + 4))
                    let low = source + a.row * width + a.column, high = source + b.row * width + b.column
                    // ∂L/∂Y Aᵀ for the tile's two rows.
                    let t = Self.gradientRow(low, high)
                    let u = Self.gradientRow(low + width, high + width)
                    let out = target + first
                    Self.storeRow(0, t, out, step)
                    Self.storeRow(1, (t.0 + u.0, t.1 + u.1, t.2 + u.2, t.3 + u.3), out, step)
                    Self.storeRow(2, (t.0 - u.0, t.1 - u.1, t.2 - u.2, t.3 - u.3), out, step)
                    Self.storeRow(3, (-u.0, -u.1, -u.2, -u.3), out, step)
                }
            }
        }
    }

    /// `(y₀, y₀ + y₁, y₀ − y₁, −y₁)` of one tile row for eight tiles: four from `low`, four from `high`.
    @inline(__always)
    private static func gradientRow(
        _ low: UnsafePointer<Float>, _ high: UnsafePointer<Float>
    ) -> (Lanes, Lanes, Lanes, Lanes) {
        let (left, right) = tileColumns(low, high)
        return (left, left + right, left - right, -right)
    }

    /// The two columns of one tile row for eight tiles: four tiles from `low`, four from `high`.
    @inline(__always)
    private static func tileColumns(_ low: UnsafePointer<Float>, _ high: UnsafePointer<Float>) -> (Lanes, Lanes) {
        let (lowPair, highPair) = (load(low), load(high))
        return (
            Lanes(lowHalf: lowPair.evenHalf, highHalf: highPair.evenHalf),
            Lanes(lowHalf: lowPair.oddHalf, highHalf: highPair.oddHalf)
        )
    }

    // MARK: - Vector access

    /// Stores row `i` of a transformed tile (positions ξ = 4i … 4i + 3) for eight tiles.
    @inline(__always)
    private static func storeRow(
        _ i: Int, _ row: (Lanes, Lanes, Lanes, Lanes), _ out: UnsafeMutablePointer<Float>, _ step: Int
    ) {
        store(row.0, out + (4 * i) * step)
        store(row.1, out + (4 * i + 1) * step)
        store(row.2, out + (4 * i + 2) * step)
        store(row.3, out + (4 * i + 3) * step)
    }

    @inline(__always)
    private static func load(_ pointer: UnsafePointer<Float>) -> Lanes {
        UnsafeRawPointer(pointer).loadUnaligned(as: Lanes.self)
    }

    @inline(__always)
    private static func store(_ value: Lanes, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: Lanes.self)
    }
}

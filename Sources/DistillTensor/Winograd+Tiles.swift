// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

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

    /// `V[ξ][c][t] = (Bᵀ d B)[ξ]` for every tile t of `images` NCHW images with `channels` channels.
    func transformInput(
        _ x: UnsafePointer<Float>, images: Int, channels: Int, into v: UnsafeMutablePointer<Float>
    ) {
        let tiles = images * tilesPerImage, step = Winograd.positionStride(channels * tiles)
        let paddedWidth = width + 2, paddedCount = (height + 2) * paddedWidth
        Parallel.forEachRange(images * channels, grain: max(1, 4096 / (height * width))) { range in
            // A zero-bordered copy of the plane: every 4×4 patch is then a plain read.
            let padded = UnsafeMutablePointer<Float>.allocate(capacity: paddedCount)
            defer { padded.deallocate() }
            padded.initialize(repeating: 0, count: paddedCount)
            for item in range {
                let (image, channel) = (item / channels, item % channels)
                let source = x + item * height * width
                for r in 0..<height {
                    let from = source + r * width, to = padded + (r + 1) * paddedWidth + 1
                    // Widths are multiples of 8: whole vectors, no short memcpy calls.
                    for j in stride(from: 0, to: width, by: 8) { Self.store(Self.load(from + j), to + j) }
                }
                let target = v + channel * tiles + image * tilesPerImage
                for first in stride(from: 0, to: tilesPerImage, by: 8) {
                    let (a, b) = (origin(ofTile: first), origin(ofTile: first + 4))
                    Self.inputTiles(
                        low: padded + a.row * paddedWidth + a.column, high: padded + b.row * paddedWidth + b.column,
                        rowStride: paddedWidth, into: target + first, step: step)
                }
            }
        }
    }

    /// `Bᵀ d B` of eight 4×4 patches (four starting at `low`, four at `high`), stored at `out[ξ · step]`.
    @inline(__always)
    private static func inputTiles(
        low: UnsafeMutablePointer<Float>, high: UnsafeMutablePointer<Float>, rowStride: Int,
        into out: UnsafeMutablePointer<Float>, step: Int
    ) {
        // d B for each patch row: four columns combined, eight tiles per vector.
        let (a0, a1, a2, a3) = patchColumns(low, high)
        let (b0, b1, b2, b3) = patchColumns(low + rowStride, high + rowStride)
        let (c0, c1, c2, c3) = patchColumns(low + 2 * rowStride, high + 2 * rowStride)
        let (d0, d1, d2, d3) = patchColumns(low + 3 * rowStride, high + 3 * rowStride)
        let r0 = (a0 - a2, a1 + a2, a2 - a1, a1 - a3)
        let r1 = (b0 - b2, b1 + b2, b2 - b1, b1 - b3)
        let r2 = (c0 - c2, c1 + c2, c2 - c1, c1 - c3)
        let r3 = (d0 - d2, d1 + d2, d2 - d1, d1 - d3)
        storeRow(0, (r0.0 - r2.0, r0.1 - r2.1, r0.2 - r2.2, r0.3 - r2.3), out, step)
        storeRow(1, (r1.0 + r2.0, r1.1 + r2.1, r1.2 + r2.2, r1.3 + r2.3), out, step)
        storeRow(2, (r2.0 - r1.0, r2.1 - r1.1, r2.2 - r1.2, r2.3 - r1.3), out, step)
        storeRow(3, (r1.0 - r3.0, r1.1 - r3.1, r1.2 - r3.2, r1.3 - r3.3), out, step)
    }

    /// Columns 0 … 3 of one patch row for eight tiles: four tiles from `low`, four from `high`.
    @inline(__always)
    private static func patchColumns(
        _ low: UnsafePointer<Float>, _ high: UnsafePointer<Float>
    ) -> (Lanes, Lanes, Lanes, Lanes) {
        let (nearLow, farLow) = (load(low), load(low + 2))
        let (nearHigh, farHigh) = (load(high), load(high + 2))
        return (
            Lanes(lowHalf: nearLow.evenHalf, highHalf: nearHigh.evenHalf),
            Lanes(lowHalf: nearLow.oddHalf, highHalf: nearHigh.oddHalf),
            Lanes(lowHalf: farLow.evenHalf, highHalf: farHigh.evenHalf),
            Lanes(lowHalf: farLow.oddHalf, highHalf: farHigh.oddHalf)
        )
    }

    @inline(__always)
    private static func patchColumns(
        _ low: UnsafeMutablePointer<Float>, _ high: UnsafeMutablePointer<Float>
    ) -> (Lanes, Lanes, Lanes, Lanes) {
        patchColumns(UnsafePointer(low), UnsafePointer(high))
    }

    // MARK: - Output: Y = Aᵀ M A

    /// `Y = Aᵀ M A` (+ bias) of every tile, from `M[ξ][o][t]` into `images` NCHW images.
    func transformOutput(
        _ m: UnsafePointer<Float>, images: Int, channels: Int, bias: [Float]?, into y: UnsafeMutablePointer<Float>
    ) {
        let tiles = images * tilesPerImage, step = Winograd.positionStride(channels * tiles)
        Parallel.forEachRange(images * channels, grain: max(1, 4096 / (height * width))) { range in
            for item in range {
                let (image, channel) = (item / channels, item % channels)
                let shift = bias?[channel] ?? 0
                let source = m + channel * tiles + image * tilesPerImage
                let target = y + item * height * width
                for first in stride(from: 0, to: tilesPerImage, by: 8) {
                    let tile = source + first
                    // Aᵀ M: rows 0 and 1, for each of the four columns.
                    let c0 = Self.outputColumn(tile, step: step)
                    let c1 = Self.outputColumn(tile + step, step: step)
                    let c2 = Self.outputColumn(tile + 2 * step, step: step)
                    let c3 = Self.outputColumn(tile + 3 * step, step: step)
                    let top = (c0.0 + c1.0 + c2.0 + shift, c1.0 - c2.0 - c3.0 + shift)
                    let bottom = (c0.1 + c1.1 + c2.1 + shift, c1.1 - c2.1 - c3.1 + shift)
                    for half in 0..<2 {
                        let (row, columnIndex) = origin(ofTile: first + 4 * half)
                        let out = target + row * width + columnIndex
                        Self.store(Self.interleave(top.0, top.1, half: half), out)
                        Self.store(Self.interleave(bottom.0, bottom.1, half: half), out + width)
                    }
                }
            }
        }
    }

    /// Rows 0 and 1 of `Aᵀ M` in column j of eight tiles, from the positions
    /// j, 4 + j, 8 + j and 12 + j (`m` points at position j).
    @inline(__always)
    private static func outputColumn(_ m: UnsafePointer<Float>, step: Int) -> (Lanes, Lanes) {
        let (m0, m1) = (load(m), load(m + 4 * step))
        let (m2, m3) = (load(m + 8 * step), load(m + 12 * step))
        return (m0 + m1 + m2, m1 - m2 - m3)
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

    /// `(a₀, b₀, a₁, b₁, a₂, b₂, a₃, b₃)` from the lanes of tiles `4·half … 4·half + 3`.
    @inline(__always)
    private static func interleave(_ a: Lanes, _ b: Lanes, half: Int) -> Lanes {
        let (x, y) = half == 0 ? (a.lowHalf, b.lowHalf) : (a.highHalf, b.highHalf)
        return Lanes(x[0], y[0], x[1], y[1], x[2], y[2], x[3], y[3])
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

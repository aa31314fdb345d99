// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation

/// The per-image kernels of `DCAugmentation`, each reading one `[C, H, W]`
/// image and writing every element of another.
struct DCImageShape {
    let channels: Int
    let height: Int
    let width: Int

    var count: Int { channels * height * width }

    /// Pads with the channel means, then takes the window at (row, column):
    ///
    /// ```
    /// out[c, i, j] = in[c, i + row − padding, j + column − padding], or means[c] outside
    /// ```
    func crop(
        _ input: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>,
        row: Int, column: Int, padding: Int, means: [Float]
    ) {
        for c in 0..<channels {
            let plane = c * height * width
            for i in 0..<height {
                let y = i + row - padding
                for j in 0..<width {
                    let x = j + column - padding
                    let inside = y >= 0 && y < height && x >= 0 && x < width
                    out[plane + i * width + j] = inside ? input[plane + y * width + x] : means[c]
                }
            }
        }
    }

    /// Resizes to `scaledHeight × scaledWidth` by nearest neighbour, centres
    /// the result on a zero canvas of side max(all extents) and crops the
    /// canvas's centre back to H × W (the reference's integer centring).
    func scale(
        _ input: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>,
        height scaledHeight: Int, width scaledWidth: Int
    ) {
        precondition(scaledHeight > 0 && scaledWidth > 0, "DCAugmentation.scale: size \(scaledHeight)×\(scaledWidth)")
        let side = max(scaledHeight, scaledWidth, height, width)
        // Output pixel (i, j) sits at canvas (i + (side − H)/2, …) and resized pixel
        // (a, b) at canvas (a + (side − h)/2, …), so a = i + rowOffset.
        let rowOffset = (side - height) / 2 - (side - scaledHeight) / 2
        let columnOffset = (side - width) / 2 - (side - scaledWidth) / 2
        let rowSources = (0..<height).map { i in
            nearestSource(i + rowOffset, input: height, output: scaledHeight)
        }
        let columnSources = (0..<width).map { j in
            nearestSource(j + columnOffset, input: width, output: scaledWidth)
        }
        for c in 0..<channels {
            let plane = c * height * width
            for i in 0..<height {
                for j in 0..<width {
                    guard let y = rowSources[i], let x = columnSources[j] else {
                        out[plane + i * width + j] = 0
                        continue
                    }
                    out[plane + i * width + j] = input[plane + y * width + x]
                }
            }
        }
    }

    /// PyTorch's nearest-neighbour source index of `index` when resizing
    /// `input` pixels to `output`, or nil when `index` is outside the output.
    private func nearestSource(_ index: Int, input: Int, output: Int) -> Int? {
        guard index >= 0 && index < output else { return nil }
        let ratio = Float(input) / Float(output)
        return min(Int((Float(index) * ratio).rounded(.down)), input - 1)
    }

    /// Rotates about the image centre by `degrees`, sampling bilinearly;
    /// neighbours outside the image take the value `fill`.
    ///
    /// ```
    /// (row, col)_in = R · ((i, j) − centre) + centre,   R = [[cos θ, sin θ], [−sin θ, cos θ]]
    /// ```
    /// (scipy's `ndimage.rotate` convention for the axes (rows, columns)).
    func rotate(
        _ input: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>, degrees: Int, fill: Float
    ) {
        let angle = Double(degrees) * Double.pi / 180
        let (cosine, sine) = (Float(cos(angle)), Float(sin(angle)))
        let centreRow = Float(height - 1) / 2, centreColumn = Float(width - 1) / 2
        for i in 0..<height {
            for j in 0..<width {
                let dr = Float(i) - centreRow, dc = Float(j) - centreColumn
                let sourceRow = cosine * dr + sine * dc + centreRow
                let sourceColumn = -sine * dr + cosine * dc + centreColumn
                let y0 = sourceRow.rounded(.down), x0 = sourceColumn.rounded(.down)
                let fy = sourceRow - y0, fx = sourceColumn - x0
                for c in 0..<channels {
                    let plane = c * height * width
                    var value: Float = 0
                    for k in 0..<4 {
                        let (dy, dx) = (k >> 1, k & 1)
                        let y = Int(y0) + dy, x = Int(x0) + dx
                        let weight = (dy == 0 ? 1 - fy : fy) * (dx == 0 ? 1 - fx : fx)
                        let inside = y >= 0 && y < height && x >= 0 && x < width
                        value += weight * (inside ? input[plane + y * width + x] : fill)
                    }
                    out[plane + i * width + j] = value
                }
            }
        }
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor

extension Tensor {
    /// Samples the image bilinearly at the points of a grid, as PyTorch
    /// `F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)`.
    ///
    /// ```
    /// ix = ((x + 1)·W − 1) / 2,   iy = ((y + 1)·H − 1) / 2
    /// out[n, c, i, j] = Σ_k w_k · self[n, c, y_k, x_k]   (4 neighbours, zero outside)
    /// ```
    /// Shapes: `self` `[N, C, H, W]`, `grid` `[N, Hout, Wout, 2]` holding (x, y)
    /// in [−1, 1]; the result is `[N, C, Hout, Wout]`.
    ///
    /// Gradient: with respect to `self` only, the adjoint scatter with the
    /// same weights. That scatter is itself a recorded op whose gradient is
    /// grid sampling again, so the op is differentiable to any order. The
    /// grid is a constant: augmentations warp images by randomly drawn
    /// transforms and never need ∂/∂grid, so it is not implemented and a grid
    /// that requires a gradient is a programmer error.
    public func gridSample(grid: Tensor) -> Tensor {
        precondition(
            !grid.requiresGradient,
            "gridSample: the grid \(grid.shape) must be a constant (gradients with respect to it are not implemented)")
        let sampling = grid.array
        let (height, width) = (shape[2], shape[3])
        return Tensor.record("gridSample", array.gridSampled(at: sampling), inputs: [self]) { g, _ in
            [g.gridSampleAdjoint(grid: sampling, height: height, width: width)]
        }
    }

    /// The adjoint of `gridSample(grid:)`: scatters an `[N, C, Hout, Wout]`
    /// gradient onto an `[N, C, height, width]` image with the bilinear
    /// weights of `grid`. Gradient: `grad.gridSample(grid:)`.
    func gridSampleAdjoint(grid: NDArray, height: Int, width: Int) -> Tensor {
        let value = array.gridSampleAdjoint(grid: grid, height: height, width: width)
        return Tensor.record("gridSampleAdjoint", value, inputs: [self]) { g, _ in
            [g.gridSample(grid: Tensor(grid))]
        }
    }

    /// The sampling grid of affine maps, as PyTorch
    /// `F.affine_grid(theta, size, align_corners=False)`.
    ///
    /// ```
    /// grid[n, i, j] = theta[n] · (x_j, y_i, 1)ᵀ,   x_j = (2j + 1)/W − 1,   y_i = (2i + 1)/H − 1
    /// ```
    /// - Parameters:
    ///   - theta: `[N, 2, 3]`, mapping output to input coordinates. A
    ///     constant: the grid feeds `gridSample(grid:)`, which treats it as one.
    ///   - size: the output image size `[N, C, H, W]`.
    /// - Returns: a constant `[N, H, W, 2]` grid.
    public static func affineGrid(theta: Tensor, size: [Int]) -> Tensor {
        precondition(
            !theta.requiresGradient,
            "affineGrid: theta \(theta.shape) must be a constant (gradients with respect to it are not implemented)")
        return Tensor(NDArray.affineGrid(theta: theta.array, size: size))
    }
}

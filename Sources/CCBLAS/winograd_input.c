// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.
//
// Winograd F(2×2, 3×3) input transform V = Bᵀ d B of every 4×4 patch of one
// plane (padding 1), eight tiles at a time in vector lanes,
//
//     Bᵀ = [[1, 0, −1, 0], [0, 1, 1, 0], [0, −1, 1, 0], [0, 1, 0, −1]].
//
// Patches are read from the plane itself, with masked loads where they
// overhang its left or right edge and zeros above and below it. The earlier
// form read them from a zero-bordered copy of the plane made just before; in
// a profile of a 256-image step 28 % of its samples fell on one patch load
// and 14 % on the copy's store: each patch load straddles two of the copy's
// stores, most likely still in flight, and waits for them.
#include "ccblas.h"

#if defined(__x86_64__) && !defined(__APPLE__)
#include <immintrin.h>

// The patch columns c − 1 … c + 6 ("near") and c + 1 … c + 8 ("far") of
// plane row `r` for four tiles whose first column is c, zero outside the plane.
__attribute__((target("avx2"))) static inline void
patch_row(const float *plane, int height, int width, int r, int c, __m256 *near, __m256 *far) {
    if (r < 0 || r >= height) {
        *near = *far = _mm256_setzero_ps();
        return;
    }
    const float *p = plane + (size_t)r * (size_t)width + c;
    *near = c == 0 ? _mm256_maskload_ps(p - 1, _mm256_setr_epi32(0, -1, -1, -1, -1, -1, -1, -1))
                   : _mm256_loadu_ps(p - 1);
    *far = c + 8 >= width ? _mm256_maskload_ps(p + 1, _mm256_setr_epi32(-1, -1, -1, -1, -1, -1, -1, 0))
                          : _mm256_loadu_ps(p + 1);
}

// Lanes (0, 2, 4, 6) of `low` then of `high` (`imm` 0x88), or lanes 1, 3, 5, 7 (0xDD).
#define DEINTERLEAVE(low, high, imm) \
    _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(low, high, imm)), 0xD8))

__attribute__((target("avx2"))) void
distill_winograd_input_plane(const float *plane, int height, int width, float *v, long step) {
    const int tile_columns = width / 2, tiles = height / 2 * tile_columns;
    for (int first = 0; first < tiles; first += 8) {
        // Tiles first … first + 3 and first + 4 … first + 7 each lie in one tile row.
        const int low_row = 2 * (first / tile_columns) - 1, low_column = 2 * (first % tile_columns);
        const int high_row = 2 * ((first + 4) / tile_columns) - 1, high_column = 2 * ((first + 4) % tile_columns);
        // d B for each of the four patch rows: columns combined, eight tiles per vector.
        __m256 db[4][4];
        for (int i = 0; i < 4; i++) {
            __m256 near_low, far_low, near_high, far_high;
            patch_row(plane, height, width, low_row + i, low_column, &near_low, &far_low);
            patch_row(plane, height, width, high_row + i, high_column, &near_high, &far_high);
            __m256 d0 = DEINTERLEAVE(near_low, near_high, 0x88), d1 = DEINTERLEAVE(near_low, near_high, 0xDD);
            __m256 d2 = DEINTERLEAVE(far_low, far_high, 0x88), d3 = DEINTERLEAVE(far_low, far_high, 0xDD);
            db[i][0] = _mm256_sub_ps(d0, d2);
            db[i][1] = _mm256_add_ps(d1, d2);
            db[i][2] = _mm256_sub_ps(d2, d1);
            db[i][3] = _mm256_sub_ps(d1, d3);
        }
        float *out = v + first;
        for (int j = 0; j < 4; j++) {
            _mm256_storeu_ps(out + (size_t)j * step, _mm256_sub_ps(db[0][j], db[2][j]));
            _mm256_storeu_ps(out + (size_t)(4 + j) * step, _mm256_add_ps(db[1][j], db[2][j]));
            _mm256_storeu_ps(out + (size_t)(8 + j) * step, _mm256_sub_ps(db[2][j], db[1][j]));
            _mm256_storeu_ps(out + (size_t)(12 + j) * step, _mm256_sub_ps(db[1][j], db[3][j]));
        }
    }
}

#undef DEINTERLEAVE

#else

void distill_winograd_input_plane(const float *plane, int height, int width, float *v, long step) {
    const int tile_columns = width / 2, tiles = height / 2 * tile_columns;
    for (int t = 0; t < tiles; t++) {
        const int row = 2 * (t / tile_columns) - 1, column = 2 * (t % tile_columns) - 1;
        float db[4][4];
        for (int i = 0; i < 4; i++) {
            float d[4];
            for (int j = 0; j < 4; j++) {
                int r = row + i, c = column + j;
                d[j] = r >= 0 && r < height && c >= 0 && c < width ? plane[(size_t)r * (size_t)width + c] : 0.0f;
            }
            db[i][0] = d[0] - d[2];
            db[i][1] = d[1] + d[2];
            db[i][2] = d[2] - d[1];
            db[i][3] = d[1] - d[3];
        }
        for (int j = 0; j < 4; j++) {
            v[(size_t)j * step + t] = db[0][j] - db[2][j];
            v[(size_t)(4 + j) * step + t] = db[1][j] + db[2][j];
            v[(size_t)(8 + j) * step + t] = db[2][j] - db[1][j];
            v[(size_t)(12 + j) * step + t] = db[1][j] - db[3][j];
        }
    }
}

#endif

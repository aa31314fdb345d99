// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

// A small C surface over libpng's simplified API and libjpeg-turbo's libjpeg API.
// libjpeg reports errors by longjmp, which Swift cannot catch; these functions
// turn every failure into a zero return and a message instead.

#ifndef DISTILL_IMAGE_CODECS_H
#define DISTILL_IMAGE_CODECS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A decoded image: 8-bit samples, `channels` (1 gray, 3 RGB) interleaved per pixel, row-major.
typedef struct {
    int width;
    int height;
    int channels;
    uint8_t *pixels;  // malloc'd; release with distill_image_free
} distill_image;

/// Decodes a PNG or JPEG (told apart by signature) to gray when the file is gray, RGB otherwise.
/// Returns 1 on success; 0 with a message in `error` (NUL-terminated, at most `error_size` bytes).
int distill_image_decode(const uint8_t *bytes, size_t count, distill_image *image, char *error, size_t error_size);

/// Encodes 8-bit gray (channels 1) or RGB (channels 3) pixels as PNG with libpng.
/// On success returns 1 and a malloc'd buffer in `*out` of `*out_count` bytes (release with free).
int distill_png_encode(
    const uint8_t *pixels, int width, int height, int channels, uint8_t **out, size_t *out_count,
    char *error, size_t error_size);

/// Encodes 8-bit gray or RGB pixels as a baseline JPEG of `quality` (1-100) with libjpeg.
int distill_jpeg_encode(
    const uint8_t *pixels, int width, int height, int channels, int quality, uint8_t **out, size_t *out_count,
    char *error, size_t error_size);

void distill_image_free(distill_image *image);

#ifdef __cplusplus
}
#endif

#endif

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

#include "image_codecs.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <png.h>

static void set_error(char *error, size_t error_size, const char *message) {
    if (error_size == 0) return;
    snprintf(error, error_size, "%s", message);
}

// MARK: - PNG

static int decode_png(const uint8_t *bytes, size_t count, distill_image *result, char *error, size_t error_size) {
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&image, bytes, count)) {
        set_error(error, error_size, image.message);
        return 0;
    }
    int channels = (image.format & PNG_FORMAT_FLAG_COLOR) ? 3 : 1;
    // Transparent pixels are composited on black, as the alpha-less output requires.
    image.format = channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
    size_t size = (size_t)image.width * image.height * channels;
    uint8_t *pixels = malloc(size ? size : 1);
    if (!pixels) {
        png_image_free(&image);
        set_error(error, error_size, "out of memory");
        return 0;
    }
    if (!png_image_finish_read(&image, NULL, pixels, 0, NULL)) {
        free(pixels);
        set_error(error, error_size, image.message);
        return 0;
    }
    result->width = (int)image.width;
    result->height = (int)image.height;
    result->channels = channels;
    result->pixels = pixels;
    return 1;
}

int distill_png_encode(
    const uint8_t *pixels, int width, int height, int channels, uint8_t **out, size_t *out_count,
    char *error, size_t error_size) {
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    image.width = (png_uint_32)width;
    image.height = (png_uint_32)height;
    image.format = channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
    png_alloc_size_t size = 0;
    // The first call measures, the second writes.
    if (!png_image_write_to_memory(&image, NULL, &size, 0, pixels, 0, NULL)) {
        set_error(error, error_size, image.message);
        return 0;
    }
    uint8_t *buffer = malloc(size);
    if (!buffer) {
        set_error(error, error_size, "out of memory");
        return 0;
    }
    if (!png_image_write_to_memory(&image, buffer, &size, 0, pixels, 0, NULL)) {
        free(buffer);
        set_error(error, error_size, image.message);
        return 0;
    }
    *out = buffer;
    *out_count = size;
    return 1;
}

// MARK: - JPEG

typedef struct {
    struct jpeg_error_mgr manager;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
} jpeg_error;

static void jpeg_error_exit(j_common_ptr info) {
    jpeg_error *error = (jpeg_error *)info->err;
    (*info->err->format_message)(info, error->message);
    longjmp(error->jump, 1);
}

// Corrupt-data warnings (a truncated file, for one) count as errors: a damaged image must not pass silently.
static void jpeg_emit_message(j_common_ptr info, int level) {
    if (level < 0) jpeg_error_exit(info);
}

static int decode_jpeg(const uint8_t *bytes, size_t count, distill_image *result, char *error, size_t error_size) {
    struct jpeg_decompress_struct info;
    jpeg_error failure;
    uint8_t *volatile pixels = NULL;
    info.err = jpeg_std_error(&failure.manager);
    failure.manager.error_exit = jpeg_error_exit;
    failure.manager.emit_message = jpeg_emit_message;
    if (setjmp(failure.jump)) {
        jpeg_destroy_decompress(&info);
        free(pixels);
        set_error(error, error_size, failure.message);
        return 0;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, bytes, (unsigned long)count);
    jpeg_read_header(&info, TRUE);
    if (info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK) {
        jpeg_destroy_decompress(&info);
        set_error(error, error_size, "CMYK JPEGs are not supported; convert the image to RGB");
        return 0;
    }
    int channels = info.jpeg_color_space == JCS_GRAYSCALE ? 1 : 3;
    info.out_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_start_decompress(&info);
    size_t stride = (size_t)info.output_width * channels;
    pixels = malloc(stride * info.output_height + 1);
    if (!pixels) {
        jpeg_destroy_decompress(&info);
        set_error(error, error_size, "out of memory");
        return 0;
    }
    while (info.output_scanline < info.output_height) {
        JSAMPROW row = pixels + stride * info.output_scanline;
        jpeg_read_scanlines(&info, &row, 1);
    }
    jpeg_finish_decompress(&info);
    result->width = (int)info.output_width;
    result->height = (int)info.output_height;
    result->channels = channels;
    result->pixels = pixels;
    jpeg_destroy_decompress(&info);
    return 1;
}

int distill_jpeg_encode(
    const uint8_t *pixels, int width, int height, int channels, int quality, uint8_t **out, size_t *out_count,
    char *error, size_t error_size) {
    struct jpeg_compress_struct info;
    jpeg_error failure;
    unsigned char *buffer = NULL;
    unsigned long size = 0;
    info.err = jpeg_std_error(&failure.manager);
    failure.manager.error_exit = jpeg_error_exit;
    if (setjmp(failure.jump)) {
        jpeg_destroy_compress(&info);
        free(buffer);
        set_error(error, error_size, failure.message);
        return 0;
    }
    jpeg_create_compress(&info);
    jpeg_mem_dest(&info, &buffer, &size);
    info.image_width = (JDIMENSION)width;
    info.image_height = (JDIMENSION)height;
    info.input_components = channels;
    info.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, quality, TRUE);
    jpeg_start_compress(&info, TRUE);
    size_t stride = (size_t)width * channels;
    while (info.next_scanline < info.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + stride * info.next_scanline);
        jpeg_write_scanlines(&info, &row, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    *out = buffer;
    *out_count = size;
    return 1;
}

// MARK: - Either

int distill_image_decode(const uint8_t *bytes, size_t count, distill_image *image, char *error, size_t error_size) {
    static const uint8_t png_signature[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    memset(image, 0, sizeof *image);
    if (count >= 8 && memcmp(bytes, png_signature, 8) == 0) return decode_png(bytes, count, image, error, error_size);
    if (count >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF) {
        return decode_jpeg(bytes, count, image, error, error_size);
    }
    set_error(error, error_size, "neither a PNG nor a JPEG (unknown signature)");
    return 0;
}

void distill_image_free(distill_image *image) {
    free(image->pixels);
    image->pixels = NULL;
}

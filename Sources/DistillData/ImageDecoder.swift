// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import CImageCodecs
import Foundation

/// An 8-bit image: `channels` (1 gray, 3 RGB) interleaved samples per pixel, row-major.
public struct DecodedImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var channels: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * channels, "DecodedImage: \(pixels.count) bytes for \(width)×\(height)×\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }
}

/// Decodes PNG (libpng) and JPEG (libjpeg-turbo) files, told apart by their signature.
public enum ImageDecoder {
    /// Decodes one file's bytes, gray when the file is gray and RGB otherwise.
    /// - Throws: `DatasetError.corrupt` naming `path` and the library's reason.
    public static func decode(_ bytes: [UInt8], path: String) throws -> DecodedImage {
        var image = distill_image()
        var message = [CChar](repeating: 0, count: 256)
        let ok = bytes.withUnsafeBufferPointer { buffer in
            distill_image_decode(buffer.baseAddress, buffer.count, &image, &message, message.count)
        }
        guard ok != 0 else {
            throw DatasetError.corrupt(path: path, reason: String(cString: message), dataset: nil)
        }
        defer { distill_image_free(&image) }
        let count = Int(image.width) * Int(image.height) * Int(image.channels)
        guard count > 0 else { throw DatasetError.corrupt(path: path, reason: "the image has no pixels", dataset: nil) }
        return DecodedImage(
            width: Int(image.width), height: Int(image.height), channels: Int(image.channels),
            pixels: Array(UnsafeBufferPointer(start: image.pixels, count: count)))
    }
}

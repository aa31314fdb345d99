// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import CImageCodecs
import Foundation

/// Encodes 8-bit grayscale or RGB images as PNG with libpng.
public enum PNG {
    /// PNG bytes for an image of `width × height` pixels.
    ///
    /// - Parameters:
    ///   - pixels: row-major pixel bytes, `channels` interleaved bytes per pixel.
    ///   - channels: 1 (grayscale) or 3 (RGB).
    public static func encode(pixels: [UInt8], width: Int, height: Int, channels: Int) -> Data {
        precondition(channels == 1 || channels == 3, "PNG.encode: channels must be 1 or 3, got \(channels)")
        precondition(pixels.count == width * height * channels, "PNG.encode: \(pixels.count) bytes for \(width)×\(height)×\(channels)")
        var buffer: UnsafeMutablePointer<UInt8>?
        var count = 0
        var message = [CChar](repeating: 0, count: 256)
        let ok = distill_png_encode(pixels, Int32(width), Int32(height), Int32(channels), &buffer, &count, &message, message.count)
        // With valid sizes libpng fails only when memory runs out.
        precondition(ok != 0, "PNG.encode: libpng failed: \(String(cString: message))")
        defer { free(buffer) }
        return Data(bytes: buffer!, count: count)
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import CZlib
import Foundation

/// Encodes 8-bit grayscale or RGB images as PNG (no external tools).
public enum PNG {
    /// PNG bytes for an image of `width × height` pixels.
    ///
    /// - Parameters:
    ///   - pixels: row-major pixel bytes, `channels` interleaved bytes per pixel.
    ///   - channels: 1 (grayscale) or 3 (RGB).
    public static func encode(pixels: [UInt8], width: Int, height: Int, channels: Int) -> Data {
        precondition(channels == 1 || channels == 3, "PNG.encode: channels must be 1 or 3, got \(channels)")
        precondition(pixels.count == width * height * channels, "PNG.encode: \(pixels.count) bytes for \(width)×\(height)×\(channels)")
        // Each scanline starts with filter type 0 (none).
        var raw = [UInt8]()
        raw.reserveCapacity((width * channels + 1) * height)
        for row in 0..<height {
            raw.append(0)
            raw.append(contentsOf: pixels[(row * width * channels)..<((row + 1) * width * channels)])
        }
        var header = [UInt8]()
        header += bigEndian(UInt32(width)) + bigEndian(UInt32(height))
        header += [8, channels == 1 ? 0 : 2, 0, 0, 0]  // bit depth, colour type, compression, filter, interlace
        var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        png.append(chunk("IHDR", header))
        png.append(chunk("IDAT", deflate(raw)))
        png.append(chunk("IEND", []))
        return png
    }

    private static func chunk(_ type: String, _ body: [UInt8]) -> Data {
        let typeBytes = Array(type.utf8)
        var data = Data(bigEndian(UInt32(body.count)))
        data.append(contentsOf: typeBytes)
        data.append(contentsOf: body)
        let crc = (typeBytes + body).withUnsafeBufferPointer { buffer in
            crc32(0, buffer.baseAddress, uInt(buffer.count))
        }
        data.append(contentsOf: bigEndian(UInt32(crc)))
        return data
    }

    private static func deflate(_ bytes: [UInt8]) -> [UInt8] {
        var capacity = compressBound(uLong(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(capacity))
        let status = output.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeBufferPointer { input in
                compress2(out.baseAddress, &capacity, input.baseAddress, uLong(input.count), 6)
            }
        }
        precondition(status == Z_OK, "PNG.encode: zlib compress2 failed with status \(status)")
        return Array(output.prefix(Int(capacity)))
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }
}

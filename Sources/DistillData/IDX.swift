// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

/// The contents of an unsigned-byte IDX file (the MNIST file format).
///
/// Layout, all integers big-endian:
/// ```
/// magic: 0x00 0x00 0x08 rank   (0x08 = unsigned byte; 0x00000803 images, 0x00000801 labels)
/// rank × UInt32 extents, then ∏ extents bytes, row-major
/// ```
public struct IDXFile: Sendable, Equatable {
    /// What an IDX file holds, which fixes its magic number and rank.
    public enum Content: Sendable {
        /// `[N, rows, columns]` images, magic 0x00000803.
        case images
        /// `[N]` labels, magic 0x00000801.
        case labels

        public var magic: UInt32 { self == .images ? 0x0000_0803 : 0x0000_0801 }
        var rank: Int { self == .images ? 3 : 1 }
    }

    /// Extent of each dimension, e.g. `[60000, 28, 28]`.
    public var dimensions: [Int]
    /// The raw values, row-major; `bytes.count == dimensions.elementCount`.
    public var bytes: [UInt8]

    public init(dimensions: [Int], bytes: [UInt8]) {
        precondition(
            dimensions.reduce(1, *) == bytes.count,
            "IDXFile: dimensions \(dimensions) need \(dimensions.reduce(1, *)) bytes, got \(bytes.count)")
        self.dimensions = dimensions
        self.bytes = bytes
    }

    /// Reads an IDX file, raw or gzip-compressed (detected from its first bytes).
    /// - Throws: `DatasetError.unreadable` if the file cannot be read;
    ///   `DatasetError.corrupt` naming the file and the fault for bad gzip data,
    ///   a wrong magic number, a short header, or a data length that does not match the dimensions.
    public static func read(contentsOf path: String, expecting content: Content) throws -> IDXFile {
        let raw = try readFile(atPath: path)
        let bytes = Gzip.isGzip(raw) ? try Gzip.decompress(raw, source: path) : raw
        return try parse(bytes, expecting: content, source: path)
    }

    /// Parses the bytes of an uncompressed IDX file.
    /// - Parameter source: the file name used in error messages.
    public static func parse(_ bytes: [UInt8], expecting content: Content, source: String) throws -> IDXFile {
        func corrupt(_ reason: String) -> DatasetError { .corrupt(path: source, reason: reason, dataset: nil) }
        let kind = content == .images ? "image" : "label"
        guard bytes.count >= 4 else {
            throw corrupt("\(bytes.count)-byte file is too short for an IDX header")
        }
        let magic = bigEndianUInt32(bytes, at: 0)
        guard magic == content.magic else {
            throw corrupt(
                "bad magic 0x\(hex(magic)), expected 0x\(hex(content.magic)) for an IDX \(kind) file")
        }
        let headerLength = 4 + 4 * content.rank
        guard bytes.count >= headerLength else {
            throw corrupt("IDX header needs \(headerLength) bytes, the file has \(bytes.count)")
        }
        let dimensions = (0..<content.rank).map { Int(bigEndianUInt32(bytes, at: 4 + 4 * $0)) }
        let actual = bytes.count - headerLength
        // Three 32-bit extents can multiply past Int.max; such a header is wrong whatever the file holds.
        let expected = dimensions.reduce((value: 1, overflow: false)) { running, extent in
            let product = running.value.multipliedReportingOverflow(by: extent)
            return (product.partialValue, running.overflow || product.overflow)
        }
        guard !expected.overflow else {
            throw corrupt("dimensions \(dimensions) need more data bytes than any file holds, found \(actual)")
        }
        guard actual == expected.value else {
            let fault = actual < expected.value ? "truncated" : "too long"
            throw corrupt("\(fault): dimensions \(dimensions) need \(expected.value) data bytes, found \(actual)")
        }
        return IDXFile(dimensions: dimensions, bytes: Array(bytes[headerLength...]))
    }

    /// The bytes of an uncompressed IDX file holding this content.
    public func encoded(as content: Content) -> [UInt8] {
        precondition(
            dimensions.count == content.rank,
            "IDXFile.encoded: \(content) need rank \(content.rank), dimensions are \(dimensions)")
        var out = [UInt8]()
        out.reserveCapacity(4 + 4 * dimensions.count + bytes.count)
        for word in [content.magic] + dimensions.map(UInt32.init) {
            out += [UInt8(word >> 24), UInt8((word >> 16) & 0xFF), UInt8((word >> 8) & 0xFF), UInt8(word & 0xFF)]
        }
        return out + bytes
    }

    private static func bigEndianUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}

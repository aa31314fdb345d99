// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import CZlib
import DistillIO
import Foundation

/// In-process gzip decompression through zlib, whole-buffer or streaming.
///
/// Files with several gzip members one after another (what `cat a.gz b.gz`
/// gives) decompress to the concatenation of the members, as with `gunzip`.
public enum Gzip {
    /// Whether `bytes` start with the gzip magic number `1f 8b`.
    public static func isGzip<Bytes: Collection>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        var iterator = bytes.makeIterator()
        return iterator.next() == 0x1F && iterator.next() == 0x8B
    }

    /// Decompresses a whole gzip stream held in memory.
    /// - Parameter source: the file name used in error messages.
    /// - Throws: `DatasetError.corrupt` when the data is not gzip, fails its CRC, or ends early.
    public static func decompress(_ compressed: [UInt8], source: String) throws -> [UInt8] {
        var output = [UInt8]()
        output.reserveCapacity(compressed.count * 4)
        let inflater = try Inflater(source: source)
        try compressed.withUnsafeBytes { input in
            try inflater.feed(input) { output.append(contentsOf: $0) }
        }
        try inflater.finish()
        return output
    }

    /// Decompresses a `.gz` file in chunks, handing each decompressed chunk to `sink`.
    ///
    /// Memory stays bounded by the chunk size, whatever the file size.
    /// - Throws: `DatasetError.unreadable` when the file cannot be opened or read,
    ///   `DatasetError.corrupt` for bad gzip data, and whatever `sink` throws.
    public static func decompressFile(atPath path: String, sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DatasetError.unreadable(path: path, reason: "cannot open the file")
        }
        defer { try? handle.close() }
        let inflater = try Inflater(source: path)
        while true {
            let chunk: Data
            do {
                chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            } catch {
                throw DatasetError.unreadable(
                    path: path, reason: FileSystemError(foundation: error)?.reason ?? error.localizedDescription)
            }
            if chunk.isEmpty { break }
            try chunk.withUnsafeBytes { try inflater.feed($0, sink: sink) }
        }
        try inflater.finish()
    }

    /// Decompresses a whole `.gz` file into memory.
    public static func decompressFile(atPath path: String) throws -> [UInt8] {
        var output = [UInt8]()
        try decompressFile(atPath: path) { output.append(contentsOf: $0) }
        return output
    }
}

/// One zlib inflate stream in gzip mode.
///
/// A class because zlib keeps a pointer back to its `z_stream`, which must
/// therefore stay at one address for the stream's life.
final class Inflater {
    private let stream: UnsafeMutablePointer<z_stream>
    private let source: String
    private var output = [UInt8](repeating: 0, count: 1 << 18)
    /// True between the end of one gzip member and the first byte of the next.
    private var atMemberBoundary = false
    private var sawInput = false

    init(source: String) throws {
        self.source = source
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 16 + MAX_WBITS: expect a gzip header and trailer, not a raw zlib stream.
        let status = inflateInit2_(stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deallocate()
            throw DatasetError.unreadable(path: source, reason: "zlib inflateInit2 failed with status \(status)")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    /// Decompresses `input`, calling `sink` with each filled piece of output.
    func feed(_ input: UnsafeRawBufferPointer, sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let base = input.baseAddress, !input.isEmpty else { return }
        sawInput = true
        stream.pointee.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        // Keep going while input remains or the last call filled the whole
        // output buffer (zlib may hold more output for the same input).
        repeat {
            if atMemberBoundary {
                guard stream.pointee.avail_in > 0 else { break }
                inflateReset(stream)
                atMemberBoundary = false
            }
            try output.withUnsafeMutableBytes { buffer in
                stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(buffer.count)
                let status = inflate(stream, Z_NO_FLUSH)
                let produced = buffer.count - Int(stream.pointee.avail_out)
                switch status {
                case Z_OK, Z_BUF_ERROR:
                    break
                case Z_STREAM_END:
                    atMemberBoundary = true
                default:
                    throw DatasetError.corrupt(path: source, reason: "gzip data error (\(message(for: status)))", dataset: nil)
                }
                if produced > 0 { try sink(UnsafeRawBufferPointer(rebasing: buffer[0..<produced])) }
            }
        } while stream.pointee.avail_in > 0 || stream.pointee.avail_out == 0
        stream.pointee.next_in = nil
    }

    /// Checks that the input ended exactly at the end of a gzip member.
    func finish() throws {
        guard sawInput else {
            throw DatasetError.corrupt(path: source, reason: "empty file, expected gzip data", dataset: nil)
        }
        guard atMemberBoundary else {
            throw DatasetError.corrupt(path: source, reason: "gzip stream is truncated (file ends mid-stream)", dataset: nil)
        }
    }

    private func message(for status: Int32) -> String {
        if let text = stream.pointee.msg { return String(cString: text) }
        return "zlib status \(status)"
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import CZlib
import DistillData
import DistillTensor
import Foundation

/// Writers for the formats the readers consume, so tests build their own small archives.
enum ArchiveWriters {
    /// Compresses `bytes` as one gzip member with zlib's deflate.
    static func gzip(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
        var stream = z_stream()
        let status = deflateInit2_(
            &stream, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
            Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK, "deflateInit2 failed: \(status)")
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 64)
        var input = bytes
        let written = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = source.baseAddress
                stream.avail_in = uInt(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = uInt(target.count)
                let result = deflate(&stream, Z_FINISH)
                precondition(result == Z_STREAM_END, "deflate did not finish: \(result)")
                return target.count - Int(stream.avail_out)
            }
        }
        return Array(output.prefix(written))
    }

    /// One tar member: a regular file (`type` "0"), a directory ("5") or anything else.
    struct Member {
        var name: String
        var contents: [UInt8] = []
        var type: Character = "0"
    }

    /// A POSIX ustar archive of `members`, closed by two zero blocks. Names
    /// longer than 100 bytes are split into the prefix and name fields.
    static func tar(_ members: [Member]) -> [UInt8] {
        var archive = [UInt8]()
        for member in members {
            var header = [UInt8](repeating: 0, count: 512)
            var name = member.name, prefix = ""
            if name.utf8.count > 100, let slash = name.lastIndex(of: "/") {
                prefix = String(name[..<slash])
                name = String(name[name.index(after: slash)...])
            }
            func put(_ text: String, at offset: Int) {
                for (index, byte) in text.utf8.enumerated() { header[offset + index] = byte }
            }
            func octal(_ value: Int, width: Int) -> String {
                let digits = String(value, radix: 8)
                return String(repeating: "0", count: width - 1 - digits.count) + digits
            }
            put(name, at: 0)
            put(octal(0o644, width: 8), at: 100)
            put(octal(0, width: 8), at: 108)
            put(octal(0, width: 8), at: 116)
            put(octal(member.contents.count, width: 12), at: 124)
            put(octal(1_600_000_000, width: 12), at: 136)
            put(String(member.type), at: 156)
            put("ustar\u{0}00", at: 257)
            put(prefix, at: 345)
            put("        ", at: 148)
            let checksum = header.reduce(0) { $0 + Int($1) }
            put(octal(checksum, width: 7) + "\u{0} ", at: 148)
            archive += header + member.contents
            archive += [UInt8](repeating: 0, count: (512 - member.contents.count % 512) % 512)
        }
        return archive + [UInt8](repeating: 0, count: 1024)
    }

    /// CIFAR binary records with the given labels and pseudo-random pixels.
    ///
    /// CIFAR-100 records get coarse label `99 - fine` so a reader that picks the wrong byte fails.
    static func cifarRecords(_ kind: DatasetKind, labels: [Int], using generator: inout SeededGenerator) -> [UInt8] {
        var bytes = [UInt8]()
        for label in labels {
            if kind == .cifar100 { bytes.append(UInt8(99 - label)) }
            bytes.append(UInt8(label))
            bytes += (0..<3072).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        }
        return bytes
    }

    /// A fresh empty directory under the system temporary directory.
    static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "distill-data-tests-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func write(_ bytes: [UInt8], to path: String) {
        let directory = (path as NSString).deletingLastPathComponent
        try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try! Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// Writes the four IDX files of a tiny MNIST-style dataset into `directory`.
    /// - Returns: the image bytes and labels of the train and test splits.
    @discardableResult
    static func writeIDXDataset(
        into directory: String, trainCount: Int, testCount: Int, compressed: Bool, using generator: inout SeededGenerator
    ) -> (train: (pixels: [UInt8], labels: [UInt8]), test: (pixels: [UInt8], labels: [UInt8])) {
        var splits = [(pixels: [UInt8], labels: [UInt8])]()
        for (prefix, count) in [("train", trainCount), ("t10k", testCount)] {
            let pixels = (0..<(count * 784)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let labels = (0..<count).map { UInt8($0 % 10) }
            let images = IDXFile(dimensions: [count, 28, 28], bytes: pixels).encoded(as: .images)
            let labelFile = IDXFile(dimensions: [count], bytes: labels).encoded(as: .labels)
            let suffix = compressed ? ".gz" : ""
            write(compressed ? gzip(images) : images, to: "\(directory)/\(prefix)-images-idx3-ubyte\(suffix)")
            write(compressed ? gzip(labelFile) : labelFile, to: "\(directory)/\(prefix)-labels-idx1-ubyte\(suffix)")
            splits.append((pixels, labels))
        }
        return (splits[0], splits[1])
    }
}

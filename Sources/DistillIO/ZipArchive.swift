// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import CZlib
import Foundation

/// The zip container of NumPy's `.npz`: written with stored (uncompressed)
/// members, as `np.savez` does; read with stored or deflated members (zlib),
/// so `np.savez_compressed` files load too. No zip64: members and archives stay under 4 GiB.
enum ZipArchive {
    /// A zip of `members` in order, each stored with its CRC-32.
    /// - Throws: `NPZError.tooLarge` past the 4 GiB the format's 32-bit fields hold.
    static func stored(_ members: [(name: String, data: Data)], file: String) throws -> Data {
        var archive = Data()
        var directory = Data()
        for (name, data) in members {
            guard data.count < Int(UInt32.max), archive.count < Int(UInt32.max) else { throw NPZError.tooLarge(file: file) }
            let crc = checksum(data)
            let nameBytes = Data(name.utf8)
            let offset = UInt32(archive.count)
            // version 2.0, no flags, stored, no date: local header, then the bytes.
            archive.append(le32(0x0403_4B50) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21))
            archive.append(le32(crc) + le32(UInt32(data.count)) + le32(UInt32(data.count)))
            archive.append(le16(UInt16(nameBytes.count)) + le16(0) + nameBytes + data)
            directory.append(le32(0x0201_4B50) + le16(20) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21))
            directory.append(le32(crc) + le32(UInt32(data.count)) + le32(UInt32(data.count)))
            directory.append(le16(UInt16(nameBytes.count)) + le16(0) + le16(0) + le16(0) + le16(0) + le32(0) + le32(offset))
            directory.append(nameBytes)
        }
        guard archive.count + directory.count < Int(UInt32.max) else { throw NPZError.tooLarge(file: file) }
        let directoryOffset = UInt32(archive.count)
        archive.append(directory)
        archive.append(le32(0x0605_4B50) + le16(0) + le16(0) + le16(UInt16(members.count)) + le16(UInt16(members.count)))
        archive.append(le32(UInt32(directory.count)) + le32(directoryOffset) + le16(0))
        return archive
    }

    /// The members of a zip archive by name, decompressed, each checked against its recorded CRC-32
    /// (as `numpy.load` does), so a damaged member is refused rather than read as numbers.
    /// - Throws: `NPZError.notZip` / `.malformedArchive` saying what is wrong, also for a name used twice.
    static func members(of data: Data, file: String) throws -> [String: Data] {
        let bytes = [UInt8](data)
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        func fail(_ reason: String) -> NPZError { .malformedArchive(file: file, reason: reason) }
        // The end-of-central-directory record sits in the last 22 bytes plus any comment (≤ 65535).
        guard bytes.count >= 22, let end = stride(from: bytes.count - 22, through: max(0, bytes.count - 22 - 65_535), by: -1)
            .first(where: { u32($0) == 0x0605_4B50 })
        else { throw NPZError.notZip(file: file) }
        let count = u16(end + 10), directorySize = u32(end + 12), directoryOffset = u32(end + 16)
        guard directoryOffset + directorySize <= end else { throw fail("the central directory runs past its end record") }
        var members = [String: Data]()
        var position = directoryOffset
        for _ in 0..<count {
            guard position + 46 <= end, u32(position) == 0x0201_4B50 else { throw fail("a central directory entry is damaged") }
            let method = u16(position + 10), crc = UInt32(u32(position + 16)), compressed = u32(position + 20), size = u32(position + 24)
            let nameLength = u16(position + 28), extra = u16(position + 30), comment = u16(position + 32)
            let localOffset = u32(position + 42)
            guard position + 46 + nameLength <= end else { throw fail("a member name runs past the directory") }
            let name = String(decoding: bytes[(position + 46)..<(position + 46 + nameLength)], as: UTF8.self)
            position += 46 + nameLength + extra + comment
            // Which copy a reader would take is up to the reader (Python's zipfile takes the last); refuse the choice.
            guard members[name] == nil else { throw fail("member '\(name)' appears twice") }
            guard localOffset + 30 <= bytes.count, u32(localOffset) == 0x0403_4B50 else {
                throw fail("member '\(name)' has no local header where the directory says")
            }
            let dataStart = localOffset + 30 + u16(localOffset + 26) + u16(localOffset + 28)
            guard dataStart + compressed <= bytes.count else { throw fail("member '\(name)' runs past the end of the file") }
            let stored = Data(bytes[dataStart..<(dataStart + compressed)])
            let member: Data
            switch method {
            case 0: member = stored
            case 8: member = try inflate(stored, size: size, member: name, file: file)
            default: throw fail("member '\(name)' uses compression method \(method); only stored and deflate are read")
            }
            guard checksum(member) == crc else { throw fail("member '\(name)' fails its CRC-32 check") }
            members[name] = member
        }
        return members
    }

    /// Deflate expands at most 1032-fold (zlib's bound), so a recorded size beyond it is a lie.
    private static let largestDeflateRatio = 1032

    /// Raw-deflate decompression of one member to its recorded size.
    private static func inflate(_ input: Data, size: Int, member: String, file: String) throws -> Data {
        // The output is allocated at the recorded size: a damaged size must not ask for gigabytes.
        guard size <= input.count * largestDeflateRatio + 64 else {
            throw NPZError.malformedArchive(
                file: file,
                reason: "member '\(member)' records \(size) bytes, more than deflate can make of its \(input.count)")
        }
        var output = Data(count: size)
        var stream = z_stream()
        guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw NPZError.malformedArchive(file: file, reason: "zlib could not start inflating '\(member)'")
        }
        defer { inflateEnd(&stream) }
        let status = input.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { target in
                stream.next_in = UnsafeMutablePointer(mutating: source.bindMemory(to: Bytef.self).baseAddress)
                stream.avail_in = uInt(source.count)
                stream.next_out = target.bindMemory(to: Bytef.self).baseAddress
                stream.avail_out = uInt(target.count)
                return CZlib.inflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END, Int(stream.total_out) == size else {
            throw NPZError.malformedArchive(file: file, reason: "member '\(member)' does not inflate to its recorded \(size) bytes")
        }
        return output
    }

    /// The zip format's CRC-32 of `data`, from zlib.
    private static func checksum(_ data: Data) -> UInt32 {
        UInt32(data.withUnsafeBytes { crc32(0, $0.bindMemory(to: Bytef.self).baseAddress, uInt($0.count)) })
    }

    private static func le16(_ value: UInt16) -> Data { Data([UInt8(value & 0xFF), UInt8(value >> 8)]) }
    private static func le32(_ value: UInt32) -> Data { le16(UInt16(value & 0xFFFF)) + le16(UInt16(value >> 16)) }
}

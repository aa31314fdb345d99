// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import CLibArchive
import Foundation

/// The zip container of NumPy's `.npz`, read and written with libarchive: written with
/// stored (uncompressed) members, as `np.savez` does (see `ZipArchive+Writing.swift`);
/// read with any member compression libarchive knows, so `np.savez_compressed` files load
/// too. Reading goes by the central directory, as `numpy.load` (Python's zipfile) does.
enum ZipArchive {
    /// The members of a zip archive by name, decompressed, each checked against its recorded
    /// CRC-32 (as `numpy.load` does), so a damaged member is refused rather than read as numbers.
    /// - Throws: `NPZError.notZip` when libarchive finds no zip in `data`, `.malformedArchive`
    ///   saying what is wrong, also for a name used twice.
    static func members(of data: Data, file: String) throws -> [String: Data] {
        // An empty file holds no zip (nor a base address to hand libarchive).
        guard !data.isEmpty else { throw NPZError.notZip(file: file) }
        return try inUTF8Locale { try data.withUnsafeBytes { try members(of: $0, file: file) } }
    }

    private static func members(of buffer: UnsafeRawBufferPointer, file: String) throws -> [String: Data] {
        guard let archive = archive_read_new() else { throw damaged(file, "libarchive could not start a reader") }
        defer { archive_read_free(archive) }
        // The seekable reader starts from the central directory, the streaming one from the first local header.
        archive_read_support_format_zip_seekable(archive)
        guard archive_read_open_memory(archive, buffer.baseAddress, buffer.count) == ARCHIVE_OK else {
            throw NPZError.notZip(file: file)
        }
        var members = [String: Data]()
        var entry: OpaquePointer?
        while true {
            let status = archive_read_next_header(archive, &entry)
            if status == ARCHIVE_EOF { return members }
            guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let entry else { throw damaged(file, message(archive)) }
            let name = (archive_entry_pathname_utf8(entry) ?? archive_entry_pathname(entry)).map { String(cString: $0) } ?? ""
            // Which copy a reader would take is up to the reader (Python's zipfile takes the last); refuse the choice.
            guard members[name] == nil else { throw damaged(file, "member '\(name)' appears twice") }
            members[name] = try contents(of: archive, member: name, file: file)
        }
    }

    /// `body` with this thread's character type set to UTF-8. libarchive converts each member
    /// name to the locale's charset, and in the C locale a Swift program runs in, a name flagged
    /// UTF-8 (Python's zipfile flags every non-ASCII one) fails to convert and arrives as none.
    private static func inUTF8Locale<T>(_ body: () throws -> T) rethrows -> T {
        guard let utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", nil) ?? newlocale(LC_CTYPE_MASK, "UTF-8", nil) else {
            return try body()
        }
        let previous = uselocale(utf8)
        defer {
            uselocale(previous)
            freelocale(utf8)
        }
        return try body()
    }

    /// The current member's bytes, read in chunks: memory grows with the bytes that inflate
    /// or copying actually produce, never with a size a damaged header records. libarchive
    /// checks the byte counts and the CRC-32 when the member ends.
    private static func contents(of archive: OpaquePointer, member: String, file: String) throws -> Data {
        var contents = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 18)
        while true {
            let count = chunk.withUnsafeMutableBytes { archive_read_data(archive, $0.baseAddress, $0.count) }
            if count == 0 { return contents }
            guard count > 0 else {
                let reason = message(archive)
                if reason.contains("bad CRC") { throw damaged(file, "member '\(member)' fails its CRC-32 check") }
                throw damaged(file, "member '\(member)' cannot be read: \(reason)")
            }
            contents.append(chunk, count: count)
        }
    }

    private static func damaged(_ file: String, _ reason: String) -> NPZError { .malformedArchive(file: file, reason: reason) }

    /// libarchive's last error, on one line (some of its messages end in a newline).
    static func message(_ archive: OpaquePointer) -> String {
        guard let text = archive_error_string(archive) else { return "unknown libarchive error" }
        return String(cString: text).split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import CLibArchive
import Foundation

/// One regular file read from a tar archive.
public struct TarEntry: Sendable, Equatable {
    /// Path inside the archive (the ustar prefix joined to the name).
    public var name: String
    public var contents: [UInt8]

    public init(name: String, contents: [UInt8]) {
        self.name = name
        self.contents = contents
    }
}

/// Reads tar archives, plain or compressed (gzip and the other filters libarchive
/// knows), with libarchive, streaming: the archive is read in blocks and only the
/// regular files that `wanted` accepts are kept in memory. Directories, links and
/// other entry types are skipped.
public enum TarArchive {
    /// The wanted regular files of the archive at `path`, in archive order.
    /// - Parameter blockSize: bytes read from the file at a time.
    /// - Throws: `DatasetError.unreadable` when the file cannot be opened, `.corrupt` naming the fault.
    public static func entries(atPath path: String, blockSize: Int = 1 << 20, wanted: (String) -> Bool = { _ in true })
        throws -> [TarEntry]
    {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw DatasetError.unreadable(path: path, reason: "cannot open the file")
        }
        return try read(source: path, wanted: wanted) { archive_read_open_filename($0, path, blockSize) }
    }

    /// The wanted regular files of an archive held in memory.
    public static func entries(in bytes: [UInt8], source: String, wanted: (String) -> Bool = { _ in true }) throws -> [TarEntry] {
        try bytes.withUnsafeBytes { buffer in
            try read(source: source, wanted: wanted) { archive_read_open_memory($0, buffer.baseAddress, buffer.count) }
        }
    }

    private static func read(
        source: String, wanted: (String) -> Bool, open: (OpaquePointer) -> Int32
    ) throws -> [TarEntry] {
        guard let archive = archive_read_new() else { throw corrupt(source, "libarchive could not start a reader") }
        defer { archive_read_free(archive) }
        archive_read_support_filter_all(archive)
        archive_read_support_format_tar(archive)
        var entries = [TarEntry]()
        // Where the next header starts, for messages: each header is 512 bytes, data padded to 512.
        var nextHeader = 0
        guard open(archive) == ARCHIVE_OK else { throw headerError(archive, source: source, at: 0) }
        var entry: OpaquePointer?
        while true {
            let status = archive_read_next_header(archive, &entry)
            if status == ARCHIVE_EOF { break }
            guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let entry else {
                throw headerError(archive, source: source, at: nextHeader)
            }
            let name = archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
            // The size comes from the header (octal, base-256 or a pax record): untrusted, any Int64.
            let size = Int(archive_entry_size(entry))
            guard size >= 0 else { throw corrupt(source, "member \(name) declares a negative size (\(size) bytes)") }
            let padded = size / 512 * 512 + (size % 512 == 0 ? 0 : 512)
            nextHeader = Int(archive_read_header_position(archive)).addingReportingOverflow(512).partialValue
                .addingReportingOverflow(padded).partialValue
            guard archive_entry_filetype(entry) == 0o100000, wanted(name) else { continue }
            entries.append(TarEntry(name: name, contents: try readData(of: archive, size: size, name: name, source: source)))
        }
        return entries
    }

    /// The `size` bytes of the current member, read in chunks: memory grows with
    /// the bytes that arrive, never with what a damaged header declares.
    private static func readData(of archive: OpaquePointer, size: Int, name: String, source: String) throws -> [UInt8] {
        var contents = [UInt8]()
        contents.reserveCapacity(min(size, 1 << 24))
        var chunk = [UInt8](repeating: 0, count: min(size, 1 << 20))
        while contents.count < size {
            let count = chunk.withUnsafeMutableBytes { buffer in
                archive_read_data(archive, buffer.baseAddress!, min(buffer.count, size - contents.count))
            }
            guard count > 0 else {
                let reason = count < 0 ? message(archive) : "it ends early"
                throw corrupt(source, "archive is truncated: member \(name) lacks its last \(size - contents.count) bytes (\(reason))")
            }
            contents.append(contentsOf: chunk[..<count])
        }
        return contents
    }

    /// libarchive's header errors in the words the rest of distill uses.
    private static func headerError(_ archive: OpaquePointer, source: String, at position: Int) -> DatasetError {
        let reason = message(archive)
        if reason.contains("Truncated") {
            return corrupt(source, "archive is truncated: it ends inside a header at byte \(position)")
        }
        if reason.contains("Damaged") || reason.contains("checksum") {
            return corrupt(source, "tar header at byte \(position) fails its checksum (not a tar archive, or damaged)")
        }
        return corrupt(source, "not a tar archive, or damaged (\(reason))")
    }

    private static func message(_ archive: OpaquePointer) -> String {
        archive_error_string(archive).map { String(cString: $0) } ?? "unknown libarchive error"
    }

    private static func corrupt(_ source: String, _ reason: String) -> DatasetError {
        .corrupt(path: source, reason: reason, dataset: nil)
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import CLibArchive
import Foundation

extension ZipArchive {
    /// A zip of `members` in order, each stored with its CRC-32, as `np.savez` writes them.
    /// No zip64: members and archives stay under the 4 GiB the format's 32-bit fields hold.
    /// - Throws: `NPZError.tooLarge` past those 4 GiB, `.unwritable` when libarchive fails otherwise.
    static func stored(_ members: [(name: String, data: Data)], file: String) throws -> Data {
        var output = Data()
        try withUnsafeMutablePointer(to: &output) { output in
            guard let archive = archive_write_new(), let entry = archive_entry_new() else {
                throw NPZError.unwritable(file: file, reason: "it could not start")
            }
            defer {
                archive_entry_free(entry)
                archive_write_free(archive)
            }
            // Past 4 GiB libarchive asks for zip64 extensions; anything else (out of memory, a
            // libarchive built without zip writing) is named as the writer's failure.
            func fail() throws -> Never {
                let reason = message(archive)
                if reason.contains("Zip64") { throw NPZError.tooLarge(file: file) }
                throw NPZError.unwritable(file: file, reason: reason)
            }
            func check(_ status: Int32) throws { if status != ARCHIVE_OK { try fail() } }
            try check(archive_write_set_format_zip(archive))
            try check(archive_write_zip_set_compression_store(archive))
            // UTF-8 names flagged as such whatever the locale, as Python's zipfile writes them.
            try check(archive_write_set_options(archive, "zip:!zip64,zip:hdrcharset=UTF-8"))
            // Unblocked: no padding after the end record.
            try check(archive_write_set_bytes_per_block(archive, 0))
            // Each write appends to `output`, which libarchive hands back as the client data.
            try check(
                archive_write_open2(archive, output, nil, { _, output, bytes, count in
                    output!.assumingMemoryBound(to: Data.self).pointee.append(bytes!.assumingMemoryBound(to: UInt8.self), count: count)
                    return count
                }, nil, nil))
            for (name, data) in members {
                archive_entry_clear(entry)
                archive_entry_set_pathname_utf8(entry, name)
                archive_entry_set_filetype(entry, 0o100000)  // AE_IFREG, a cast macro Swift does not import
                archive_entry_set_perm(entry, 0o644)
                archive_entry_set_size(entry, Int64(data.count))
                try check(archive_write_header(archive, entry))
                try data.withUnsafeBytes { bytes in
                    var written = 0
                    while written < bytes.count {
                        let count = archive_write_data(archive, bytes.baseAddress! + written, bytes.count - written)
                        if count <= 0 { try fail() }
                        written += count
                    }
                }
                try check(archive_write_finish_entry(archive))
            }
            try check(archive_write_close(archive))
        }
        return output
    }
}

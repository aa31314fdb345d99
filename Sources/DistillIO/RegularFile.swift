// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading an input file, which must be a regular file: reading a FIFO waits
/// for a writer, a device may never end, and Foundation reports either as
/// "permission denied".
public enum RegularFile {
    /// The bytes of the file at `path` (a symbolic link to a regular file is followed).
    /// - Parameters:
    ///   - mapped: map the file rather than copy it, where that is safe.
    ///   - limit: the most bytes such a file may hold; a larger one is refused unread.
    /// - Throws: `FileSystemError` naming `path`: no such file, not a regular file, over `limit`, or the read's failure.
    public static func contents(atPath path: String, mapped: Bool = false, limit: Int = .max) throws -> Data {
        let size = try size(atPath: path)
        if size > limit {
            throw FileSystemError(
                action: "read", path: path, reason: "it holds \(size) bytes, more than the \(limit) such a file may hold")
        }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path), options: mapped ? .mappedIfSafe : [])
        } catch {
            throw readError(error, path: path)
        }
    }

    /// The size in bytes of the regular file at `path`.
    /// - Throws: `FileSystemError` naming `path`: no such file or not a regular file.
    public static func size(atPath path: String) throws -> Int {
        var status = stat()
        guard stat(path, &status) == 0 else { throw FileSystemError(action: "read", path: path, errno: errno) }
        if let kind = AtomicWrite.nonRegularKind(status.st_mode) {
            throw FileSystemError(action: "read", path: path, reason: "it is \(kind), not a regular file")
        }
        return Int(status.st_size)
    }

    /// The first `count` bytes of the regular file at `path`, or all of a shorter one.
    /// - Throws: `FileSystemError` naming `path`: no such file, not a regular file, or the read's failure.
    public static func prefix(atPath path: String, count: Int) throws -> Data {
        _ = try size(atPath: path)
        do {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            return try handle.read(upToCount: count) ?? Data()
        } catch {
            throw readError(error, path: path)
        }
    }

    private static func readError(_ error: Error, path: String) -> FileSystemError {
        FileSystemError(foundation: error).map { FileSystemError(action: "read", path: path, reason: $0.reason) }
            ?? FileSystemError(action: "read", path: path, reason: error.localizedDescription)
    }
}

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
    /// - Parameter mapped: map the file rather than copy it, where that is safe.
    /// - Throws: `FileSystemError` naming `path`: no such file, not a regular file, or the read's failure.
    public static func contents(atPath path: String, mapped: Bool = false) throws -> Data {
        var status = stat()
        guard stat(path, &status) == 0 else { throw FileSystemError(action: "read", path: path, errno: errno) }
        if let kind = AtomicWrite.nonRegularKind(status.st_mode) {
            throw FileSystemError(action: "read", path: path, reason: "it is \(kind), not a regular file")
        }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path), options: mapped ? .mappedIfSafe : [])
        } catch {
            throw FileSystemError(foundation: error).map { FileSystemError(action: "read", path: path, reason: $0.reason) }
                ?? FileSystemError(action: "read", path: path, reason: error.localizedDescription)
        }
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension AtomicWrite {
    /// Checks, before any work, that `directory` can become a new directory of files:
    /// it must not exist or be an empty directory, so that files already there are not
    /// mixed into the new ones (a folder of PNGs is read as one data set, whatever wrote each file).
    /// - Throws: `FileSystemError` naming the directory and what is in the way.
    public static func checkNewDirectory(_ directory: String) throws {
        // The new directory is made beside `directory` and renamed into place, so it needs a name of its own:
        // "new/." would put the temporary inside the very folder it is to become, and "." would replace the working directory.
        let name = nameOf(directory)
        guard name != "." && name != ".." else {
            throw FileSystemError(
                action: "write into", path: directory,
                reason: "its last part is '\(name)', but the folder is written beside its place and renamed into it; give the folder by its own name")
        }
        try checkNameLength(directory, action: "write into")
        var status = stat()
        guard lstat(directory, &status) == 0 else {
            if errno == ENOENT { return }
            throw FileSystemError(action: "write into", path: directory, errno: errno)
        }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            let kind = nonRegularKind(status.st_mode) ?? "a regular file"
            throw FileSystemError(action: "write into", path: directory, reason: "it is \(kind), not a directory")
        }
        let entries = try FileManager.default.contentsOfDirectory(atPath: directory)
        guard entries.isEmpty else {
            throw FileSystemError(
                action: "write into", path: directory,
                reason: "it already holds \(entries.count == 1 ? "1 entry" : "\(entries.count) entries"); give an empty or new folder")
        }
    }

    /// Creates `directory` all at once: `fill` writes into a temporary sibling directory
    /// (`.NAME.distill-tmp-PID-UUID`, named as `AtomicFile` names its files), which is renamed
    /// to `directory` when `fill` returns, so a failure part-way leaves no partial directory
    /// behind; the temporary directories of killed writers there are removed first (`removeStaleTemporaries(in:)`).
    /// `directory` must pass `checkNewDirectory`.
    /// - Returns: what `fill` returns.
    /// - Throws: `FileSystemError`, or what `fill` throws; the temporary directory is then removed.
    public static func writeDirectory<T>(_ directory: String, _ fill: (String) throws -> T) throws -> T {
        try checkNewDirectory(directory)
        let parent = directoryOf(directory)
        try makeDirectories(parent)
        removeStaleTemporaries(in: parent)
        let name = temporaryName(for: nameOf(directory), in: parent)
        let temporary = parent == "/" ? "/\(name)" : "\(parent)/\(name)"
        guard mkdir(temporary, 0o777) == 0 else { throw FileSystemError(action: "write into", path: directory, errno: errno) }
        do {
            let result = try fill(temporary)
            try checkNewDirectory(directory)
            // rename(2) replaces an empty directory, and fails rather than replace anything else.
            guard rename(temporary, parent == "/" ? "/\(nameOf(directory))" : "\(parent)/\(nameOf(directory))") == 0 else {
                throw FileSystemError(action: "write into", path: directory, errno: errno)
            }
            let handle = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if handle >= 0 {
                _ = fsync(handle)
                close(handle)
            }
            return result
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Exclusive use of a run directory for as long as the value lives.
///
/// An advisory `flock` on `.distill.lock` in the directory; the kernel drops it
/// when the process ends however it ends (kill -9 included), so there is never
/// a stale lock to clean up. The file holds the owner's process id, for the
/// message a second process gets. A lock file the lock created is removed when
/// it is released, so that a directory of the user's (where `evaluate` writes
/// beside a set) is left as it was; one that was there is kept.
public final class RunDirectoryLock {
    public static let fileName = ".distill.lock"

    public let directory: String
    private var descriptor: Int32
    /// The directories the lock created for `directory`, outermost first (empty when it existed).
    private let created: [String]
    /// Whether this lock created its file.
    private let createdFile: Bool
    private var path: String { (directory as NSString).appendingPathComponent(Self.fileName) }

    /// Locks `directory`, creating it if needed.
    /// - Throws: `RunDirectoryInUseError` when another process (or another lock
    ///   in this one) holds it, `FileSystemError` when the lock file cannot be made.
    public init(directory: String) throws {
        self.directory = directory
        created = try AtomicWrite.makeDirectories(directory)
        let path = (directory as NSString).appendingPathComponent(Self.fileName)
        let locked = try Self.lockFile(path, directory: directory)
        descriptor = locked.descriptor
        createdFile = locked.created
        let text = "\(getpid())\n"
        if ftruncate(descriptor, 0) == 0 {
            _ = text.withCString { pwrite(descriptor, $0, strlen($0), 0) }
        }
    }

    /// Opens (creating it if needed) and locks the file at `path`: its descriptor, and whether it was created.
    ///
    /// A holder removes a file it created when it lets go; a process that opened that file just before
    /// then locks a file no longer at `path`, so it tries again with the file that is there now.
    private static func lockFile(_ path: String, directory: String) throws -> (descriptor: Int32, created: Bool) {
        while true {
            var created = true
            var descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o666)
            if descriptor < 0 && errno == EEXIST {
                created = false
                descriptor = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC)
                // Removed between the two calls by a holder letting go.
                if descriptor < 0 && errno == ENOENT { continue }
            }
            guard descriptor >= 0 else {
                let code = errno
                // O_NOFOLLOW refuses a symbolic link with ELOOP and a directory fails with EISDIR: say what it is instead.
                var status = stat()
                if lstat(path, &status) == 0, let kind = AtomicWrite.nonRegularKind(status.st_mode) {
                    throw FileSystemError(action: "lock", path: path, reason: "it is \(kind), not a regular file; remove it")
                }
                throw FileSystemError(action: "lock", path: path, errno: code)
            }
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
                let code = errno
                let owner = Self.owner(descriptor)
                close(descriptor)
                if code == EWOULDBLOCK { throw RunDirectoryInUseError(directory: directory, process: owner) }
                throw FileSystemError(action: "lock", path: path, errno: code)
            }
            if names(descriptor, path) { return (descriptor, created) }
            close(descriptor)
        }
    }

    /// Whether `path` is the file open as `descriptor` (not removed, nor replaced by another).
    private static func names(_ descriptor: Int32, _ path: String) -> Bool {
        var open = stat()
        var named = stat()
        return fstat(descriptor, &open) == 0 && lstat(path, &named) == 0 && open.st_dev == named.st_dev && open.st_ino == named.st_ino
    }

    deinit { release() }

    /// Gives the directory up (also done when the value is dropped).
    ///
    /// The lock file is removed if the lock created it, and so is a directory the
    /// lock created and nothing else wrote to (but empty folders, such as an
    /// experiment's `evaluations/`), as when a run is refused after locking it, so
    /// a refused run leaves no trace. Both are removed while still locked, so no
    /// other run can be using them.
    public func release() {
        guard descriptor >= 0 else { return }
        // Only while the file is still this lock's: one removed meanwhile may have been made anew by another run.
        if createdFile && Self.names(descriptor, path) {
            unlink(path)
            if !created.isEmpty, let contents = try? FileManager.default.contentsOfDirectory(atPath: directory) {
                // rmdir removes only empty folders; once one is not, the directory is kept.
                if contents.allSatisfy({ rmdir((directory as NSString).appendingPathComponent($0)) == 0 }) {
                    for made in created.reversed() where rmdir(made) != 0 { break }
                }
            }
        }
        close(descriptor)
        descriptor = -1
    }

    /// Throws `RunDirectoryInUseError` when another process holds `directory`'s lock:
    /// a command that writes a file into a directory checks this first, so that it
    /// cannot replace the files of a condensation or experiment running there.
    /// - Parameter option: the option that named the place, for the message.
    public static func checkNotInUse(_ directory: String, option: String) throws {
        let descriptor = open((directory as NSString).appendingPathComponent(fileName), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        // No lock file (or one that is not a file): no run holds the directory.
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_SH | LOCK_NB) == 0 else {
            if errno == EWOULDBLOCK { throw RunDirectoryInUseError(directory: directory, process: owner(descriptor), option: option) }
            return
        }
        flock(descriptor, LOCK_UN)
    }

    /// The process id the lock file records, if that process is still running: a
    /// holder that did not write its id (another program's `flock`, or one caught
    /// between locking and writing) leaves an earlier, ended owner's id there.
    private static func owner(_ descriptor: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = pread(descriptor, &buffer, buffer.count, 0)
        guard count > 0,
            let process = Int32(String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)),
            process > 0, kill(process, 0) == 0 || errno == EPERM
        else { return nil }
        return process
    }
}

/// Another process is running in the directory.
public struct RunDirectoryInUseError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    public let directory: String
    public let process: Int32?
    /// The option that named the place (`--out`, `--save`).
    public let option: String

    public init(directory: String, process: Int32?, option: String = "--out") {
        self.directory = directory
        self.process = process
        self.option = option
    }

    public var description: String {
        "\(directory) is in use by " + (process.map { "process \($0)" } ?? "another process")
            + "; wait for it to finish, stop it, or use another \(option)"
    }
    public var errorDescription: String? { description }
}

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
/// message a second process gets.
public final class RunDirectoryLock {
    public static let fileName = ".distill.lock"

    public let directory: String
    private var descriptor: Int32
    /// The directories the lock created for `directory`, outermost first (empty when it existed).
    private let created: [String]

    /// Locks `directory`, creating it if needed.
    /// - Throws: `RunDirectoryInUseError` when another process (or another lock
    ///   in this one) holds it, `FileSystemError` when the lock file cannot be made.
    public init(directory: String) throws {
        self.directory = directory
        created = try AtomicWrite.makeDirectories(directory)
        let path = (directory as NSString).appendingPathComponent(Self.fileName)
        descriptor = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o666)
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
            descriptor = -1
            if code == EWOULDBLOCK { throw RunDirectoryInUseError(directory: directory, process: owner) }
            throw FileSystemError(action: "lock", path: path, errno: code)
        }
        let text = "\(getpid())\n"
        if ftruncate(descriptor, 0) == 0 {
            _ = text.withCString { pwrite(descriptor, $0, strlen($0), 0) }
        }
    }

    deinit { release() }

    /// Gives the directory up (also done when the value is dropped).
    ///
    /// A directory the lock created and nothing else wrote to (but empty folders,
    /// such as an experiment's `evaluations/`), as when a run is refused after
    /// locking it, is removed again, so a refused run leaves no trace; it is
    /// removed while still locked, so no other run can be using it.
    public func release() {
        guard descriptor >= 0 else { return }
        if !created.isEmpty, let contents = try? FileManager.default.contentsOfDirectory(atPath: directory),
            contents.contains(Self.fileName)
        {
            let folders = contents.filter { $0 != Self.fileName }.map { (directory as NSString).appendingPathComponent($0) }
            // rmdir removes only empty folders; once one is not, the directory is kept.
            if folders.allSatisfy({ rmdir($0) == 0 }) {
                unlink((directory as NSString).appendingPathComponent(Self.fileName))
                for made in created.reversed() where rmdir(made) != 0 { break }
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

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
#endif

/// The one way distill writes files, so that a reader never sees half of one
/// and nothing but a regular file is ever replaced.
///
/// The bytes go to a temporary file in the destination's directory, named
/// `.NAME.distill-tmp-PID-UUID` (NAME cut short where the whole would exceed the
/// file system's limit on a name); it is flushed to disk (`fsync`), renamed over
/// the destination, and the directory is flushed so the rename survives a
/// crash. A destination that exists and is not a regular file (a directory,
/// symbolic link, FIFO, device or socket) is refused before anything is
/// touched. Every error removes the temporary file and is one line naming the
/// destination and the reason; a temporary file (or directory, see
/// `writeDirectory`) left by a killed process is recognised by its name and
/// removed by the next run in that directory (`removeStaleTemporaries(in:)`).
public enum AtomicWrite {
    /// What sits between the file's name and the writer's process id in a temporary file's name.
    public static let temporaryMarker = ".distill-tmp-"

    /// Writes `bytes` to `path` atomically, creating parent directories.
    /// - Throws: `NotARegularFileError` for a destination that is not a regular
    ///   file, `FileSystemError` for anything else; the destination is then as it was.
    public static func write(_ bytes: Data, to path: String) throws {
        let file = try AtomicFile(replacing: path)
        try file.append(bytes)
        try file.commit()
    }

    /// Writes `text` as UTF-8 to `path` atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    /// Appends `bytes` to `path` in a single `write(2)` (creating the file), for
    /// logs that grow one whole line at a time. The same destinations are refused.
    public static func append(_ bytes: Data, to path: String) throws {
        try makeDirectories(directoryOf(path))
        try checkDestination(path)
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { throw FileSystemError(action: "write", path: path, errno: errno) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw FileSystemError(action: "write", path: path, errno: errno) }
        if let kind = nonRegularKind(status.st_mode) { throw NotARegularFileError(path: path, kind: kind) }
        try writeAll(bytes, to: descriptor, path: path)
    }

    /// Checks, before any work, that files can be written into `directory`:
    /// creates it, then writes, flushes and removes a small probe file there.
    /// The directories it made are removed again, so a command refused after
    /// the probe leaves none; the write that follows makes them anew.
    /// - Throws: `FileSystemError` saying why not (not a directory, permission
    ///   denied, read-only file system, no space left).
    public static func probeDirectory(_ directory: String) throws {
        let made = try makeDirectories(directory)
        defer { for path in made.reversed() where rmdir(path) != 0 { break } }
        do {
            let file = try AtomicFile(replacing: directory.hasSuffix("/") ? "\(directory).probe" : "\(directory)/.probe")
            defer { file.discard() }
            // One block, so that a full disk shows at the write or at the flush.
            try file.append(Data(count: 4096))
            guard fsync(file.descriptor) == 0 else { throw FileSystemError(action: "write", path: directory, errno: errno) }
        } catch let error as FileSystemError where error.action == "write" {
            throw FileSystemError(action: "write in", path: directory, reason: error.reason)
        }
    }

    /// Checks that `path` can be written: absent or a regular file, in a directory that takes
    /// files and that no run holds (`RunDirectoryLock`), whose files it could otherwise replace.
    /// - Parameter option: the option that named `path`, for the messages.
    public static func probeFile(_ path: String, option: String) throws {
        guard !path.hasSuffix("/") else {
            throw FileSystemError(action: "write", path: path, reason: "\(option) ends in '/', so it names a folder, not a file; give a file name")
        }
        try checkNameLength(path, action: "write")
        try RunDirectoryLock.checkNotInUse(directoryOf(path), option: option)
        try probeDirectory(directoryOf(path))
        try checkDestination(path)
    }

    /// Throws `FileSystemError` (the name is too long) when the last part of `path` is longer than its
    /// file system takes. Said before any work: a directory on the way that does not exist yet hides
    /// it from `stat`, which then finds no such file instead.
    static func checkNameLength(_ path: String, action: String) throws {
        guard nameOf(path).utf8.count <= nameLimit(in: directoryOf(path)) else {
            throw FileSystemError(action: action, path: path, errno: ENAMETOOLONG)
        }
    }

    /// The longest name, in bytes, that the file system of `directory` takes
    /// (NAME_MAX where it does not say, or `directory` is yet to be made).
    static func nameLimit(in directory: String) -> Int {
        let limit = pathconf(directory, Int32(_PC_NAME_MAX))
        return limit > 0 ? limit : Int(NAME_MAX)
    }

    /// Removes the temporaries of writers that are gone from `directory`: the files
    /// of `AtomicFile` and the directories of `writeDirectory` whose process is no
    /// longer running or is this process (which calls this before it writes there),
    /// and the files of earlier versions of distill (`.NAME.UUID.tmp`, `.NAME.UUID.part`).
    /// Only names that match those patterns exactly are touched, and nothing but
    /// regular files and directories (a link by such a name is left, and so is what it points to).
    /// - Returns: the names removed.
    @discardableResult
    public static func removeStaleTemporaries(in directory: String) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        return names.filter { name in
            guard name.hasPrefix(".") else { return false }
            let path = (directory as NSString).appendingPathComponent(name)
            var status = stat()
            guard lstat(path, &status) == 0 else { return false }
            switch status.st_mode & S_IFMT {
            case S_IFREG:
                return (isOrphanedTemporary(name) || isLegacyTemporary(name)) && unlink(path) == 0
            case S_IFDIR:
                return isOrphanedTemporary(name) && (try? FileManager.default.removeItem(atPath: path)) != nil
            default:
                return false
            }
        }
    }

    /// The name of a temporary for `name` in `directory`: `.NAME.distill-tmp-PID-UUID`, NAME cut
    /// (between characters' UTF-8 sequences) so that the whole stays within the file system's
    /// limit on a name, which `name` itself may reach. The marker, process id and UUID stay
    /// whole, for `removeStaleTemporaries(in:)`; the UUID keeps two names cut alike apart.
    static func temporaryName(for name: String, in directory: String) -> String {
        let suffix = "\(temporaryMarker)\(getpid())-\(UUID().uuidString)"
        var room = nameLimit(in: directory) - 1 - suffix.utf8.count
        var kept = String.UnicodeScalarView()
        for scalar in name.unicodeScalars {
            room -= UTF8.width(scalar)
            guard room >= 0 else { break }
            kept.append(scalar)
        }
        return ".\(String(kept))\(suffix)"
    }

    /// Throws when `path` exists and is not a regular file (or cannot be looked at).
    public static func checkDestination(_ path: String) throws {
        var status = stat()
        guard lstat(path, &status) == 0 else {
            if errno == ENOENT { return }
            throw FileSystemError(action: "write", path: path, errno: errno)
        }
        if let kind = nonRegularKind(status.st_mode) { throw NotARegularFileError(path: path, kind: kind) }
    }

    /// Creates `directory` and its parents like `mkdir -p`.
    /// - Throws: `FileSystemError` naming the directory that could not be made.
    ///   A failure leaves none of the directories this call made (a path too long
    ///   for the system would otherwise leave thousands of them behind).
    /// - Returns: the directories it created, outermost first.
    @discardableResult
    public static func makeDirectories(_ directory: String) throws -> [String] {
        var made: [String] = []
        do {
            try makeDirectories(directory, made: &made)
        } catch {
            for path in made.reversed() { rmdir(path) }
            throw error
        }
        return made
    }

    private static func makeDirectories(_ directory: String, made: inout [String]) throws {
        let directory = directory.isEmpty ? "." : directory
        var status = stat()
        if stat(directory, &status) == 0 {
            guard status.st_mode & S_IFMT == S_IFDIR else {
                throw FileSystemError(action: "create the directory", path: directory, reason: "a file of that name is in the way")
            }
            return
        }
        let parent = directoryOf(directory)
        if parent != directory && parent != "." { try makeDirectories(parent, made: &made) }
        if mkdir(directory, 0o777) == 0 {
            made.append(directory)
        } else if errno != EEXIST {
            // The parent was found or made above.
            throw FileSystemError(action: "create the directory", path: directory, errnoCreatingInExistingDirectory: errno)
        }
    }

    /// The directory part of `path` ("." for a bare name), without Foundation's path handling
    /// (whose `deletingLastPathComponent` traps on a one-character path such as "." or "a").
    public static func directoryOf(_ path: String) -> String {
        var path = Substring(path)
        while path.count > 1 && path.hasSuffix("/") { path = path.dropLast() }
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The last component of `path`.
    static func nameOf(_ path: String) -> String {
        var path = Substring(path)
        while path.count > 1 && path.hasSuffix("/") { path = path.dropLast() }
        return String(path.split(separator: "/").last ?? path)
    }

    static func writeAll(_ bytes: Data, to descriptor: Int32, path: String) throws {
        try bytes.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < buffer.count {
                let written = systemWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw FileSystemError(action: "write", path: path, errno: errno)
                }
                offset += written
            }
        }
    }

    /// What a non-regular file is, in words; nil for a regular file.
    static func nonRegularKind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a directory"
        case S_IFLNK: return "a symbolic link"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "not a regular file"
        }
    }

    /// Whether `name` is `.NAME.distill-tmp-PID-UUID` (see `temporaryName`) of a writer that is gone
    /// or is this process. The last marker is the one read: NAME may hold the marker itself.
    private static func isOrphanedTemporary(_ name: String) -> Bool {
        guard let marker = name.range(of: temporaryMarker, options: .backwards) else { return false }
        let parts = name[marker.upperBound...].split(separator: "-", maxSplits: 1)
        guard parts.count == 2, parts[0].allSatisfy({ $0.isASCII && $0.isNumber }), let process = Int32(parts[0]), process > 0,
            UUID(uuidString: String(parts[1])) != nil
        else { return false }
        return process == getpid() || (kill(process, 0) != 0 && errno == ESRCH)
    }

    /// `.NAME.<UUID>.tmp` or `.NAME.<UUID>.part`, as earlier versions named their temporary files.
    private static func isLegacyTemporary(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 4, let suffix = parts.last, suffix == "tmp" || suffix == "part" else { return false }
        return UUID(uuidString: String(parts[parts.count - 2])) != nil
    }
}

/// A file being written under a temporary name beside its destination; see `AtomicWrite`.
///
/// `commit()` puts it in place; `discard()`, any error, or dropping it
/// uncommitted removes the temporary file.
public final class AtomicFile {
    /// Where the file goes.
    public let path: String
    /// Where its bytes are until `commit()`.
    public let temporaryPath: String
    fileprivate var descriptor: Int32
    private var finished = false

    /// Creates the temporary file for `path`, creating parent directories.
    /// - Throws: `NotARegularFileError` or `FileSystemError`.
    public init(replacing path: String) throws {
        let directory = AtomicWrite.directoryOf(path)
        // Directories first: where one is missing the destination cannot exist, so nothing is refused after it.
        try AtomicWrite.makeDirectories(directory)
        try AtomicWrite.checkDestination(path)
        let name = AtomicWrite.temporaryName(for: AtomicWrite.nameOf(path), in: directory)
        self.path = path
        temporaryPath = directory == "/" ? "/\(name)" : "\(directory)/\(name)"
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else {
            finished = true
            throw FileSystemError(action: "write", path: path, errnoCreatingInExistingDirectory: errno)
        }
    }

    deinit { discard() }

    /// Appends `bytes`; on error the temporary file is removed.
    public func append(_ bytes: Data) throws {
        precondition(!finished, "AtomicFile: \(path) was already committed or discarded")
        do {
            try AtomicWrite.writeAll(bytes, to: descriptor, path: path)
        } catch {
            discard()
            throw error
        }
    }

    /// Flushes the bytes to disk and renames the file over `path`.
    /// - Throws: `FileSystemError` or `NotARegularFileError` (if `path` became
    ///   something else meanwhile); the temporary file is then removed.
    public func commit() throws {
        precondition(!finished, "AtomicFile: \(path) was already committed or discarded")
        do {
            guard fsync(descriptor) == 0 else { throw FileSystemError(action: "write", path: path, errno: errno) }
            let closed = close(descriptor)
            descriptor = -1
            guard closed == 0 else { throw FileSystemError(action: "write", path: path, errno: errno) }
            try AtomicWrite.checkDestination(path)
            guard rename(temporaryPath, path) == 0 else { throw FileSystemError(action: "write", path: path, errno: errno) }
        } catch {
            discard()
            throw error
        }
        finished = true
        // Flush the directory entry too, so the new name survives a power cut.
        let directory = open(AtomicWrite.directoryOf(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            _ = fsync(directory)
            close(directory)
        }
    }

    /// Closes and removes the temporary file unless it was committed.
    public func discard() {
        guard !finished else { return }
        finished = true
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
        unlink(temporaryPath)
    }
}

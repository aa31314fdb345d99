// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Downloads datasets from their official sources with MD5 verification.
///
/// Each file streams into a temporary file in the target directory (an
/// `AtomicFile`) while its MD5 is computed on the fly; only a complete file
/// with the published MD5 is renamed to its final name, and any failure
/// deletes the temporary file, so the directory never holds half a download.
/// The temporary files of a killed download are removed by the next one. A file already present with the
/// right MD5 is kept and not downloaded again.
public struct DatasetDownloader: Sendable {
    /// Replaces every dataset's official base URL (tests point it at a local server).
    public var baseURL: URL?
    /// Seconds without data before a transfer counts as failed.
    public var timeout: TimeInterval

    public init(baseURL: URL? = nil, timeout: TimeInterval = 60) {
        self.baseURL = baseURL
        self.timeout = timeout
    }

    /// Downloads every file of `kind`'s official release into `directory`.
    /// - Parameters:
    ///   - directory: where the files land, e.g. `DataLocator.downloadDirectory(for:)`; created if missing,
    ///     and removed again if the fetch fails before any file is in place.
    ///   - progress: called as bytes arrive, on a background queue.
    /// - Returns: the paths of the files, in `kind.remoteFiles` order.
    /// - Throws: `DatasetError.unsupported` for SVHN; `DownloadError` for the first file that fails.
    @discardableResult
    public func fetch(
        _ kind: DatasetKind, into directory: String,
        progress: @escaping @Sendable (DownloadProgress) -> Void = { _ in }
    ) async throws -> [String] {
        guard let base = baseURL ?? kind.officialBaseURL, !kind.remoteFiles.isEmpty else {
            throw DatasetError.unsupported(dataset: kind.name, reason: DataLocator.fix(for: kind))
        }
        let files = kind.remoteFiles
        // A failed fetch removes the folders it made while they are empty: an empty dataset
        // folder left behind would look like a copy begun. Verified files (and folders that
        // existed before) stay, for the next fetch to keep.
        let made = try Self.asDownloadError { try AtomicWrite.makeDirectories(directory) }
        var paths = [String]()
        do {
            for (index, file) in files.enumerated() {
                let path = try await download(file, from: base.appendingPathComponent(file.name), into: directory) {
                    received, expected in
                    progress(DownloadProgress(
                        file: file.name, fileIndex: index, fileCount: files.count,
                        bytesReceived: received, bytesExpected: expected))
                }
                paths.append(path)
            }
        } catch {
            for folder in made.reversed() where rmdir(folder) != 0 { break }
            throw error
        }
        return paths
    }

    /// Downloads one file to `directory/file.name` and checks its MD5.
    /// - Parameter progress: `(bytes received, Content-Length if announced)`.
    /// - Returns: the final path.
    /// - Throws: `DownloadError` (HTTP status, truncated body, checksum mismatch, network, file system).
    @discardableResult
    public func download(
        _ file: RemoteFile, from url: URL, into directory: String,
        progress: @escaping @Sendable (Int64, Int64?) -> Void = { _, _ in }
    ) async throws -> String {
        let destination = (directory as NSString).appendingPathComponent(file.name)
        AtomicWrite.removeStaleTemporaries(in: directory)
        // Before the checksum below, which would block reading a FIFO.
        try Self.asDownloadError { try AtomicWrite.checkDestination(destination) }
        if let existing = try? Self.md5(ofFileAt: destination), existing == file.md5 {
            let attributes = try? FileManager.default.attributesOfItem(atPath: destination)
            let size = (attributes?[.size] as? NSNumber)?.int64Value
            progress(size ?? 0, size)
            return destination
        }
        let partial = try Self.asDownloadError { try AtomicFile(replacing: destination) }
        do {
            let digest = try await transfer(url, to: partial, progress: progress)
            guard digest == file.md5 else {
                throw DownloadError.checksumMismatch(url: url.absoluteString, expected: file.md5, actual: digest)
            }
            try Self.asDownloadError { try partial.commit() }
            return destination
        } catch {
            partial.discard()
            throw error
        }
    }

    /// Runs `body`, turning the write routine's errors into `DownloadError.fileSystem`.
    private static func asDownloadError<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as FileSystemError {
            throw DownloadError.fileSystem(path: error.path, reason: error.reason)
        } catch let error as NotARegularFileError {
            throw DownloadError.fileSystem(path: error.path, reason: "it is \(error.kind), not a regular file")
        }
    }

    /// Streams `url` into `file`, returning the body's MD5 in hexadecimal.
    private func transfer(
        _ url: URL, to file: AtomicFile, progress: @escaping @Sendable (Int64, Int64?) -> Void
    ) async throws -> String {
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        // The MD5 is of the stored bytes: ask the server not to re-encode them.
        request.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.urlCache = nil
        let receiver = DownloadReceiver(url: url, file: file, progress: progress)
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: configuration, delegate: receiver, delegateQueue: queue)
        defer { session.finishTasksAndInvalidate() }
        let task = session.dataTask(with: request)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                receiver.start(task, continuation: continuation)
            }
        } onCancel: {
            task.cancel()
        }
    }

    /// The MD5 of a file's bytes in lower-case hexadecimal, read in chunks.
    public static func md5(ofFileAt path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DatasetError.unreadable(path: path, reason: "cannot open the file")
        }
        defer { try? handle.close() }
        var hasher = MD5()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
        }
        return hex(hasher.finalize())
    }

    static func hex<Digest: Sequence>(_ digest: Digest) -> String where Digest.Element == UInt8 {
        digest.map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }
}

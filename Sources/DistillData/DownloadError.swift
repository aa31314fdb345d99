// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// What can go wrong while downloading a dataset file. No case leaves a file behind.
///
/// Every case describes itself in one line with the URL and what to do.
public enum DownloadError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// The server answered with a status other than 2xx.
    case httpStatus(url: String, status: Int)
    /// The connection closed before the body reached its announced `Content-Length`.
    case truncated(url: String, received: Int64, expected: Int64)
    /// The downloaded bytes do not have the published MD5.
    case checksumMismatch(url: String, expected: String, actual: String)
    /// The transfer failed (DNS, refused connection, timeout, TLS).
    case network(url: String, reason: String)
    /// The file could not be written (permissions, disk full).
    case fileSystem(path: String, reason: String)

    public var description: String {
        switch self {
        case .httpStatus(let url, let status):
            let reason = HTTPURLResponse.localizedString(forStatusCode: status)
            return "download of \(url) failed: HTTP \(status) (\(reason)); check the URL or try again later"
        case .truncated(let url, let received, let expected):
            return "download of \(url) was cut off after \(received) of \(expected) bytes; try again"
        case .checksumMismatch(let url, let expected, let actual):
            return "download of \(url) has MD5 \(actual), expected \(expected); the file is damaged or changed upstream, "
                + "try again"
        case .network(let url, let reason):
            return "download of \(url) failed: \(reason); check the network connection and try again"
        case .fileSystem(let path, let reason):
            return "cannot write \(path): \(reason); check the directory's permissions and free space"
        }
    }

    public var errorDescription: String? { description }
}

/// How far one file's download has got.
public struct DownloadProgress: Sendable, Equatable {
    /// The file being downloaded, e.g. `train-images-idx3-ubyte.gz`.
    public var file: String
    /// Position of this file in the dataset's file list, from 0.
    public var fileIndex: Int
    public var fileCount: Int
    public var bytesReceived: Int64
    /// The announced `Content-Length`; nil when the server did not send one.
    public var bytesExpected: Int64?

    public init(file: String, fileIndex: Int, fileCount: Int, bytesReceived: Int64, bytesExpected: Int64?) {
        self.file = file
        self.fileIndex = fileIndex
        self.fileCount = fileCount
        self.bytesReceived = bytesReceived
        self.bytesExpected = bytesExpected
    }
}

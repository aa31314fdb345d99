// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// URLSession delegate that writes one response body to a file as it arrives.
///
/// Every callback runs on the session's serial delegate queue, which is what
/// makes the mutable state safe (hence `@unchecked Sendable`). It turns the
/// outcome into exactly one `DownloadError` or the body's MD5.
final class DownloadReceiver: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let url: URL
    private let file: AtomicFile
    private let progress: @Sendable (Int64, Int64?) -> Void
    private var hasher = MD5()
    private var received: Int64 = 0
    private var expected: Int64?
    private var status: Int?
    private var failure: DownloadError?
    private var continuation: CheckedContinuation<String, Error>?
    private let lock = NSLock()

    init(url: URL, file: AtomicFile, progress: @escaping @Sendable (Int64, Int64?) -> Void) {
        self.url = url
        self.file = file
        self.progress = progress
    }

    /// Stores the continuation, then starts `task`; completion resumes it once.
    func start(_ task: URLSessionDataTask, continuation: CheckedContinuation<String, Error>) {
        lock.withLock { self.continuation = continuation }
        task.resume()
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        let code = (response as? HTTPURLResponse)?.statusCode ?? 200
        status = code
        guard (200..<300).contains(code) else {
            failure = .httpStatus(url: url.absoluteString, status: code)
            completionHandler(.cancel)
            return
        }
        expected = response.expectedContentLength >= 0 ? response.expectedContentLength : nil
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard failure == nil else { return }
        do {
            try file.append(data)
        } catch {
            failure = .fileSystem(path: file.path, reason: (error as? FileSystemError)?.reason ?? "\(error)")
            dataTask.cancel()
            return
        }
        hasher.update(data: data)
        received += Int64(data.count)
        progress(received, expected)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        let outcome: Result<String, Error>
        if let failure {
            outcome = .failure(failure)
        } else if let expected, received != expected {
            // A short body is reported as such whatever transport error came with it.
            outcome = .failure(DownloadError.truncated(url: url.absoluteString, received: received, expected: expected))
        } else if let error {
            outcome = .failure(DownloadError.network(url: url.absoluteString, reason: error.localizedDescription))
        } else if status == nil {
            outcome = .failure(DownloadError.network(url: url.absoluteString, reason: "no response"))
        } else {
            outcome = .success(DatasetDownloader.hex(hasher.finalize()))
        }
        let waiting = lock.withLock { () -> CheckedContinuation<String, Error>? in
            defer { continuation = nil }
            return continuation
        }
        waiting?.resume(with: outcome)
    }
}

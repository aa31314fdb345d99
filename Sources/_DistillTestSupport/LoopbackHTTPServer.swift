// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation

#if canImport(Glibc)
import Glibc
private let streamSocket = Int32(SOCK_STREAM.rawValue)
private let sendFlags = Int32(MSG_NOSIGNAL)
#elseif canImport(Darwin)
import Darwin
private let streamSocket = SOCK_STREAM
private let sendFlags: Int32 = 0
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 that serves fixed in-memory responses, for download tests.
///
/// It listens on an ephemeral port, answers `GET` requests one connection at
/// a time from `routes` (anything else gets 404) and closes each connection
/// after one response. It is bounded: it stops by itself after `maxRequests`
/// connections or `idleTimeout` seconds without one, and `stop()` ends it at
/// once. A response can announce its full `Content-Length` and then send only
/// part of the body, to imitate a connection that drops mid-transfer.
public final class LoopbackHTTPServer: @unchecked Sendable {
    /// One canned response.
    public struct Response: Sendable {
        public var status: Int
        public var body: [UInt8]
        /// When set, only this many body bytes are sent before the connection closes.
        public var truncatedAfter: Int?

        public init(status: Int = 200, body: [UInt8], truncatedAfter: Int? = nil) {
            self.status = status
            self.body = body
            self.truncatedAfter = truncatedAfter
        }
    }

    public struct SocketError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The port the server listens on.
    public let port: UInt16
    private let routes: [String: Response]
    private let listener: Int32
    private let lock = NSLock()
    private var stopping = false
    private var paths = [String]()
    private let finished = DispatchSemaphore(value: 0)

    /// `http://127.0.0.1:<port>/`; a route `"/a.gz"` is at `baseURL.appendingPathComponent("a.gz")`.
    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/")! }

    /// The request paths served so far, in order.
    public var requestedPaths: [String] { lock.withLock { paths } }

    /// Starts serving.
    /// - Parameter routes: responses keyed by request path, e.g. `"/train.gz"`.
    /// - Throws: `SocketError` when the socket cannot be opened or bound.
    public init(routes: [String: Response], maxRequests: Int = 64, idleTimeout: TimeInterval = 30) throws {
        self.routes = routes
        let fd = socket(AF_INET, streamSocket, 0)
        guard fd >= 0 else { throw SocketError(description: "socket() failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(fd, socketAddress, length) == 0 && listen(fd, 16) == 0
                    && getsockname(fd, socketAddress, &length) == 0
            }
        }
        guard bound else {
            close(fd)
            throw SocketError(description: "cannot listen on 127.0.0.1: errno \(errno)")
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in
            serve(maxRequests: maxRequests, idleTimeout: idleTimeout)
            close(listener)
            finished.signal()
        }
        thread.start()
    }

    /// Stops accepting connections and waits for the serving thread to end.
    public func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopping = true }
            return !stopping
        }
        if first { finished.wait() }
    }

    private var isStopping: Bool { lock.withLock { stopping } }

    private func serve(maxRequests: Int, idleTimeout: TimeInterval) {
        var served = 0
        var idle: TimeInterval = 0
        while served < maxRequests, idle < idleTimeout, !isStopping {
            var descriptor = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 50) > 0 else {
                idle += 0.05
                continue
            }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            idle = 0
            served += 1
            respond(on: connection)
            shutdown(connection, Int32(SHUT_WR))
            close(connection)
        }
    }

    /// Reads one request head (at most 16 KiB, 2 s) and writes the matching response.
    private func respond(on connection: Int32) {
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        let terminator: [UInt8] = Array("\r\n\r\n".utf8)
        while request.count < 16_384, !request.ends(with: terminator) {
            let count = recv(connection, &buffer, buffer.count, 0)
            guard count > 0 else { return }
            request += buffer[0..<count]
        }
        let requestLine = String(decoding: request.prefix { $0 != UInt8(ascii: "\r") }, as: UTF8.self)
        let parts = requestLine.split(separator: " ")
        let path = parts.count >= 2 ? String(parts[1]) : "/"
        lock.withLock { paths.append(path) }
        let response = routes[path] ?? Response(status: 404, body: Array("not found\n".utf8))
        let reason = response.status == 200 ? "OK" : response.status == 404 ? "Not Found" : "Status"
        let head = "HTTP/1.1 \(response.status) \(reason)\r\nContent-Length: \(response.body.count)\r\n"
            + "Content-Type: application/octet-stream\r\nConnection: close\r\n\r\n"
        let sent = min(response.truncatedAfter ?? response.body.count, response.body.count)
        write(Array(head.utf8) + response.body[0..<sent], to: connection)
    }

    private func write(_ bytes: [UInt8], to connection: Int32) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, sendFlags) }
            guard count > 0 else { return }
            offset += count
        }
    }
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && self[(count - suffix.count)...].elementsEqual(suffix)
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData
import DistillTensor
import Foundation
import XCTest
import _DistillTestSupport

final class DownloaderTests: XCTestCase {
    private var directory = ""
    private let payload: [UInt8] = {
        var generator = SeededGenerator(seed: 11)
        return (0..<300_000).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
    }()

    override func setUp() {
        directory = ArchiveWriters.temporaryDirectory() + "/target"
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: (directory as NSString).deletingLastPathComponent)
    }

    private func payloadMD5() throws -> String {
        let path = (directory as NSString).deletingLastPathComponent + "/reference"
        ArchiveWriters.write(payload, to: path)
        return try DatasetDownloader.md5(ofFileAt: path)
    }

    private func filesLeft() -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    }

    /// Downloads `/file.bin` from a server holding `response` and returns the error it threw.
    private func downloadError(_ response: LoopbackHTTPServer.Response, md5: String) async throws -> DownloadError? {
        let server = try LoopbackHTTPServer(routes: ["/file.bin": response])
        defer { server.stop() }
        do {
            try await DatasetDownloader(timeout: 10).download(
                RemoteFile(name: "file.bin", md5: md5), from: server.baseURL.appendingPathComponent("file.bin"),
                into: directory)
            return nil
        } catch let error as DownloadError {
            return error
        }
    }

    func testMD5KnownAnswers() throws {
        let base = ArchiveWriters.temporaryDirectory()
        ArchiveWriters.write([], to: base + "/empty")
        ArchiveWriters.write(Array("abc".utf8), to: base + "/abc")
        XCTAssertEqual(try DatasetDownloader.md5(ofFileAt: base + "/empty"), "d41d8cd98f00b204e9800998ecf8427e")
        XCTAssertEqual(try DatasetDownloader.md5(ofFileAt: base + "/abc"), "900150983cd24fb0d6963f7d28e17f72")
    }

    func testGoodFileLandsWithProgressAndIsNotFetchedTwice() async throws {
        let md5 = try payloadMD5()
        let server = try LoopbackHTTPServer(routes: ["/file.bin": .init(body: payload)])
        defer { server.stop() }
        let seen = ProgressLog()
        let url = server.baseURL.appendingPathComponent("file.bin")
        let downloader = DatasetDownloader(timeout: 10)
        let path = try await downloader.download(RemoteFile(name: "file.bin", md5: md5), from: url, into: directory) {
            seen.append($0, $1)
        }
        XCTAssertEqual(path, directory + "/file.bin")
        XCTAssertEqual(filesLeft(), ["file.bin"])
        XCTAssertEqual([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), payload)
        let events = seen.events
        XCTAssertEqual(events.last?.0, Int64(payload.count))
        XCTAssertEqual(events.last?.1, Int64(payload.count))
        XCTAssertEqual(events.map(\.0), events.map(\.0).sorted())

        try await downloader.download(RemoteFile(name: "file.bin", md5: md5), from: url, into: directory)
        XCTAssertEqual(server.requestedPaths, ["/file.bin"], "a verified file must not be downloaded again")
    }

    func testPartialFilesOfAKilledFetchAreRemovedByTheNext() async throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // As a fetch killed mid-transfer leaves them: this version's names and the earlier `.part` names.
        let partials = [".file.bin.distill-tmp-\(Int32.max - 1)-\(UUID().uuidString)", ".file.bin.\(UUID().uuidString).part"]
        for name in partials { ArchiveWriters.write(Array(payload.prefix(131_072)), to: "\(directory)/\(name)") }
        let error = try await downloadError(.init(body: payload), md5: try payloadMD5())
        XCTAssertNil(error)
        XCTAssertEqual(filesLeft(), ["file.bin"])
    }

    func testAFIFOInPlaceOfTheFileIsRefusedAndLeftAlone() async throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        XCTAssertEqual(mkfifo("\(directory)/file.bin", 0o644), 0)
        let error = try await downloadError(.init(body: payload), md5: try payloadMD5())
        XCTAssertEqual(
            error, .fileSystem(path: "\(directory)/file.bin", reason: "it is a FIFO (named pipe), not a regular file"))
        XCTAssertEqual(filesLeft(), ["file.bin"])
    }

    func testChecksumMismatchNamesBothDigestsAndLeavesNothing() async throws {
        let actual = try payloadMD5()
        let error = try await downloadError(.init(body: payload), md5: String(repeating: "0", count: 32))
        guard case .checksumMismatch(_, let expected, let got) = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(expected, String(repeating: "0", count: 32))
        XCTAssertEqual(got, actual)
        XCTAssertTrue("\(error!)".contains("has MD5 \(actual), expected 000"), "\(error!)")
        XCTAssertEqual(filesLeft(), [])
    }

    func testTruncatedBodyIsReportedAndLeavesNothing() async throws {
        let error = try await downloadError(.init(body: payload, truncatedAfter: 70_000), md5: try payloadMD5())
        guard case .truncated(_, let received, let expected) = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(expected, Int64(payload.count))
        XCTAssertLessThan(received, expected)
        XCTAssertTrue("\(error!)".contains("was cut off after"), "\(error!)")
        XCTAssertEqual(filesLeft(), [])
    }

    func testHTTP404IsReportedAndLeavesNothing() async throws {
        let error = try await downloadError(.init(status: 404, body: Array("gone".utf8)), md5: try payloadMD5())
        guard case .httpStatus(let url, 404) = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertTrue(url.hasSuffix("/file.bin"))
        XCTAssertTrue("\(error!)".contains("HTTP 404"), "\(error!)")
        XCTAssertEqual(filesLeft(), [])
    }

    func testRefusedConnectionIsANetworkError() async throws {
        let server = try LoopbackHTTPServer(routes: [:])
        let url = server.baseURL.appendingPathComponent("file.bin")
        server.stop()
        do {
            try await DatasetDownloader(timeout: 10).download(RemoteFile(name: "file.bin", md5: "00"), from: url, into: directory)
            XCTFail("download from a closed port succeeded")
        } catch let error as DownloadError {
            guard case .network = error else { return XCTFail("\(error)") }
            XCTAssertFalse("\(error)".contains("\n"))
        }
        XCTAssertEqual(filesLeft(), [])
    }

    func testAFailedFetchRemovesTheFoldersItMadeButNotOneThatExisted() async throws {
        let server = try LoopbackHTTPServer(routes: [:])
        defer { server.stop() }
        let downloader = DatasetDownloader(baseURL: server.baseURL, timeout: 10)
        let parent = (directory as NSString).deletingLastPathComponent
        for target in [directory + "/cache/distill/mnist", directory] {
            do {
                try await downloader.fetch(.mnist, into: target)
                XCTFail("a fetch from a server without the files succeeded")
            } catch DownloadError.httpStatus(_, 404) {}
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory), "the failed fetches left \(directory)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: parent))
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        do {
            try await downloader.fetch(.mnist, into: directory)
            XCTFail("a fetch from a server without the files succeeded")
        } catch DownloadError.httpStatus(_, 404) {}
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory), "a folder that existed before was removed")
    }

    func testFetchUsesTheOfficialNamesAndChecksums() async throws {
        let routes = Dictionary(uniqueKeysWithValues: DatasetKind.fashionMNIST.remoteFiles.map {
            ("/" + $0.name, LoopbackHTTPServer.Response(body: payload))
        })
        let server = try LoopbackHTTPServer(routes: routes)
        defer { server.stop() }
        let downloader = DatasetDownloader(baseURL: server.baseURL, timeout: 10)
        do {
            try await downloader.fetch(.fashionMNIST, into: directory)
            XCTFail("fake Fashion-MNIST passed the official checksum")
        } catch DownloadError.checksumMismatch(let url, let expected, _) {
            XCTAssertEqual(url, server.baseURL.appendingPathComponent("train-images-idx3-ubyte.gz").absoluteString)
            XCTAssertEqual(expected, "8d4fb7e6c68d591d4c3dfef9ec88bf0d")
        }
        XCTAssertEqual(filesLeft(), [])
        do {
            try await DatasetDownloader().fetch(.svhn, into: directory)
            XCTFail("SVHN fetch should be refused")
        } catch DatasetError.unsupported(let dataset, _) {
            XCTAssertEqual(dataset, "svhn")
        }
    }
}

/// Collects progress callbacks, which arrive on URLSession's queue.
private final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored = [(Int64, Int64?)]()

    func append(_ received: Int64, _ expected: Int64?) { lock.withLock { stored.append((received, expected)) } }
    var events: [(Int64, Int64?)] { lock.withLock { stored } }
}

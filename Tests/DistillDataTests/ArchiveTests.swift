// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData
import DistillTensor
import Foundation
import XCTest

final class ArchiveTests: XCTestCase {
    private func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var generator = SeededGenerator(seed: seed)
        // Runs of repeated bytes make the data compressible, like images.
        return (0..<count).map { index in UInt8(truncatingIfNeeded: index % 7 == 0 ? generator.next() : UInt64(index / 64)) }
    }

    private func assertCorrupt(_ body: () throws -> Void, mentions text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard case DatasetError.corrupt = error else {
                return XCTFail("expected DatasetError.corrupt, got \(error)", file: file, line: line)
            }
            XCTAssertTrue("\(error)".contains(text), "\(error) should mention \(text)", file: file, line: line)
        }
    }

    // MARK: - Gzip

    func testGzipRoundTripInMemory() throws {
        // Larger than the inflater's 256 KiB output buffer, so output arrives in several pieces.
        let original = randomBytes(1_000_000, seed: 1)
        let compressed = ArchiveWriters.gzip(original)
        XCTAssertTrue(Gzip.isGzip(compressed))
        XCTAssertFalse(Gzip.isGzip(original))
        XCTAssertEqual(try Gzip.decompress(compressed, source: "memory"), original)
    }

    func testGzipConcatenatedMembersDecompressToTheConcatenation() throws {
        let first = randomBytes(5000, seed: 2), second = randomBytes(3000, seed: 3)
        let joined = ArchiveWriters.gzip(first) + ArchiveWriters.gzip(second)
        XCTAssertEqual(try Gzip.decompress(joined, source: "joined.gz"), first + second)
    }

    func testGzipErrorsNameTheFileAndTheFault() {
        let compressed = ArchiveWriters.gzip(randomBytes(100_000, seed: 4))
        assertCorrupt({ _ = try Gzip.decompress(Array(compressed.prefix(compressed.count / 2)), source: "half.gz") },
                      mentions: "half.gz: gzip stream is truncated")
        var damaged = compressed
        damaged[compressed.count / 2] ^= 0xFF
        damaged[compressed.count / 2 + 1] ^= 0x55
        assertCorrupt({ _ = try Gzip.decompress(damaged, source: "damaged.gz") }, mentions: "damaged.gz: gzip data error")
        assertCorrupt({ _ = try Gzip.decompress(Array("plain text".utf8), source: "plain.txt") }, mentions: "plain.txt")
        assertCorrupt({ _ = try Gzip.decompress([], source: "empty.gz") }, mentions: "empty file")
    }

    // MARK: - Tar

    private var members: [ArchiveWriters.Member] {
        let longDirectory = String(repeating: "d", count: 80) + "/" + String(repeating: "e", count: 30)
        return [
            .init(name: "top/", type: "5"),
            .init(name: "top/a.bin", contents: randomBytes(1000, seed: 5)),
            .init(name: "top/link", type: "2"),
            .init(name: "top/empty.txt", contents: []),
            .init(name: longDirectory + "/long-name.bin", contents: randomBytes(512, seed: 6)),
            .init(name: "top/b.txt", contents: Array("hello\n".utf8)),
        ]
    }

    func testTarReadsRegularFilesWithPrefixAndSkipsOtherTypes() throws {
        let archive = ArchiveWriters.tar(members)
        let entries = try TarArchive.entries(in: archive, source: "a.tar")
        let expected = members.filter { $0.type == "0" }.map { TarEntry(name: $0.name, contents: $0.contents) }
        XCTAssertEqual(entries, expected)
        XCTAssertEqual(entries[2].name.utf8.count, 125, "name must be prefix + name, past the 100-byte field")
    }

    func testTarGzStreamedInSmallBlocksMatchesWholeBufferAndFilters() throws {
        let archive = ArchiveWriters.tar(members)
        let path = ArchiveWriters.temporaryDirectory() + "/a.tar.gz"
        ArchiveWriters.write(ArchiveWriters.gzip(archive), to: path)
        let entries = try TarArchive.entries(atPath: path, blockSize: 97) { $0.hasSuffix(".txt") }
        XCTAssertEqual(entries.map(\.name), ["top/empty.txt", "top/b.txt"])
        XCTAssertEqual(entries[1].contents, Array("hello\n".utf8))
        XCTAssertEqual(try TarArchive.entries(atPath: path), try TarArchive.entries(in: archive, source: "a.tar"))
        XCTAssertThrowsError(try TarArchive.entries(atPath: "/nonexistent/x.tar.gz")) { error in
            XCTAssertEqual(error as? DatasetError, .unreadable(path: "/nonexistent/x.tar.gz", reason: "cannot open the file"))
        }
    }

    func testTarErrorsForTruncationAndBadChecksum() {
        let archive = ArchiveWriters.tar(members)
        assertCorrupt({ _ = try TarArchive.entries(in: Array(archive.prefix(1200)), source: "cut.tar") },
                      mentions: "member top/a.bin lacks its last")
        // Headers of top/ and top/a.bin, a.bin's 1000 bytes padded to 1024, then 300 bytes of top/link's header.
        assertCorrupt({ _ = try TarArchive.entries(in: Array(archive.prefix(2048 + 300)), source: "cut.tar") },
                      mentions: "cut.tar: archive is truncated: it ends inside a header at byte 2048")
        assertCorrupt({ _ = try TarArchive.entries(in: Array(archive.prefix(300)), source: "stub.tar") },
                      mentions: "stub.tar: not a tar archive, or damaged")
        var damaged = archive
        damaged[512 + 10] ^= 0x01  // the name of the second header
        assertCorrupt({ _ = try TarArchive.entries(in: damaged, source: "bad.tar") },
                      mentions: "bad.tar: tar header at byte 512 fails its checksum")
    }

    /// Found by Fuzz/Targets/tar (now in its corpus as `unbounded-member-size`): a
    /// damaged header whose member size was taken at its word trapped while
    /// allocating the whole member up front.
    func testDamagedMemberSizeIsAnErrorNotACrash() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Fuzz/Corpus/tar/unbounded-member-size")
        let bytes = try [UInt8](Data(contentsOf: url))
        assertCorrupt({ _ = try TarArchive.entries(in: bytes, source: "fuzz.tar") },
                      mentions: "member cifar-10-batches-bin/data_batch_1.bin declares a negative size")
    }

    /// A header may declare 2^50 bytes (base-256 size field) over a member of 1000:
    /// the reader reports the truncation without reserving what was declared.
    func testHugeDeclaredSizeIsATruncationWithoutAllocatingIt() {
        var archive = ArchiveWriters.tar(members)
        let header = 512  // top/a.bin, after the header of top/
        var size = [UInt8](repeating: 0, count: 12)
        size[0] = 0x80
        for index in 0..<8 { size[4 + index] = UInt8(truncatingIfNeeded: (UInt64(1) << 50) >> (8 * (7 - index))) }
        archive.replaceSubrange(header + 124..<header + 136, with: size)
        archive.replaceSubrange(header + 148..<header + 156, with: [UInt8](repeating: 0x20, count: 8))
        let checksum = archive[header..<header + 512].reduce(0) { $0 + Int($1) }
        archive.replaceSubrange(header + 148..<header + 156, with: Array(String(format: "%06o", checksum).utf8) + [0, 0x20])
        assertCorrupt({ _ = try TarArchive.entries(in: archive, source: "huge.tar") },
                      mentions: "member top/a.bin lacks its last")
    }
}

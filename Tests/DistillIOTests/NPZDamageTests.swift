// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import DistillTensor
import Foundation
import XCTest

/// Damaged or ambiguous `.npz` files: each is refused with one line naming the file and the fault.
final class NPZDamageTests: XCTestCase {
    private var path = ""

    override func setUp() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("distill-\(UUID().uuidString).npz").path
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: path) }

    private func write(_ arrays: [(String, NPYArray)]) throws {
        try NPZ.encode(arrays, file: path).write(to: URL(fileURLWithPath: path))
    }

    private func assertRefused(_ mentions: String, line: UInt = #line) {
        XCTAssertThrowsError(try SyntheticSetFile(contentsOf: path), line: line) { error in
            XCTAssertTrue("\(error)".contains(mentions), "\(error)", line: line)
            XCTAssertFalse("\(error)".contains("\n"), "\(error)", line: line)
        }
    }

    private let images = NPYArray.float32(shape: [2, 1, 1, 1], values: [0, 1])
    private let labels = NPYArray.int64(shape: [2], values: [0, 1])

    func testAShapeWhoseSizeOverflowsIsRefusedNotMultiplied() {
        for shape in ["99999999999, 1, 999999999, 28", "9223372036854775807, 2", "4611686018427387904,"] {
            var npy = NPYArray.float32(shape: [1], values: [0]).encoded()
            let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(shape)), }\n"
            npy.replaceSubrange(8..., with: [UInt8(header.utf8.count), 0] + Array(header.utf8) + [0, 0, 0, 0])
            XCTAssertThrowsError(try NPYArray(npy: npy, name: "images", file: "f.npz"), shape) { error in
                XCTAssertTrue("\(error)".hasPrefix("array 'images' in f.npz: shape ["), "\(error)")
                XCTAssertTrue("\(error)".hasSuffix("] holds more elements than any file can"), "\(error)")
            }
        }
        var strings = NPYArray.float32(shape: [1], values: [0]).encoded()
        let header = "{'descr': '<U4611686018427387904', 'fortran_order': False, 'shape': (1,), }\n"
        strings.replaceSubrange(8..., with: [UInt8(header.utf8.count), 0] + Array(header.utf8))
        XCTAssertThrowsError(try NPYArray(npy: strings, name: "class_names", file: "f.npz")) { error in
            XCTAssertEqual("\(error)", "array 'class_names' in f.npz: shape [1] holds more elements than any file can")
        }
    }

    func testAMemberWhoseCRCDoesNotMatchIsRefused() throws {
        for deflated in [false, true] {
            let member = images.encoded()
            var archive = Self.zip([("labels.npy", labels.encoded(), false), ("images.npy", member, deflated)])
            // The last data byte of images.npy: the float 1.0's top byte, inside the stored or deflated bytes.
            let index = archive.range(of: member.suffix(8))!.upperBound - 1
            archive[index] ^= 0xFF
            try archive.write(to: URL(fileURLWithPath: path))
            assertRefused("\(path) is a damaged .npz: member 'images.npy' fails its CRC-32 check")
        }
    }

    func testARecordedSizeTheDataDoesNotReachIsRefusedWithoutAllocatingIt() throws {
        // Found by the npz fuzz target: a 4 GB allocation for a member of a few hundred bytes, when
        // the reader allocated what the header records. Now memory grows only with the bytes inflated.
        for deflated in [true, false] {
            var archive = Self.zip([("labels.npy", labels.encoded(), false), ("images.npy", images.encoded(), deflated)])
            // images.npy's uncompressed size in its local header (offset 22) and its directory entry (offset 24).
            let local = archive.ranges(of: Data([0x50, 0x4B, 0x03, 0x04]))[1].lowerBound + 22
            let directory = archive.ranges(of: Data([0x50, 0x4B, 0x01, 0x02]))[1].lowerBound + 24
            for field in [local, directory] { archive.replaceSubrange(field..<(field + 4), with: [0xF0, 0xFF, 0xFF, 0xFF]) }
            try archive.write(to: URL(fileURLWithPath: path))
            assertRefused("\(path) is a damaged .npz: member 'images.npy' cannot be read: ")
        }
    }

    func testDeflatedMembersWithTheirCRCAreRead() throws {
        try Self.zip([("labels.npy", labels.encoded(), true), ("images.npy", images.encoded(), true)])
            .write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try SyntheticSetFile(contentsOf: path).labels, [0, 1])
    }

    func testAMemberNamedTwiceIsRefused() throws {
        try write([("images", images), ("labels", labels), ("images", .float32(shape: [2, 1, 1, 1], values: [5, 5]))])
        assertRefused("\(path) is a damaged .npz: member 'images.npy' appears twice")
    }

    func testNoImagesIsRefusedAsForSafetensors() throws {
        try write([("images", .float32(shape: [0, 1, 28, 28], values: [])), ("labels", .int64(shape: [0], values: []))])
        assertRefused("\(path) holds no images; condense a set with at least one image per class")
    }

    func testBoolLabelsAreNotClassNumbers() throws {
        try write([("images", images), ("labels", .bool(shape: [2], values: [true, false]))])
        assertRefused("array 'labels' in \(path): must be integers of shape [2], one per image (found bool)")
    }

    func testADatasetThatIsNotOneNameIsNamed() throws {
        try write([("images", images), ("labels", labels), ("dataset", .int64(shape: [], values: [5]))])
        assertRefused("array 'dataset' in \(path): must be a string array (np.array('fashion-mnist')), found int64")
        try write([("images", images), ("labels", labels), ("dataset", .strings(shape: [2], values: ["mnist", "cifar10"]))])
        assertRefused("array 'dataset' in \(path): must hold one dataset name, holds 2")
        try write([("images", images), ("labels", labels), ("dataset", .strings(shape: [1], values: ["mnist"]))])
        XCTAssertEqual(try SyntheticSetFile(contentsOf: path).dataset, "mnist")
    }

    func testObjectAndStructuredArraysAreNamedAndNeverLoaded() throws {
        // np.array(['a', 'b'], dtype=object): a pickle follows the header; it must not be read.
        let pickle = Self.npy(descr: "'|O'", shape: "2,", body: Data([0x80, 0x02, 0x5D, 0x71, 0x00, 0x2E]))
        for name in ["class_names", "mean", "labels"] {
            let members = [("images.npy", images.encoded(), false), ("labels.npy", labels.encoded(), false)].filter { $0.0 != "\(name).npy" }
            try Self.zip(members + [("\(name).npy", pickle, false)]).write(to: URL(fileURLWithPath: path))
            assertRefused("array '\(name)' in \(path): it is an object array (pickled Python objects), which distill never loads; "
                + "save numbers as a numeric array and strings as a fixed-width unicode array (np.array(names, dtype=str))")
        }
        // np.array([(0,), (1,)], dtype=[('a', '<i8')]) as labels: the descr, a list, is quoted whole.
        let structured = Self.npy(descr: "[('a', '<i8')]", shape: "2,", body: Data(count: 16))
        try Self.zip([("images.npy", images.encoded(), false), ("labels.npy", structured, false)]).write(to: URL(fileURLWithPath: path))
        assertRefused("array 'labels' in \(path): it has a structured dtype [('a', '<i8')], which distill does not read")
        let big = Self.npy(descr: "'>f4'", shape: "2, 1, 1, 1", body: Data(count: 8))
        try Self.zip([("images.npy", big, false), ("labels.npy", labels.encoded(), false)]).write(to: URL(fileURLWithPath: path))
        assertRefused("array 'images' in \(path): dtype '>f4' is big-endian; save little-endian arrays")
    }

    func testAFloat64BeyondFloat32IsNamedNotCalledInfinite() throws {
        let values: [Double] = [0, 1e300]
        let wide = Self.npy(descr: "'<f8'", shape: "2, 1, 1, 1", body: values.withUnsafeBytes { Data($0) })
        try Self.zip([("images.npy", wide, false), ("labels.npy", labels.encoded(), false)]).write(to: URL(fileURLWithPath: path))
        assertRefused("array 'images' in \(path): 1e+300 at index 1 does not fit a 32-bit float")
        let nan = Self.npy(descr: "'<f8'", shape: "2, 1, 1, 1", body: [Double.nan, 2].withUnsafeBytes { Data($0) })
        try Self.zip([("images.npy", nan, false), ("labels.npy", labels.encoded(), false)]).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try SyntheticSetFile(contentsOf: path).images.scalars[1], 2)  // NaN is kept, as render and export draw it
    }

    func testKnownArraysOfAnotherTypeAreRefusedNotDropped() throws {
        let cases: [(String, NPYArray, String)] = [
            ("class_names", .int64(shape: [2], values: [7, 8]),
             "must be a str array, one name per class (np.array(names, dtype=str)), found int64"),
            ("image_size", .float32(shape: [], values: [16.5]), "must be one integer, the image side in pixels (np.int64(32)), found float"),
            ("image_size", .int64(shape: [2], values: [16, 16]), "must be one integer, the image side in pixels (np.int64(32)), holds 2 values"),
            ("mean", .strings(shape: [1], values: ["0.5"]), "must be numbers, one per channel (np.array([0.5], dtype=np.float32)), found str"),
            ("std", .bool(shape: [1], values: [true]), "must be numbers, one per channel (np.array([0.5], dtype=np.float32)), found bool"),
            ("images", .int64(shape: [2, 1, 1, 1], values: [0, 1]), "must be float32 (or float64) of shape [N, C, H, W] (found int64)"),
        ]
        for (name, array, reason) in cases {
            try write([("images", images), ("labels", labels)].filter { $0.0 != name } + [(name, array)])
            assertRefused("array '\(name)' in \(path): \(reason)")
        }
        // Whole-number normalisation is read as numbers, and an integer image_size as recorded.
        try write([("images", images), ("labels", labels), ("mean", .int64(shape: [1], values: [0])),
                   ("std", .int64(shape: [1], values: [2])), ("image_size", .int64(shape: [], values: [17]))])
        let set = try SyntheticSetFile(contentsOf: path)
        XCTAssertEqual(set.metadata["mean"], "0.0")
        XCTAssertEqual(set.metadata["std"], "2.0")
        XCTAssertEqual(set.metadata["image_size"], "17")
    }

    /// `.npy` bytes with a hand-written header: `descr` as it stands in the header (quotes included) and `shape` inside its parentheses.
    private static func npy(descr: String, shape: String, body: Data) -> Data {
        let header = "{'descr': \(descr), 'fortran_order': False, 'shape': (\(shape)), }\n"
        return Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8)) + body
    }

    /// A zip of `members`, each stored or deflated (as raw-deflate stored blocks, which any inflater reads).
    private static func zip(_ members: [(name: String, data: Data, deflated: Bool)]) -> Data {
        func le16(_ value: Int) -> Data { Data([UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF)]) }
        func le32(_ value: Int) -> Data { le16(value & 0xFFFF) + le16(value >> 16) }
        var archive = Data(), directory = Data()
        for (name, data, deflated) in members {
            var body = data
            if deflated {
                body = Data()
                var chunks = stride(from: 0, to: data.count, by: 65_535).map { data[$0..<min($0 + 65_535, data.count)] }
                if chunks.isEmpty { chunks = [data[...]] }
                for (index, chunk) in chunks.enumerated() {
                    body.append(UInt8(index == chunks.count - 1 ? 1 : 0))
                    body.append(le16(chunk.count) + le16(~chunk.count & 0xFFFF) + chunk)
                }
            }
            let crc = Int(CRC32.of(data))
            let fields = le16(deflated ? 8 : 0) + le16(0) + le16(0x21) + le32(crc) + le32(body.count) + le32(data.count)
                + le16(name.utf8.count) + le16(0)
            let offset = archive.count
            archive.append(le32(0x0403_4B50) + le16(20) + le16(0) + fields + Data(name.utf8) + body)
            directory.append(le32(0x0201_4B50) + le16(20) + le16(20) + le16(0) + fields + le16(0) + le16(0) + le16(0) + le32(0))
            directory.append(le32(offset) + Data(name.utf8))
        }
        let directoryOffset = archive.count
        return archive + directory + le32(0x0605_4B50) + le16(0) + le16(0) + le16(members.count) + le16(members.count)
            + le32(directory.count) + le32(directoryOffset) + le16(0)
    }
}

/// The zip format's CRC-32 (polynomial 0xEDB88320), computed here so the test does not lean on the reader's zlib.
private enum CRC32 {
    static func of(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}

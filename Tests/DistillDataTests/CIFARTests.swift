// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData
import DistillTensor
import XCTest

final class CIFARTests: XCTestCase {
    private let cifar10Names = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]

    /// Batch files of a tiny release in the official layout, keyed by member name.
    private func release(_ kind: DatasetKind, seed: UInt64) -> (files: [String: [UInt8]], train: [Int], test: [Int]) {
        var generator = SeededGenerator(seed: seed)
        let layout = CIFARBinary.layout(of: kind)
        var files = [String: [UInt8]]()
        var train = [Int]()
        for (index, name) in layout.trainFiles.enumerated() {
            let labels = (0..<3).map { (index * 3 + $0 * 7) % kind.classCount }
            files[name] = ArchiveWriters.cifarRecords(kind, labels: labels, using: &generator)
            train += labels
        }
        let test = [kind.classCount - 1, 0, 5, 2]
        files[layout.testFiles[0]] = ArchiveWriters.cifarRecords(kind, labels: test, using: &generator)
        let names = kind == .cifar10 ? cifar10Names : (0..<100).map { "class_\($0)" }
        files[layout.classNamesFile] = Array((names.joined(separator: "\n") + "\n\n").utf8)
        return (files, train, test)
    }

    private func writeArchive(_ kind: DatasetKind, files: [String: [UInt8]], to path: String) {
        let directory = CIFARBinary.layout(of: kind).directoryName
        let members = [ArchiveWriters.Member(name: directory + "/", type: "5")]
            + files.keys.sorted().map { ArchiveWriters.Member(name: "\(directory)/\($0)", contents: files[$0]!) }
            + [ArchiveWriters.Member(name: "\(directory)/readme.html", contents: Array("<html/>".utf8))]
        ArchiveWriters.write(ArchiveWriters.gzip(ArchiveWriters.tar(members)), to: path)
    }

    func testCIFAR10ArchiveAndExtractedDirectoryGiveTheSameData() throws {
        let (files, trainLabels, testLabels) = release(.cifar10, seed: 1)
        let root = ArchiveWriters.temporaryDirectory()
        writeArchive(.cifar10, files: files, to: root + "/archive/cifar10/cifar-10-binary.tar.gz")
        for (name, bytes) in files { ArchiveWriters.write(bytes, to: root + "/extracted/cifar10/cifar-10-batches-bin/" + name) }

        let fromArchive = try DataLocator(dataDirectory: root + "/archive", environment: [:]).load(.cifar10)
        let fromDirectory = try DataLocator(dataDirectory: root + "/extracted", environment: [:]).load(.cifar10)
        XCTAssertEqual(fromArchive.train.images.shape, [15, 3, 32, 32])
        XCTAssertEqual(fromArchive.train.labels, trainLabels)
        XCTAssertEqual(fromArchive.test.labels, testLabels)
        XCTAssertEqual(fromArchive.train.classNames, cifar10Names)
        XCTAssertEqual(fromArchive.train.images, fromDirectory.train.images)
        XCTAssertEqual(fromArchive.test.images, fromDirectory.test.images)

        // Record 4 is the second of data_batch_2.bin; its green plane starts 1 + 1024 bytes in.
        let batch = files["data_batch_2.bin"]!
        let byte = batch[3073 + 1 + 1024 + 33]
        let value = fromArchive.train.images.scalars[4 * 3072 + 1024 + 33]
        XCTAssertEqual(value, (Float(byte) / 255 - 0.4822) / 0.1994)
    }

    func testCIFAR100UsesFineLabelsAndFineNames() throws {
        let (files, trainLabels, testLabels) = release(.cifar100, seed: 2)
        let root = ArchiveWriters.temporaryDirectory()
        let path = root + "/cifar-100-binary.tar.gz"
        writeArchive(.cifar100, files: files, to: path)
        let splits = try CIFARBinary.read(.cifar100, archive: path, splits: [.test, .train])
        XCTAssertEqual(splits[.train]!.labels, trainLabels)
        XCTAssertEqual(splits[.test]!.labels, testLabels)
        XCTAssertEqual(splits[.test]!.classNames.count, 100)
        XCTAssertEqual(splits[.test]!.classNames[99], "class_99")
        let byte = files["test.bin"]![2 * 3074 + 2 + 2048]
        XCTAssertEqual(splits[.test]!.images.scalars[2 * 3072 + 2048], (Float(byte) / 255 - 0.4409) / 0.2762)

        let onlyTest = try CIFARBinary.read(.cifar100, archive: path, splits: [.test])
        XCTAssertNil(onlyTest[.train])
        XCTAssertEqual(onlyTest[.test]!.images, splits[.test]!.images)
    }

    func testCorruptReleasesNameTheMemberAndTheFault() throws {
        var (files, _, _) = release(.cifar10, seed: 3)
        let root = ArchiveWriters.temporaryDirectory()

        files["test_batch.bin"]!.removeLast(5)
        writeArchive(.cifar10, files: files, to: root + "/short.tar.gz")
        XCTAssertThrowsError(try CIFARBinary.read(.cifar10, archive: root + "/short.tar.gz", splits: [.test])) { error in
            XCTAssertTrue("\(error)".contains("short.tar.gz:cifar-10-batches-bin/test_batch.bin"), "\(error)")
            XCTAssertTrue("\(error)".contains("not a whole number of 3073-byte CIFAR-10 records"), "\(error)")
        }

        files["test_batch.bin"] = nil
        writeArchive(.cifar10, files: files, to: root + "/missing.tar.gz")
        XCTAssertThrowsError(try CIFARBinary.read(.cifar10, archive: root + "/missing.tar.gz", splits: [.test])) { error in
            XCTAssertTrue("\(error)".contains("archive has no member cifar-10-batches-bin/test_batch.bin"), "\(error)")
        }

        var generator = SeededGenerator(seed: 4)
        var badLabel = ArchiveWriters.cifarRecords(.cifar10, labels: [1, 2], using: &generator)
        badLabel[3073] = 10
        XCTAssertThrowsError(try CIFARBinary.decodeBatch(badLabel, of: .cifar10, source: "b.bin")) { error in
            XCTAssertTrue("\(error)".contains("record 1 has label 10, outside 0..<10"), "\(error)")
        }
        XCTAssertThrowsError(try CIFARBinary.parseClassNames(Array("a\nb\n".utf8), of: .cifar10, source: "n.txt")) {
            XCTAssertTrue("\($0)".contains("expected 10 class names, found 2"), "\($0)")
        }
    }
}

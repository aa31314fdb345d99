// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData
import DistillTensor
import XCTest

final class DataLocatorTests: XCTestCase {
    private var root = ""
    private var locator: DataLocator {
        DataLocator(
            dataDirectory: root + "/explicit",
            environment: ["DISTILL_DATA": root + "/env", "HOME": root + "/home"],
            systemDirectories: [.fashionMNIST: root + "/system/fashion-mnist"])
    }

    override func setUp() {
        root = ArchiveWriters.temporaryDirectory()
        for named in ["explicit", "env"] {
            try? FileManager.default.createDirectory(atPath: "\(root)/\(named)", withIntermediateDirectories: true)
        }
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: root)
    }

    private func writeFashion(into directory: String) {
        var generator = SeededGenerator(seed: 1)
        ArchiveWriters.writeIDXDataset(into: directory, trainCount: 2, testCount: 2, compressed: true, using: &generator)
    }

    private func foundOrigin(_ kind: DatasetKind) -> DataLocator.Origin? {
        locator.search(kind).found?.origin
    }

    func testSearchOrderIsDataDirThenEnvironmentThenCacheThenSystem() throws {
        let places = [
            root + "/explicit/fashion-mnist", root + "/env/fashion-mnist", root + "/home/.cache/distill/fashion-mnist",
            root + "/system/fashion-mnist",
        ]
        XCTAssertEqual(locator.search(.fashionMNIST).candidates.map(\.directory), places)
        XCTAssertNil(foundOrigin(.fashionMNIST))
        for place in places { writeFashion(into: place) }
        let expected: [DataLocator.Origin] = [.dataDirectory, .environment, .userCache, .system]
        for (place, origin) in zip(places, expected) {
            XCTAssertEqual(foundOrigin(.fashionMNIST), origin)
            let source = try locator.locate(.fashionMNIST)
            guard case .idx(let trainImages, _, _, _) = source else { return XCTFail("\(source)") }
            XCTAssertEqual(trainImages, place + "/train-images-idx3-ubyte.gz")
            try FileManager.default.removeItem(atPath: place)
        }
        XCTAssertNil(foundOrigin(.fashionMNIST))
    }

    func testTildeAndMissingVariablesAndDownloadDirectory() {
        let plain = DataLocator(environment: ["HOME": "/h"], systemDirectories: [:])
        XCTAssertEqual(plain.roots.map(\.path), ["/h/.cache/distill"])
        XCTAssertEqual(plain.downloadDirectory(for: .cifar10), "/h/.cache/distill/cifar10")
        let tilde = DataLocator(dataDirectory: "~/data", environment: ["HOME": "/h", "DISTILL_DATA": "/d"])
        XCTAssertEqual(tilde.roots.map(\.path), ["/h/data", "/d", "/h/.cache/distill"])
        XCTAssertEqual(tilde.downloadDirectory(for: .mnist), "/h/data/mnist")
    }

    func testIncompleteCopiesAreReportedAndSkipped() throws {
        let partial = root + "/explicit/fashion-mnist"
        writeFashion(into: partial)
        try FileManager.default.removeItem(atPath: partial + "/t10k-labels-idx1-ubyte.gz")
        writeFashion(into: root + "/system/fashion-mnist")
        let search = locator.search(.fashionMNIST)
        XCTAssertEqual(search.candidates[0].status, .incomplete(missing: ["t10k-labels-idx1-ubyte[.gz]"]))
        XCTAssertEqual(search.candidates[1].status, .absent)
        XCTAssertEqual(search.found?.origin, .system)

        try FileManager.default.createDirectory(atPath: root + "/env/cifar10", withIntermediateDirectories: true)
        XCTAssertEqual(locator.search(.cifar10).candidates[1].status, .incomplete(missing: ["cifar-10-binary.tar.gz"]))
    }

    func testADirectoryTheUserNamedIsNeverPassedOver() throws {
        writeFashion(into: root + "/system/fashion-mnist")
        let partial = root + "/env/fashion-mnist"
        writeFashion(into: partial)
        try FileManager.default.removeItem(atPath: partial + "/train-images-idx3-ubyte.gz")
        // Before, the system copy was read without a word.
        XCTAssertThrowsError(try locator.locate(.fashionMNIST)) { error in
            XCTAssertEqual(
                "\(error)",
                "fashion-mnist in \(partial) (from $DISTILL_DATA) is incomplete: it lacks train-images-idx3-ubyte[.gz]; "
                    + "run `distill data fetch fashion-mnist` with the same $DISTILL_DATA, or remove the folder")
        }
        // A complete copy before it is used as ever.
        writeFashion(into: root + "/explicit/fashion-mnist")
        XCTAssertNoThrow(try locator.locate(.fashionMNIST))

        try FileManager.default.removeItem(atPath: root + "/explicit")
        try Data("a file".utf8).write(to: URL(fileURLWithPath: root + "/explicit"))
        for mustExist in [false, true] {
            XCTAssertThrowsError(try locator.checkNamedRoots(mustExist: mustExist)) { error in
                XCTAssertEqual(
                    "\(error)", "--data-dir \(root)/explicit cannot hold datasets: it is not a directory; name a directory (distill data fetch creates one)")
            }
        }
        try FileManager.default.removeItem(atPath: root + "/explicit")
        XCTAssertNoThrow(try locator.checkNamedRoots(mustExist: false), "data list and data fetch take a directory still to be made")
        XCTAssertThrowsError(try locator.locate(.fashionMNIST)) { error in
            XCTAssertEqual(error as? DatasetError, .unusableDataDirectory(path: root + "/explicit", origin: "--data-dir", reason: "it does not exist"))
        }
        // A link to itself: something is there, but it leads to nothing.
        try FileManager.default.createSymbolicLink(atPath: root + "/explicit", withDestinationPath: root + "/explicit")
        XCTAssertThrowsError(try locator.locate(.fashionMNIST)) { error in
            XCTAssertTrue("\(error)".contains("it is a symbolic link that leads to nothing (a loop, or a missing target)"), "\(error)")
        }
    }

    func testMissingDataErrorSaysWhereItLookedAndHowToFix() {
        XCTAssertThrowsError(try locator.locate(.fashionMNIST)) { error in
            let text = "\(error)"
            XCTAssertFalse(text.contains("\n"))
            XCTAssertTrue(text.hasPrefix("fashion-mnist not found (looked in \(root)/explicit/fashion-mnist; "), text)
            XCTAssertTrue(text.contains(root + "/system/fashion-mnist"), text)
            XCTAssertTrue(
                text.hasSuffix("run `distill data fetch fashion-mnist` or `apt-get install dataset-fashion-mnist`"), text)
        }
        XCTAssertThrowsError(try locator.load(.cifar100, split: .test)) { error in
            XCTAssertTrue("\(error)".hasSuffix("run `distill data fetch cifar100`"), "\(error)")
            XCTAssertFalse("\(error)".contains("/system/"), "only Fashion-MNIST has a system package")
        }
    }

    func testSVHNIsListedButNotReadable() throws {
        let directory = root + "/explicit/svhn"
        for name in ["train_32x32.mat", "test_32x32.mat"] { ArchiveWriters.write([0], to: directory + "/" + name) }
        XCTAssertEqual(locator.search(.svhn).found?.status, .complete(.matlab(directory: directory)))
        XCTAssertThrowsError(try locator.load(.svhn, split: .train)) { error in
            guard case DatasetError.unsupported = error else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains(".mat"), "\(error)")
        }
        XCTAssertEqual(locator.searchAll().map(\.kind), DatasetKind.allCases)
    }

    func testFetchIsNeedlessOnlyForACopyOutsideTheDownloadDirectoryWithNoDirectoryNamed() {
        let plain = DataLocator(
            environment: ["HOME": root + "/home"], systemDirectories: [.fashionMNIST: root + "/system/fashion-mnist"])
        XCTAssertNil(plain.fetchedElsewhere(.fashionMNIST))
        writeFashion(into: root + "/system/fashion-mnist")
        XCTAssertEqual(plain.fetchedElsewhere(.fashionMNIST)?.directory, root + "/system/fashion-mnist")
        XCTAssertEqual(plain.fetchedElsewhere(.fashionMNIST)?.origin, .system)
        XCTAssertNil(plain.fetchedElsewhere(.mnist))
        // A directory the user names is where the files should go.
        XCTAssertNil(locator.fetchedElsewhere(.fashionMNIST))
        // A copy in the download directory is checked by the fetch itself, as before.
        writeFashion(into: root + "/home/.cache/distill/fashion-mnist")
        XCTAssertNil(plain.fetchedElsewhere(.fashionMNIST))
    }
}

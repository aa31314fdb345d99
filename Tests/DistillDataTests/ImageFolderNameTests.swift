// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation
import XCTest

@testable import DistillData

/// Names of class folders and images that are not valid UTF-8 or hold control characters: the
/// file system takes them, so they are made here from bytes and must be refused by name, never dropped.
final class ImageFolderNameTests: XCTestCase {
    private var root: String!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("distill-names-\(UUID().uuidString)").path
        for relative in ["train/a", "train/b", "test/a", "test/b"] {
            try create(Array(relative.utf8))
            try create(Array("\(relative)/0.png".utf8), file: true)
        }
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: root) }

    func testAClassFolderWhoseNameIsNotUTF8IsRefusedNotDropped() throws {
        try create(Array("train/c".utf8) + [0xFF])
        assertRefused("the class folder name 'c\\xFF' in \(root!)/train is not valid UTF-8; rename it")
        try FileManager.default.removeItem(atPath: "\(root!)/train/b")
        // Before, this was "it holds one class folder".
        assertRefused("the class folder name 'c\\xFF' in \(root!)/train is not valid UTF-8; rename it")
    }

    func testATestClassFolderWhoseNameIsNotUTF8IsRefused() throws {
        try create(Array("test/b".utf8) + [0xC3, 0x28])
        assertRefused("the class folder name 'b\\xC3(' in \(root!)/test is not valid UTF-8; rename it")
    }

    func testAnImageWhoseNameIsNotUTF8IsRefusedEvenWhenSkippingBadImages() throws {
        try create(Array("train/a/".utf8) + [0xFE] + Array("0.png".utf8), file: true)
        let message = "the image name '\\xFE0.png' in \(root!)/train/a is not valid UTF-8; rename it"
        assertRefused(message)
        // Not a bad image to skip: it could not be named in the skip report, and renaming fixes it.
        XCTAssertThrowsError(try ImageFolder.resolve(root: root, options: ImageFolderOptions(skipsBadImages: true))) { error in
            XCTAssertEqual("\(error)", message)
        }
        // Other files are still ignored, whatever their names.
        remove(Array("train/a/".utf8) + [0xFE] + Array("0.png".utf8))
        try create(Array("train/a/notes".utf8) + [0xFF] + Array(".txt".utf8), file: true)
        XCTAssertEqual(try ImageFolderListing(root: root).train.count, 2)
    }

    func testAClassFolderNameWithAControlCharacterIsRefused() throws {
        for (name, shown) in [("a\nx", "a\\nx"), ("tab\t", "tab\\t"), ("cr\r", "cr\\r"), ("del\u{7F}", "del\\u{7F}"), ("\u{85}c", "\\u{85}c")] {
            try create(Array("train/\(name)".utf8))
            assertRefused("the class folder name '\(shown)' in \(root!)/train holds a control character; rename it")
            try FileManager.default.removeItem(atPath: "\(root!)/train/\(name)")
        }
    }

    func testUnicodeNamesAreListedAsBefore() throws {
        try create(Array("train/café".utf8))
        try create(Array("train/café/ü.png".utf8), file: true)
        try create(Array("test/café".utf8))
        try create(Array("test/café/0.png".utf8), file: true)
        let listing = try ImageFolderListing(root: root)
        XCTAssertEqual(listing.classNames, ["a", "b", "café"])
        XCTAssertEqual(listing.train.map(\.path).last, "\(root!)/train/café/ü.png")
    }

    func testEscapedNameShowsBadBytesAndControlCharacters() {
        let entry = DirectoryEntry(nameBytes: Array("c".utf8) + [0xFF, 0x0A, 0x1B] + Array("é".utf8), isDirectory: true)
        XCTAssertNil(entry.name)
        XCTAssertEqual(entry.escapedName, "c\\xFF\\n\\u{1B}é")
    }

    // MARK: - Helpers

    private func assertRefused(_ message: String, line: UInt = #line) {
        XCTAssertThrowsError(try ImageFolderListing(root: root), line: line) { error in
            XCTAssertEqual("\(error)", message, line: line)
        }
    }

    /// Makes `root/relative`, given as bytes, as a directory (with its parents) or an empty file.
    private func create(_ relative: [UInt8], file: Bool = false) throws {
        let path = Array(root.utf8) + [UInt8(ascii: "/")] + relative
        if !file {
            let parent = String(decoding: path[..<path.lastIndex(of: UInt8(ascii: "/"))!], as: UTF8.self)
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        }
        let made = (path + [0]).withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { name in
                file ? { let fd = open(name.baseAddress!, O_CREAT | O_WRONLY, 0o644); return fd >= 0 && close(fd) == 0 }()
                    : mkdir(name.baseAddress!, 0o755) == 0
            }
        }
        XCTAssertTrue(made, "cannot make \(String(decoding: relative, as: UTF8.self)): errno \(errno)")
    }

    /// Removes the file `root/relative`, given as bytes.
    private func remove(_ relative: [UInt8]) {
        let path = Array(root.utf8) + [UInt8(ascii: "/")] + relative + [0]
        let removed = path.withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { unlink($0.baseAddress!) == 0 } }
        XCTAssertTrue(removed)
    }
}

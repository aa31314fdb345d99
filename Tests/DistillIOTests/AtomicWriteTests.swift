// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

final class AtomicWriteTests: XCTestCase {
    private var directory: String!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    private func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    private func entries(_ subdirectory: String = "") throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path(subdirectory)).sorted()
    }

    private func fileType(_ path: String) -> mode_t {
        var status = stat()
        XCTAssertEqual(lstat(path, &status), 0, path)
        return status.st_mode & S_IFMT
    }

    func testWriteReplacesTheFileAndLeavesNoTemporaryBehind() throws {
        let file = path("nested/out.txt")
        try AtomicWrite.write("first", to: file)
        try AtomicWrite.write("second", to: file)
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), "second")
        XCTAssertEqual(try entries("nested"), ["out.txt"])
    }

    func testFIFOSymbolicLinkAndDirectoryAreRefusedAndLeftAlone() throws {
        let fifo = path("pipe.png")
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        let target = path("target.txt")
        try AtomicWrite.write("target", to: target)
        let link = path("link.txt")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let folder = path("folder")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)

        for (destination, kind) in [(fifo, "a FIFO (named pipe)"), (link, "a symbolic link"), (folder, "a directory")] {
            for write in [{ try AtomicWrite.write("x", to: destination) }, { try AtomicWrite.append(Data("x".utf8), to: destination) }] {
                XCTAssertThrowsError(try write()) { error in
                    XCTAssertEqual(error as? NotARegularFileError, NotARegularFileError(path: destination, kind: kind))
                    XCTAssertTrue("\(error)".hasPrefix("cannot write \(destination): it is \(kind), not a regular file"), "\(error)")
                }
            }
        }
        XCTAssertEqual(fileType(fifo), S_IFIFO)
        XCTAssertEqual(fileType(link), S_IFLNK)
        XCTAssertEqual(fileType(folder), S_IFDIR)
        XCTAssertEqual(try String(contentsOfFile: target, encoding: .utf8), "target")
        XCTAssertEqual(try entries(), ["folder", "link.txt", "pipe.png", "target.txt"], "no temporary file is left")
    }

    func testAProbeLeavesNoDirectoryItMade() throws {
        try AtomicWrite.probeDirectory(path("new/inner"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("new")))
        try FileManager.default.createDirectory(atPath: path("kept"), withIntermediateDirectories: false)
        try AtomicWrite.probeFile(path("kept/made/out.txt"), option: "--out")
        XCTAssertEqual(try entries(), ["kept"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: path("kept")), [], "only what the probe made is removed")
    }

    func testFileSystemErrorsAreOneLineNamingThePathAndRemoveTheTemporary() throws {
        let blocker = path("plain")
        try AtomicWrite.write("a file", to: blocker)
        XCTAssertThrowsError(try AtomicWrite.write("x", to: "\(blocker)/inside/out.txt")) { error in
            XCTAssertEqual("\(error)", "cannot create the directory \(blocker): a file of that name is in the way")
        }
        XCTAssertThrowsError(try AtomicWrite.probeDirectory("\(blocker)/inside")) { error in
            XCTAssertEqual("\(error)", "cannot create the directory \(blocker): a file of that name is in the way")
        }
        XCTAssertThrowsError(try AtomicWrite.probeDirectory(blocker)) { error in
            XCTAssertTrue("\(error)".hasPrefix("cannot "), "\(error)")
            XCTAssertTrue("\(error)".contains(blocker), "\(error)")
        }
        // /proc takes no new files, whoever runs the test; the kernel calls that "no such file or directory".
        let inProc = "/proc/distill-test-\(UUID().uuidString)"
        let takesNone = "the file system there takes no new files (as /proc and /sys do not)"
        XCTAssertThrowsError(try AtomicWrite.write("x", to: inProc)) { error in
            XCTAssertEqual("\(error)", "cannot write \(inProc): \(takesNone)")
        }
        XCTAssertThrowsError(try AtomicWrite.probeDirectory("/proc/self")) { error in
            XCTAssertEqual("\(error)", "cannot write in /proc/self: \(takesNone)")
        }
        XCTAssertThrowsError(try AtomicWrite.probeDirectory("\(inProc)/run")) { error in
            XCTAssertEqual("\(error)", "cannot create the directory \(inProc): \(takesNone)")
        }
        XCTAssertEqual(try entries(), ["plain"])
    }

    func testAPathTooLongForTheSystemLeavesNoDirectoriesBehind() throws {
        let tooLong = path(String(repeating: "d/", count: 2100) + "x.png")
        XCTAssertThrowsError(try AtomicWrite.write("x", to: tooLong)) { error in
            XCTAssertTrue("\(error)".hasSuffix(": the name is too long"), "\(error)")
        }
        // Before, the 2048 directories made before the path grew too long stayed.
        XCTAssertEqual(try entries(), [])
    }

    func testFoundationErrorsAreSaidInPlainWords() {
        let cases: [(CocoaError.Code, String)] = [
            (.fileWriteOutOfSpace, "cannot write /x: no space left on device"),
            (.fileWriteVolumeReadOnly, "cannot write /x: read-only file system"),
            (.fileWriteNoPermission, "cannot write /x: permission denied"),
            (.fileReadNoSuchFile, "cannot read /x: no such file or directory"),
        ]
        for (code, expected) in cases {
            XCTAssertEqual(FileSystemError(foundation: CocoaError(code, userInfo: [NSFilePathErrorKey: "/x"]))?.description, expected)
        }
        let underlying = NSError(domain: NSPOSIXErrorDomain, code: Int(EISDIR))
        let wrapped = CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: "/d", NSUnderlyingErrorKey: underlying])
        XCTAssertEqual(FileSystemError(foundation: wrapped)?.description, "cannot read /d: it is a directory")
        XCTAssertNil(FileSystemError(foundation: NotARegularFileError(path: "/x", kind: "a directory")))
    }

    func testStaleTemporariesOfGoneWritersAreRemoved() throws {
        let gone = Int32.max - 1  // above any pid_max
        let names = [
            ".checkpoint.json\(AtomicWrite.temporaryMarker)\(gone)-\(UUID().uuidString)",
            ".log.jsonl\(AtomicWrite.temporaryMarker)\(getpid())-\(UUID().uuidString)",
            ".synthetic.safetensors.\(UUID().uuidString).tmp",
            ".train-images.gz.\(UUID().uuidString).part",
            ".live\(AtomicWrite.temporaryMarker)1-\(UUID().uuidString)",
            "keep.txt", ".keep.tmp",
        ]
        for name in names { try AtomicWrite.write("x", to: path(name)) }
        let removed = AtomicWrite.removeStaleTemporaries(in: directory)
        XCTAssertEqual(Set(removed), Set(names.prefix(4)))
        XCTAssertEqual(try entries(), names.suffix(3).sorted())
    }

    func testStaleTemporaryDirectoriesAreRemovedAndOnlyThose() throws {
        let marker = AtomicWrite.temporaryMarker
        let gone = Int32.max - 1
        let stale = ".out\(marker)\(gone)-\(UUID().uuidString)"
        // The test's parent process is running; so is one named after the last marker.
        let kept = [
            ".out\(marker)\(getppid())-\(UUID().uuidString)", ".out\(marker)\(gone)-not-a-uuid", ".out\(marker)\(gone)",
            ".out\(marker)\(gone)-\(UUID().uuidString)\(marker)\(getppid())-\(UUID().uuidString)", "out\(marker)\(gone)-\(UUID().uuidString)",
        ]
        for name in [stale] + kept { try AtomicWrite.write("png", to: path("\(name)/0/0.png")) }
        // A link by a stale temporary's name is not followed, nor removed.
        let link = ".link\(marker)\(gone)-\(UUID().uuidString)"
        try FileManager.default.createSymbolicLink(atPath: path(link), withDestinationPath: path(kept[0]))
        XCTAssertEqual(AtomicWrite.removeStaleTemporaries(in: directory), [stale])
        XCTAssertEqual(try entries(), (kept + [link]).sorted())
        XCTAssertEqual(try entries("\(kept[0])/0"), ["0.png"])
    }

    func testWritingADirectoryRemovesTheTemporaryDirectoriesOfKilledWritersBesideIt() throws {
        let stale = ".classes\(AtomicWrite.temporaryMarker)\(Int32.max - 1)-\(UUID().uuidString)"
        let live = ".classes\(AtomicWrite.temporaryMarker)\(getppid())-\(UUID().uuidString)"
        for name in [stale, live] { try AtomicWrite.write("png", to: path("\(name)/0/0.png")) }
        try AtomicWrite.writeDirectory(path("classes")) { try AtomicWrite.write("png", to: "\($0)/0/0.png") }
        XCTAssertEqual(try entries(), [live, "classes"])
    }

    func testNamesUpToTheSystemLimitKeepTheirTemporariesWithinIt() throws {
        let limit = Int(NAME_MAX)
        // Two names alike in their first 250 bytes, and one whose characters take two bytes each.
        let names = [
            String(repeating: "w", count: limit), String(repeating: "w", count: limit - 1) + "v", "x" + String(repeating: "\u{E9}", count: (limit - 1) / 2),
        ]
        var temporaries: [String] = []
        for name in names {
            let file = try AtomicFile(replacing: path(name))
            let temporary = (file.temporaryPath as NSString).lastPathComponent
            temporaries.append(temporary)
            XCTAssertLessThanOrEqual(temporary.utf8.count, limit, temporary)
            let marker = try XCTUnwrap(temporary.range(of: AtomicWrite.temporaryMarker, options: .backwards))
            XCTAssertEqual(temporary[marker.upperBound...].prefix { $0 != "-" }, "\(getpid())")
            XCTAssertNotNil(UUID(uuidString: String(temporary.suffix(36))), temporary)
            // Cut between characters: the part before the marker begins the name.
            let kept = temporary[temporary.index(after: temporary.startIndex)..<marker.lowerBound]
            XCTAssertTrue(name.hasPrefix(kept), temporary)
            XCTAssertGreaterThan(kept.utf8.count, limit - 64, "no more is cut than needed")
            try file.append(Data(name.utf8))
            try file.commit()
            XCTAssertEqual(try String(contentsOfFile: path(name), encoding: .utf8), name)
        }
        XCTAssertEqual(Set(temporaries).count, 3, "two names cut alike get their own temporaries")
        XCTAssertEqual(try entries(), names.sorted(), "no temporary is left")
        // What a killed writer left under such a name is recognised.
        let left = try AtomicFile(replacing: path(names[0]))
        XCTAssertEqual(AtomicWrite.removeStaleTemporaries(in: directory), [(left.temporaryPath as NSString).lastPathComponent])
        left.discard()
    }

    func testANameLongerThanTheSystemTakesIsRefusedByTheProbe() throws {
        let name = String(repeating: "w", count: Int(NAME_MAX) + 1)
        XCTAssertThrowsError(try AtomicWrite.probeFile(path("made/\(name)"), option: "--save")) { error in
            XCTAssertEqual("\(error)", "cannot write \(path("made/\(name)")): the name is too long")
        }
        XCTAssertEqual(try entries(), [], "the probe leaves nothing")
    }

    func testAppendAddsWholeRecords() throws {
        let log = path("log.jsonl")
        try AtomicWrite.append(Data("1\n".utf8), to: log)
        try AtomicWrite.append(Data("2\n".utf8), to: log)
        XCTAssertEqual(try String(contentsOfFile: log, encoding: .utf8), "1\n2\n")
    }

    func testASecondLockOnARunDirectoryNamesTheOwner() throws {
        let run = path("run")
        var lock: RunDirectoryLock? = try RunDirectoryLock(directory: run)
        XCTAssertThrowsError(try RunDirectoryLock(directory: run)) { error in
            XCTAssertEqual(error as? RunDirectoryInUseError, RunDirectoryInUseError(directory: run, process: getpid()))
            XCTAssertTrue("\(error)".hasPrefix("\(run) is in use by process \(getpid())"), "\(error)")
        }
        lock = nil
        XCTAssertNil(lock)
        XCTAssertNoThrow(try RunDirectoryLock(directory: run), "dropping the lock frees the directory")
    }

    func testADirectoryTheLockMadeAndNothingUsedIsRemovedOnRelease() throws {
        try RunDirectoryLock(directory: path("a/b/run")).release()
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("a")), "the run directory and the parents the lock made")
        let used = try RunDirectoryLock(directory: path("used"))
        try Data("x".utf8).write(to: URL(fileURLWithPath: path("used/result.json")))
        used.release()
        XCTAssertEqual(try entries("used"), ["result.json"], "the lock file the lock made is removed")
        try FileManager.default.createDirectory(atPath: path("existing"), withIntermediateDirectories: false)
        try RunDirectoryLock(directory: path("existing")).release()
        XCTAssertEqual(try entries("existing"), [], "a directory that was there stays, without the lock's file")
    }

    func testALockFileThatWasThereIsKept() throws {
        let file = path(RunDirectoryLock.fileName)
        try Data("1\n".utf8).write(to: URL(fileURLWithPath: file))
        let lock = try RunDirectoryLock(directory: directory)
        XCTAssertThrowsError(try RunDirectoryLock(directory: directory))
        lock.release()
        XCTAssertEqual(try entries(), [RunDirectoryLock.fileName])
        XCTAssertNoThrow(try RunDirectoryLock(directory: directory).release())
    }
}

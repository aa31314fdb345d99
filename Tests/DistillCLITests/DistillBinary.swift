// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation
import _DistillTestSupport

/// The built `distill` binary, run as a user runs it in a scratch directory,
/// with a generated dataset as its only data source.
struct DistillBinary {
    let data: TinyFashionMNIST
    /// The working directory of every run, inside the dataset's temporary root.
    let scratch: String

    init(data: TinyFashionMNIST) throws {
        self.data = data
        scratch = (data.root as NSString).appendingPathComponent("work")
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    }

    /// A path inside the scratch directory.
    func path(_ name: String) -> String { (scratch as NSString).appendingPathComponent(name) }

    /// Runs the binary and waits for it.
    func run(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = Self.productsDirectory.appendingPathComponent("distill")
        let readsData = ["condense", "evaluate", "experiment", "train"].contains(arguments[0])
        process.arguments = arguments + (readsData ? ["--data-dir", data.root] : [])
        process.environment = ["HOME": data.root, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"]
        process.currentDirectoryURL = URL(fileURLWithPath: scratch)
        // Files rather than pipes: the child can never block on a full pipe.
        let (outputPath, errorsPath) = (path("stdout.txt"), path("stderr.txt"))
        for file in [outputPath, errorsPath] { _ = FileManager.default.createFile(atPath: file, contents: nil) }
        let (output, errors) = (FileHandle(forWritingAtPath: outputPath)!, FileHandle(forWritingAtPath: errorsPath)!)
        defer { try? output.close(); try? errors.close() }
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        return (
            process.terminationStatus, try String(contentsOfFile: outputPath, encoding: .utf8),
            try String(contentsOfFile: errorsPath, encoding: .utf8)
        )
    }

    /// Where SwiftPM put the binary: beside the test bundle.
    private static var productsDirectory: URL {
        #if os(macOS)
            for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
                return bundle.bundleURL.deletingLastPathComponent()
            }
            fatalError("no .xctest bundle loaded")
        #else
            return Bundle.main.bundleURL
        #endif
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation

/// The built `distill` binary, run as a user runs it.
public struct DistillProcess {
    /// What a run printed and how it ended.
    public struct Result {
        public let status: Int32
        public let output: String
        public let errors: String
    }

    /// Where SwiftPM put the binary: beside the test bundle.
    public static var executable: URL {
        #if os(macOS)
            for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
                return bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("distill")
            }
            fatalError("no .xctest bundle loaded")
        #else
            return Bundle.main.bundleURL.appendingPathComponent("distill")
        #endif
    }

    /// Runs `distill arguments` in `directory` with only `PATH` and `environment` set.
    public static func run(
        _ arguments: [String], environment: [String: String] = [:], in directory: URL
    ) throws -> Result {
        try run(program: executable.path, arguments, environment: environment, in: directory)
    }

    /// Runs `program` (a path, or a name looked up on `PATH`) in `directory`
    /// with only `PATH` and `environment` set; output goes through files in
    /// `directory`, so the child never blocks on a full pipe.
    public static func run(
        program: String, _ arguments: [String], environment: [String: String] = [:], in directory: URL
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program.contains("/") ? program : "/usr/bin/env")
        process.arguments = program.contains("/") ? arguments : [program] + arguments
        process.environment = environment.merging(["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"]) {
            $1
        }
        process.currentDirectoryURL = directory
        let (output, errors) = (directory.appendingPathComponent(".stdout"), directory.appendingPathComponent(".stderr"))
        for file in [output, errors] { _ = FileManager.default.createFile(atPath: file.path, contents: nil) }
        let (outputHandle, errorsHandle) = (try FileHandle(forWritingTo: output), try FileHandle(forWritingTo: errors))
        defer { try? outputHandle.close(); try? errorsHandle.close() }
        process.standardOutput = outputHandle
        process.standardError = errorsHandle
        try process.run()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, output: try String(contentsOf: output, encoding: .utf8),
            errors: try String(contentsOf: errors, encoding: .utf8))
    }
}

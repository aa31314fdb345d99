// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import ArgumentParser
import DistillData
import Foundation

struct DataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", abstract: "List and download datasets.", subcommands: [List.self, Fetch.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show which datasets are present and where.")

        @OptionGroup var data: DataOptions

        func validate() throws {
            try data.requireNoFolderOptions(unless: false, "(data list shows the built-in datasets)")
        }

        func run() throws {
            try data.locator.checkNamedRoots(mustExist: false)
            for search in data.locator.searchAll() {
                if let found = search.found {
                    print("\(search.kind.name.padding(toLength: 14, withPad: " ", startingAt: 0)) present  \(found.directory) (\(found.origin.rawValue))")
                } else {
                    let looked = search.candidates.map(\.directory).joined(separator: ", ")
                    print("\(search.kind.name.padding(toLength: 14, withPad: " ", startingAt: 0)) missing  looked in \(looked); \(DataLocator.fix(for: search.kind))")
                }
            }
        }
    }

    struct Fetch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download a dataset from its official source, verifying MD5 checksums.")

        @Argument(help: "Dataset: \(DatasetKind.allValueStrings.joined(separator: ", ")).")
        var dataset: DatasetArgument

        @OptionGroup var data: DataOptions

        func validate() throws {
            guard DatasetKind(name: dataset.name) != nil else {
                throw ValidationError(
                    "cannot fetch '\(dataset.name)': data fetch downloads one of \(DatasetKind.allValueStrings.joined(separator: ", "))")
            }
            try data.requireFolderDataset(dataset.name)
        }

        /// The built-in dataset named, checked by validation.
        private var kind: DatasetKind { DatasetKind(name: dataset.name)! }

        func run() async throws {
            if let copy = data.locator.fetchedElsewhere(kind) {
                print("\(kind.name) is already available at \(copy.directory) (\(copy.origin.rawValue)); nothing to fetch")
                return
            }
            let directory = data.locator.downloadDirectory(for: kind)
            let reporter = FetchReporter()
            let paths = try await DatasetDownloader().fetch(kind, into: directory) { progress in
                reporter.report(progress)
            }
            reporter.finish()
            print("fetched \(kind.name) into \(directory) (\(paths.count) files, checksums verified)")
        }
    }
}

/// Prints download progress from the downloader's background queue.
private final class FetchReporter: @unchecked Sendable {
    private let lock = NSLock()
    private var line = ProgressLine()

    func report(_ progress: DownloadProgress) {
        lock.lock()
        defer { lock.unlock() }
        let megabytes = Double(progress.bytesReceived) / 1_048_576
        let total = progress.bytesExpected.map { String(format: " / %.1f MB", Double($0) / 1_048_576) } ?? ""
        line.update(
            "[\(progress.fileIndex + 1)/\(progress.fileCount)] \(progress.file): \(String(format: "%.1f", megabytes)) MB\(total)")
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        line.finish()
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import ArgumentParser
import DistillData
import Foundation

/// Where to look for datasets, and how to read an image folder.
struct DataOptions: ParsableArguments {
    @Option(
        name: .customLong("data-dir"),
        help: "Directory holding datasets (searched before $DISTILL_DATA, ~/.cache/distill and system packages).")
    var dataDirectory: String?
    @Option(
        name: .customLong("image-size"), parsing: .unconditional,
        help: "For folder:PATH datasets: resize (shorter side, centre crop) to N×N (default: the first training image's shorter side).")
    var imageSize: Int?
    @Flag(name: .customLong("skip-bad-images"), help: "For folder:PATH datasets: report and skip images that cannot be decoded.")
    var skipBadImages = false
    @Option(
        name: .customLong("max-memory"), parsing: .unconditional,
        help: "For folder:PATH datasets: GiB the decoded training set may take (default \(ImageFolderOptions.defaultMemoryLimit >> 30)).")
    var maxMemory: Double?

    func validate() throws {
        try requirePositive(imageSize, "--image-size")
        // Its byte count must be an Int: 2^33 GiB is 2^63 bytes.
        if let maxMemory, !(maxMemory > 0 && maxMemory < Self.maxMemoryBound) {
            throw ValidationError(
                "--max-memory must be a finite number of GiB above 0 and below \(Int(Self.maxMemoryBound)) (got \(maxMemory))")
        }
        try requirePath(dataDirectory, "--data-dir")
    }

    /// Refuses the image-folder options for `dataset` when it is not a folder:PATH dataset, which ignores them.
    func requireFolderDataset(_ dataset: String) throws {
        try requireNoFolderOptions(unless: dataset.hasPrefix(ImageFolder.namePrefix), "(\(dataset) is not one)")
    }

    /// Refuses the image-folder options unless `applies`; `context` ends the message.
    func requireNoFolderOptions(unless applies: Bool, _ context: String) throws {
        for (option, given) in [("--image-size", imageSize != nil), ("--skip-bad-images", skipBadImages), ("--max-memory", maxMemory != nil)] {
            try requireApplies(option, given: given, when: applies, "to folder:PATH datasets \(context)")
        }
    }

    /// The first `--max-memory` whose byte count no longer fits in an Int.
    static let maxMemoryBound = Double(1 << 33)

    var locator: DataLocator {
        let reporter = DecodeReporter()
        let options = ImageFolderOptions(
            imageSize: imageSize, skipsBadImages: skipBadImages,
            memoryLimit: maxMemory.map { Int($0 * Double(1 << 30)) } ?? ImageFolderOptions.defaultMemoryLimit,
            progress: { reporter.report($0) })
        return DataLocator(dataDirectory: dataDirectory, imageFolderOptions: options)
    }

    /// The dataset `--dataset` names, an image folder scanned and described.
    func resolve(_ dataset: DatasetArgument) throws -> DatasetKind {
        try locator.dataset(named: dataset.name)
    }
}

/// `--dataset`: a built-in dataset's name or `folder:PATH`, read when the command runs.
/// Any text is taken, for `requireDatasetName` to refuse in one line what names no dataset.
struct DatasetArgument: ExpressibleByArgument {
    let name: String

    static let fashionMNIST = DatasetArgument(name: DatasetKind.fashionMNIST.name)

    private init(name: String) { self.name = name }

    init?(argument: String) {
        name = argument.hasPrefix(ImageFolder.namePrefix) ? argument : DatasetKind(name: argument)?.name ?? argument
    }

    var defaultValueDescription: String { name }

    static var allValueStrings: [String] { DatasetKind.allValueStrings + ["folder:PATH"] }
}

extension DatasetKind: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(name: argument)
    }

    public static var allValueStrings: [String] { allCases.map(\.name) }
}

/// Prints image-decoding progress from the decoding threads as one line on standard error.
private final class DecodeReporter: @unchecked Sendable {
    private let lock = NSLock()
    private var line = ProgressLine()

    func report(_ text: String) {
        lock.withLock {
            line.update(text)
            // Counts overwrite each other; anything else is kept.
            if !text.hasPrefix("decoding ") { line.finish() }
        }
    }
}

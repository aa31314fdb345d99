// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation

/// Readers of the CIFAR-10 and CIFAR-100 binary releases.
///
/// Each record of a batch file is the label byte(s) followed by a 32×32 RGB
/// image as three row-major planes, which is already `[C, H, W]`:
/// ```
/// CIFAR-10:  label (1 byte)                     R (1024) G (1024) B (1024)   3073 bytes
/// CIFAR-100: coarse label (1), fine label (1)   R (1024) G (1024) B (1024)   3074 bytes
/// ```
/// CIFAR-100 uses the 100 fine labels.
public enum CIFARBinary {
    /// Where a release keeps its files.
    public struct Layout: Sendable {
        /// The official archive's file name, e.g. `cifar-10-binary.tar.gz`.
        public var archiveName: String
        /// The directory the archive extracts to, e.g. `cifar-10-batches-bin`.
        public var directoryName: String
        public var trainFiles: [String]
        public var testFiles: [String]
        /// The file with one class name per line.
        public var classNamesFile: String
        /// Label bytes before the pixels of each record.
        public var labelBytes: Int

        public var recordSize: Int { labelBytes + 3 * 32 * 32 }
        public func files(of split: DatasetSplit) -> [String] { split == .train ? trainFiles : testFiles }
    }

    /// The layout of `kind`'s binary release.
    /// - Precondition: `kind` is `.cifar10` or `.cifar100`.
    public static func layout(of kind: DatasetKind) -> Layout {
        switch kind {
        case .cifar10:
            return Layout(
                archiveName: "cifar-10-binary.tar.gz", directoryName: "cifar-10-batches-bin",
                trainFiles: (1...5).map { "data_batch_\($0).bin" }, testFiles: ["test_batch.bin"],
                classNamesFile: "batches.meta.txt", labelBytes: 1)
        case .cifar100:
            return Layout(
                archiveName: "cifar-100-binary.tar.gz", directoryName: "cifar-100-binary",
                trainFiles: ["train.bin"], testFiles: ["test.bin"],
                classNamesFile: "fine_label_names.txt", labelBytes: 2)
        default:
            preconditionFailure("CIFARBinary.layout: \(kind.name) is not a CIFAR dataset")
        }
    }

    /// Reads splits of `kind` straight from the official `.tar.gz`, streaming.
    ///
    /// Only the members the requested splits need are kept in memory.
    /// - Throws: `DatasetError` for unreadable or corrupt archives and missing members.
    public static func read(_ kind: DatasetKind, archive path: String, splits: [DatasetSplit]) throws
        -> [DatasetSplit: Dataset]
    {
        let layout = layout(of: kind)
        let prefix = layout.directoryName + "/"
        let needed = Set([layout.classNamesFile] + splits.flatMap(layout.files(of:)))
        let entries = try TarArchive.entries(atPath: path) { name in
            name.hasPrefix(prefix) && needed.contains(String(name.dropFirst(prefix.count)))
        }
        var members = [String: [UInt8]]()
        for entry in entries { members[String(entry.name.dropFirst(prefix.count))] = entry.contents }
        return try assemble(kind, layout: layout, splits: splits) { file in
            guard let bytes = members.removeValue(forKey: file) else {
                throw DatasetError.corrupt(path: path, reason: "archive has no member \(prefix + file)", dataset: nil)
            }
            return (bytes, "\(path):\(prefix + file)")
        }
    }

    /// Reads splits of `kind` from an extracted directory such as `…/cifar-10-batches-bin`.
    /// - Throws: `DatasetError` for missing, unreadable or corrupt files.
    public static func read(_ kind: DatasetKind, directory: String, splits: [DatasetSplit]) throws
        -> [DatasetSplit: Dataset]
    {
        try assemble(kind, layout: layout(of: kind), splits: splits) { file in
            let path = (directory as NSString).appendingPathComponent(file)
            return (try readFile(atPath: path), path)
        }
    }

    /// Decodes one batch file into `[N, 3, 32, 32]` pixel bytes and labels.
    /// - Throws: `DatasetError.corrupt` when the length is not a whole number of records or a label is out of range.
    public static func decodeBatch(_ bytes: [UInt8], of kind: DatasetKind, source: String) throws
        -> (pixels: [UInt8], labels: [Int])
    {
        let layout = layout(of: kind)
        let record = layout.recordSize, imageSize = record - layout.labelBytes
        guard !bytes.isEmpty, bytes.count % record == 0 else {
            throw DatasetError.corrupt(
                path: source,
                reason: "\(bytes.count) bytes is not a whole number of \(record)-byte \(kind.displayName) records",
                dataset: nil)
        }
        let count = bytes.count / record
        var labels = [Int](repeating: 0, count: count)
        var pixels = [UInt8](repeating: 0, count: count * imageSize)
        try bytes.withUnsafeBufferPointer { input in
            try pixels.withUnsafeMutableBufferPointer { out in
                for index in 0..<count {
                    let start = index * record
                    // CIFAR-100 records put the fine label second; it is the one used.
                    let label = Int(input[start + layout.labelBytes - 1])
                    guard label < kind.classCount else {
                        throw DatasetError.corrupt(
                            path: source,
                            reason: "record \(index) has label \(label), outside 0..<\(kind.classCount)",
                            dataset: nil)
                    }
                    labels[index] = label
                    (out.baseAddress! + index * imageSize).update(
                        from: input.baseAddress! + start + layout.labelBytes, count: imageSize)
                }
            }
        }
        return (pixels, labels)
    }

    /// Parses a class-name file: one name per non-empty line.
    /// - Throws: `DatasetError.corrupt` unless it holds exactly `kind.classCount` names.
    public static func parseClassNames(_ bytes: [UInt8], of kind: DatasetKind, source: String) throws -> [String] {
        let names = String(decoding: bytes, as: UTF8.self)
            .split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard names.count == kind.classCount else {
            throw DatasetError.corrupt(
                path: source, reason: "expected \(kind.classCount) class names, found \(names.count)", dataset: nil)
        }
        return names
    }

    /// Builds the requested splits from files fetched by `load(name) -> (bytes, path for messages)`.
    private static func assemble(
        _ kind: DatasetKind, layout: Layout, splits: [DatasetSplit],
        load: (String) throws -> ([UInt8], String)
    ) throws -> [DatasetSplit: Dataset] {
        let (nameBytes, namePath) = try load(layout.classNamesFile)
        let classNames = try parseClassNames(nameBytes, of: kind, source: namePath)
        var result = [DatasetSplit: Dataset]()
        for split in splits {
            var pixels = [UInt8](), labels = [Int]()
            pixels.reserveCapacity(kind.count(of: split) * 3 * 32 * 32)
            for file in layout.files(of: split) {
                let (bytes, path) = try load(file)
                let batch = try decodeBatch(bytes, of: kind, source: path)
                pixels += batch.pixels
                labels += batch.labels
            }
            result[split] = Dataset(kind: kind, split: split, pixels: pixels, labels: labels, classNames: classNames)
        }
        return result
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation

/// The files of one dataset found on disk, ready to be read.
public enum DatasetSource: Sendable, Equatable {
    /// MNIST-style IDX files, each path raw or `.gz`.
    case idx(trainImages: String, trainLabels: String, testImages: String, testLabels: String)
    /// The official CIFAR `.tar.gz`.
    case cifarArchive(String)
    /// An extracted CIFAR directory such as `…/cifar-10-batches-bin`.
    case cifarDirectory(String)
    /// SVHN's `train_32x32.mat` and `test_32x32.mat`, which distill cannot read yet.
    case matlab(directory: String)
    /// A user's own image folder, already scanned.
    case imageFolder(ImageFolder)
}

/// Finds datasets on disk.
///
/// Search order, first complete copy wins:
/// 1. `<dataDirectory>/<name>` (the `--data-dir` option),
/// 2. `$DISTILL_DATA/<name>`,
/// 3. `~/.cache/distill/<name>` (where `distill data fetch` puts data by default),
/// 4. a system directory: Debian's `dataset-fashion-mnist` package installs
///    `/usr/share/datasets/fashion-mnist` (gzip IDX).
///
/// `<name>` is the dataset's `name` (`fashion-mnist`, `cifar10`, …). The
/// environment is a parameter, not read from a global, so callers and tests
/// decide what `$DISTILL_DATA` and `$HOME` are.
public struct DataLocator: Sendable {
    /// Where a search location comes from.
    public enum Origin: String, Sendable {
        case dataDirectory = "--data-dir"
        case environment = "$DISTILL_DATA"
        case userCache = "~/.cache/distill"
        case system = "system package"

        /// Whether the user named this location, so that what it holds (or fails to) is never passed over.
        public var isNamedByUser: Bool { self == .dataDirectory || self == .environment }
    }

    /// What one search location holds.
    public enum Status: Sendable, Equatable {
        case complete(DatasetSource)
        /// The directory exists but lacks these files.
        case incomplete(missing: [String])
        case absent
    }

    /// One directory looked at for a dataset.
    public struct Candidate: Sendable, Equatable {
        public var directory: String
        public var origin: Origin
        public var status: Status
    }

    /// Every location looked at for one dataset, in search order.
    public struct Search: Sendable, Equatable {
        public var kind: DatasetKind
        public var candidates: [Candidate]

        /// The first location holding a complete copy.
        public var found: Candidate? {
            candidates.first { if case .complete = $0.status { return true } else { return false } }
        }
    }

    /// Directories that system packages install datasets into.
    public static let systemDirectories: [DatasetKind: String] = [.fashionMNIST: "/usr/share/datasets/fashion-mnist"]

    /// The `--data-dir` option, searched first when set.
    public var dataDirectory: String?
    /// Supplies `DISTILL_DATA` and `HOME`.
    public var environment: [String: String]
    /// System install directories per dataset, searched last.
    public var systemDirectories: [DatasetKind: String]
    /// How `folder:PATH` datasets are read.
    public var imageFolderOptions: ImageFolderOptions

    public init(
        dataDirectory: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        systemDirectories: [DatasetKind: String] = DataLocator.systemDirectories,
        imageFolderOptions: ImageFolderOptions = ImageFolderOptions()
    ) {
        self.imageFolderOptions = imageFolderOptions
        self.dataDirectory = dataDirectory
        self.environment = environment
        self.systemDirectories = systemDirectories
    }

    /// The data roots in search order: `--data-dir`, `$DISTILL_DATA`, `~/.cache/distill`.
    public var roots: [(path: String, origin: Origin)] {
        var roots = [(path: String, origin: Origin)]()
        if let dataDirectory, !dataDirectory.isEmpty { roots.append((expand(dataDirectory), .dataDirectory)) }
        if let variable = environment["DISTILL_DATA"], !variable.isEmpty { roots.append((expand(variable), .environment)) }
        roots.append(((home as NSString).appendingPathComponent(".cache/distill"), .userCache))
        return roots
    }

    /// Where `distill data fetch` writes `kind`: `<first root>/<name>`.
    public func downloadDirectory(for kind: DatasetKind) -> String {
        (roots[0].path as NSString).appendingPathComponent(kind.name)
    }

    /// A complete copy of `kind` that `distill data fetch` need not download: the one every
    /// command reads, when it lies outside the download directory (a system package's) and no
    /// data directory was named. A directory named with `--data-dir` or `$DISTILL_DATA` is where
    /// the user wants the files, so nothing found elsewhere stands in for it.
    public func fetchedElsewhere(_ kind: DatasetKind) -> Candidate? {
        guard roots[0].origin == .userCache, let found = search(kind).found else { return nil }
        let download = (downloadDirectory(for: kind) as NSString).standardizingPath
        return (found.directory as NSString).standardizingPath == download ? nil : found
    }

    /// Looks for `kind` in every location.
    public func search(_ kind: DatasetKind) -> Search {
        var directories = roots.map { (($0.path as NSString).appendingPathComponent(kind.name), $0.origin) }
        if let system = systemDirectories[kind] { directories.append((system, .system)) }
        var seen = Set<String>()
        let candidates = directories.compactMap { directory, origin -> Candidate? in
            let key = (directory as NSString).standardizingPath
            guard seen.insert(key).inserted else { return nil }
            return Candidate(directory: directory, origin: origin, status: Self.status(of: kind, in: directory))
        }
        return Search(kind: kind, candidates: candidates)
    }

    /// The search result for every known dataset, for `distill data list`.
    public func searchAll() -> [Search] {
        DatasetKind.allCases.map(search)
    }

    /// The first complete copy of `kind`.
    /// - Throws: `DatasetError.notFound` listing every location looked at and the command that gets the data.
    ///   `DatasetError.unusableDataDirectory` when a directory the user named cannot hold data,
    ///   `DatasetError.incompleteCopy` when it holds part of the dataset: either would otherwise leave
    ///   the data to come from a later location without a word.
    public func locate(_ kind: DatasetKind) throws -> DatasetSource {
        if case .folder(let folder) = kind { return .imageFolder(folder) }
        try checkNamedRoots(mustExist: true)
        let result = search(kind)
        for candidate in result.candidates where candidate.origin.isNamedByUser {
            if case .incomplete(let missing) = candidate.status {
                throw DatasetError.incompleteCopy(
                    dataset: kind.name, directory: candidate.directory, origin: candidate.origin.rawValue, missing: missing)
            }
            if case .complete = candidate.status { break }
        }
        if let found = result.found, case .complete(let source) = found.status { return source }
        let searched = result.candidates.map { candidate -> String in
            switch candidate.status {
            case .absent: return candidate.directory
            case .incomplete(let missing): return "\(candidate.directory) (lacks \(missing.joined(separator: ", ")))"
            case .complete: return candidate.directory
            }
        }
        throw DatasetError.notFound(dataset: kind.name, searched: searched, fix: Self.fix(for: kind))
    }

    /// Throws `DatasetError.unusableDataDirectory` when `--data-dir` or `$DISTILL_DATA` names something
    /// that is not a directory, or (with `mustExist`, when data is read from it) nothing at all.
    public func checkNamedRoots(mustExist: Bool) throws {
        for root in roots where root.origin.isNamedByUser {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory)
            if exists && !isDirectory.boolValue {
                throw DatasetError.unusableDataDirectory(path: root.path, origin: root.origin.rawValue, reason: "it is not a directory")
            }
            if !exists && mustExist {
                // A link is there, but following it ends nowhere: say so rather than that nothing is there.
                var status = stat()
                let danglingLink = lstat(root.path, &status) == 0 && status.st_mode & S_IFMT == S_IFLNK
                let reason = danglingLink ? "it is a symbolic link that leads to nothing (a loop, or a missing target)" : "it does not exist"
                throw DatasetError.unusableDataDirectory(path: root.path, origin: root.origin.rawValue, reason: reason)
            }
        }
    }

    /// The dataset called `name`: a built-in name, or `folder:PATH`, which is scanned (see `ImageFolder.resolve`).
    /// - Parameter imageSize: the image size a synthetic set was made at; its images are read at that size.
    /// - Throws: `DatasetError.unsupported` for an unknown name; `DatasetError.imageSizeNotApplicable`
    ///   when the options ask for a size that would be ignored (a built-in dataset, or another size than the set's);
    ///   the folder's errors.
    public func dataset(named name: String, imageSize: Int? = nil) throws -> DatasetKind {
        let asked = imageFolderOptions.imageSize
        if name.hasPrefix(ImageFolder.namePrefix) {
            var options = imageFolderOptions
            if let imageSize {
                if let asked, asked != imageSize {
                    throw DatasetError.imageSizeNotApplicable(
                        asked: asked, reason: "the synthetic set was made from \(name) at \(imageSize)×\(imageSize), the size it is used at")
                }
                options.imageSize = imageSize
            }
            return .folder(try ImageFolder.resolve(root: String(name.dropFirst(ImageFolder.namePrefix.count)), options: options))
        }
        guard let kind = DatasetKind(name: name) else {
            throw DatasetError.unsupported(
                dataset: name,
                reason: "it is not a dataset distill knows; use one of \(DatasetKind.allCases.map(\.name).joined(separator: ", ")) or folder:PATH")
        }
        if let asked {
            let shape = kind.imageShape
            throw DatasetError.imageSizeNotApplicable(
                asked: asked, reason: "\(name) is not a folder:PATH dataset; its images are \(shape[1])×\(shape[2])")
        }
        return kind
    }

    /// The command that gets `kind` onto this machine.
    public static func fix(for kind: DatasetKind) -> String {
        switch kind {
        case .fashionMNIST:
            return "run `distill data fetch fashion-mnist` or `apt-get install dataset-fashion-mnist`"
        case .folder(let folder):
            return ImageFolder.layoutFix(root: folder.root)
        case .svhn:
            return "SVHN ships as MATLAB .mat files, which distill cannot read yet; use mnist, fashion-mnist, cifar10 or cifar100"
        default:
            return "run `distill data fetch \(kind.name)`"
        }
    }

    // MARK: - Private

    private var home: String {
        environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
    }

    private func expand(_ path: String) -> String {
        if path == "~" { return home }
        if path.hasPrefix("~/") { return (home as NSString).appendingPathComponent(String(path.dropFirst(2))) }
        return path
    }
}

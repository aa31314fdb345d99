// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation

extension DataLocator {
    /// Finds `kind` and reads one split of it.
    /// - Throws: `DatasetError.notFound` when no copy exists, `.unsupported` for SVHN,
    ///   `.unreadable` / `.corrupt` for damaged files (naming the file and the fault).
    public func load(_ kind: DatasetKind, split: DatasetSplit) throws -> Dataset {
        try locate(kind).load(kind, splits: [split])[split]!
    }

    /// Finds `kind` and reads both splits, decompressing a CIFAR archive only once.
    public func load(_ kind: DatasetKind) throws -> (train: Dataset, test: Dataset) {
        let splits = try locate(kind).load(kind, splits: [.train, .test])
        return (splits[.train]!, splits[.test]!)
    }

    /// The IDX file names of MNIST-style datasets, each stored raw or with `.gz`.
    public static let idxFileNames = (
        trainImages: "train-images-idx3-ubyte", trainLabels: "train-labels-idx1-ubyte",
        testImages: "t10k-images-idx3-ubyte", testLabels: "t10k-labels-idx1-ubyte"
    )

    /// What `directory` holds of `kind`.
    static func status(of kind: DatasetKind, in directory: String) -> Status {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            return .absent
        }
        func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        func isFile(_ name: String) -> Bool {
            var isDirectory: ObjCBool = false
            return manager.fileExists(atPath: path(name), isDirectory: &isDirectory) && !isDirectory.boolValue
        }
        switch kind.storageFormat {
        case .idx:
            let names = idxFileNames
            let bases = [names.trainImages, names.trainLabels, names.testImages, names.testLabels]
            let found = bases.map { base in [base, base + ".gz"].first(where: isFile).map(path) }
            let missing = zip(bases, found).filter { $0.1 == nil }.map { $0.0 + "[.gz]" }
            guard missing.isEmpty else { return .incomplete(missing: missing) }
            return .complete(.idx(trainImages: found[0]!, trainLabels: found[1]!, testImages: found[2]!, testLabels: found[3]!))
        case .cifarBinary:
            let layout = CIFARBinary.layout(of: kind)
            if isFile(layout.archiveName) { return .complete(.cifarArchive(path(layout.archiveName))) }
            let extracted = path(layout.directoryName)
            let files = [layout.classNamesFile] + layout.trainFiles + layout.testFiles
            let missing = files.filter { !manager.fileExists(atPath: (extracted as NSString).appendingPathComponent($0)) }
            guard missing.isEmpty else {
                let lacking = missing.count == files.count ? [layout.archiveName] : missing.map { layout.directoryName + "/" + $0 }
                return .incomplete(missing: lacking)
            }
            return .complete(.cifarDirectory(extracted))
        case .imageFolder:
            return .absent  // Folders are named by path, never searched for under a data root.
        case .matlab:
            let missing = ["train_32x32.mat", "test_32x32.mat"].filter { !isFile($0) }
            return missing.isEmpty ? .complete(.matlab(directory: directory)) : .incomplete(missing: missing)
        }
    }
}

extension DatasetSource {
    /// Reads the requested splits of `kind` from these files.
    /// - Throws: `DatasetError.unsupported` for `.matlab`; `.unreadable` / `.corrupt` naming the dataset.
    public func load(_ kind: DatasetKind, splits: [DatasetSplit]) throws -> [DatasetSplit: Dataset] {
        do {
            switch self {
            case .idx(let trainImages, let trainLabels, let testImages, let testLabels):
                var result = [DatasetSplit: Dataset]()
                for split in splits {
                    let (images, labels) = split == .train ? (trainImages, trainLabels) : (testImages, testLabels)
                    result[split] = try Self.loadIDX(kind, split: split, images: images, labels: labels)
                }
                return result
            case .cifarArchive(let path):
                return try CIFARBinary.read(kind, archive: path, splits: splits)
            case .cifarDirectory(let path):
                return try CIFARBinary.read(kind, directory: path, splits: splits)
            case .imageFolder(let folder):
                return try folder.load(splits: splits)
            case .matlab:
                throw DatasetError.unsupported(dataset: kind.name, reason: DataLocator.fix(for: .svhn))
            }
        } catch let error as DatasetError {
            throw error.naming(kind)
        }
    }

    /// Reads one split from an IDX image file and an IDX label file.
    static func loadIDX(_ kind: DatasetKind, split: DatasetSplit, images: String, labels: String) throws -> Dataset {
        let imageFile = try IDXFile.read(contentsOf: images, expecting: .images)
        let labelFile = try IDXFile.read(contentsOf: labels, expecting: .labels)
        let size = Array(kind.imageShape.dropFirst())
        guard Array(imageFile.dimensions.dropFirst()) == size else {
            throw DatasetError.corrupt(
                path: images, reason: "images are \(imageFile.dimensions.dropFirst()), \(kind.name) needs \(size)",
                dataset: nil)
        }
        guard imageFile.dimensions[0] == labelFile.dimensions[0] else {
            throw DatasetError.corrupt(
                path: labels,
                reason: "\(labelFile.dimensions[0]) labels for the \(imageFile.dimensions[0]) images of \(images)",
                dataset: nil)
        }
        if let bad = labelFile.bytes.firstIndex(where: { Int($0) >= kind.classCount }) {
            throw DatasetError.corrupt(
                path: labels, reason: "label \(labelFile.bytes[bad]) at index \(bad) is outside 0..<\(kind.classCount)",
                dataset: nil)
        }
        return Dataset(
            kind: kind, split: split, pixels: imageFile.bytes, labels: labelFile.bytes.map(Int.init),
            classNames: kind.builtInClassNames!)
    }
}

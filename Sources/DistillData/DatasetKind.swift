// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation

/// The datasets distill knows, with their published shapes, sizes and normalisation.
///
/// | dataset | shape | classes | train / test | mean | std |
/// |---|---|---|---|---|---|
/// | MNIST | 1×28×28 | 10 | 60,000 / 10,000 | 0.1307 | 0.3081 |
/// | Fashion-MNIST | 1×28×28 | 10 | 60,000 / 10,000 | 0.2861 | 0.3530 |
/// | SVHN | 3×32×32 | 10 | 73,257 / 26,032 | 0.4377, 0.4438, 0.4728 | 0.1980, 0.2010, 0.1970 |
/// | CIFAR-10 | 3×32×32 | 10 | 50,000 / 10,000 | 0.4914, 0.4822, 0.4465 | 0.2023, 0.1994, 0.2010 |
/// | CIFAR-100 | 3×32×32 | 100 | 50,000 / 10,000 | 0.5071, 0.4866, 0.4409 | 0.2673, 0.2564, 0.2762 |
///
/// A built-in dataset's `name` is what users type (`--dataset fashion-mnist`) and the
/// name of its directory under a data root. `folder` is a user's own image folder
/// (`--dataset folder:PATH`), described by what `ImageFolder.resolve` found in it.
public enum DatasetKind: Hashable, Sendable, CaseIterable {
    case mnist
    case fashionMNIST
    /// Listed for completeness: SVHN ships as MATLAB `.mat` files, which distill does not read yet.
    case svhn
    case cifar10
    case cifar100
    case folder(ImageFolder)

    /// The built-in datasets; folders are not enumerable.
    public static let allCases: [DatasetKind] = [.mnist, .fashionMNIST, .svhn, .cifar10, .cifar100]

    /// How a dataset's files are stored on disk.
    public enum StorageFormat: Sendable {
        /// Four IDX files, raw or `.gz` (MNIST style).
        case idx
        /// The CIFAR binary version: a `.tar.gz` or its extracted directory.
        case cifarBinary
        /// MATLAB `.mat` files; not readable by distill.
        case matlab
        /// PNG and JPEG files in `train/CLASS/` and `test/CLASS/` (or `val/CLASS/`).
        case imageFolder
    }

    /// The name users type and the directory name under a data root, e.g. `fashion-mnist`;
    /// `folder:/absolute/path` for an image folder.
    public var name: String {
        switch self {
        case .mnist: return "mnist"
        case .fashionMNIST: return "fashion-mnist"
        case .svhn: return "svhn"
        case .cifar10: return "cifar10"
        case .cifar100: return "cifar100"
        case .folder(let folder): return ImageFolder.namePrefix + folder.root
        }
    }

    /// The name as written in papers, e.g. `Fashion-MNIST`.
    public var displayName: String {
        switch self {
        case .mnist: return "MNIST"
        case .fashionMNIST: return "Fashion-MNIST"
        case .svhn: return "SVHN"
        case .cifar10: return "CIFAR-10"
        case .cifar100: return "CIFAR-100"
        case .folder(let folder): return (folder.root as NSString).lastPathComponent
        }
    }

    /// Shape of one image, `[C, H, W]`.
    public var imageShape: [Int] {
        switch self {
        case .mnist, .fashionMNIST: return [1, 28, 28]
        case .svhn, .cifar10, .cifar100: return [3, 32, 32]
        case .folder(let folder): return [folder.channels, folder.imageSize, folder.imageSize]
        }
    }

    public var channels: Int { imageShape[0] }

    public var classCount: Int {
        switch self {
        case .cifar100: return 100
        case .folder(let folder): return folder.classNames.count
        default: return 10
        }
    }

    /// Number of images in a split of the official release.
    public func count(of split: DatasetSplit) -> Int {
        switch (self, split) {
        case (.mnist, .train), (.fashionMNIST, .train): return 60_000
        case (.svhn, .train): return 73_257
        case (.svhn, .test): return 26_032
        case (.cifar10, .train), (.cifar100, .train): return 50_000
        case (.folder(let folder), _): return folder.count(of: split)
        case (_, .test): return 10_000
        }
    }

    /// Per-channel mean and standard deviation of the training pixels in [0, 1].
    public var normalization: PixelNormalization {
        switch self {
        case .mnist: return PixelNormalization(mean: [0.1307], std: [0.3081])
        case .fashionMNIST: return PixelNormalization(mean: [0.2861], std: [0.3530])
        case .svhn: return PixelNormalization(mean: [0.4377, 0.4438, 0.4728], std: [0.1980, 0.2010, 0.1970])
        case .cifar10: return PixelNormalization(mean: [0.4914, 0.4822, 0.4465], std: [0.2023, 0.1994, 0.2010])
        case .cifar100: return PixelNormalization(mean: [0.5071, 0.4866, 0.4409], std: [0.2673, 0.2564, 0.2762])
        case .folder(let folder): return folder.normalization
        }
    }

    public var storageFormat: StorageFormat {
        switch self {
        case .mnist, .fashionMNIST: return .idx
        case .svhn: return .matlab
        case .cifar10, .cifar100: return .cifarBinary
        case .folder: return .imageFolder
        }
    }

    /// Class names for datasets whose files do not carry them; CIFAR reads its
    /// names from the archive (`batches.meta.txt`, `fine_label_names.txt`).
    public var builtInClassNames: [String]? {
        switch self {
        case .mnist, .svhn:
            return (0..<10).map(String.init)
        case .fashionMNIST:
            return [
                "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
            ]
        case .cifar10, .cifar100:
            return nil
        case .folder(let folder):
            return folder.classNames
        }
    }

    /// Looks a built-in dataset up by the name users type, ignoring case (`CIFAR10`, `fashion-mnist`).
    /// Folders are found with `DataLocator.dataset(named:)`, which reads them.
    public init?(name: String) {
        let key = name.lowercased()
        guard let kind = Self.allCases.first(where: { $0.name == key || $0.displayName.lowercased() == key })
        else { return nil }
        self = kind
    }
}

extension DatasetKind: Codable {
    /// A built-in dataset is stored as its name, as before folders existed; a folder as its description.
    public init(from decoder: Decoder) throws {
        if let name = try? decoder.singleValueContainer().decode(String.self) {
            guard let kind = DatasetKind(name: name) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown dataset '\(name)'"))
            }
            self = kind
        } else {
            self = .folder(try ImageFolder(from: decoder))
        }
    }

    public func encode(to encoder: Encoder) throws {
        if case .folder(let folder) = self {
            try folder.encode(to: encoder)
        } else {
            var container = encoder.singleValueContainer()
            try container.encode(name)
        }
    }
}

/// The official train / test partition of a dataset.
public enum DatasetSplit: String, CaseIterable, Sendable, Codable {
    case train
    case test
}

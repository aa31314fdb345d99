// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation

/// A file of a dataset's official release with the MD5 of its bytes as published.
public struct RemoteFile: Sendable, Equatable {
    /// The file name, both on the server (after the base URL) and on disk.
    public var name: String
    /// Lower-case hexadecimal MD5 of the file's bytes.
    public var md5: String

    public init(name: String, md5: String) {
        self.name = name
        self.md5 = md5.lowercased()
    }
}

extension DatasetKind {
    /// Where the official release lives; nil for datasets distill cannot fetch.
    public var officialBaseURL: URL? {
        switch self {
        case .fashionMNIST: return URL(string: "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/")
        case .mnist: return URL(string: "https://ossci-datasets.s3.amazonaws.com/mnist/")
        case .cifar10, .cifar100: return URL(string: "https://www.cs.toronto.edu/~kriz/")
        case .svhn, .folder: return nil
        }
    }

    /// The files `distill data fetch` downloads, with their official MD5s; empty for SVHN.
    public var remoteFiles: [RemoteFile] {
        let names = DataLocator.idxFileNames
        let idx = [names.trainImages, names.trainLabels, names.testImages, names.testLabels].map { $0 + ".gz" }
        switch self {
        case .fashionMNIST:
            return zip(idx, [
                "8d4fb7e6c68d591d4c3dfef9ec88bf0d", "25c81989df183df01b3e8a0aad5dffbe",
                "bef4ecab320f06d8554ea6380940ec79", "bb300cfdad3c16e7a12a480ee83cd310",
            ]).map(RemoteFile.init)
        case .mnist:
            return zip(idx, [
                "f68b3c2dcbeaaa9fbdd348bbdeb94873", "d53e105ee54ea40749a09fcbcd1e9432",
                "9fb629c4189551a2d022fa330f9573f3", "ec29112dd5afa0611ce80d1b7f02629c",
            ]).map(RemoteFile.init)
        case .cifar10:
            return [RemoteFile(name: "cifar-10-binary.tar.gz", md5: "c32a1d4ab5d03f1284b67883e8d87530")]
        case .cifar100:
            return [RemoteFile(name: "cifar-100-binary.tar.gz", md5: "03b5dce01913d631647c71ecec9e9cb8")]
        case .svhn, .folder:
            return []
        }
    }
}

// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation

/// One image file of an image folder and its class.
struct ImageFile: Sendable {
    var path: String
    var label: Int
    var bytes: Int
}

/// The files of an image folder: classes from `train/`'s subfolder names (sorted),
/// files sorted by name within each class, hidden files and other extensions ignored.
struct ImageFolderListing {
    static let extensions: Set<String> = ["png", "jpg", "jpeg"]

    var root: String
    var classNames: [String]
    var train: [ImageFile]
    var test: [ImageFile]

    /// - Throws: `DatasetError.notFound` / `.corrupt` naming what is missing.
    init(root: String) throws {
        self.root = root
        let name = ImageFolder.namePrefix + root
        let fix = ImageFolder.layoutFix(root: root)
        func directory(_ child: String) -> String? {
            let path = (root as NSString).appendingPathComponent(child)
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue ? path : nil
        }
        guard let trainDirectory = directory("train") else {
            throw DatasetError.notFound(dataset: name, searched: [(root as NSString).appendingPathComponent("train")], fix: fix)
        }
        guard let testDirectory = directory("test") ?? directory("val") else {
            throw DatasetError.notFound(
                dataset: name, searched: ["test", "val"].map { (root as NSString).appendingPathComponent($0) }, fix: fix)
        }
        classNames = try Self.subdirectories(of: trainDirectory)
        guard classNames.count >= 2 else {
            throw DatasetError.corrupt(
                path: trainDirectory,
                reason: "it holds \(classNames.isEmpty ? "no class folders" : "one class folder"); a classification dataset needs at least 2 classes",
                dataset: nil)
        }
        train = try Self.files(in: trainDirectory, classNames: classNames)
        // A class without test images would be left out of the accuracy without a word.
        test = try Self.files(in: testDirectory, classNames: classNames)
    }

    /// Hex MD5 of every file's relative path and size, and the image size: the statistics cache key.
    func hash(imageSize: Int) -> String {
        var md5 = MD5()
        md5.update(data: Data("image-size \(imageSize)\n".utf8))
        for file in train + test {
            let relative = file.path.dropFirst(root.count)
            md5.update(data: Data("\(relative)\t\(file.bytes)\n".utf8))
        }
        return md5.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// The first training image, which sets the image size when none is asked for.
    /// - Throws: `DatasetError.corrupt` when it cannot be decoded, even with bad images skipped: the size must come from somewhere.
    func firstTrainingImage() throws -> DecodedImage {
        try ImageDecoder.decode(readFile(atPath: train[0].path), path: train[0].path)
    }

    /// The class folders in `directory`, sorted by name so every machine labels them alike.
    /// - Throws: `DatasetError.unusableName` for a folder whose name is not valid UTF-8 (it could
    ///   not be named, nor told from another such folder) or holds a control character (a set
    ///   file records the class names one per line).
    private static func subdirectories(of directory: String) throws -> [String] {
        try DirectoryEntry.visible(in: directory).filter(\.isDirectory).map { entry in
            let what = "class folder"
            guard let name = entry.name else {
                throw DatasetError.unusableName(directory: directory, name: entry.escapedName, what: what, reason: "is not valid UTF-8")
            }
            if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                throw DatasetError.unusableName(
                    directory: directory, name: entry.escapedName, what: what, reason: "holds a control character")
            }
            return name
        }.sorted()
    }

    /// Every class must have its folder in `directory`, holding at least one image.
    private static func files(in directory: String, classNames: [String]) throws -> [ImageFile] {
        let present = try subdirectories(of: directory)
        if let unknown = present.first(where: { !classNames.contains($0) }) {
            throw DatasetError.corrupt(
                path: (directory as NSString).appendingPathComponent(unknown),
                reason: "class '\(unknown)' has no folder under train/", dataset: nil)
        }
        var files: [ImageFile] = []
        for (label, name) in classNames.enumerated() {
            let classDirectory = (directory as NSString).appendingPathComponent(name)
            guard present.contains(name) else {
                throw DatasetError.corrupt(
                    path: classDirectory, reason: "it is missing; every class of train/ needs a folder of images here", dataset: nil)
            }
            let images = try imageNames(in: classDirectory)
            if images.isEmpty {
                throw DatasetError.corrupt(path: classDirectory, reason: "it holds no PNG or JPEG images", dataset: nil)
            }
            for image in images {
                let path = (classDirectory as NSString).appendingPathComponent(image)
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                files.append(ImageFile(path: path, label: label, bytes: size))
            }
        }
        return files
    }

    /// The images in `directory`: visible entries with an image extension, sorted by name.
    /// - Throws: `DatasetError.unusableName` for an image whose name is not valid UTF-8, which
    ///   could be neither read by its name nor skipped with a word that names it.
    private static func imageNames(in directory: String) throws -> [String] {
        try DirectoryEntry.visible(in: directory).compactMap { entry in
            // Decoded leniently only to see the extension; such a name is refused below.
            let lenient = String(decoding: entry.nameBytes, as: UTF8.self)
            guard extensions.contains((lenient as NSString).pathExtension.lowercased()) else { return nil }
            guard let name = entry.name else {
                throw DatasetError.unusableName(
                    directory: directory, name: entry.escapedName, what: "image", reason: "is not valid UTF-8")
            }
            return name
        }.sorted()
    }
}

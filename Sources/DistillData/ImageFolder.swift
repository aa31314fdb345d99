// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation

/// How an image folder is read: its target size and what to do about bad files.
/// Not part of a folder's identity, so two runs that read the same folder differently still match.
public struct ImageFolderOptions: Sendable {
    /// Side of the square images; nil takes the shorter side of the first training image.
    public var imageSize: Int?
    /// Report and skip images that cannot be decoded instead of stopping.
    public var skipsBadImages: Bool
    /// The most memory the decoded split may take, in bytes.
    public var memoryLimit: Int
    /// Receives progress lines (decoding counts, timings, cache notes).
    public var progress: (@Sendable (String) -> Void)?

    /// 8 GiB: a decoded ImageNet-100 at 64×64 fits, a full ImageNet does not.
    public static let defaultMemoryLimit = 8 << 30

    public init(
        imageSize: Int? = nil, skipsBadImages: Bool = false, memoryLimit: Int = ImageFolderOptions.defaultMemoryLimit,
        progress: (@Sendable (String) -> Void)? = nil
    ) {
        self.imageSize = imageSize
        self.skipsBadImages = skipsBadImages
        self.memoryLimit = memoryLimit
        self.progress = progress
    }
}

/// A user's own dataset in the torchvision `ImageFolder` layout:
/// `ROOT/train/CLASS/*.{png,jpg,jpeg}` and `ROOT/test/CLASS/*` (or `ROOT/val/CLASS/*`).
///
/// `resolve` scans the folder and fixes everything a `DatasetKind` needs:
/// classes (the training folder names, sorted), image size, channels (RGB when
/// any training image is colour) and the training split's per-channel mean and
/// std, cached in `ROOT/.distill-stats.json` keyed by the file list's hash.
public struct ImageFolder: Hashable, Sendable, Codable {
    /// `--dataset folder:PATH`.
    public static let namePrefix = "folder:"

    /// The folder's absolute, standardised path.
    public var root: String
    public var imageSize: Int
    public var channels: Int
    public var classNames: [String]
    public var normalization: PixelNormalization
    public var trainCount: Int
    public var testCount: Int
    /// How it is read; not encoded and not compared.
    public var options = ImageFolderOptions()

    public func count(of split: DatasetSplit) -> Int { split == .train ? trainCount : testCount }

    /// What a folder dataset must hold, for error messages.
    public static func layoutFix(root: String) -> String {
        "check that \(root) holds train/CLASS/ and test/CLASS/ (or val/CLASS/) folders of PNG or JPEG files"
    }

    /// Scans `root` and describes it, decoding the training split when its statistics are not cached yet.
    /// - Throws: `DatasetError` for a missing or malformed layout, a bad image (unless skipped) or too little memory.
    public static func resolve(root path: String, options: ImageFolderOptions) throws -> ImageFolder {
        let root = (URL(fileURLWithPath: (path as NSString).expandingTildeInPath).standardizedFileURL.path)
        let listing = try ImageFolderListing(root: root)
        if let size = options.imageSize, size < 1 {
            throw DatasetError.unsupported(dataset: namePrefix + root, reason: "--image-size must be ≥ 1, got \(size)")
        }
        let first = try listing.firstTrainingImage()
        let size = options.imageSize ?? min(first.width, first.height)
        let cacheKey = listing.hash(imageSize: size)
        let statistics: ImageFolderStatistics
        if let cached = ImageFolderStatistics.cached(in: root, key: cacheKey) {
            statistics = cached
        } else {
            try checkMemory(images: listing.train.count, channels: first.channels, size: size, root: root, options: options)
            let decoded = try ImageFolderDecoder.decode(listing.train, split: .train, size: size, options: options)
            statistics = try ImageFolderStatistics(decoded, imageSize: size, root: root)
            DecodedSplitCache.shared.store(decoded, root: root, size: size, split: .train)
            if let problem = statistics.save(in: root, key: cacheKey) { options.progress?(problem) }
        }
        try checkMemory(
            images: listing.train.count, channels: statistics.channels, size: statistics.imageSize, root: root, options: options)
        return ImageFolder(
            root: root, imageSize: statistics.imageSize, channels: statistics.channels, classNames: listing.classNames,
            normalization: PixelNormalization(mean: statistics.mean, std: statistics.std),
            trainCount: listing.train.count, testCount: listing.test.count, options: options)
    }

    /// Reads `splits`, decoding on all cores (or taking what `resolve` already decoded).
    public func load(splits: [DatasetSplit]) throws -> [DatasetSplit: Dataset] {
        let listing = try ImageFolderListing(root: root)
        var result = [DatasetSplit: Dataset]()
        for split in splits {
            let files = split == .train ? listing.train : listing.test
            let decoded = try DecodedSplitCache.shared.take(root: root, size: imageSize, split: split)
                ?? ImageFolderDecoder.decode(files, split: split, size: imageSize, options: options)
            result[split] = Dataset(
                kind: .folder(self), split: split, pixels: decoded.planar(channels: channels), labels: decoded.labels,
                classNames: classNames)
        }
        return result
    }

    /// - Throws: `DatasetError.unsupported` when the decoded split would exceed the memory limit.
    static func checkMemory(images: Int, channels: Int, size: Int, root: String, options: ImageFolderOptions) throws {
        // float32 images plus the decoded bytes they are made from; in Double, as a size
        // given on the command line can make the product overflow any integer.
        let bytes = Double(images) * Double(channels) * Double(size) * Double(size) * Double(MemoryLayout<Float>.size + 1)
        guard bytes > Double(options.memoryLimit) else { return }
        let gib = { (value: Double) in String(format: "%.1f GiB", value / Double(1 << 30)) }
        let needed = (bytes / Double(1 << 30)).rounded(.up)
        // --max-memory takes at most 2^33 GiB (Int64 bytes).
        let advice = needed < Double(1 << 33) ? "pass --max-memory \(Int(needed)) or a smaller --image-size" : "give a smaller --image-size"
        throw DatasetError.unsupported(
            dataset: namePrefix + root,
            reason: "its \(images) training images at \(channels)×\(size)×\(size) need \(gib(bytes)), above the "
                + "\(gib(Double(options.memoryLimit))) limit; \(advice)")
    }

    // MARK: - Identity and coding

    private enum CodingKeys: String, CodingKey {
        case root, imageSize = "image_size", channels, classNames = "class_names", normalization, trainCount = "train_count"
        case testCount = "test_count"
    }

    public static func == (lhs: ImageFolder, rhs: ImageFolder) -> Bool {
        lhs.root == rhs.root && lhs.imageSize == rhs.imageSize && lhs.channels == rhs.channels
            && lhs.classNames == rhs.classNames && lhs.normalization == rhs.normalization
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(root)
        hasher.combine(imageSize)
    }
}

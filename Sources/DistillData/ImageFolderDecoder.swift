// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import DistillTensor
import Foundation

/// One decoded split of an image folder: each image `[C, N, N]` bytes with its own channel count.
struct DecodedSplit: Sendable {
    var images: [[UInt8]]
    var channelCounts: [Int]
    var labels: [Int]
    var size: Int

    /// 3 when any image is colour, else 1.
    var channels: Int { channelCounts.contains(3) ? 3 : 1 }

    /// All images as one `[N, channels, size, size]` byte array: gray images copied into
    /// each colour channel, colour images reduced to ITU-R BT.601 luma for a gray set.
    func planar(channels: Int) -> [UInt8] {
        let plane = size * size
        var out = [UInt8]()
        out.reserveCapacity(images.count * channels * plane)
        for (image, own) in zip(images, channelCounts) {
            if own == channels {
                out += image
            } else if own == 1 {
                for _ in 0..<channels { out += image }
            } else {
                for i in 0..<plane {
                    let luma = 0.299 * Float(image[i]) + 0.587 * Float(image[plane + i]) + 0.114 * Float(image[2 * plane + i])
                    out.append(UInt8(min(255, luma.rounded())))
                }
            }
        }
        return out
    }
}

/// Decodes an image folder's files on all cores.
enum ImageFolderDecoder {
    /// Decodes and resizes `files` to `size`×`size`, in order.
    /// - Throws: `DatasetError.corrupt` for the first bad image unless `options.skipsBadImages`,
    ///   in which case each is reported through `options.progress` and left out.
    static func decode(_ files: [ImageFile], split: DatasetSplit, size: Int, options: ImageFolderOptions) throws -> DecodedSplit {
        let start = Date()
        let results = DecodeResults(count: files.count)
        let progress = options.progress
        Parallel.forEachRange(files.count, grain: 8) { range in
            for index in range {
                if !options.skipsBadImages && results.hasFailed() { return }
                let file = files[index]
                do {
                    let image = try ImageDecoder.decode(readFile(atPath: file.path), path: file.path)
                    results.store(index, (ImageResize.squarePlanar(image, size: size), image.channels))
                } catch {
                    results.fail(index, error)
                }
                if let done = results.countDone(), let progress {
                    progress("decoding \(split.rawValue): \(done)/\(files.count) images")
                }
            }
        }
        var decoded = DecodedSplit(images: [], channelCounts: [], labels: [], size: size)
        for (index, file) in files.enumerated() {
            switch results.outcome(index) {
            case .some(.success(let image)):
                decoded.images.append(image.pixels)
                decoded.channelCounts.append(image.channels)
                decoded.labels.append(file.label)
            case .some(.failure(let error)):
                guard options.skipsBadImages else { throw error }
                progress?("skipped \(error)")
            case .none:
                continue
            }
        }
        // With every image of a class skipped, the class would silently drop out of training or of the accuracy.
        let decodedLabels = Set(decoded.labels)
        if let lost = files.first(where: { !decodedLabels.contains($0.label) }) {
            throw DatasetError.corrupt(
                path: AtomicWrite.directoryOf(lost.path),
                reason: "none of its images could be decoded; every class needs at least one in the \(split.rawValue) split",
                dataset: nil)
        }
        progress?(String(format: "decoded %d %@ images in %.1f s", decoded.images.count, split.rawValue, Date().timeIntervalSince(start)))
        return decoded
    }
}

/// Per-image results written by the decoding threads.
private final class DecodeResults: @unchecked Sendable {
    private let lock = NSLock()
    private var outcomes: [Result<(pixels: [UInt8], channels: Int), Error>?]
    private var done = 0
    private var lastReport = Date.distantPast
    private var failed = false

    init(count: Int) { outcomes = Array(repeating: nil, count: count) }

    func store(_ index: Int, _ image: (pixels: [UInt8], channels: Int)) {
        lock.withLock { outcomes[index] = .success(image) }
    }

    func fail(_ index: Int, _ error: Error) {
        lock.withLock {
            outcomes[index] = .failure(error)
            failed = true
        }
    }

    func hasFailed() -> Bool { lock.withLock { failed } }

    /// The number decoded so far, at most twice a second and at the end.
    func countDone() -> Int? {
        lock.withLock {
            done += 1
            guard done == outcomes.count || Date().timeIntervalSince(lastReport) > 0.5 else { return nil }
            lastReport = Date()
            return done
        }
    }

    func outcome(_ index: Int) -> Result<(pixels: [UInt8], channels: Int), Error>? {
        lock.withLock { outcomes[index] }
    }
}

/// The training split `ImageFolder.resolve` decoded to compute statistics, kept for the `load` that follows.
final class DecodedSplitCache: @unchecked Sendable {
    static let shared = DecodedSplitCache()
    private let lock = NSLock()
    private var splits: [String: DecodedSplit] = [:]

    func store(_ split: DecodedSplit, root: String, size: Int, split name: DatasetSplit) {
        lock.withLock { splits["\(root)|\(size)|\(name.rawValue)"] = split }
    }

    /// The stored split, removed so its memory goes once the dataset is built.
    func take(root: String, size: Int, split name: DatasetSplit) -> DecodedSplit? {
        lock.withLock { splits.removeValue(forKey: "\(root)|\(size)|\(name.rawValue)") }
    }
}

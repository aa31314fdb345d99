// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation

/// A training split's per-channel mean and std of pixels in [0, 1], with the
/// size and channel count they were computed at, cached in `ROOT/.distill-stats.json`.
struct ImageFolderStatistics: Codable, Equatable {
    static let fileName = ".distill-stats.json"

    var imageSize: Int
    var channels: Int
    var mean: [Float]
    var std: [Float]

    /// Exact integer sums of the decoded bytes, then the population mean and std.
    /// - Throws: `DatasetError.corrupt` when a channel is constant (its std would be 0).
    init(_ split: DecodedSplit, imageSize: Int, root: String) throws {
        let channels = split.channels
        let pixels = split.planar(channels: channels)
        let plane = imageSize * imageSize
        var sums = [Int](repeating: 0, count: channels), squares = [Int](repeating: 0, count: channels)
        for (index, value) in pixels.enumerated() {
            let channel = index / plane % channels
            sums[channel] += Int(value)
            squares[channel] += Int(value) * Int(value)
        }
        let count = Double(split.images.count * plane)
        self.imageSize = imageSize
        self.channels = channels
        mean = sums.map { Float(Double($0) / count / 255) }
        std = zip(sums, squares).map { sum, square in
            let mean = Double(sum) / count
            return Float((max(0, Double(square) / count - mean * mean)).squareRoot() / 255)
        }
        if let flat = std.firstIndex(where: { !($0 > 0) }) {
            throw DatasetError.corrupt(
                path: (root as NSString).appendingPathComponent("train"),
                reason: "every training pixel of channel \(flat) has the same value, so it cannot be normalised", dataset: nil)
        }
    }

    /// The entry for `key` in the folder's cache file, if present and well formed.
    static func cached(in root: String, key: String) -> ImageFolderStatistics? {
        let path = (root as NSString).appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: path),
            let entries = try? JSONDecoder().decode([String: ImageFolderStatistics].self, from: data),
            let entry = entries[key], entry.mean.count == entry.channels, entry.std.allSatisfy({ $0 > 0 })
        else { return nil }
        return entry
    }

    /// Adds this entry to the cache file atomically; returns a note when the folder is not writable.
    func save(in root: String, key: String) -> String? {
        let path = (root as NSString).appendingPathComponent(Self.fileName)
        var entries = FileManager.default.contents(atPath: path)
            .flatMap { try? JSONDecoder().decode([String: ImageFolderStatistics].self, from: $0) } ?? [:]
        entries[key] = self
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try encoder.encode(entries).write(to: URL(fileURLWithPath: path), options: .atomic)
            return nil
        } catch {
            return "could not cache the statistics in \(path) (\((error as NSError).localizedFailureReason ?? "not writable")); "
                + "later runs will compute them again"
        }
    }
}

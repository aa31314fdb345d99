// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData
import DistillTensor
import Foundation

/// A generated Fashion-MNIST-shaped dataset (40 training and 20 test images,
/// class k brighter than class k − 1) in a temporary directory, so an
/// experiment runs end to end in seconds.
public struct TinyFashionMNIST {
    /// The directory to pass as the data directory (`--data-dir`).
    public let root: String

    public init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("distill-\(UUID().uuidString)").path
        let directory = (root as NSString).appendingPathComponent("fashion-mnist")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var generator = SeededGenerator(seed: 3)
        for (prefix, count) in [("train", 40), ("t10k", 20)] {
            let labels = (0..<count).map { UInt8($0 % 10) }
            let pixels = (0..<(count * 784)).map { index -> UInt8 in
                UInt8(truncatingIfNeeded: Int(labels[index / 784]) * 20 + Int(generator.next() % 40))
            }
            try Self.idx(magic: 0x0803, dimensions: [count, 28, 28], bytes: pixels)
                .write(to: URL(fileURLWithPath: "\(directory)/\(prefix)-images-idx3-ubyte"))
            try Self.idx(magic: 0x0801, dimensions: [count], bytes: labels)
                .write(to: URL(fileURLWithPath: "\(directory)/\(prefix)-labels-idx1-ubyte"))
        }
    }

    /// Finds only the generated files.
    public var locator: DataLocator { DataLocator(dataDirectory: root, environment: ["HOME": root], systemDirectories: [:]) }

    public func remove() { try? FileManager.default.removeItem(atPath: root) }

    private static func idx(magic: UInt32, dimensions: [Int], bytes: [UInt8]) -> Data {
        var data = Data()
        for word in [magic] + dimensions.map(UInt32.init) {
            data.append(contentsOf: [UInt8(word >> 24), UInt8((word >> 16) & 0xFF), UInt8((word >> 8) & 0xFF), UInt8(word & 0xFF)])
        }
        data.append(contentsOf: bytes)
        return data
    }
}
